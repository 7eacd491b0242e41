package jwt

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
)

// TestSignSessionGolden pins the JWT's header and payload to the shape of
// a real Stytch JWT (STYTCH_API.md §4), which all three SDKs accept.
func TestSignSessionGolden(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, t0)
	kr := mustKeyring(t, t0, k)
	iat := t0.Add(90 * time.Second)
	c := consumerClaims(iat)
	c.Roles = nil // must still be emitted, as []
	tok := mustSign(t, kr, c)

	if got, want := string(decodeSegment(t, tok, 0)), `{"alg":"RS256","kid":"`+k.KeyID+`","typ":"JWT"}`; got != want {
		t.Errorf("header = %s, want %s", got, want)
	}
	if got, want := len(decodeSegment(t, tok, 2)), 256; got != want {
		t.Errorf("signature is %d bytes, want %d (RSA-2048)", got, want)
	}
	if !strings.Contains(string(decodeSegment(t, tok, 1)), `"roles":[]`) {
		t.Errorf(`payload lacks "roles":[]: %s`, decodeSegment(t, tok, 1))
	}

	p := decodePayload(t, tok)
	if exp, iat := p["exp"].(float64), p["iat"].(float64); exp-iat != 300 {
		t.Errorf("exp - iat = %v, want 300", exp-iat)
	}
	want := map[string]any{
		"iss": "stytch.com/" + testProject,
		"aud": []any{testProject},
		"sub": "user-test-33333333-3333-4333-8333-333333333333",
		"iat": float64(iat.Unix()),
		"nbf": float64(iat.Unix()),
		"exp": float64(iat.Unix() + 300),
		"https://stytch.com/session": map[string]any{
			"id":               "session-test-44444444-4444-4444-8444-444444444444",
			"started_at":       "2026-11-20T08:30:00Z",
			"last_accessed_at": "2026-11-22T12:01:30Z",
			"expires_at":       "2026-11-22T13:01:30Z",
			"attributes":       map[string]any{"user_agent": "Mozilla/5.0", "ip_address": "203.0.113.7"},
			"authentication_factors": []any{map[string]any{
				"type":                  "magic_link",
				"delivery_method":       "email",
				"last_authenticated_at": "2026-11-22T12:01:30Z",
				"email_factor": map[string]any{
					"email_id":      "email-test-55555555-5555-4555-8555-555555555555",
					"email_address": "sandbox@stytch.com",
				},
			}},
			"roles": []any{},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
}

func TestSignSessionB2BGolden(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	c := b2bClaims(t0)
	c.Factors = nil // must still be emitted, as []
	p := decodePayload(t, mustSign(t, kr, c))

	if diff := cmp.Diff(map[string]any{
		"organization_id": "organization-test-77777777-7777-4777-8777-777777777777",
		"slug":            "acme",
	}, p["https://stytch.com/organization"]); diff != "" {
		t.Errorf("organization claim (-want +got):\n%s", diff)
	}
	if got, want := p["sub"], "member-test-66666666-6666-4666-8666-666666666666"; got != want {
		t.Errorf("sub = %v, want %v", got, want)
	}
	session := p["https://stytch.com/session"].(map[string]any)
	if diff := cmp.Diff([]any{"stytch_member", "stytch_admin"}, session["roles"]); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{}, session["authentication_factors"]); diff != "" {
		t.Errorf("authentication_factors (-want +got):\n%s", diff)
	}
	// Custom claims sit at the top level.
	for k, want := range b2bClaims(t0).Custom {
		if diff := cmp.Diff(want, p[k]); diff != "" {
			t.Errorf("custom claim %q (-want +got):\n%s", k, diff)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	minimal := SessionClaims{ProjectID: testProject, Subject: "user-test-x", SessionID: "session-test-x", IssuedAt: t0}
	factorWithoutDetails := consumerClaims(t0)
	factorWithoutDetails.Factors[0].EmailFactor = nil
	mfa := consumerClaims(t0)
	mfa.Factors = append(mfa.Factors,
		auth.AuthenticationFactor{
			Type: auth.FactorTOTP, DeliveryMethod: auth.DeliveryAuthenticatorApp, LastAuthenticatedAt: t0,
			AuthenticatorAppFactor: &auth.AuthenticatorAppFactor{TOTPID: "totp-test-88888888-8888-4888-8888-888888888888"},
		},
		auth.AuthenticationFactor{
			Type: auth.FactorRecoveryCodes, DeliveryMethod: auth.DeliveryRecoveryCode, LastAuthenticatedAt: t0,
			RecoveryCodeFactor: &auth.RecoveryCodeFactor{RecoveryCodeID: "totp-recovery-code-test-99999999-9999-4999-8999-999999999999"},
		})
	// Phone and OAuth factors carry their details; an OAuth account's
	// tenant is not a claim.
	linked := consumerClaims(t0)
	linked.Factors = []auth.AuthenticationFactor{
		{
			Type: auth.FactorOTP, DeliveryMethod: auth.DeliverySMS, LastAuthenticatedAt: t0,
			PhoneNumberFactor: &auth.PhoneNumberFactor{PhoneID: "phone-number-test-1", PhoneNumber: "+12025550162"},
		},
		{
			Type: auth.FactorOAuth, DeliveryMethod: "oauth_google", LastAuthenticatedAt: t0,
			OAuthFactor: &auth.OAuthFactor{ProviderType: "google", ProviderName: "google", RegistrationID: "oauth-user-registration-test-1",
				ProviderSubject: "1234", EmailID: "email-test-1"},
		},
		{
			Type: auth.FactorOAuth, DeliveryMethod: auth.DeliverySSOOIDC, LastAuthenticatedAt: t0,
			OAuthFactor: &auth.OAuthFactor{ProviderType: "oidc", ProviderName: "acme", RegistrationID: "oauth-user-registration-test-2", ProviderSubject: "ada"},
		},
	}
	tests := []struct {
		name string
		c    SessionClaims
	}{
		{"consumer", consumerClaims(t0)},
		{"b2b with custom claims", b2bClaims(t0)},
		{"minimal", minimal},
		{"factor without details", factorWithoutDetails},
		{"totp and recovery code factors", mfa},
		{"phone and oauth factors", linked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := kr.VerifySession(mustSign(t, kr, tt.c), t0.Add(time.Minute))
			if err != nil {
				t.Fatalf("VerifySession: %v", err)
			}
			if diff := cmp.Diff(&tt.c, got); diff != "" {
				t.Errorf("claims (-signed +verified):\n%s", diff)
			}
		})
	}
}

// TestSignVerifyNormalizes checks that times come back in UTC, truncated
// to the second: that is all a JWT can carry.
func TestSignVerifyNormalizes(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	paris := time.FixedZone("CET", 3600)
	in := consumerClaims(t0.Add(700 * time.Millisecond).In(paris))
	got, err := kr.VerifySession(mustSign(t, kr, in), t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := consumerClaims(t0)
	want.StartedAt = in.StartedAt
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if got.IssuedAt.Location() != time.UTC || got.LastAccessedAt.Location() != time.UTC {
		t.Error("times are not in UTC")
	}
}

func TestSignSessionErrors(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	tests := []struct {
		name   string
		mutate func(c *SessionClaims)
		is     error
	}{
		{"reserved custom claim", func(c *SessionClaims) { c.Custom = map[string]any{"exp": 1} }, auth.ErrReservedClaims},
		{"stytch custom claim", func(c *SessionClaims) {
			c.Custom = map[string]any{"https://stytch.com/session": "x"}
		}, auth.ErrStytchClaimsInCustomClaims},
		{"other project", func(c *SessionClaims) { c.ProjectID = otherProject }, nil},
		{"zero IssuedAt", func(c *SessionClaims) { c.IssuedAt = time.Time{} }, nil},
		{"unencodable custom claim", func(c *SessionClaims) { c.Custom = map[string]any{"ch": make(chan int)} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := consumerClaims(t0)
			tt.mutate(&c)
			tok, err := kr.SignSession(c)
			if err == nil {
				t.Fatalf("SignSession succeeded: %s", tok)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
		})
	}

	empty := mustKeyring(t, t0)
	if _, err := empty.SignSession(consumerClaims(t0)); !errors.Is(err, ErrNoSigningKey) {
		t.Errorf("SignSession with no key: error %v, want ErrNoSigningKey", err)
	}
}

func TestValidateCustomClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		custom map[string]any
		want   error
	}{
		{nil, nil},
		{map[string]any{"plan": "pro", "https://example.com/role": "x", "stytch.com/x": 1}, nil},
		{map[string]any{"iss": "x"}, auth.ErrReservedClaims},
		{map[string]any{"aud": "x"}, auth.ErrReservedClaims},
		{map[string]any{"sub": "x"}, auth.ErrReservedClaims},
		{map[string]any{"iat": 1}, auth.ErrReservedClaims},
		{map[string]any{"nbf": 1}, auth.ErrReservedClaims},
		{map[string]any{"exp": 1}, auth.ErrReservedClaims},
		{map[string]any{"jti": "x"}, auth.ErrReservedClaims},
		{map[string]any{"https://stytch.com/session": "x"}, auth.ErrStytchClaimsInCustomClaims},
		{map[string]any{"https://stytch.com/anything": "x"}, auth.ErrStytchClaimsInCustomClaims},
		{map[string]any{"https://stytch.com/x": 1, "sub": "x"}, auth.ErrReservedClaims},
	}
	for _, tt := range tests {
		err := ValidateCustomClaims(tt.custom)
		if tt.want == nil {
			if err != nil {
				t.Errorf("ValidateCustomClaims(%v) = %v, want nil", tt.custom, err)
			}
			continue
		}
		var ae *auth.Error
		if !errors.Is(err, tt.want) || !errors.As(err, &ae) {
			t.Errorf("ValidateCustomClaims(%v) = %v, want %v", tt.custom, err, tt.want)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, t0)
	kr := mustKeyring(t, t0, k)
	priv := mustParse(t, k.PrivateKeyDER)
	stranger := newTestKey(t, t0)
	for bytes.Equal(stranger.PrivateKeyDER, k.PrivateKeyDER) {
		stranger = newTestKey(t, t0)
	}
	strangerPriv := mustParse(t, stranger.PrivateKeyDER)
	now := t0.Add(time.Minute)
	valid := mustSign(t, kr, consumerClaims(t0))
	kidHeader := map[string]any{"kid": k.KeyID}

	// claims returns the valid token's claims with changes applied; a nil
	// value deletes the claim.
	claims := func(changes map[string]any) map[string]any {
		m := decodePayload(t, valid)
		for k, v := range changes {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	rs256 := func(changes map[string]any) string {
		return forge(t, gojwt.SigningMethodRS256, priv, kidHeader, claims(changes))
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	tamperedPayload := base64.RawURLEncoding.EncodeToString(mustJSON(t, claims(map[string]any{"sub": "user-test-evil"})))
	sig := []byte(parts[2])
	sig[10] ^= 1

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not a jwt"},
		{"four segments", valid + ".x"},
		{"wrong audience", rs256(map[string]any{"aud": []string{otherProject}})},
		{"no audience", rs256(map[string]any{"aud": nil})},
		{"wrong issuer", rs256(map[string]any{"iss": "stytch.com/" + otherProject})},
		{"base URL issuer", rs256(map[string]any{"iss": "https://auth.example.com"})},
		{"no issuer", rs256(map[string]any{"iss": nil})},
		{"no sub", rs256(map[string]any{"sub": nil})},
		{"no iat", rs256(map[string]any{"iat": nil})},
		{"no nbf", rs256(map[string]any{"nbf": nil})},
		{"no exp", rs256(map[string]any{"exp": nil})},
		{"not yet valid", rs256(map[string]any{"nbf": now.Add(time.Minute).Unix()})},
		{"no session claim", rs256(map[string]any{"https://stytch.com/session": nil})},
		{"bad session time", rs256(map[string]any{"https://stytch.com/session": map[string]any{"started_at": "yesterday"}})},
		{"session claim not an object", rs256(map[string]any{"https://stytch.com/session": "x"})},
		{"unknown kid", forge(t, gojwt.SigningMethodRS256, priv, map[string]any{"kid": "jwk-test-unknown"}, claims(nil))},
		{"no kid", forge(t, gojwt.SigningMethodRS256, priv, map[string]any{"kid": nil}, claims(nil))},
		{"numeric kid", forge(t, gojwt.SigningMethodRS256, priv, map[string]any{"kid": 7}, claims(nil))},
		{"signed by an unpublished key", forge(t, gojwt.SigningMethodRS256, strangerPriv, kidHeader, claims(nil))},
		{"unpublished key under its own kid", forge(t, gojwt.SigningMethodRS256, strangerPriv, map[string]any{"kid": stranger.KeyID}, claims(nil))},
		{"alg none", forge(t, gojwt.SigningMethodNone, gojwt.UnsafeAllowNoneSignatureType, kidHeader, claims(nil))},
		{"HS256 keyed with the public key (DER)", forge(t, gojwt.SigningMethodHS256, pubDER, kidHeader, claims(nil))},
		{"HS256 keyed with the modulus", forge(t, gojwt.SigningMethodHS256, priv.N.Bytes(), kidHeader, claims(nil))},
		{"RS512", forge(t, gojwt.SigningMethodRS512, priv, kidHeader, claims(nil))},
		{"PS256", forge(t, gojwt.SigningMethodPS256, priv, kidHeader, claims(nil))},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2]},
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(sig)},
		{"signature stripped", parts[0] + "." + parts[1] + "."},
		{"expired and wrong audience", rs256(map[string]any{"aud": []string{otherProject}, "exp": now.Add(-time.Second).Unix()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := kr.VerifySession(tt.token, now)
			if err == nil {
				t.Fatalf("VerifySession succeeded: %+v", c)
			}
			if c != nil {
				t.Errorf("VerifySession returned claims with error %v", err)
			}
			if !errors.Is(err, auth.ErrUnableToParseSessionJWT) {
				t.Errorf("error %v does not wrap auth.ErrUnableToParseSessionJWT", err)
			}
			if errors.Is(err, ErrExpired) {
				t.Errorf("error %v matches ErrExpired", err)
			}
		})
	}

	// The SDKs accept aud as a plain string; so does Latch.
	if _, err := kr.VerifySession(rs256(map[string]any{"aud": testProject}), now); err != nil {
		t.Errorf("string aud: %v", err)
	}
	// Unknown Stytch claims are ignored rather than taken as custom claims.
	got, err := kr.VerifySession(rs256(map[string]any{"https://stytch.com/future": "x"}), now)
	if err != nil || got.Custom != nil {
		t.Errorf("unknown Stytch claim: claims %+v, error %v", got, err)
	}
}

func TestVerifyExpired(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	want := b2bClaims(t0)
	tok := mustSign(t, kr, want)

	if _, err := kr.VerifySession(tok, t0.Add(Lifetime-time.Second)); err != nil {
		t.Fatalf("an instant before exp: %v", err)
	}
	for _, now := range []time.Time{t0.Add(Lifetime), t0.Add(24 * time.Hour)} {
		got, err := kr.VerifySession(tok, now)
		if !errors.Is(err, ErrExpired) {
			t.Fatalf("at %v: error %v, want ErrExpired", now, err)
		}
		// Callers that do not handle expiry still refuse the JWT as a 401.
		if !errors.Is(err, auth.ErrUnableToParseSessionJWT) {
			t.Errorf("at %v: error %v does not wrap auth.ErrUnableToParseSessionJWT", now, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("at %v: claims (-want +got):\n%s", now, diff)
		}
	}
	// Unrelated parse errors never match ErrExpired, even through auth.Error.Is.
	if _, err := kr.VerifySession("x", t0); errors.Is(err, ErrExpired) {
		t.Errorf("garbage matched ErrExpired: %v", err)
	}
}

func TestVerifyNotBeforeSkew(t *testing.T) {
	t.Parallel()
	kr := mustKeyring(t, t0, newTestKey(t, t0))
	tok := mustSign(t, kr, consumerClaims(t0.Add(10*time.Second)))
	// Another Latch process whose clock is 10 seconds behind.
	if _, err := kr.VerifySession(tok, t0); err != nil {
		t.Errorf("JWT from a process 10s ahead: %v", err)
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func BenchmarkSignSession(b *testing.B) {
	kr := mustKeyring(b, t0, newTestKey(b, t0))
	c := b2bClaims(t0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.SignSession(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySession(b *testing.B) {
	kr := mustKeyring(b, t0, newTestKey(b, t0))
	tok := mustSign(b, kr, b2bClaims(t0))
	now := t0.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.VerifySession(tok, now); err != nil {
			b.Fatal(err)
		}
	}
}
