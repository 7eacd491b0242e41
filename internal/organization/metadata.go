package organization

import (
	"encoding/json"
	"maps"

	"github.com/latchauth/latch/internal/auth"
)

// maxMetadataBytes bounds a metadata object serialized, as Stytch does.
const maxMetadataBytes = 4096

// MergeMetadata applies a Stytch metadata update: top-level keys in patch
// replace those in base and keys set to null are removed; nested objects
// are replaced whole. base is not modified.
func MergeMetadata(base, patch map[string]any) map[string]any {
	out := maps.Clone(OrEmpty(base))
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// CheckMetadata refuses metadata objects larger than Stytch allows.
func CheckMetadata(ms ...map[string]any) error {
	for _, m := range ms {
		b, err := json.Marshal(m)
		if err != nil {
			return auth.ErrInvalidArgument.WithMessage("metadata must be a JSON object.")
		}
		if len(b) > maxMetadataBytes {
			return auth.ErrMetadataTooLarge
		}
	}
	return nil
}

// OrEmpty returns m, or an empty map when m is nil, so that stored and
// returned metadata is never null.
func OrEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
