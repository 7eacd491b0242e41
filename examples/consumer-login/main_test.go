package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

// TestConsumerLogin drives the app with a real latch server behind it, the
// way a browser would: every request below is one a user's browser makes.
func TestConsumerLogin(t *testing.T) {
	srv := latchtest.Start(t, latchtest.Options{})
	client, err := stytchapi.NewClient(srv.ProjectID, srv.Secret, stytchapi.WithBaseURI(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	appURL := startApp(t, client, srv.URL+"/dev/inbox")
	// Test projects allowlist only http://localhost:3000/authenticate; the
	// app under test listens elsewhere.
	srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "login,signup", appURL+"/authenticate")

	t.Run("flow", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar}
		// noFollow shares the browser's cookies but stops at redirects, to
		// look at the response that sets the cookie.
		noFollow := &http.Client{Jar: jar, CheckRedirect: stopAtRedirect}
		addr := "ada@example.com"

		resp, body := fetch(t, browser, "GET", appURL+"/", nil)
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)

		resp, body = fetch(t, browser, "POST", appURL+"/login", url.Values{"email": {addr}})
		wantPage(t, resp, body, http.StatusOK, "/login", "Check your email", addr, `href="`+srv.URL+`/dev/inbox"`)

		msg := srv.WaitDevMessage(t, addr)
		link, _ := latchtest.Link(t, msg.Text)
		if !strings.HasPrefix(link, appURL+"/authenticate?") {
			t.Fatalf("emailed link %q does not point at the app's /authenticate", link)
		}

		resp, _ = fetch(t, noFollow, "GET", link, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
			t.Fatalf("GET emailed link: %s, Location %q; want 303 to /profile", resp.Status, resp.Header.Get("Location"))
		}
		c := sessionCookieOf(t, resp)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
			t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", resp.Header.Values("Set-Cookie"))
		}
		if day := sessionMinutes * 60; c.MaxAge > day || c.MaxAge < day-60 {
			t.Errorf("session cookie Max-Age = %d, want about %d (the session's lifetime)", c.MaxAge, day)
		}
		token := c.Value
		s, err := client.Sessions.Authenticate(t.Context(), &sessions.AuthenticateParams{SessionToken: token})
		if err != nil {
			t.Fatalf("the cookie's token does not authenticate: %v", err)
		}

		// The browser follows the redirect.
		resp, body = fetch(t, browser, "GET", appURL+resp.Header.Get("Location"), nil)
		wantPage(t, resp, body, http.StatusOK, "/profile", addr, s.User.UserID, "Sign out")

		// Each request checks the session with Latch; it is still valid.
		resp, body = fetch(t, browser, "GET", appURL+"/profile", nil)
		wantPage(t, resp, body, http.StatusOK, "/profile", addr)
		resp, _ = fetch(t, noFollow, "GET", appURL+"/", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
			t.Errorf("GET / while signed in: %s, Location %q; want 303 to /profile", resp.Status, resp.Header.Get("Location"))
		}

		resp, body = fetch(t, browser, "POST", appURL+"/logout", url.Values{})
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)
		u, _ := url.Parse(appURL)
		for _, c := range jar.Cookies(u) {
			if c.Name == sessionCookie {
				t.Errorf("session cookie still set after logout: %v", c)
			}
		}
		resp, body = fetch(t, browser, "GET", appURL+"/profile", nil)
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)

		// Logout revoked the session in Latch, not just the cookie.
		_, err = client.Sessions.Authenticate(t.Context(), &sessions.AuthenticateParams{SessionToken: token})
		var se stytcherror.Error
		if !errors.As(err, &se) || se.ErrorType != "session_not_found" {
			t.Errorf("revoked token authenticates with err = %v, want session_not_found", err)
		}
		// A copy of the old cookie is turned away and cleared.
		req, _ := http.NewRequest("GET", appURL+"/profile", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		resp, err = (&http.Client{CheckRedirect: stopAtRedirect}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /profile with a revoked token: %s, Location %q; want 303 to /", resp.Status, resp.Header.Get("Location"))
		}
		if c := sessionCookieOf(t, resp); c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("revoked cookie not cleared: %q", resp.Header.Values("Set-Cookie"))
		}

		// Magic links work once.
		resp, body = fetch(t, browser, "GET", link, nil)
		wantPage(t, resp, body, http.StatusUnauthorized, "/authenticate", "expired or was already used", `href="/"`)
	})

	t.Run("profile without a cookie", func(t *testing.T) {
		resp, _ := fetch(t, &http.Client{CheckRedirect: stopAtRedirect}, "GET", appURL+"/profile", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /profile: %s, Location %q; want 303 to /", resp.Status, resp.Header.Get("Location"))
		}
	})

	t.Run("not a magic link", func(t *testing.T) {
		for _, q := range []string{"", "?stytch_token_type=reset_password&token=abc", "?stytch_token_type=magic_links"} {
			resp, body := fetch(t, http.DefaultClient, "GET", appURL+"/authenticate"+q, nil)
			wantPage(t, resp, body, http.StatusBadRequest, "/authenticate", "not a sign-in link")
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		resp, body := fetch(t, http.DefaultClient, "GET", appURL+"/authenticate?stytch_token_type=magic_links&token=nope", nil)
		wantPage(t, resp, body, http.StatusUnauthorized, "/authenticate", "expired or was already used")
	})

	t.Run("invalid email", func(t *testing.T) {
		resp, body := fetch(t, http.DefaultClient, "POST", appURL+"/login", url.Values{"email": {"not-an-email"}})
		wantPage(t, resp, body, http.StatusBadRequest, "/login", `class="error"`, `value="not-an-email"`)
		resp, body = fetch(t, http.DefaultClient, "POST", appURL+"/login", url.Values{"email": {"  "}})
		wantPage(t, resp, body, http.StatusBadRequest, "/login", "Enter your email address.")
	})

	t.Run("cross-origin logout refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", appURL+"/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST /logout: %s, want 403", resp.Status)
		}
	})

	t.Run("secure cookie over https", func(t *testing.T) {
		const base = "https://app.example.test"
		srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "login,signup", base+"/authenticate")
		a := newApp(client, base)
		a.log = testLogger(t)
		addr := "grace@example.com"

		req := httptest.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"email": {addr}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("POST /login: %d\n%s", rec.Code, rec.Body)
		}
		link, _ := latchtest.Link(t, srv.WaitDevMessage(t, addr).Text)
		if !strings.HasPrefix(link, base+"/authenticate?") {
			t.Fatalf("emailed link %q does not point at %s/authenticate", link, base)
		}
		rec = httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("GET emailed link: %d\n%s", rec.Code, rec.Body)
		}
		if c := sessionCookieOf(t, rec.Result()); !c.Secure || !c.HttpOnly {
			t.Errorf("session cookie over https: %q, want Secure and HttpOnly", rec.Result().Header.Values("Set-Cookie"))
		}
	})
}

