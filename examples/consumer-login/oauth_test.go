package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"

	"github.com/latchauth/latch/internal/browsertest"
	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/oidctest"
)

// TestOAuthInBrowser signs in with the app's "Sign in with acme" button in
// a real Chromium: Latch's start URL, a real OpenID provider's login form,
// Latch's callback, and the app's /authenticate, which exchanges the token
// with stytch-go's oauth.authenticate and shows the user. Then again as a
// returning user, who must be the same user.
func TestOAuthInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	srv := latchtest.Start(t, latchtest.Options{})
	op := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/acme"}})
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(op.ClientSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Run(t, "oauth-providers", "set", "--project", srv.ProjectID, "--type", "oidc", "--name", "acme",
		"--client-id", op.ClientID, "--client-secret-file", secret, "--issuer", op.Issuer)
	client, err := stytchapi.NewClient(srv.ProjectID, srv.Secret, stytchapi.WithBaseURI(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	appURL := startApp(t, client, "", func(a *app) {
		a.oauthStartURL, a.publicToken, a.oauthProviders = srv.URL+"/v1/public/oauth/", srv.PublicToken, []string{"acme"}
	})
	srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "login,signup", appURL+"/authenticate")

	signIn := func(step string) string {
		t.Helper()
		browsertest.Run(t, ctx, step+": home", chromedp.Navigate(appURL+"/"), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
		browsertest.Run(t, ctx, step+": sign in with acme", chromedp.Click(chromedp.CSS("a.oauth")),
			chromedp.WaitVisible(chromedp.CSS(oidctest.UsernameSelector)))
		browsertest.Run(t, ctx, step+": the provider's login form",
			chromedp.SendKeys(chromedp.CSS(oidctest.UsernameSelector), op.User.Username),
			chromedp.SendKeys(chromedp.CSS(oidctest.PasswordSelector), op.User.Password),
			chromedp.Click(chromedp.CSS(oidctest.SubmitSelector)))
		browsertest.WaitURL(t, ctx, appURL+"/profile")
		return browsertest.Get(t, ctx, step+": profile", chromedp.Text(chromedp.CSS("body")))
	}
	first := signIn("first login")
	if !strings.Contains(first, op.User.Email) || !strings.Contains(first, "You are signed in") {
		t.Fatalf("profile after the first login:\n%s", first)
	}
	userID := between(first, "User ID", "Session expires")

	// Sign out, and back in: the same user.
	browsertest.Run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
	again := signIn("returning login")
	if got := between(again, "User ID", "Session expires"); got != userID || userID == "" {
		t.Errorf("returning user is %q, want %q", got, userID)
	}
}

// between returns the trimmed text of s between two labels.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return strings.TrimSpace(v)
}
