package oidctest_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/latchauth/latch/internal/oidctest"
	"golang.org/x/oauth2"
)

// callback is the redirect URI the tests register. Nothing listens there:
// SignIn stops at the redirect to it and returns the URL unrequested.
const callback = "http://127.0.0.1:1/oidctest/callback"

// TestDiscovery checks that go-oidc accepts the provider's discovery
// document as is, issuer included: the first thing Latch's generic OIDC
// provider does with an issuer URL.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{})

	if !strings.HasPrefix(p.Issuer, "http://localhost:") || !strings.HasSuffix(p.Issuer, "/") {
		t.Errorf("Issuer = %q, want http://localhost:PORT/", p.Issuer)
	}
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatalf("oidc.NewProvider(%q): %v", p.Issuer, err)
	}
	var doc struct {
		Methods []string `json:"code_challenge_methods_supported"`
		Scopes  []string `json:"scopes_supported"`
	}
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc.Methods, "S256") {
		t.Errorf("code_challenge_methods_supported = %q, want S256 among them", doc.Methods)
	}
	for _, s := range []string{oidc.ScopeOpenID, "email", "profile"} {
		if !slices.Contains(doc.Scopes, s) {
			t.Errorf("scopes_supported = %q, want %q among them", doc.Scopes, s)
		}
	}
	if got, want := provider.Endpoint().AuthURL, p.Issuer+"auth"; got != want {
		t.Errorf("authorization endpoint = %q, want %q", got, want)
	}
}

// TestCodeFlowPKCE runs the authorization-code flow with PKCE and a nonce
// for each default user, without a browser, the way Latch will: x/oauth2
// for the code exchange, go-oidc for the ID token and userinfo.
func TestCodeFlowPKCE(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{callback}})
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  callback,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: p.ClientID})

	for _, user := range p.Users {
		t.Run(user.Username, func(t *testing.T) {
			pkce := oauth2.GenerateVerifier()
			state, nonce := "state-"+user.ID, "nonce-"+user.ID
			authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce))

			landed := p.SignIn(t, nil, authURL, user, callback)
			q := landed.Query()
			if got := q.Get("state"); got != state {
				t.Errorf("state = %q, want %q", got, state)
			}
			code := q.Get("code")
			if code == "" {
				t.Fatalf("no code in %s", landed)
			}

			tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idToken, err := verifier.Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("verify ID token: %v", err)
			}
			if got, want := idToken.Subject, user.ID; got != want {
				t.Errorf("sub = %q, want %q", got, want)
			}
			if got := idToken.Nonce; got != nonce {
				t.Errorf("nonce = %q, want %q", got, nonce)
			}
			// The constraint the package doc states: with an access token
			// issued, the email is only at userinfo.
			var idClaims struct {
				Email *string `json:"email"`
			}
			if err := idToken.Claims(&idClaims); err != nil {
				t.Fatal(err)
			}
			if idClaims.Email != nil {
				t.Errorf("ID token carries email %q; the package doc says it does not", *idClaims.Email)
			}

			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			if got, want := info.Subject, user.ID; got != want {
				t.Errorf("userinfo sub = %q, want %q", got, want)
			}
			if got, want := info.Email, user.Email; got != want {
				t.Errorf("userinfo email = %q, want %q", got, want)
			}
			if got, want := info.EmailVerified, user.EmailVerified; got != want {
				t.Errorf("userinfo email_verified = %v, want %v", got, want)
			}
			var profile struct {
				GivenName  string `json:"given_name"`
				FamilyName string `json:"family_name"`
			}
			if err := info.Claims(&profile); err != nil {
				t.Fatal(err)
			}
			if profile.GivenName != user.FirstName || profile.FamilyName != user.LastName {
				t.Errorf("userinfo name = %q %q, want %q %q", profile.GivenName, profile.FamilyName, user.FirstName, user.LastName)
			}

			// A code is single use.
			if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
				t.Error("second exchange of the same code succeeded")
			}
		})
	}
}

