package compat

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/oauth"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"

	"github.com/latchauth/latch/internal/githubtest"
	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/oidctest"
)

// oauthEnv is a latch process with a real OpenID provider configured as
// the generic OIDC provider "acme".
type oauthEnv struct {
	*env
	op *oidctest.Provider
}

func eachOAuthDatabase(t *testing.T, fn func(t *testing.T, e *oauthEnv)) {
	t.Helper()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			srv := latchtest.Start(t, latchtest.Options{DatabaseURL: db.url(t)})
			closeIdleFirst(t)
			// The provider accepts only the redirect URIs it starts with,
			// so it starts once Latch's address is known. acme2 is the
			// same provider under a second name, for tests that
			// configure it.
			op := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{
				srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/acme",
				srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/acme2",
			}})
			secret := filepath.Join(t.TempDir(), "acme.secret")
			if err := os.WriteFile(secret, []byte(op.ClientSecret), 0o600); err != nil {
				t.Fatal(err)
			}
			srv.Run(t, "oauth-providers", "set", "--project", srv.ProjectID, "--type", "oidc", "--name", "acme",
				"--client-id", op.ClientID, "--client-secret-file", secret, "--issuer", op.Issuer)
			fn(t, &oauthEnv{env: &env{srv: srv, client: newClient(t, srv)}, op: op})
		})
	}
}

// startURL is the app's "Sign in with Acme" link.
func (e *oauthEnv) startURL(extra url.Values) string {
	q := url.Values{"public_token": {e.srv.PublicToken}, "login_redirect_url": {appURL}, "signup_redirect_url": {appURL}}
	for k, vs := range extra {
		q[k] = vs
	}
	return e.srv.URL + "/v1/public/oauth/acme/start?" + q.Encode()
}

// signIn plays the user through the provider and returns Latch's token
// from the app's redirect URL.
func (e *oauthEnv) signIn(t *testing.T, user oidctest.User, extra url.Values) string {
	t.Helper()
	landed := e.op.SignIn(t, nil, e.startURL(extra), user, appURL)
	if got := landed.Query().Get("stytch_token_type"); got != "oauth" {
		t.Fatalf("landed on %s, want stytch_token_type=oauth", landed)
	}
	tok := landed.Query().Get("token")
	if tok == "" {
		t.Fatalf("landed on %s without a token", landed)
	}
	return tok
}

