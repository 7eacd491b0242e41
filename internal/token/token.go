// Package token makes and hashes the opaque secrets Latch hands out: magic
// link tokens, session tokens and project secrets. Only hashes are stored.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/latchauth/latch/internal/auth"
)

// New returns a magic-link style token: 32 random bytes, base64url with
// padding (44 characters), the shape Stytch's magic link tokens have.
func New() string {
	return base64.URLEncoding.EncodeToString(random(32))
}

// NewSession returns a session token: 33 random bytes, base64url without
// padding (44 characters), the shape of Stytch's session tokens.
func NewSession() string {
	return base64.RawURLEncoding.EncodeToString(random(33))
}

// NewSecret returns a project secret with the given prefix, for example
// "secret-test-" followed by 36 random bytes in base64url.
func NewSecret(prefix string) string {
	return prefix + base64.RawURLEncoding.EncodeToString(random(36))
}

// Hash returns the SHA-256 of a token, the only form Latch stores. Tokens
// carry 256 bits of entropy, so a fast hash is enough: there is nothing to
// brute-force, and lookups by hash need no constant-time compare.
func Hash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// Equal reports whether tok hashes to hash, in constant time.
func Equal(hash []byte, tok string) bool {
	return subtle.ConstantTimeCompare(hash, Hash(tok)) == 1
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand.Read does not fail on supported platforms.
		panic(err)
	}
	return b
}

// CheckPKCE verifies an RFC 7636 S256 code verifier against the challenge
// a flow was started with: both empty is no PKCE, and one without the
// other is refused, as Stytch refuses it.
func CheckPKCE(challenge, verifier string) error {
	switch {
	case challenge == "" && verifier == "":
		return nil
	case challenge == "":
		return auth.ErrPKCEDidNotExpectVerifier
	case verifier == "":
		return auth.ErrPKCEExpectedVerifier
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) != 1 {
		return auth.ErrPKCEMismatch
	}
	return nil
}

// AppendQuery adds an encoded query (a token and its stytch_token_type,
// as the links and redirects that carry tokens do) to a URL that may
// already have a query.
func AppendQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}
