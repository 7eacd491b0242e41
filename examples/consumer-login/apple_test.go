package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"

	"github.com/latchauth/latch/internal/browsertest"
	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/providertest"
)

// bindingCookie is the cookie with which Latch binds an OAuth login to the
// browser that started it (internal/api).
const bindingCookie = "latch_oauth_binding"

// TestAppleInBrowser signs in with the app's "Sign in with apple" button
// in a real Chromium, against the stand-in in Apple mode: Latch's start
// URL, the stand-in's authorize page, which posts the code, the state and
// (on the first login) the user's name back to Latch's callback by
// response_mode=form_post, and the app's /authenticate, which exchanges
// the token with stytch-go's oauth.authenticate.
//
// Latch and the app listen on 127.0.0.1 and the stand-in on localhost:
// two sites to the browser, so the form post to the callback is a
// cross-site POST, as Apple's is. Such a POST carries only SameSite=None
// cookies (with SameSite=Lax Chromium withholds the binding cookie,
// SchemefulSameSiteLax, and the login fails), and Chromium keeps those
// only when Secure. The test shows that Chromium keeps Latch's Secure
// binding cookie although http://127.0.0.1 is plain http (loopback counts
// as a secure origin), and sends it on the cross-site POST even with
// third-party cookies blocked, which the test turns on: a top-level
// navigation is a first-party context, and blocking applies to cookies in
// embedded frames and subresources. It reads that from DevTools' own
// account of each request's cookies (blocked reasons, 3PC exemptions),
// not only from the login's outcome, and shows the account when a step
// fails. (From a plain-http host that is not loopback, Chromium refuses
// to store the cookie, SecureOnly: hence Latch's use_https refusal.)
//
// Then, with the cookie deleted before the POST, the same flow ends on
// Latch's "Sign-in failed" page with oauth_invalid_state: the cookie, not
// the state alone, is what ties the callback to this browser.
func TestAppleInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	watch := watchCookie(t, ctx, bindingCookie)
	// Block third-party cookies, as browsers increasingly do by default,
	// so the test does not depend on this Chromium's default.
	browsertest.Run(t, ctx, "block third-party cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookieControls, network.SetCookieControlsParams{EnableThirdPartyCookieRestriction: true})
		return err
	}))
	srv := latchtest.Start(t, latchtest.Options{})
	callback := srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/apple"
	key, p8 := providertest.AppleKey(t)
	ps := providertest.Start(t, providertest.Options{
		Host: "localhost", RedirectURIs: []string{callback},
		Apple: &providertest.Apple{TeamID: "TEAM123456", KeyID: "KEY1234567", PublicKey: &key.PublicKey},
	})
	apple := providertest.User{
		Subject: "001234.5678abcd.0042", Email: "ada@privaterelay.appleid.com", EmailVerified: true,
		GivenName: "Ada", FamilyName: "Lovelace",
	}
	ps.SetDefault(providertest.Login{User: &apple})
	srv.Run(t, "oauth-providers", "set", "--project", srv.ProjectID, "--type", "apple", "--client-id", ps.ClientID,
		"--apple-team-id", "TEAM123456", "--apple-key-id", "KEY1234567", "--apple-private-key-file", p8, "--issuer", ps.Issuer)
	client, err := stytchapi.NewClient(srv.ProjectID, srv.Secret, stytchapi.WithBaseURI(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	appURL := startApp(t, client, "", func(a *app) {
		a.oauthStartURL, a.publicToken, a.oauthProviders = srv.URL+"/v1/public/oauth/", srv.PublicToken, []string{"apple"}
	})
	srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "login,signup", appURL+"/authenticate")
	if h := hostOf(t, ps.URL); h == hostOf(t, srv.URL) || hostOf(t, appURL) != hostOf(t, srv.URL) {
		t.Fatalf("stand-in at %s, Latch at %s, app at %s: the stand-in must be another site than Latch and the app", ps.URL, srv.URL, appURL)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the binding cookie, as DevTools saw it:\n%s\nstand-in refusals: %v", watch, ps.Refusals())
		}
	})

	clickApple := func(step string) {
		t.Helper()
		browsertest.Run(t, ctx, step+": home", chromedp.Navigate(appURL+"/"), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
		if got := browsertest.Get(t, ctx, step+": button", chromedp.Text(chromedp.CSS("a.oauth"))); got != "Sign in with apple" {
			t.Fatalf("%s: the app's button says %q", step, got)
		}
		browsertest.Run(t, ctx, step+": sign in with apple", chromedp.Click(chromedp.CSS("a.oauth")))
	}
	// profile waits for the profile page to be loaded, not only for its
	// URL (the old document's nodes may still be there), and returns its
	// text.
	profile := func(step string) string {
		t.Helper()
		browsertest.WaitURL(t, ctx, appURL+"/profile")
		browsertest.Run(t, ctx, step+": profile", chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)))
		return browsertest.Get(t, ctx, step+": profile text", chromedp.Text(chromedp.CSS("body")))
	}
	signOut := func(step string) {
		t.Helper()
		browsertest.Run(t, ctx, step, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("a.oauth")))
	}

	// The first login: Apple posts the name, which names the new user.
	clickApple("first login")
	first := profile("first login")
	if got := between(first, "Name", "Email"); got != "Ada Lovelace" {
		t.Errorf("profile shows name %q, want Apple's Ada Lovelace:\n%s", got, first)
	}
	if !strings.Contains(first, apple.Email) {
		t.Errorf("profile lacks the address from Apple's ID token:\n%s", first)
	}
	if n := watch.sent(); n != 1 {
		t.Errorf("the binding cookie went with %d requests, want 1: the callback's cross-site POST\n%s", n, watch)
	}
	userID := between(first, "User ID", "Session expires")

	// The session is an Apple login's: ask Latch with the app's cookie.
	s := appSession(t, ctx, client, appURL)
	if s.User.UserID != userID || len(s.Session.AuthenticationFactors) != 1 {
		t.Fatalf("session of user %s with factors %+v, want one factor of %s", s.User.UserID, s.Session.AuthenticationFactors, userID)
	}
	if f := s.Session.AuthenticationFactors[0]; f.DeliveryMethod != "oauth_apple" || f.AppleOAuthFactor == nil ||
		f.AppleOAuthFactor.ProviderSubject != apple.Subject {
		t.Errorf("session factor %s %+v, want oauth_apple for subject %s", f.DeliveryMethod, f.AppleOAuthFactor, apple.Subject)
	}
	if len(s.User.Providers) != 1 || s.User.Providers[0].ProviderType != "Apple" || s.User.Providers[0].ProviderSubject != apple.Subject {
		t.Errorf("user's providers %+v, want one Apple registration for %s", s.User.Providers, apple.Subject)
	}
	signOut("sign out")

	// Apple posts no name again; the returning user keeps it.
	clickApple("returning login")
	again := profile("returning login")
	if got := between(again, "User ID", "Session expires"); got != userID {
		t.Errorf("returning login is user %q, want %q", got, userID)
	}
	if got := between(again, "Name", "Email"); got != "Ada Lovelace" {
		t.Errorf("returning user's name is %q, want Ada Lovelace", got)
	}
	if n := watch.sent(); n != 2 {
		t.Errorf("the binding cookie went with %d requests after two logins, want 2\n%s", n, watch)
	}
	signOut("sign out again")

	// Without the cookie the callback refuses. Scripts off stop the
	// stand-in's page from posting at once (its <noscript> button posts
	// instead), which leaves time to look at the cookie and delete it.
	browsertest.Run(t, ctx, "scripts off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	clickApple("login without the binding cookie")
	browsertest.WaitURL(t, ctx, ps.URL+"/authorize")
	browsertest.Run(t, ctx, "the stand-in's form", chromedp.WaitVisible(chromedp.CSS(`form[method="post"] button`)))
	var stored []*network.Cookie
	browsertest.Run(t, ctx, "drop the binding cookie", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{callback}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			if c.Name == bindingCookie {
				stored = append(stored, c)
			}
		}
		_, err = chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: bindingCookie, URL: callback})
		return err
	}))
	if len(stored) != 1 || !stored[0].Secure || stored[0].SameSite != network.CookieSameSiteNone || !stored[0].HTTPOnly {
		t.Errorf("Chromium holds binding cookies %s for the callback, want one Secure, HttpOnly, SameSite=None", cookiesString(stored))
	}
	browsertest.Run(t, ctx, "post the form", chromedp.Click(chromedp.CSS(`form[method="post"] button`)))
	browsertest.WaitURL(t, ctx, callback)
	page := browsertest.Get(t, ctx, "refusal", chromedp.Text(chromedp.CSS("body")))
	if !strings.Contains(page, "Sign-in failed") || !strings.Contains(page, "oauth_invalid_state") {
		t.Errorf("the callback without the binding cookie shows:\n%s", page)
	}
	browsertest.Run(t, ctx, "scripts on", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		return err
	}))
}