// TestOAuthOIDCLogin logs a user in through a real OpenID provider, by
// the start URL, the provider's login form and Latch's callback, and
// exchanges the token with stytch-go's oauth.authenticate.
func TestOAuthOIDCLogin(t *testing.T) {
	t.Parallel()
	eachOAuthDatabase(t, func(t *testing.T, e *oauthEnv) {
		ctx := t.Context()
		ada := e.op.User
		tok := e.signIn(t, ada, nil)
		res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: tok, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		if res.ProviderSubject != ada.ID || res.OAuthUserRegistrationID == "" || res.SessionToken == "" || res.UserSession == nil {
			t.Fatalf("Authenticate = %+v", res)
		}
		if len(res.User.Emails) != 1 || res.User.Emails[0].Email != ada.Email || !res.User.Emails[0].Verified || res.User.Name.FirstName != ada.FirstName {
			t.Errorf("user = %+v, want %s verified, named %s", res.User, ada.Email, ada.FirstName)
		}
		// A generic OIDC provider's login is reported as Stytch reports
		// an OIDC connection's, which every SDK parses.
		if f := res.UserSession.AuthenticationFactors; len(f) != 1 || f[0].Type != "oauth" || f[0].DeliveryMethod != "sso_oidc" ||
			f[0].OIDCSSOFactor == nil || *f[0].OIDCSSOFactor != (sessions.OIDCSSOFactor{ID: res.OAuthUserRegistrationID, ProviderID: "acme", ExternalID: ada.ID}) {
			t.Errorf("factors = %+v", f)
		}
		if res.ProviderValues.AccessToken == "" || res.ProviderValues.IDToken == "" {
			t.Errorf("provider_values = %+v, want the provider's tokens", res.ProviderValues)
		}
		// oidctest releases every user's locale as "en".
		wantProviders := []users.OAuthProvider{{ProviderType: "OIDC", ProviderSubject: ada.ID, Locale: "en", OAuthUserRegistrationID: res.OAuthUserRegistrationID}}
		if !reflect.DeepEqual(res.User.Providers, wantProviders) {
			t.Errorf("user.providers = %+v, want %+v", res.User.Providers, wantProviders)
		}

		// The token is single use.
		_, err = e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: tok})
		wantError(t, err, 404, "oauth_token_not_found")

		// A returning user is the same user.
		again, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.signIn(t, ada, nil)})
		if err != nil || again.UserID != res.UserID || again.OAuthUserRegistrationID != res.OAuthUserRegistrationID {
			t.Errorf("returning login = %+v, %v; want user %s", again, err, res.UserID)
		}

		// PKCE between the app and Latch: the verifier is required.
		verifier, challenge := pkcePair(t)
		pk := e.signIn(t, ada, url.Values{"code_challenge": {challenge}})
		_, err = e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: pk})
		wantError(t, err, 400, "pkce_expected_code_verifier")
		pk = e.signIn(t, ada, url.Values{"code_challenge": {challenge}})
		withPKCE, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: pk, CodeVerifier: verifier})
		if err != nil || withPKCE.UserID != res.UserID {
			t.Errorf("PKCE login = %+v, %v", withPKCE, err)
		}

		// An unverified address at the provider is not trusted: Grace
		// becomes a user of her own, without an email.
		grace, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.signIn(t, e.op.Users[1], nil)})
		if err != nil || grace.UserID == res.UserID || len(grace.User.Emails) != 0 {
			t.Errorf("unverified email login = %+v, %v", grace, err)
		}
	})
}

// TestOAuthStartRefusals checks the start URL's refusals.
func TestOAuthStartRefusals(t *testing.T) {
	t.Parallel()
	eachOAuthDatabase(t, func(t *testing.T, e *oauthEnv) {
		for _, tc := range []struct {
			name, url string
			status    int
			typ       string
		}{
			{"unlisted redirect URL", e.startURL(url.Values{"login_redirect_url": {"https://evil.example.com/steal"}}), 400, "no_match_for_provided_oauth_url"},
			{"unknown public token", strings.Replace(e.startURL(nil), "public-token-", "public-token-x", 1), 401, "invalid_public_token"},
			{"unconfigured provider", strings.Replace(e.startURL(nil), "/acme/", "/google/", 1), 404, "oauth_config_not_found"},
		} {
			r := raw(t, e.srv, "GET", strings.TrimPrefix(tc.url, e.srv.URL), false, nil)
			if r.Status != tc.status || r.JSON["error_type"] != tc.typ {
				t.Errorf("%s: %d %v, want %d %s", tc.name, r.Status, r.JSON["error_type"], tc.status, tc.typ)
			}
		}
	})
}

