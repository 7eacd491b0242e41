package oauth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/oauth"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/store"
)

func newProviders(t *testing.T, st store.Store) (*oauth.Providers, *auth.Project) {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	box, err := secretbox.New(secretbox.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return oauth.NewProviders(st, box, s.Clock.Now), p
}

func pemKey(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestProvidersDefaultsAndSecrets(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := t.Context()
		ps, p := newProviders(t, st)

		stored, err := ps.Set(ctx, p.ID, oauth.ProviderInput{Type: auth.OAuthGoogle, ClientID: "gid", ClientSecret: "gsecret", Scopes: []string{"email", "https://www.googleapis.com/auth/calendar"}})
		if err != nil {
			t.Fatal(err)
		}
		if stored.Name != "google" || strings.Contains(string(stored.SealedClientSecret), "gsecret") {
			t.Errorf("stored provider %+v: name not defaulted, or the secret is in the clear", stored)
		}
		got, err := ps.Get(ctx, p.ID, "google")
		if err != nil {
			t.Fatal(err)
		}
		want := &oauth.Config{
			Name: "google", Type: auth.OAuthGoogle, OIDC: true, ClientID: "gid", ClientSecret: "gsecret",
			Scopes: []string{"openid", "email", "profile", "https://www.googleapis.com/auth/calendar"},
			Issuer: "https://accounts.google.com", Tenant: "common",
		}
		// The Apple key (nil here) is an ecdsa key, which cmp cannot open.
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(oauth.Config{}, "ApplePrivateKey")); diff != "" {
			t.Errorf("google config (-want +got):\n%s", diff)
		}

		if _, err := ps.Set(ctx, p.ID, oauth.ProviderInput{Type: auth.OAuthMicrosoft, ClientID: "mid", ClientSecret: "ms", Tenant: "contoso.onmicrosoft.com"}); err != nil {
			t.Fatal(err)
		}
		ms, err := ps.Get(ctx, p.ID, "microsoft")
		if err != nil || ms.Issuer != "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0" {
			t.Errorf("microsoft issuer = %q, %v", ms.Issuer, err)
		}

		// GitHub has no issuer, and a stand-in's endpoints override.
		if _, err := ps.Set(ctx, p.ID, oauth.ProviderInput{Type: auth.OAuthGitHub, ClientID: "hid", ClientSecret: "hs", APIURL: "http://127.0.0.1:9999/api"}); err != nil {
			t.Fatal(err)
		}
		gh, err := ps.Get(ctx, p.ID, "github")
		if err != nil || gh.OIDC || gh.Issuer != "" || gh.AuthURL != "https://github.com/login/oauth/authorize" || gh.APIURL != "http://127.0.0.1:9999/api" {
			t.Errorf("github config = %+v, %v", gh, err)
		}

		// Apple signs its own client secret with the team's key.
		ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := ps.Set(ctx, p.ID, oauth.ProviderInput{Type: auth.OAuthApple, ClientID: "com.example.web", AppleTeamID: "TEAM123456", AppleKeyID: "KEY1234567", ApplePrivateKey: pemKey(t, ec)}); err != nil {
			t.Fatal(err)
		}
		apple, err := ps.Get(ctx, p.ID, "apple")
		if err != nil || !apple.ApplePrivateKey.Equal(ec) || apple.ClientSecret != "" {
			t.Errorf("apple config = %+v, %v", apple, err)
		}

		list, err := ps.List(ctx, p.ID)
		if err != nil || len(list) != 4 {
			t.Fatalf("List = %d providers, %v; want 4", len(list), err)
		}
		if err := ps.Remove(ctx, p.ID, "github"); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.Get(ctx, p.ID, "github"); !errors.Is(err, oauth.ErrProviderNotFound) {
			t.Errorf("Get after Remove: %v, want ErrProviderNotFound", err)
		}
		if err := ps.Remove(ctx, p.ID, "github"); !errors.Is(err, oauth.ErrProviderNotFound) {
			t.Errorf("Remove twice: %v, want ErrProviderNotFound", err)
		}

		// A sealed secret is bound to its row: copied to another
		// provider, it does not open.
		acme, err := ps.Set(ctx, p.ID, oauth.ProviderInput{Name: "acme", Type: auth.OAuthOIDC, ClientID: "a", ClientSecret: "as", IssuerURL: "https://id.acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := st.GetOAuthProvider(ctx, p.ID, "google")
		acme.SealedClientSecret = g.SealedClientSecret
		if err := st.PutOAuthProvider(ctx, p.ID, acme); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.Get(ctx, p.ID, "acme"); err == nil {
			t.Error("a secret sealed for google opened as acme's")
		}
	})
}

func TestProviderValidation(t *testing.T) {
	t.Parallel()
	ps, p := newProviders(t, authtest.NewStore(t))
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ok := oauth.ProviderInput{Type: auth.OAuthOIDC, Name: "acme", ClientID: "id", ClientSecret: "s", IssuerURL: "https://id.acme.example"}
	for _, tc := range []struct {
		name string
		edit func(in *oauth.ProviderInput)
		want string
	}{
		{"unknown type", func(in *oauth.ProviderInput) { in.Type = "facebook" }, "not one of"},
		{"OIDC without a name", func(in *oauth.ProviderInput) { in.Name = "" }, "lowercase"},
		{"OIDC named like a built-in", func(in *oauth.ProviderInput) { in.Name = "google" }, "built-in"},
		{"bad name", func(in *oauth.ProviderInput) { in.Name = "Acme Corp" }, "lowercase"},
		{"built-in renamed", func(in *oauth.ProviderInput) { in.Type, in.Name = auth.OAuthGoogle, "gmail" }, "is named google"},
		{"no client ID", func(in *oauth.ProviderInput) { in.ClientID = "" }, "client ID"},
		{"no client secret", func(in *oauth.ProviderInput) { in.ClientSecret = "" }, "client secret"},
		{"OIDC without issuer", func(in *oauth.ProviderInput) { in.IssuerURL = "" }, "issuer"},
		{"plain http issuer", func(in *oauth.ProviderInput) { in.IssuerURL = "http://id.acme.example" }, "https"},
		{"relative URL", func(in *oauth.ProviderInput) { in.TokenURL = "/token" }, "absolute"},
		{"scope with a space", func(in *oauth.ProviderInput) { in.Scopes = []string{"a b"} }, "white space"},
		{"tenant off Microsoft", func(in *oauth.ProviderInput) { in.Tenant = "common" }, "tenant"},
		{"Apple with a secret", func(in *oauth.ProviderInput) { in.Type, in.Name = auth.OAuthApple, "apple" }, "no client secret"},
		{"Apple with an RSA key", func(in *oauth.ProviderInput) {
			in.Type, in.Name, in.ClientSecret, in.IssuerURL = auth.OAuthApple, "apple", "", ""
			in.AppleTeamID, in.AppleKeyID, in.ApplePrivateKey = "T", "K", pemKey(t, rsaKey)
		}, "P-256"},
		{"Apple settings elsewhere", func(in *oauth.ProviderInput) { in.AppleTeamID = "T" }, "Apple settings"},
	} {
		in := ok
		tc.edit(&in)
		_, err := ps.Set(t.Context(), p.ID, in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := ps.Set(t.Context(), p.ID, ok); err != nil {
		t.Errorf("valid input refused: %v", err)
	}
	loopback := ok
	loopback.IssuerURL = "http://127.0.0.1:5556/dex"
	if _, err := ps.Set(t.Context(), p.ID, loopback); err != nil {
		t.Errorf("http issuer on loopback refused: %v", err)
	}
}
