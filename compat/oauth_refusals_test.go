package compat

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/oauth"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/providertest"
)

// standInEnv is a latch process with a provider stand-in configured as
// its provider name.
type standInEnv struct {
	*env
	ps   *providertest.Server
	name string
	// logged is how much of latch's log earlier checks have read.
	logged int
}

// startStandIn starts latch (logging at info, so that the reason of each
// failed login can be read) and a stand-in whose registered redirect URI
// is latch's callback for name, and configures latch with the stand-in's
// client ID and secret and the flags args returns.
func startStandIn(t *testing.T, srvOpts latchtest.Options, name string, opts providertest.Options, args func(ps *providertest.Server) []string) *standInEnv {
	t.Helper()
	if srvOpts.Env == nil {
		srvOpts.Env = map[string]string{}
	}
	srvOpts.Env["LATCH_LOG_LEVEL"] = "info"
	srv := latchtest.Start(t, srvOpts)
	closeIdleFirst(t)
	opts.RedirectURIs = []string{srv.URL + "/v1/oauth/callback/" + srv.ProjectID + "/" + name}
	ps := providertest.Start(t, opts)
	set := []string{"oauth-providers", "set", "--project", srv.ProjectID, "--client-id", ps.ClientID}
	if ps.ClientSecret != "" {
		secret := filepath.Join(t.TempDir(), name+".secret")
		if err := os.WriteFile(secret, []byte(ps.ClientSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		set = append(set, "--client-secret-file", secret)
	}
	srv.Run(t, append(set, args(ps)...)...)
	return &standInEnv{env: &env{srv: srv, client: newClient(t, srv)}, ps: ps, name: name}
}

func (e *standInEnv) startURL() string {
	return e.srv.URL + "/v1/public/oauth/" + e.name + "/start?" + url.Values{"public_token": {e.srv.PublicToken}}.Encode()
}

// login plays the browser through the stand-in and returns where it
// landed at the app.
func (e *standInEnv) login(t *testing.T) *providertest.Landing {
	t.Helper()
	l := providertest.SignIn(t, nil, e.startURL(), appURL)
	if l.URL == nil {
		t.Fatalf("login ended at %d, not at the app:\n%s\nstand-in refusals: %v", l.Status, l.Body, e.ps.Refusals())
	}
	return l
}

// token is the Latch token of a successful login.
func (e *standInEnv) token(t *testing.T) string {
	t.Helper()
	l := e.login(t)
	tok := l.URL.Query().Get("token")
	if tok == "" || l.URL.Query().Get("error") != "" {
		t.Fatalf("login landed on %s, want a token; stand-in refusals %v\nlatch logs:\n%s", l.URL, e.ps.Refusals(), e.srv.Logs()[e.logged:])
	}
	return tok
}

// wantLoginError checks that a login lands on the app's login URL with
// error errCode and no token, and that latch logged cause (a substring of
// why) since the previous check.
func (e *standInEnv) wantLoginError(t *testing.T, what, errCode, cause string) {
	t.Helper()
	l := e.login(t)
	q := l.URL.Query()
	if !strings.HasPrefix(l.URL.String(), appURL+"?") || q.Get("error") != errCode || q.Get("token") != "" || q.Get("stytch_token_type") != "oauth" {
		t.Errorf("%s: landed on %s, want %s?…error=%s without a token", what, l.URL, appURL, errCode)
	}
	// latch's log reaches the test through a pipe: give it a moment.
	logs := e.srv.Logs()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs[e.logged:], cause) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		logs = e.srv.Logs()
	}
	if !strings.Contains(logs[e.logged:], cause) {
		t.Errorf("%s: latch did not log %q; its logs since the previous check:\n%s", what, cause, logs[e.logged:])
	}
	e.logged = len(logs)
}

// TestOAuthRefusals scripts a provider stand-in into each misbehaviour
// Latch must refuse: an ID token with a wrong nonce, for another client,
// expired, from another issuer or badly signed; a refusal at the
// authorization endpoint (the user cancelled); one at the token endpoint.
// Each login ends on the app's login URL with an error and no token, for
// the reason expected; logins between them, unscripted, succeed.
func TestOAuthRefusals(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			e := startStandIn(t, latchtest.Options{DatabaseURL: db.url(t)}, "stand", providertest.Options{}, func(ps *providertest.Server) []string {
				return []string{"--type", "oidc", "--name", "stand", "--issuer", ps.Issuer}
			})
			ctx := t.Context()
			ok, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t)})
			if err != nil || ok.ProviderSubject != providertest.DefaultUser.Subject || len(ok.User.Emails) != 1 || !ok.User.Emails[0].Verified {
				t.Fatalf("unscripted login = %+v, %v", ok, err)
			}
			e.logged = len(e.srv.Logs())

			for _, tc := range []struct {
				name    string
				login   providertest.Login
				errCode string
				cause   string
			}{
				{"wrong nonce", providertest.Login{WrongNonce: true}, "server_error", "nonce mismatch"},
				{"ID token for another client", providertest.Login{WrongAudience: true}, "server_error", "expected audience"},
				{"expired ID token", providertest.Login{Expired: true}, "server_error", "token is expired"},
				{"wrong issuer", providertest.Login{Issuer: "https://accounts.example.com"}, "server_error", "issued by a different provider"},
				{"bad signature", providertest.Login{BadSignature: true}, "server_error", "failed to verify signature"},
				{"user cancelled", providertest.Login{Error: "access_denied", ErrorDescription: "The user cancelled."}, "access_denied", "refused the login: access_denied"},
				{"token endpoint refusal", providertest.Login{TokenError: "invalid_grant"}, "server_error", "refused the authorization code"},
			} {
				e.ps.Next(tc.login)
				e.wantLoginError(t, tc.name, tc.errCode, tc.cause)
				// The provider's next, ordinary login still succeeds.
				if res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t)}); err != nil || res.UserID != ok.UserID {
					t.Errorf("after %s: login = %+v, %v", tc.name, res, err)
				}
				e.logged = len(e.srv.Logs())
			}

			// The provider's description reaches the app.
			e.ps.Next(providertest.Login{Error: "access_denied", ErrorDescription: "The user cancelled."})
			if l := e.login(t); l.URL.Query().Get("error_description") != "The user cancelled." {
				t.Errorf("cancelled login landed on %s, want the provider's error_description", l.URL)
			}
		})
	}
}