// TestOAuthCallbackRefusals stops a login where the provider redirects
// back to Latch, and replays, tampers with and misroutes that callback.
func TestOAuthCallbackRefusals(t *testing.T) {
	t.Parallel()
	eachOAuthDatabase(t, func(t *testing.T, e *oauthEnv) {
		callbackPrefix := e.srv.URL + "/v1/oauth/callback/"
		// browser is a cookie-keeping client that does not follow
		// redirects, so each step's answer can be read.
		browser := func() *http.Client {
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
		get := func(c *http.Client, u string) (int, string, string) {
			t.Helper()
			resp, err := c.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, resp.Header.Get("Location"), string(body)
		}
		wantRefused := func(what string, status int, body string) {
			t.Helper()
			if status != http.StatusBadRequest || !strings.Contains(body, "oauth_invalid_state") || !strings.Contains(body, "Sign-in failed") {
				t.Errorf("%s: %d, want 400 with the oauth_invalid_state page:\n%s", what, status, body)
			}
		}

		b := browser()
		cb := e.op.SignIn(t, b, e.startURL(nil), e.op.User, callbackPrefix)

		// Another browser cannot use this callback: it lacks the cookie.
		status, _, body := get(browser(), cb.String())
		wantRefused("callback in another browser", status, body)

		// The state is spent by that attempt: the right browser is
		// refused too, and must start again.
		status, _, body = get(b, cb.String())
		wantRefused("callback after a refused one", status, body)

		b = browser()
		cb = e.op.SignIn(t, b, e.startURL(nil), e.op.User, callbackPrefix)
		tampered := *cb
		q := tampered.Query()
		q.Set("state", q.Get("state")+"x")
		tampered.RawQuery = q.Encode()
		status, _, body = get(b, tampered.String())
		wantRefused("tampered state", status, body)

		status, loc, _ := get(b, cb.String())
		if status != http.StatusFound || !strings.HasPrefix(loc, appURL+"?stytch_token_type=oauth&token=") {
			t.Fatalf("callback: %d to %q, want a redirect to the app with a token", status, loc)
		}
		status, _, body = get(b, cb.String())
		wantRefused("replayed callback", status, body)

		// The provider's refusal (the user cancelled) ends on the app's
		// login URL with the error, and spends the login.
		b = browser()
		cb = e.op.SignIn(t, b, e.startURL(nil), e.op.User, callbackPrefix)
		cancelled := *cb
		q = cancelled.Query()
		q.Del("code")
		q.Set("error", "access_denied")
		q.Set("error_description", "The user cancelled.")
		cancelled.RawQuery = q.Encode()
		status, loc, _ = get(b, cancelled.String())
		if status != http.StatusFound || !strings.HasPrefix(loc, appURL+"?") || !strings.Contains(loc, "error=access_denied") {
			t.Errorf("cancelled login: %d to %q, want the app's URL with error=access_denied", status, loc)
		}
		status, _, body = get(b, cb.String())
		wantRefused("callback after the provider's refusal", status, body)
	})
}

// TestOAuthBuiltInProviders configures the real OpenID provider as the
// built-in Google and Microsoft providers, with its issuer in place of
// theirs, and checks what the SDK sees of each.
func TestOAuthBuiltInProviders(t *testing.T) {
	t.Parallel()
	srv := latchtest.Start(t, latchtest.Options{})
	closeIdleFirst(t)
	op := oidctest.Start(t, oidctest.Options{RedirectURIs: []string{
		srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/google",
		srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/microsoft",
	}})
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(op.ClientSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	client := newClient(t, srv)
	for _, tc := range []struct{ provider, providerType string }{{"google", "Google"}, {"microsoft", "Microsoft"}} {
		srv.Run(t, "oauth-providers", "set", "--project", srv.ProjectID, "--type", tc.provider,
			"--client-id", op.ClientID, "--client-secret-file", secret, "--issuer", op.Issuer)
		start := srv.URL + "/v1/public/oauth/" + tc.provider + "/start?" + url.Values{"public_token": {srv.PublicToken}}.Encode()
		landed := op.SignIn(t, nil, start, op.User, appURL)
		res, err := client.OAuth.Authenticate(t.Context(), &oauth.AuthenticateParams{Token: landed.Query().Get("token"), SessionDurationMinutes: 5})
		if err != nil {
			t.Fatalf("%s: %v", tc.provider, err)
		}
		if res.ProviderType != tc.providerType || res.ProviderSubject != op.User.ID {
			t.Errorf("%s: provider_type %q, subject %q", tc.provider, res.ProviderType, res.ProviderSubject)
		}
		f := res.UserSession.AuthenticationFactors[0]
		if string(f.DeliveryMethod) != "oauth_"+tc.provider {
			t.Errorf("%s: delivery_method %q", tc.provider, f.DeliveryMethod)
		}
		factor := f.GoogleOAuthFactor
		if tc.provider == "microsoft" {
			factor = (*sessions.GoogleOAuthFactor)(f.MicrosoftOAuthFactor)
		}
		if factor == nil || factor.ID != res.OAuthUserRegistrationID || factor.ProviderSubject != op.User.ID {
			t.Errorf("%s: factor %+v", tc.provider, f)
		}
		// The session JWT carries the same factor, for apps that
		// authenticate sessions locally.
		local, err := client.Sessions.AuthenticateJWTLocal(res.SessionJWT, time.Minute)
		if err != nil {
			t.Fatalf("%s: AuthenticateJWTLocal: %v", tc.provider, err)
		}
		if lf := local.AuthenticationFactors; len(lf) != 1 || lf[0].DeliveryMethod != f.DeliveryMethod ||
			!reflect.DeepEqual(lf[0].GoogleOAuthFactor, f.GoogleOAuthFactor) || !reflect.DeepEqual(lf[0].MicrosoftOAuthFactor, f.MicrosoftOAuthFactor) {
			t.Errorf("%s: JWT factors %+v, want %+v", tc.provider, lf, f)
		}
	}
}

// TestOAuthGitHub logs in through GitHub's flow against a stand-in of its
// OAuth endpoints and REST API: GitHub has no ID token, so the user and
// the verified address come from the API, and an unverified address is
// ignored, even the primary one.
func TestOAuthGitHub(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			srv := latchtest.Start(t, latchtest.Options{DatabaseURL: db.url(t)})
			closeIdleFirst(t)
			gh := githubtest.Start(t, githubtest.User{ID: 583231, Login: "octocat", Name: "The Octocat", AvatarURL: "https://avatars.example.com/u/583231",
				Emails: []githubtest.Email{{Email: "octo@old.example.com", Primary: true}, {Email: "octocat@example.com", Verified: true}}})
			secret := filepath.Join(t.TempDir(), "secret")
			if err := os.WriteFile(secret, []byte(gh.ClientSecret), 0o600); err != nil {
				t.Fatal(err)
			}
			srv.Run(t, "oauth-providers", "set", "--project", srv.ProjectID, "--type", "github", "--client-id", gh.ClientID,
				"--client-secret-file", secret, "--auth-url", gh.URL+"/login/oauth/authorize",
				"--token-url", gh.URL+"/login/oauth/access_token", "--api-url", gh.URL)
			client := newClient(t, srv)
			ctx := t.Context()
			// Someone holds the unverified address at Latch: GitHub must
			// not log into that account.
			holder, err := client.Users.Create(ctx, &users.CreateParams{Email: "octo@old.example.com"})
			if err != nil {
				t.Fatal(err)
			}

			login := func() *url.URL {
				t.Helper()
				jar, _ := cookiejar.New(nil)
				var landed *url.URL
				c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
					if strings.HasPrefix(req.URL.String(), appURL) {
						landed = req.URL
						return http.ErrUseLastResponse
					}
					return nil
				}}
				resp, err := c.Get(srv.URL + "/v1/public/oauth/github/start?" + url.Values{"public_token": {srv.PublicToken}}.Encode())
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if landed == nil {
					t.Fatalf("GitHub login ended at %s (%s), not at the app", resp.Request.URL, resp.Status)
				}
				return landed
			}
			res, err := client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: login().Query().Get("token"), SessionDurationMinutes: 5})
			if err != nil {
				t.Fatal(err)
			}
			if res.ProviderType != "Github" || res.ProviderSubject != "583231" || res.UserID == holder.UserID {
				t.Errorf("GitHub login = type %q subject %q user %s (the unverified address's holder is %s)", res.ProviderType, res.ProviderSubject, res.UserID, holder.UserID)
			}
			if len(res.User.Emails) != 1 || res.User.Emails[0].Email != "octocat@example.com" || res.User.Name.FirstName != "The" {
				t.Errorf("user = %+v, want octocat@example.com", res.User)
			}
			f := res.UserSession.AuthenticationFactors[0]
			if f.DeliveryMethod != "oauth_github" || f.GithubOAuthFactor == nil || f.GithubOAuthFactor.ProviderSubject != "583231" {
				t.Errorf("factor = %+v", f)
			}
			if res.ProviderValues.AccessToken == "" {
				t.Error("no GitHub access token in provider_values")
			}
			// GitHub grants scopes comma-separated.
			if got, want := res.ProviderValues.Scopes, []string{"read:user", "user:email"}; !reflect.DeepEqual(got, want) {
				t.Errorf("provider_values.scopes = %q, want %q", got, want)
			}

			// The user refuses at GitHub: the app gets the error.
			gh.Deny(true)
			if landed := login(); landed.Query().Get("error") != "access_denied" || landed.Query().Get("token") != "" {
				t.Errorf("denied login landed on %s, want error=access_denied and no token", landed)
			}
		})
	}
}

