package oauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/latchauth/latch/internal/auth"
)

func TestAppleClientSecret(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Type: auth.OAuthApple, ClientID: "com.example.web", Issuer: "https://appleid.apple.com",
		AppleTeamID: "TEAM123456", AppleKeyID: "KEY1234567", ApplePrivateKey: key}
	now := time.Now().Truncate(time.Second)
	oc := &oauth2.Config{ClientID: cfg.ClientID}
	if err := clientAuth(cfg, oc, now); err != nil {
		t.Fatal(err)
	}
	if oc.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		t.Errorf("AuthStyle = %v, want in params", oc.Endpoint.AuthStyle)
	}
	var c gojwt.RegisteredClaims
	tok, err := gojwt.ParseWithClaims(oc.ClientSecret, &c, func(*gojwt.Token) (any, error) { return &key.PublicKey, nil },
		gojwt.WithValidMethods([]string{"ES256"}), gojwt.WithIssuer("TEAM123456"), gojwt.WithSubject("com.example.web"),
		gojwt.WithAudience("https://appleid.apple.com"), gojwt.WithExpirationRequired(), gojwt.WithIssuedAt())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["kid"] != "KEY1234567" || !c.IssuedAt.Equal(now) || c.ExpiresAt.Sub(c.IssuedAt.Time) != appleSecretLifetime {
		t.Errorf("client secret header %v claims %+v", tok.Header, c)
	}

	// Other providers keep their configured secret.
	other := &oauth2.Config{ClientSecret: "s"}
	if err := clientAuth(&Config{Type: auth.OAuthGoogle}, other, now); err != nil || other.ClientSecret != "s" {
		t.Errorf("google client auth = %q, %v", other.ClientSecret, err)
	}
	if err := clientAuth(&Config{Type: auth.OAuthApple}, &oauth2.Config{}, now); err == nil {
		t.Error("Apple without a key signed a secret")
	}
}

func TestCheckCrossSiteCallback(t *testing.T) {
	t.Parallel()
	apple := &Config{Name: "apple", Type: auth.OAuthApple}
	for _, tc := range []struct {
		cfg       *Config
		publicURL string
		ok        bool
	}{
		{apple, "https://auth.example.com", true},
		{apple, "http://localhost:8080", true},
		{apple, "http://127.0.0.1:8080", true},
		{apple, "http://[::1]:8080", true},
		{apple, "http://auth.example.com", false},
		{apple, "http://10.0.0.5:8080", false},
		{&Config{Type: auth.OAuthGoogle}, "http://auth.example.com", true},
	} {
		err := checkCrossSiteCallback(tc.cfg, tc.publicURL)
		if (err == nil) != tc.ok {
			t.Errorf("%s at %s: %v, want ok %v", tc.cfg.Type, tc.publicURL, err, tc.ok)
		}
		if err != nil && (!auth.ErrUseHTTPS.Is(err) || !strings.Contains(err.Error(), "https")) {
			t.Errorf("%s: %v, want use_https", tc.publicURL, err)
		}
	}
}

func TestApplyAppleUser(t *testing.T) {
	t.Parallel()
	apple := &Config{Type: auth.OAuthApple}
	const field = `{"name":{"firstName":" Ada ","lastName":"Lovelace"},"email":"evil@example.com"}`
	for _, tc := range []struct {
		name        string
		cfg         *Config
		id          identity
		raw         string
		first, last string
	}{
		{"first login", apple, identity{Email: "ada@example.com"}, field, "Ada", "Lovelace"},
		{"no field", apple, identity{}, "", "", ""},
		{"malformed", apple, identity{}, "{", "", ""},
		{"token named the user", apple, identity{GivenName: "A"}, field, "A", ""},
		{"not Apple", &Config{Type: auth.OAuthOIDC}, identity{}, field, "", ""},
	} {
		id := tc.id
		applyAppleUser(tc.cfg, &id, tc.raw)
		if id.GivenName != tc.first || id.FamilyName != tc.last || id.Email != tc.id.Email {
			t.Errorf("%s: %+v", tc.name, id)
		}
	}
}

func TestIssuerTemplate(t *testing.T) {
	t.Parallel()
	ms := func(tenant, issuer string) *Config {
		return &Config{Type: auth.OAuthMicrosoft, Tenant: tenant, Issuer: issuer}
	}
	for _, tc := range []struct {
		cfg  *Config
		want string
	}{
		{ms("common", "https://login.microsoftonline.com/common/v2.0"), "https://login.microsoftonline.com/{tenantid}/v2.0"},
		{ms("organizations", "https://login.microsoftonline.com/organizations/v2.0"), "https://login.microsoftonline.com/{tenantid}/v2.0"},
		{ms("consumers", "https://login.microsoftonline.com/consumers/v2.0"), "https://login.microsoftonline.com/{tenantid}/v2.0"},
		{ms("common", "http://127.0.0.1:9000/common/v2.0"), "http://127.0.0.1:9000/{tenantid}/v2.0"},
		{ms("contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"), ""},
		{ms("common", "http://127.0.0.1:9000/"), ""}, // overridden to an issuer without a tenant: strict
		{&Config{Type: auth.OAuthOIDC, Tenant: "common", Issuer: "https://idp.example.com/common/v2.0"}, ""},
	} {
		if got := issuerTemplate(tc.cfg); got != tc.want {
			t.Errorf("issuerTemplate(%s, %s) = %q, want %q", tc.cfg.Tenant, tc.cfg.Issuer, got, tc.want)
		}
	}
	tmpl := "https://login.microsoftonline.com/{tenantid}/v2.0"
	for iss, want := range map[string]bool{
		"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0": true,
		"https://login.microsoftonline.com/v2.0":                                      false,
		"https://login.microsoftonline.com/a/b/v2.0":                                  false,
		"https://evil.example.com/9188040d/v2.0":                                      false,
	} {
		if got := fillsTemplate(tmpl, iss); got != want {
			t.Errorf("fillsTemplate(%s) = %v", iss, got)
		}
	}
}
