package auth

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Kind names the resource an ID identifies; it is the ID's first segment.
type Kind string

// ID kinds, spelled as Stytch spells them.
const (
	KindProject     Kind = "project"
	KindUser        Kind = "user"
	KindEmail       Kind = "email"
	KindSession     Kind = "session"
	KindJWK         Kind = "jwk"
	KindRequest     Kind = "request-id"
	KindPublicToken Kind = "public-token"
	KindMessage     Kind = "message"
	KindMagicLink   Kind = "magic-link"
)

// NewID returns a Stytch-shaped identifier such as "user-test-<uuid>".
func NewID(kind Kind, env Env) string {
	return string(kind) + "-" + string(env) + "-" + newUUID()
}

// HasKind reports whether id is shaped like an identifier of the given kind
// ("<kind>-test-…" or "<kind>-live-…"). It does not check that it exists.
func HasKind(id string, kind Kind) bool {
	rest, ok := strings.CutPrefix(id, string(kind)+"-")
	if !ok {
		return false
	}
	return strings.HasPrefix(rest, string(EnvTest)+"-") || strings.HasPrefix(rest, string(EnvLive)+"-")
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand.Read never fails on supported platforms (Go 1.24+ panics instead).
		panic(err)
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
