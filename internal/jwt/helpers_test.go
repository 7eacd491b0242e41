package jwt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/latchauth/latch/internal/auth"
)

const (
	testProject  = "project-test-11111111-1111-4111-8111-111111111111"
	otherProject = "project-test-22222222-2222-4222-8222-222222222222"
)

// t0 is the fixed instant tests start from.
var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// testKeyPool holds RSA keys generated once per test binary: generating
// 2048-bit keys costs tens of milliseconds each (far more under -race), and
// most tests only need distinct keys, not fresh ones.
var testKeyPool = sync.OnceValue(func() [][]byte {
	ders := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range ders {
		wg.Go(func() {
			priv, err := rsa.GenerateKey(rand.Reader, keyBits)
			if err != nil {
				panic(err)
			}
			der, err := x509.MarshalPKCS8PrivateKey(priv)
			if err != nil {
				panic(err)
			}
			ders[i] = der
		})
	}
	wg.Wait()
	return ders
})

var testKeyNext atomic.Uint32

// newTestKey returns a key of testProject from the pool with a fresh kid,
// created and active at created.
func newTestKey(tb testing.TB, created time.Time) auth.SigningKey {
	tb.Helper()
	pool := testKeyPool()
	der := pool[int(testKeyNext.Add(1))%len(pool)]
	return auth.SigningKey{
		ProjectID:     testProject,
		KeyID:         auth.NewID(auth.KindJWK, auth.EnvTest),
		PrivateKeyDER: der,
		CreatedAt:     created,
		ActiveAt:      created,
	}
}

// mustKeyring builds a Keyring of testProject or fails the test.
func mustKeyring(tb testing.TB, now time.Time, keys ...auth.SigningKey) *Keyring {
	tb.Helper()
	kr, err := NewKeyring(testProject, keys, now)
	if err != nil {
		tb.Fatalf("NewKeyring: %v", err)
	}
	return kr
}

// consumerClaims returns a fully populated consumer session issued at iat.
func consumerClaims(iat time.Time) SessionClaims {
	return SessionClaims{
		ProjectID:      testProject,
		Subject:        "user-test-33333333-3333-4333-8333-333333333333",
		SessionID:      "session-test-44444444-4444-4444-8444-444444444444",
		StartedAt:      time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC),
		LastAccessedAt: iat,
		ExpiresAt:      iat.Add(time.Hour),
		Attributes:     auth.SessionAttributes{IPAddress: "203.0.113.7", UserAgent: "Mozilla/5.0"},
		Factors: []auth.AuthenticationFactor{{
			Type:                auth.FactorMagicLink,
			DeliveryMethod:      auth.DeliveryEmail,
			LastAuthenticatedAt: iat,
			EmailFactor: &auth.EmailFactor{
				EmailID:      "email-test-55555555-5555-4555-8555-555555555555",
				EmailAddress: "sandbox@stytch.com",
			},
		}},
		IssuedAt: iat,
	}
}

// b2bClaims returns a B2B session with roles, an organization and custom
// claims, issued at iat.
func b2bClaims(iat time.Time) SessionClaims {
	c := consumerClaims(iat)
	c.Subject = "member-test-66666666-6666-4666-8666-666666666666"
	c.Roles = []string{"stytch_member", "stytch_admin"}
	c.Organization = &OrgClaim{ID: "organization-test-77777777-7777-4777-8777-777777777777", Slug: "acme"}
	c.Custom = map[string]any{
		"plan":   "pro",
		"seats":  float64(12),
		"flags":  []any{"beta", true},
		"nested": map[string]any{"tier": "gold"},
	}
	return c
}

// mustSign signs c or fails the test.
func mustSign(tb testing.TB, kr *Keyring, c SessionClaims) string {
	tb.Helper()
	tok, err := kr.SignSession(c)
	if err != nil {
		tb.Fatalf("SignSession: %v", err)
	}
	return tok
}

// decodeSegment base64url-decodes part i of a JWT.
func decodeSegment(tb testing.TB, token string, i int) []byte {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("token has %d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		tb.Fatalf("decode part %d: %v", i, err)
	}
	return b
}

// decodePayload returns a JWT's claims as generic JSON.
func decodePayload(tb testing.TB, token string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(decodeSegment(tb, token, 1), &m); err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return m
}

// forge signs arbitrary claims with arbitrary headers, to build JWTs that
// SignSession would never produce.
func forge(tb testing.TB, method gojwt.SigningMethod, key any, header map[string]any, claims map[string]any) string {
	tb.Helper()
	tok := gojwt.NewWithClaims(method, gojwt.MapClaims(claims))
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatalf("forge: %v", err)
	}
	return s
}

// kids returns the key IDs of jwks, in order.
func kids(jwks []JWK) []string {
	var out []string
	for _, j := range jwks {
		out = append(out, j.Kid)
	}
	return out
}
