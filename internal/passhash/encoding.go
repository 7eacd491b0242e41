package passhash

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// b64 is the PHC string format's base64: the standard alphabet without
// padding.
var b64 = base64.RawStdEncoding

// decodeB64 decodes standard base64 with or without padding. It refuses
// characters outside the alphabet, including the line breaks that
// encoding/base64 would otherwise skip.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, errors.New("not base64")
		}
	}
	return b64.DecodeString(s)
}

// decodeDigest decodes a fixed-size digest given in hex (either case) or in
// base64 (with or without padding); the two never have the same length.
func decodeDigest(s string, size int) ([]byte, bool) {
	if len(s) == 2*size {
		b, err := hex.DecodeString(s)
		return b, err == nil
	}
	b, err := decodeB64(s)
	if err != nil || len(b) != size {
		return nil, false
	}
	return b, true
}

// params parses a PHC parameter list "k1=v1,k2=v2,…" whose keys must be
// exactly names, in that order, with decimal values that fit in 32 bits.
func params(s string, names ...string) ([]uint32, bool) {
	fields := strings.Split(s, ",")
	if len(fields) != len(names) {
		return nil, false
	}
	out := make([]uint32, len(names))
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k != names[i] || v == "" || len(v) > 10 {
			return nil, false
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, false
		}
		out[i] = uint32(n)
	}
	return out, true
}