// TestRefusals shows the provider enforces what Latch's refusal tests rely
// on: the PKCE verifier, the client secret and the registered redirect URI.
func TestRefusals(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{callback}})
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  callback,
		Scopes:       []string{oidc.ScopeOpenID},
	}
	signIn := func(t *testing.T, pkce string) string {
		t.Helper()
		landed := p.SignIn(t, nil, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)), p.User, callback)
		return landed.Query().Get("code")
	}

	t.Run("wrong verifier", func(t *testing.T) {
		code := signIn(t, oauth2.GenerateVerifier())
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Error("exchange with another code_verifier succeeded")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		pkce := oauth2.GenerateVerifier()
		code := signIn(t, pkce)
		bad := cfg
		bad.ClientSecret = "not-the-secret"
		if _, err := bad.Exchange(ctx, code, oauth2.VerifierOption(pkce)); err == nil {
			t.Error("exchange with a wrong client secret succeeded")
		}
	})
	t.Run("other audience", func(t *testing.T) {
		// A token for the other client fails verification as ours.
		other := cfg
		other.ClientID = p.OtherClientID
		pkce := oauth2.GenerateVerifier()
		landed := p.SignIn(t, nil, other.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)), p.User, callback)
		tok, err := other.Exchange(ctx, landed.Query().Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange as %s: %v", p.OtherClientID, err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		if _, err := provider.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(ctx, rawID); err == nil {
			t.Errorf("ID token issued to %s verified for %s", p.OtherClientID, p.ClientID)
		}
	})
	t.Run("unregistered redirect URI", func(t *testing.T) {
		// The provider shows an error instead of redirecting; the auth
		// request never reaches the login page.
		bad := cfg
		bad.RedirectURL = "http://127.0.0.1:1/elsewhere"
		resp, err := noRedirects.Get(bad.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "elsewhere") || strings.Contains(loc, oidctest.LoginPath) {
			t.Errorf("unregistered redirect URI: %s, Location %q; want a refusal", resp.Status, loc)
		}
	})
}

// TestClientSecretPost checks the package doc's claim that the
// confidential client may also send its secret in the form body, as some
// providers' documented settings make Latch do.
func TestClientSecretPost(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{callback}})
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInParams
	cfg := oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: endpoint, RedirectURL: callback, Scopes: []string{oidc.ScopeOpenID}}
	pkce := oauth2.GenerateVerifier()
	landed := p.SignIn(t, nil, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)), p.User, callback)
	if _, err := cfg.Exchange(t.Context(), landed.Query().Get("code"), oauth2.VerifierOption(pkce)); err != nil {
		t.Fatalf("exchange with client_secret_post: %v", err)
	}
}

// TestPublicClientLoopback checks the package doc's escape hatch: the
// public client accepts a registered loopback redirect URI on any port.
func TestPublicClientLoopback(t *testing.T) {
	t.Parallel()
	p := oidctest.Start(t, oidctest.Options{
		RedirectURIs: []string{"http://127.0.0.1/cb"},
		Users:        []oidctest.User{{ID: "u1", Username: "u1", Password: "pw", Email: "u1@example.org", EmailVerified: true}},
	})
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	const redirect = "http://127.0.0.1:4242/cb"
	cfg := oauth2.Config{ClientID: p.PublicClientID, Endpoint: provider.Endpoint(), RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID}}
	pkce := oauth2.GenerateVerifier()
	landed := p.SignIn(t, nil, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(pkce)), p.User, redirect)
	tok, err := cfg.Exchange(ctx, landed.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: p.PublicClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got, want := idToken.Subject, "u1"; got != want {
		t.Errorf("sub = %q, want %q", got, want)
	}
	if u, _ := url.Parse(redirect); landed.Host != u.Host {
		t.Errorf("landed on %s, want host %s", landed, u.Host)
	}
}

// noRedirects shows a response as the provider sent it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