// TestOAuthAttach links a provider account to an existing user with
// oauth.attach: the login started with the attach token lands on that
// user, whatever address the provider asserts.
func TestOAuthAttach(t *testing.T) {
	t.Parallel()
	eachOAuthDatabase(t, func(t *testing.T, e *oauthEnv) {
		ctx := t.Context()
		bob, err := e.client.Users.Create(ctx, &users.CreateParams{Email: newEmail(t, "bob")})
		if err != nil {
			t.Fatal(err)
		}
		att, err := e.client.OAuth.Attach(ctx, &oauth.AttachParams{Provider: "acme", UserID: bob.UserID})
		if err != nil || att.OAuthAttachToken == "" {
			t.Fatalf("Attach = %+v, %v", att, err)
		}
		tok := e.signIn(t, e.op.User, url.Values{"oauth_attach_token": {att.OAuthAttachToken}})
		res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: tok})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != bob.UserID || res.ProviderSubject != e.op.User.ID {
			t.Errorf("attached login = user %s subject %s, want %s", res.UserID, res.ProviderSubject, bob.UserID)
		}
		// The next plain login of that account is bob's too.
		again, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.signIn(t, e.op.User, nil)})
		if err != nil || again.UserID != bob.UserID {
			t.Errorf("login after attach = %+v, %v; want %s", again, err, bob.UserID)
		}
		got, err := e.client.Users.Get(ctx, &users.GetParams{UserID: bob.UserID})
		if err != nil || len(got.Providers) != 1 || got.Providers[0].OAuthUserRegistrationID != res.OAuthUserRegistrationID {
			t.Fatalf("users.get after attach = %+v, %v; want the %s registration", got, err, res.OAuthUserRegistrationID)
		}

		// Unlinked, the account no longer logs bob in: its next login
		// is a first login (a new user for the provider's address).
		del, err := e.client.Users.DeleteOAuthRegistration(ctx, &users.DeleteOAuthRegistrationParams{OAuthUserRegistrationID: res.OAuthUserRegistrationID})
		if err != nil || del.UserID != bob.UserID || len(del.User.Providers) != 0 {
			t.Errorf("DeleteOAuthRegistration = %+v, %v", del, err)
		}
		_, err = e.client.Users.DeleteOAuthRegistration(ctx, &users.DeleteOAuthRegistrationParams{OAuthUserRegistrationID: res.OAuthUserRegistrationID})
		wantError(t, err, 404, "oauth_user_registration_not_found")
		_, err = e.client.Users.DeleteOAuthRegistration(ctx, &users.DeleteOAuthRegistrationParams{OAuthUserRegistrationID: bob.UserID})
		wantError(t, err, 400, "invalid_argument")
		fresh, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.signIn(t, e.op.User, nil)})
		if err != nil || fresh.UserID == bob.UserID {
			t.Errorf("login after unlinking = %+v, %v; want another user than %s", fresh, err, bob.UserID)
		}

		// An attach token is single use, and bound to its provider.
		r := raw(t, e.srv, "GET", strings.TrimPrefix(e.startURL(url.Values{"oauth_attach_token": {att.OAuthAttachToken}}), e.srv.URL), false, nil)
		if r.Status != 404 || r.JSON["error_type"] != "oauth_token_not_found" {
			t.Errorf("reused attach token: %d %v", r.Status, r.JSON["error_type"])
		}
		// acme2 is the same OpenID provider configured under another
		// name: a login started there works, but not with acme's token.
		secret := filepath.Join(t.TempDir(), "acme2.secret")
		if err := os.WriteFile(secret, []byte(e.op.ClientSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		e.srv.Run(t, "oauth-providers", "set", "--project", e.srv.ProjectID, "--type", "oidc", "--name", "acme2",
			"--client-id", e.op.ClientID, "--client-secret-file", secret, "--issuer", e.op.Issuer)
		acme2Start := func(extra url.Values) string {
			return strings.Replace(e.startURL(extra), "/v1/public/oauth/acme/start?", "/v1/public/oauth/acme2/start?", 1)
		}
		if landed := e.op.SignIn(t, nil, acme2Start(nil), e.op.User, appURL); landed.Query().Get("stytch_token_type") != "oauth" || landed.Query().Get("token") == "" {
			t.Fatalf("acme2 login landed on %s, want a token", landed)
		}
		forAcme, err := e.client.OAuth.Attach(ctx, &oauth.AttachParams{Provider: "acme", UserID: bob.UserID})
		if err != nil {
			t.Fatal(err)
		}
		r = raw(t, e.srv, "GET", strings.TrimPrefix(acme2Start(url.Values{"oauth_attach_token": {forAcme.OAuthAttachToken}}), e.srv.URL), false, nil)
		wantRawError(t, r, 400, "invalid_argument")

		// The account is now fresh's: attaching it to bob fails at the
		// callback. Latch ends that login on its error page, not at the
		// app with a token, and bob gains no provider.
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		toLinked, err := e.client.OAuth.Attach(ctx, &oauth.AttachParams{Provider: "acme", UserID: bob.UserID})
		if err != nil {
			t.Fatal(err)
		}
		cb := e.op.SignIn(t, browser, e.startURL(url.Values{"oauth_attach_token": {toLinked.OAuthAttachToken}}), e.op.User, e.srv.URL+"/v1/oauth/callback/")
		resp, err := browser.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusBadRequest || loc != "" ||
			!strings.Contains(string(body), "oauth_callback_failed") || !strings.Contains(string(body), "already linked to another user") {
			t.Errorf("attaching an account linked to another user: %d to %q, want 400 with the oauth_callback_failed page:\n%s", resp.StatusCode, loc, body)
		}
		got, err = e.client.Users.Get(ctx, &users.GetParams{UserID: bob.UserID})
		if err != nil || len(got.Providers) != 0 {
			t.Errorf("bob after the refused attach = %+v, %v; want no providers", got, err)
		}
		if still, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.signIn(t, e.op.User, nil)}); err != nil || still.UserID != fresh.UserID {
			t.Errorf("login after the refused attach = %+v, %v; want %s", still, err, fresh.UserID)
		}
		_, err = e.client.OAuth.Attach(ctx, &oauth.AttachParams{Provider: "google", UserID: bob.UserID})
		wantError(t, err, 404, "oauth_config_not_found")
		_, err = e.client.OAuth.Attach(ctx, &oauth.AttachParams{Provider: "acme"})
		wantError(t, err, 400, "invalid_argument")
	})
}
