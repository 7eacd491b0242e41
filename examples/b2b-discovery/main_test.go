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
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/b2bstytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

// TestB2BDiscovery drives the app with a real latch server behind it, the
// way a browser would: every request below is one a user's browser makes.
// The organizations the user already belongs to are made with the official
// SDK, as an admin tool or a backend would make them.
func TestB2BDiscovery(t *testing.T) {
	srv := latchtest.Start(t, latchtest.Options{})
	client, err := b2bstytchapi.NewClient(srv.ProjectID, srv.Secret, b2bstytchapi.WithBaseURI(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	appURL := startApp(t, client, srv.URL+"/dev/inbox")
	// Test projects allowlist only http://localhost:3000/authenticate; the
	// app under test listens elsewhere.
	srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "discovery", appURL+"/authenticate")

	const addr = "ada@example.com"
	acme := createOrganization(t, client, "Acme Rockets", "acme-rockets", addr)
	globex := createOrganization(t, client, "Globex Widgets", "globex-widgets", addr)
	// An organization ada has nothing to do with: discovery must not list it.
	initech := createOrganization(t, client, "Initech Printers", "initech-printers")

	t.Run("flow", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar}
		// noFollow shares the browser's cookies but stops at redirects, to
		// look at the response that sets the cookie.
		noFollow := &http.Client{Jar: jar, CheckRedirect: stopAtRedirect}

		resp, body := fetch(t, browser, "GET", appURL+"/", nil)
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)

		resp, body = fetch(t, browser, "POST", appURL+"/login", url.Values{"email": {addr}})
		wantPage(t, resp, body, http.StatusOK, "/login", "Check your email", addr, `href="`+srv.URL+`/dev/inbox"`)

		link := discoveryLink(t, srv, addr, appURL)

		resp, body = fetch(t, noFollow, "GET", link, nil)
		wantPage(t, resp, body, http.StatusOK, "/authenticate", "Choose an organization", addr,
			acme.OrganizationName, acme.OrganizationSlug, `value="`+acme.OrganizationID+`"`,
			globex.OrganizationName, globex.OrganizationSlug, `value="`+globex.OrganizationID+`"`,
			"Member", `action="/select"`, `action="/create"`)
		if strings.Contains(body, initech.OrganizationName) {
			t.Errorf("picker lists %s, which %s is not a member of", initech.OrganizationName, addr)
		}
		if strings.Contains(body, "needs MFA") {
			t.Errorf("picker says an organization needs more than the emailed link; none does")
		}
		ist := cookieOf(t, resp, istCookie)
		if !ist.HttpOnly || ist.SameSite != http.SameSiteLaxMode || ist.Path != "/" || ist.Secure {
			t.Errorf("IST cookie %q: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", resp.Header.Values("Set-Cookie"))
		}
		if ten := istMinutes * 60; ist.MaxAge > ten || ist.MaxAge < ten-60 {
			t.Errorf("IST cookie Max-Age = %d, want about %d", ist.MaxAge, ten)
		}

		// Pick the second organization.
		resp, _ = fetch(t, noFollow, "POST", appURL+"/select", url.Values{"organization_id": {globex.OrganizationID}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("POST /select: %s, Location %q; want 303 to /dashboard", resp.Status, resp.Header.Get("Location"))
		}
		if c := cookieOf(t, resp, istCookie); c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("IST cookie not cleared after the exchange: %q", resp.Header.Values("Set-Cookie"))
		}
		c := cookieOf(t, resp, sessionCookie)
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
		if s.Organization.OrganizationID != globex.OrganizationID || s.Member.EmailAddress != addr {
			t.Errorf("session is for %s in %s, want %s in %s", s.Member.EmailAddress, s.Organization.OrganizationID, addr, globex.OrganizationID)
		}

		// The browser follows the redirect.
		resp, body = fetch(t, browser, "GET", appURL+resp.Header.Get("Location"), nil)
		wantPage(t, resp, body, http.StatusOK, "/dashboard", addr, globex.OrganizationName, globex.OrganizationSlug,
			globex.OrganizationID, s.Member.MemberID, "stytch_member", "Sign out")
		for _, role := range s.MemberSession.Roles {
			if !strings.Contains(body, role) {
				t.Errorf("dashboard lacks the session's role %q", role)
			}
		}
		if strings.Contains(body, acme.OrganizationName) {
			t.Errorf("dashboard shows %s; the session is in %s", acme.OrganizationName, globex.OrganizationName)
		}

		// Each request checks the session with Latch; it is still valid.
		resp, body = fetch(t, browser, "GET", appURL+"/dashboard", nil)
		wantPage(t, resp, body, http.StatusOK, "/dashboard", addr, globex.OrganizationName)
		resp, _ = fetch(t, noFollow, "GET", appURL+"/", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
			t.Errorf("GET / while signed in: %s, Location %q; want 303 to /dashboard", resp.Status, resp.Header.Get("Location"))
		}

		resp, body = fetch(t, browser, "POST", appURL+"/logout", url.Values{})
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)
		u, _ := url.Parse(appURL)
		for _, c := range jar.Cookies(u) {
			if c.Name == sessionCookie || c.Name == istCookie {
				t.Errorf("cookie still set after logout: %v", c)
			}
		}
		resp, body = fetch(t, browser, "GET", appURL+"/dashboard", nil)
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)

		// Logout revoked the session in Latch, not just the cookie.
		_, err = client.Sessions.Authenticate(t.Context(), &sessions.AuthenticateParams{SessionToken: token})
		var se stytcherror.Error
		if !errors.As(err, &se) || se.ErrorType != "session_not_found" {
			t.Errorf("revoked token authenticates with err = %v, want session_not_found", err)
		}
		// A copy of the old cookie is turned away and cleared.
		resp = withCookie(t, "GET", appURL+"/dashboard", nil, &http.Cookie{Name: sessionCookie, Value: token})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /dashboard with a revoked token: %s, Location %q; want 303 to /", resp.Status, resp.Header.Get("Location"))
		}
		if c := cookieOf(t, resp, sessionCookie); c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("revoked cookie not cleared: %q", resp.Header.Values("Set-Cookie"))
		}

		// The intermediate session was spent by the exchange: a copy of
		// its cookie gets the friendly page and is cleared.
		resp = withCookie(t, "POST", appURL+"/select", url.Values{"organization_id": {acme.OrganizationID}}, ist)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /select with a spent IST: %s, want 401", resp.Status)
		}
		if c := cookieOf(t, resp, istCookie); c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("spent IST cookie not cleared: %q", resp.Header.Values("Set-Cookie"))
		}

		// Discovery links work once.
		resp, body = fetch(t, browser, "GET", link, nil)
		wantPage(t, resp, body, http.StatusUnauthorized, "/authenticate", "expired or was already used", `href="/"`)
	})

	t.Run("create organization", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar}
		noFollow := &http.Client{Jar: jar, CheckRedirect: stopAtRedirect}
		const addr = "grace@example.com" // a member of nothing yet
		const name = "Grace Compilers"

		resp, body := fetch(t, browser, "POST", appURL+"/login", url.Values{"email": {addr}})
		wantPage(t, resp, body, http.StatusOK, "/login", "Check your email", addr)
		resp, body = fetch(t, browser, "GET", discoveryLink(t, srv, addr, appURL), nil)
		wantPage(t, resp, body, http.StatusOK, "/authenticate", "Choose an organization", addr,
			"not a member of any organization yet", `action="/create"`)
		for _, o := range []organizations.Organization{acme, globex, initech} {
			if strings.Contains(body, o.OrganizationName) {
				t.Errorf("picker for %s lists %s", addr, o.OrganizationName)
			}
		}

		// A blank name is caught before the API is asked; the IST survives.
		resp, body = fetch(t, browser, "POST", appURL+"/create", url.Values{"organization_name": {"  "}})
		wantPage(t, resp, body, http.StatusBadRequest, "/create", "needs a name")

		resp, _ = fetch(t, noFollow, "POST", appURL+"/create", url.Values{"organization_name": {name}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("POST /create: %s, Location %q; want 303 to /dashboard", resp.Status, resp.Header.Get("Location"))
		}
		if c := cookieOf(t, resp, istCookie); c.MaxAge >= 0 {
			t.Errorf("IST cookie not cleared after create: %q", resp.Header.Values("Set-Cookie"))
		}
		c := cookieOf(t, resp, sessionCookie)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/", resp.Header.Values("Set-Cookie"))
		}
		s, err := client.Sessions.Authenticate(t.Context(), &sessions.AuthenticateParams{SessionToken: c.Value})
		if err != nil {
			t.Fatalf("the cookie's token does not authenticate: %v", err)
		}
		if s.Organization.OrganizationName != name || s.Member.EmailAddress != addr {
			t.Errorf("session is for %s in %q, want %s in %q", s.Member.EmailAddress, s.Organization.OrganizationName, addr, name)
		}

		resp, body = fetch(t, browser, "GET", appURL+"/dashboard", nil)
		// The creator is the new organization's admin.
		wantPage(t, resp, body, http.StatusOK, "/dashboard", addr, name, s.Organization.OrganizationSlug, "stytch_admin")

		resp, body = fetch(t, browser, "POST", appURL+"/logout", url.Values{})
		wantPage(t, resp, body, http.StatusOK, "/", `action="/login"`)
	})

	t.Run("join by email domain", func(t *testing.T) {
		// Hooli lets anyone with a verified hooli.test address join just in
		// time; joe is not a member yet.
		const addr = "joe@hooli.test"
		resp, err := client.Organizations.Create(t.Context(), &organizations.CreateParams{
			OrganizationName:     "Hooli",
			OrganizationSlug:     "hooli",
			EmailAllowedDomains:  []string{"hooli.test"},
			EmailJITProvisioning: "RESTRICTED",
		})
		if err != nil {
			t.Fatal(err)
		}
		hooli := resp.Organization

		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar}
		fetch(t, browser, "POST", appURL+"/login", url.Values{"email": {addr}})
		r, body := fetch(t, browser, "GET", discoveryLink(t, srv, addr, appURL), nil)
		wantPage(t, r, body, http.StatusOK, "/authenticate", hooli.OrganizationName, "your email domain is allowed")

		r, body = fetch(t, browser, "POST", appURL+"/select", url.Values{"organization_id": {hooli.OrganizationID}})
		wantPage(t, r, body, http.StatusOK, "/dashboard", addr, hooli.OrganizationName, "stytch_member")
	})

	t.Run("organization that refuses magic links", func(t *testing.T) {
		// An SSO-only organization: the address is a member, but an
		// emailed link is not enough to enter it.
		const addr = "ken@example.com"
		resp, err := client.Organizations.Create(t.Context(), &organizations.CreateParams{
			OrganizationName:   "Umbrella Pharma",
			OrganizationSlug:   "umbrella-pharma",
			AuthMethods:        "RESTRICTED",
			AllowedAuthMethods: []string{"sso"},
		})
		if err != nil {
			t.Fatal(err)
		}
		umbrella := resp.Organization
		addMember(t, client, umbrella.OrganizationID, addr)

		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar}
		fetch(t, browser, "POST", appURL+"/login", url.Values{"email": {addr}})
		r, body := fetch(t, browser, "GET", discoveryLink(t, srv, addr, appURL), nil)
		wantPage(t, r, body, http.StatusOK, "/authenticate", umbrella.OrganizationName)

		// Whether the API refuses the exchange (403) or grants it without
		// a session (member_authenticated false, primary_required set), the
		// app shows a page that says so and signs nobody in.
		r, body = fetch(t, browser, "POST", appURL+"/select", url.Values{"organization_id": {umbrella.OrganizationID}})
		wantPage(t, r, body, http.StatusForbidden, "/select", `href="/"`)
		for _, c := range r.Cookies() {
			if c.Name == sessionCookie && c.MaxAge >= 0 {
				t.Errorf("session cookie set for an organization the member could not enter: %v", c)
			}
		}
	})

	t.Run("no intermediate session", func(t *testing.T) {
		// No cookie: it expired in the browser after ten minutes, or the
		// picker was never shown here.
		for _, tc := range []struct{ path, field, value string }{
			{"/select", "organization_id", globex.OrganizationID},
			{"/create", "organization_name", "Nobody's"},
		} {
			resp, body := fetch(t, http.DefaultClient, "POST", appURL+tc.path, url.Values{tc.field: {tc.value}})
			wantPage(t, resp, body, http.StatusUnauthorized, tc.path, "Your sign-in has expired", `href="/"`)
		}
		// A cookie whose intermediate session Latch does not know (expired
		// there, or never issued) gets the same page, and is cleared.
		bogus := &http.Cookie{Name: istCookie, Value: "not-an-intermediate-session-token"}
		for _, tc := range []struct{ path, field, value string }{
			{"/select", "organization_id", globex.OrganizationID},
			{"/create", "organization_name", "Nobody's"},
		} {
			resp := withCookie(t, "POST", appURL+tc.path, url.Values{tc.field: {tc.value}}, bogus)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("POST %s with an unknown IST: %s, want 401", tc.path, resp.Status)
			}
			if c := cookieOf(t, resp, istCookie); c.MaxAge >= 0 {
				t.Errorf("POST %s: unknown IST cookie not cleared: %q", tc.path, resp.Header.Values("Set-Cookie"))
			}
		}
	})

	t.Run("dashboard without a cookie", func(t *testing.T) {
		resp, _ := fetch(t, &http.Client{CheckRedirect: stopAtRedirect}, "GET", appURL+"/dashboard", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /dashboard: %s, Location %q; want 303 to /", resp.Status, resp.Header.Get("Location"))
		}
	})

	t.Run("not a discovery link", func(t *testing.T) {
		for _, q := range []string{"", "?stytch_token_type=multi_tenant_magic_links&token=abc", "?stytch_token_type=magic_links&token=abc", "?stytch_token_type=discovery"} {
			resp, body := fetch(t, http.DefaultClient, "GET", appURL+"/authenticate"+q, nil)
			wantPage(t, resp, body, http.StatusBadRequest, "/authenticate", "not a sign-in link")
		}
	})

	t.Run("unknown token", func(t *testing.T) {
		resp, body := fetch(t, http.DefaultClient, "GET", appURL+"/authenticate?stytch_token_type=discovery&token=nope", nil)
		wantPage(t, resp, body, http.StatusUnauthorized, "/authenticate", "expired or was already used")
	})

	t.Run("invalid email", func(t *testing.T) {
		resp, body := fetch(t, http.DefaultClient, "POST", appURL+"/login", url.Values{"email": {"not-an-email"}})
		wantPage(t, resp, body, http.StatusBadRequest, "/login", `class="error"`, `value="not-an-email"`)
		resp, body = fetch(t, http.DefaultClient, "POST", appURL+"/login", url.Values{"email": {"  "}})
		wantPage(t, resp, body, http.StatusBadRequest, "/login", "Enter your email address.")
	})

	t.Run("cross-origin posts refused", func(t *testing.T) {
		for _, path := range []string{"/select", "/create", "/logout"} {
			req, _ := http.NewRequest("POST", appURL+path, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site POST %s: %s, want 403", path, resp.Status)
			}
		}
	})

	t.Run("secure cookies over https", func(t *testing.T) {
		const base = "https://app.example.test"
		srv.Run(t, "redirect-urls", "add", "--project", srv.ProjectID, "--type", "discovery", base+"/authenticate")
		a := newApp(client, base)
		a.log = testLogger(t)
		const addr = "hedy@example.com"
		addMember(t, client, acme.OrganizationID, addr)

		req := httptest.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"email": {addr}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("POST /login: %d\n%s", rec.Code, rec.Body)
		}
		link := discoveryLink(t, srv, addr, base)
		rec = httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET emailed link: %d\n%s", rec.Code, rec.Body)
		}
		ist := cookieOf(t, rec.Result(), istCookie)
		if !ist.Secure || !ist.HttpOnly {
			t.Errorf("IST cookie over https: %q, want Secure and HttpOnly", rec.Result().Header.Values("Set-Cookie"))
		}

		req = httptest.NewRequest("POST", base+"/select", strings.NewReader(url.Values{"organization_id": {acme.OrganizationID}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: istCookie, Value: ist.Value})
		rec = httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST /select: %d\n%s", rec.Code, rec.Body)
		}
		if c := cookieOf(t, rec.Result(), sessionCookie); !c.Secure || !c.HttpOnly {
			t.Errorf("session cookie over https: %q, want Secure and HttpOnly", rec.Result().Header.Values("Set-Cookie"))
		}
	})
}

