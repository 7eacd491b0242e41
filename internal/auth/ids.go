package auth

import (
	"crypto/rand"
	"fmt"
	mathrand "math/rand/v2"
	"strings"
)

// Kind names the resource an ID identifies; it is the ID's first segment.
type Kind string

// ID kinds, spelled as Stytch spells them.
const (
	KindProject                 Kind = "project"
	KindUser                    Kind = "user"
	KindEmail                   Kind = "email"
	KindPhone                   Kind = "phone-number"
	KindSession                 Kind = "session"
	KindJWK                     Kind = "jwk"
	KindRequest                 Kind = "request-id"
	KindPublicToken             Kind = "public-token"
	KindMessage                 Kind = "message"
	KindMagicLink               Kind = "magic-link"
	KindOrganization            Kind = "organization"
	KindMember                  Kind = "member"
	KindMemberSession           Kind = "member-session"
	KindIntermediateSession     Kind = "intermediate-session"
	KindTOTP                    Kind = "totp"
	KindOTP                     Kind = "otp"
	KindMemberTOTP              Kind = "member-totp"
	KindRecoveryCode            Kind = "totp-recovery-code"
	KindPassword                Kind = "password"
	KindOAuthState              Kind = "oauth-state"
	KindOAuthRegistration       Kind = "oauth-user-registration"
	KindMemberOAuthRegistration Kind = "member-oauth-registration"
	KindMemberPassword          Kind = "member-password"
)

// NewID returns a Stytch-shaped identifier such as "user-test-<uuid>".
func NewID(kind Kind, env Env) string {
	return string(kind) + "-" + string(env) + "-" + newUUID()
}

// NewRequestID returns a request ID ("request-id-test-<uuid>"). Request IDs
// only correlate logs, so they come from the runtime's fast per-thread
// generator rather than the getrandom system call every other ID pays for.
func NewRequestID(env Env) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := mathrand.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return string(KindRequest) + "-" + string(env) + "-" + formatUUID(b)
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
	return formatUUID(b)
}

// formatUUID stamps b as a version 4 UUID and formats it.
func formatUUID(b [16]byte) string {
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
