package auth

import (
	"encoding/json"
	"maps"
)

// maxMetadataBytes bounds a metadata object serialized, as Stytch does.
const maxMetadataBytes = 4096

// MergeMetadata applies a Stytch update of a JSON object field (user and
// member metadata, organization trusted metadata, session custom claims):
// top-level keys in patch replace those in base, keys set to null are
// removed, and nested objects are replaced whole. base is not modified;
// the result is never nil.
func MergeMetadata(base, patch map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
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
			return ErrInvalidArgument.WithMessage("metadata must be a JSON object.")
		}
		if len(b) > maxMetadataBytes {
			return ErrMetadataTooLarge
		}
	}
	return nil
}
