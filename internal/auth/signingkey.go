package auth

import "time"

// SigningKey is an RSA key a project signs session JWTs with. A key is
// published in the JWKS from CreatedAt, signs from ActiveAt until RetiredAt,
// and stays published until ExpiresAt, after the last JWT it signed expired.
type SigningKey struct {
	ProjectID     string
	KeyID         string // the JWT "kid", "jwk-test-<uuid>"
	PrivateKeyDER []byte // PKCS#8
	CreatedAt     time.Time
	ActiveAt      time.Time
	RetiredAt     *time.Time
	ExpiresAt     *time.Time
}
