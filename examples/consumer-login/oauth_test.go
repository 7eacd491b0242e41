package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
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
// returning user, who must be the same user, and once more with PKCE
// between the app and Latch, whose verifier the token then requires.
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
	startOAuthApp := func(pkce bool) string {
		appURL := startApp(t, client, "", func(a *app) {
			a.oauthStartURL, a.publicToken, a.oauthProviders = srv.URL+"/v1/public/oauth/", srv.PublicToken, []string{"acme"}
			a.oauthPKCE = pkce
		})
		srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "login,signup", appURL+"/authenticate")
		return appURL
	}
	appURL, pkceAppURL := startOAuthApp(false), startOAuthApp(true)

	// atProvider clicks the app's button and waits for the provider's
	// login form; signIn fills it in and returns the app's profile page.
	atProvider := func(step, appURL string) {
		t.Helper()
		browsertest.Run(t, ctx, step+": home", chromedp.Navigate(appURL+"/"), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
		browsertest.Run(t, ctx, step+": sign in with acme", chromedp.Click(chromedp.CSS("a.oauth")),
			chromedp.WaitVisible(chromedp.CSS(oidctest.UsernameSelector)))
	}
	submit := func(step string) {
		t.Helper()
		browsertest.Run(t, ctx, step+": the provider's login form",
			chromedp.SendKeys(chromedp.CSS(oidctest.UsernameSelector), op.User.Username),
			chromedp.SendKeys(chromedp.CSS(oidctest.PasswordSelector), op.User.Password),
			chromedp.Click(chromedp.CSS(oidctest.SubmitSelector)))
	}
	signIn := func(step, appURL string) string {
		t.Helper()
		atProvider(step, appURL)
		submit(step)
		browsertest.WaitURL(t, ctx, appURL+"/profile")
		return browsertest.Get(t, ctx, step+": profile", chromedp.Text(chromedp.CSS("body")))
	}
	signOut := func(step string) {
		t.Helper()
		browsertest.Run(t, ctx, step, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
	}

	first := signIn("first login", appURL)
	if !strings.Contains(first, op.User.Email) || !strings.Contains(first, "You are signed in") {
		t.Fatalf("profile after the first login:\n%s", first)
	}
	userID := between(first, "User ID", "Session expires")

	// Sign out, and back in: the same user.
	signOut("sign out")
	again := signIn("returning login", appURL)
	if got := between(again, "User ID", "Session expires"); got != userID || userID == "" {
		t.Errorf("returning user is %q, want %q", got, userID)
	}
	signOut("sign out again")

	// With PKCE between the app and Latch: the button goes through the
	// app, which sends Latch the challenge and oauth.authenticate the
	// verifier from its cookie.
	browsertest.Run(t, ctx, "PKCE app", chromedp.Navigate(pkceAppURL+"/"), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
	if href := browsertest.Get(t, ctx, "PKCE button", chromedp.AttributeValue(chromedp.CSS("a.oauth"), "href")); href.Value != "/oauth/acme" {
		t.Fatalf("PKCE app's button goes to %q, want its /oauth/acme", href.Value)
	}
	withPKCE := signIn("PKCE login", pkceAppURL)
	if got := between(withPKCE, "User ID", "Session expires"); got != userID {
		t.Errorf("PKCE login is user %q, want %q", got, userID)
	}
	signOut("sign out after PKCE")

	// The challenge binds the token: a browser that lost the verifier
	// (or a token replayed elsewhere) is refused by oauth.authenticate.
	atProvider("PKCE login without the verifier", pkceAppURL)
	browsertest.Run(t, ctx, "drop the verifier", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: verifierCookie, URL: pkceAppURL + "/authenticate"})
		return err
	}))
	submit("PKCE login without the verifier")
	browsertest.WaitURL(t, ctx, pkceAppURL+"/authenticate")
	if page := browsertest.Get(t, ctx, "refusal", chromedp.Text(chromedp.CSS("body"))); !strings.Contains(page, "expired or was already used") {
		t.Errorf("login without the verifier ended on:\n%s", page)
	}
}

// between returns the trimmed text of s between two labels.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return strings.TrimSpace(v)
}