// TestRun starts the program as main does, with the default APP_BASE_URL,
// which new Latch test projects already allowlist for discovery.
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
	discoveryLink(t, srv, "linus@example.com", "http://localhost:3000")

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

// createOrganization creates an organization with the SDK and adds each
// address to it as an active member.
func createOrganization(t *testing.T, client *b2bstytchapi.API, name, slug string, addrs ...string) organizations.Organization {
	t.Helper()
	resp, err := client.Organizations.Create(t.Context(), &organizations.CreateParams{
		OrganizationName: name,
		OrganizationSlug: slug,
	})
	if err != nil {
		t.Fatalf("create organization %s: %v", name, err)
	}
	for _, addr := range addrs {
		addMember(t, client, resp.Organization.OrganizationID, addr)
	}
	return resp.Organization
}

func addMember(t *testing.T, client *b2bstytchapi.API, orgID, addr string) {
	t.Helper()
	if _, err := client.Organizations.Members.Create(t.Context(), &members.CreateParams{
		OrganizationID: orgID,
		EmailAddress:   addr,
	}); err != nil {
		t.Fatalf("add %s to %s: %v", addr, orgID, err)
	}
}

// discoveryLink waits for the discovery email to addr and returns its
// link, which must point at base's /authenticate as a discovery redirect.
func discoveryLink(t *testing.T, srv *latchtest.Server, addr, base string) string {
	t.Helper()
	link, token := latchtest.Link(t, srv.WaitDevMessage(t, addr).Text)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, base+"/authenticate?") || u.Query().Get("stytch_token_type") != "discovery" || token == "" {
		t.Fatalf("emailed link %q: want %s/authenticate?stytch_token_type=discovery&token=…", link, base)
	}
	return link
}

// startApp serves the app on a loopback port and returns its URL.
func startApp(t *testing.T, client *b2bstytchapi.API, devInboxURL string) string {
	t.Helper()
	// Unstarted, so the URL (which goes into the magic links) is known
	// before the handler is built.
	ts := httptest.NewUnstartedServer(nil)
	a := newApp(client, "http://"+ts.Listener.Addr().String())
	a.devInboxURL = devInboxURL
	a.log = testLogger(t)
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

// withCookie makes one request carrying only the given cookie, as a
// browser holding a copy of it would, without following redirects.
func withCookie(t *testing.T, method, u string, form url.Values, c *http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	resp, err := (&http.Client{CheckRedirect: stopAtRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
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

// cookieOf returns the named cookie a response sets.
func cookieOf(t *testing.T, resp *http.Response, name string) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", name, resp.Header.Values("Set-Cookie"))
	return nil
}