// TestRun starts the program as main does, with the default APP_BASE_URL,
// which new Latch test projects already allowlist.
func TestRun(t *testing.T) {
	srv := latchtest.Start(t, latchtest.Options{})
	env := map[string]string{
		"STYTCH_PROJECT_ID": srv.ProjectID,
		"STYTCH_SECRET":     srv.Secret,
		"STYTCH_API_URL":    srv.URL + "/", // a trailing slash is tolerated
		"APP_ADDR":          "127.0.0.1:0",
	}
	ctx, cancel := context.WithCancel(t.Context())
	var out latchtest.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return env[k] }, &out) }()

	var addr string
	for deadline := time.Now().Add(30 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if _, rest, ok := strings.Cut(out.String(), "listening on "); ok {
			addr, _, _ = strings.Cut(rest, ";")
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before listening: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("run did not listen:\n%s", out.String())
		}
	}

	resp, body := fetch(t, http.DefaultClient, "POST", "http://"+addr+"/login", url.Values{"email": {"linus@example.com"}})
	wantPage(t, resp, body, http.StatusOK, "/login", "Check your email", `href="`+srv.URL+`/dev/inbox"`)
	link, _ := latchtest.Link(t, srv.WaitDevMessage(t, "linus@example.com").Text)
	if !strings.HasPrefix(link, "http://localhost:3000/authenticate?") {
		t.Errorf("emailed link %q, want it at the default base URL", link)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context was cancelled")
	}
}

// TestRunConfig checks the configuration errors found before any network.
func TestRunConfig(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "STYTCH_PROJECT_ID"},
		{map[string]string{"STYTCH_PROJECT_ID": "project-test-x", "STYTCH_SECRET": "s", "APP_BASE_URL": "localhost:3000"}, "APP_BASE_URL"},
	} {
		err := run(t.Context(), func(k string) string { return tc.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run with %v: err = %v, want it to mention %s", tc.env, err, tc.want)
		}
	}
}

// startApp serves the app on a loopback port and returns its URL.
func startApp(t *testing.T, client *stytchapi.API, devInboxURL string, configure ...func(*app)) string {
	t.Helper()
	// Unstarted, so the URL (which goes into the magic links) is known
	// before the handler is built.
	ts := httptest.NewUnstartedServer(nil)
	a := newApp(client, "http://"+ts.Listener.Addr().String())
	a.devInboxURL = devInboxURL
	a.log = testLogger(t)
	for _, c := range configure {
		c(a)
	}
	ts.Config.Handler = a
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func stopAtRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// fetch makes a GET, or a form POST when form is not nil, and returns the
// response with its body read.
func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if form != nil {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// wantPage checks the status, the path the browser ended on after
// redirects, and that the body has each snippet.
func wantPage(t *testing.T, resp *http.Response, body string, status int, path string, snippets ...string) {
	t.Helper()
	if resp.StatusCode != status || resp.Request.URL.Path != path {
		t.Fatalf("%s %s ended at %s with %s, want %s with %d\n%s",
			resp.Request.Method, resp.Request.URL, resp.Request.URL.Path, resp.Status, path, status, body)
	}
	for _, s := range snippets {
		if !strings.Contains(body, s) {
			t.Errorf("%s %s: page lacks %q\n%s", resp.Request.Method, resp.Request.URL, s, body)
		}
	}
}

// sessionCookieOf returns the session cookie a response sets.
func sessionCookieOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", sessionCookie, resp.Header.Values("Set-Cookie"))
	return nil
}
