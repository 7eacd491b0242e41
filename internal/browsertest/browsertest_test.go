package browsertest_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/latchauth/latch/internal/browsertest"
	"github.com/latchauth/latch/internal/oidctest"
	"golang.org/x/oauth2"
)

// TestOIDCLogin is the end-to-end proof that the two test helpers work
// together: real headless Chromium signs in on the real provider's login
// page in an authorization-code flow with PKCE, the provider redirects it to
// a local callback page, and the test exchanges the code that page received
// and verifies the ID token, as Latch's OAuth callback will.
func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)

	// The callback page comes first: the provider accepts only redirect
	// URIs it was started with.
	type callback struct{ code, state, err string }
	got := make(chan callback, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		select {
		case got <- callback{code: q.Get("code"), state: q.Get("state"), err: q.Get("error")}:
		default: // a second visit; the test reads only the first
		}
		fmt.Fprintf(w, `<!DOCTYPE html><title>Callback</title><p id="done">received %s</p>`, html.EscapeString(r.URL.RawQuery))
	}))
	t.Cleanup(app.Close)
	redirectURI := app.URL + "/callback"

	p := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{redirectURI}})
	provider, err := oidc.NewProvider(t.Context(), p.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  redirectURI,
		Scopes:       []string{oidc.ScopeOpenID, "email"},
	}
	pkce, state, nonce := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), oidc.Nonce(nonce))

	user := p.User
	browsertest.Run(t, ctx, "open the provider's login page",
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS(oidctest.UsernameSelector)),
	)
	browsertest.Run(t, ctx, "sign in as "+user.Username,
		chromedp.SendKeys(chromedp.CSS(oidctest.UsernameSelector), user.Username),
		chromedp.SendKeys(chromedp.CSS(oidctest.PasswordSelector), user.Password),
		chromedp.Click(chromedp.CSS(oidctest.SubmitSelector)),
	)
	browsertest.WaitURL(t, ctx, redirectURI)
	browsertest.Run(t, ctx, "show the callback page", chromedp.WaitVisible(chromedp.CSS("#done")))

	var cb callback
	select {
	case cb = <-got:
	case <-time.After(browsertest.StepTimeout):
		// The page above rendered, so its handler ran; this is a guard,
		// not a wait.
		t.Fatal("the callback page was shown but recorded no request")
	}
	if cb.err != "" {
		t.Fatalf("provider redirected with error %q", cb.err)
	}
	if cb.state != state {
		t.Errorf("state = %q, want %q", cb.state, state)
	}
	if cb.code == "" {
		t.Fatal("no code at the callback")
	}

	tok, err := cfg.Exchange(t.Context(), cb.code, oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	rawID, ok := tok.Extra("id_token").(string)
	if !ok {
		t.Fatal("token response has no id_token")
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(t.Context(), rawID)
	if err != nil {
		t.Fatalf("verify the ID token: %v", err)
	}
	if got, want := idToken.Subject, user.ID; got != want {
		t.Errorf("sub = %q, want %q", got, want)
	}
	if idToken.Nonce != nonce {
		t.Errorf("nonce = %q, want %q", idToken.Nonce, nonce)
	}
	info, err := provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Email != user.Email || !info.EmailVerified {
		t.Errorf("userinfo email = %q (verified %v), want %q (verified)", info.Email, info.EmailVerified, user.Email)
	}
}