// appSession authenticates, with Latch, the session whose token the
// browser holds in the app's cookie.
func appSession(t *testing.T, ctx context.Context, client *stytchapi.API, appURL string) *sessions.AuthenticateResponse {
	t.Helper()
	var token string
	browsertest.Run(t, ctx, "the app's session cookie", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{appURL + "/profile"}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			if c.Name == sessionCookie {
				token = c.Value
			}
		}
		return nil
	}))
	if token == "" {
		t.Fatalf("the browser holds no %s cookie for %s", sessionCookie, appURL)
	}
	s, err := client.Sessions.Authenticate(t.Context(), &sessions.AuthenticateParams{SessionToken: token})
	if err != nil {
		t.Fatalf("sessions.authenticate with the app's cookie: %v", err)
	}
	return s
}

// cookieWatch keeps what DevTools says of one cookie on each request and
// response of a tab: whether a request carried it and, when Chromium
// refused to send or to store it, why.
type cookieWatch struct {
	name string

	mu     sync.Mutex
	urls   map[network.RequestID]string // the request's latest URL
	events []string
	nSent  int
}

// watchCookie starts watching the cookie called name in the tab of ctx.
func watchCookie(t *testing.T, ctx context.Context, name string) *cookieWatch {
	t.Helper()
	w := &cookieWatch{name: name, urls: map[network.RequestID]string{}}
	err := chromedp.Listen(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			w.urls[ev.RequestID] = ev.Request.Method + " " + ev.Request.URL
		case *network.EventRequestWillBeSentExtraInfo:
			for _, c := range ev.AssociatedCookies {
				if c.Cookie == nil || c.Cookie.Name != name {
					continue
				}
				switch {
				case len(c.BlockedReasons) == 0 && (c.ExemptionReason == "" || c.ExemptionReason == "None"):
					w.nSent++
					w.events = append(w.events, "sent with "+w.request(ev.RequestID, ev.Headers))
				case len(c.BlockedReasons) == 0:
					// Sent only by an exemption from third-party
					// cookie blocking, which a real user's browser
					// may not grant: not counted.
					w.events = append(w.events, fmt.Sprintf("sent with %s, exempt from blocking: %s", w.request(ev.RequestID, ev.Headers), c.ExemptionReason))
				default:
					w.events = append(w.events, fmt.Sprintf("not sent with %s: %v", w.request(ev.RequestID, ev.Headers), c.BlockedReasons))
				}
			}
		case *network.EventResponseReceivedExtraInfo:
			for _, c := range ev.BlockedCookies {
				if strings.HasPrefix(c.CookieLine, name+"=") {
					w.events = append(w.events, fmt.Sprintf("not stored from the response to %s: %v (%s)",
						w.request(ev.RequestID, nil), c.BlockedReasons, c.CookieLine))
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// request names a request for the log: its URL when DevTools has said
// it, else its Host header. w.mu is held.
func (w *cookieWatch) request(id network.RequestID, headers network.Headers) string {
	if u, ok := w.urls[id]; ok {
		return u
	}
	return fmt.Sprintf("request %s to %v", id, headers["Host"])
}

// sent is how many requests carried the cookie so far, without an
// exemption from third-party cookie blocking.
func (w *cookieWatch) sent() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nSent
}

func (w *cookieWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.events) == 0 {
		return "(no request or response mentioned " + w.name + ")"
	}
	return strings.Join(w.events, "\n")
}

func cookiesString(cs []*network.Cookie) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("{path %s secure %v httpOnly %v sameSite %q}", c.Path, c.Secure, c.HTTPOnly, c.SameSite))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}
