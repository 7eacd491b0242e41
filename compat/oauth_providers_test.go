package compat

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/oauth"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/providertest"
)

// appleArgs configures the stand-in as the built-in Apple provider.
func appleArgs(p8 string) func(ps *providertest.Server) []string {
	return func(ps *providertest.Server) []string {
		return []string{"--type", "apple", "--apple-team-id", "TEAM123456", "--apple-key-id", "KEY1234567",
			"--apple-private-key-file", p8, "--issuer", ps.Issuer}
	}
}

// TestOAuthApple logs in with Sign in with Apple's flow against the
// stand-in: the stand-in checks the client secret JWT Latch signs with
// the .p8 key, the browser comes back by form_post (a cross-site POST
// that must carry the binding cookie), the first login posts the user's
// name in the user field, and the ID token says email_verified "true".
func TestOAuthApple(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			key, p8 := providertest.AppleKey(t)
			e := startStandIn(t, latchtest.Options{DatabaseURL: db.url(t)}, "apple",
				providertest.Options{Apple: &providertest.Apple{TeamID: "TEAM123456", KeyID: "KEY1234567", PublicKey: &key.PublicKey}}, appleArgs(p8))
			e.ps.SetDefault(providertest.Login{User: &providertest.User{Subject: "001234.5678abcd.0042", Email: "ada@privaterelay.appleid.com",
				EmailVerified: true, GivenName: "Ada", FamilyName: "Lovelace"}})
			ctx := t.Context()

			// The start sends the browser to Apple with form_post, and
			// sets the binding cookie for a cross-site POST.
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Get(e.startURL())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || loc.Query().Get("response_mode") != "form_post" || !strings.Contains(loc.Query().Get("scope"), "name") {
				t.Errorf("start: %s to %s, want Apple's authorize URL with response_mode=form_post", resp.Status, loc)
			}
			cookies := resp.Cookies()
			if len(cookies) != 1 || cookies[0].SameSite != http.SameSiteNoneMode || !cookies[0].Secure || !cookies[0].HttpOnly {
				t.Errorf("binding cookie %q, want HttpOnly; Secure; SameSite=None", resp.Header.Values("Set-Cookie"))
			}

			l := e.login(t)
			if l.FormPosts != 1 {
				t.Errorf("login submitted %d form_post pages, want 1", l.FormPosts)
			}
			tok := l.URL.Query().Get("token")
			res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: tok, SessionDurationMinutes: 5})
			if err != nil {
				t.Fatalf("%v; stand-in refusals %v", err, e.ps.Refusals())
			}
			if res.ProviderType != "Apple" || res.ProviderSubject != "001234.5678abcd.0042" {
				t.Errorf("provider_type %q subject %q", res.ProviderType, res.ProviderSubject)
			}
			if res.User.Name.FirstName != "Ada" || res.User.Name.LastName != "Lovelace" {
				t.Errorf("name = %+v, want Ada Lovelace from the user field", res.User.Name)
			}
			if len(res.User.Emails) != 1 || res.User.Emails[0].Email != "ada@privaterelay.appleid.com" || !res.User.Emails[0].Verified {
				t.Errorf("emails = %+v, want the ID token's address, verified (email_verified \"true\")", res.User.Emails)
			}
			f := res.UserSession.AuthenticationFactors[0]
			if f.DeliveryMethod != "oauth_apple" || f.AppleOAuthFactor == nil || f.AppleOAuthFactor.ProviderSubject != res.ProviderSubject ||
				f.AppleOAuthFactor.ID != res.OAuthUserRegistrationID {
				t.Errorf("factor = %+v", f)
			}

			// Later logins carry no name: the user keeps hers.
			again, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t)})
			if err != nil || again.UserID != res.UserID || again.User.Name.FirstName != "Ada" {
				t.Errorf("second login = %+v, %v", again, err)
			}
			if r := e.ps.Refusals(); len(r) != 0 {
				t.Errorf("stand-in refused: %v", r)
			}
		})
	}
}

// TestOAuthAppleNeedsHTTPS: over plain http on a host other than
// loopback, browsers drop the SameSite=None cookie form_post needs, so
// the start refuses with use_https instead of failing at the callback.
func TestOAuthAppleNeedsHTTPS(t *testing.T) {
	t.Parallel()
	key, p8 := providertest.AppleKey(t)
	e := startStandIn(t, latchtest.Options{Env: map[string]string{"LATCH_PUBLIC_URL": "http://auth.example.test"}}, "apple",
		providertest.Options{Apple: &providertest.Apple{TeamID: "TEAM123456", KeyID: "KEY1234567", PublicKey: &key.PublicKey}}, appleArgs(p8))
	r := raw(t, e.srv, "GET", strings.TrimPrefix(e.startURL(), e.srv.URL), false, nil)
	if r.Status != http.StatusForbidden || r.JSON["error_type"] != "use_https" {
		t.Errorf("Apple start over plain http: %d %v, want 403 use_https", r.Status, r.JSON)
	}
}

// TestOAuthMicrosoftMultiTenant logs in through a stand-in of Microsoft's
// common endpoint, whose discovery issuer is a template: users of two
// tenants are both accepted, each token's iss being its own tenant's,
// and a token whose iss is not its tid's tenant is refused. Configured
// for one tenant, the issuer is checked strictly.
func TestOAuthMicrosoftMultiTenant(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			e := startStandIn(t, latchtest.Options{DatabaseURL: db.url(t)}, "microsoft", providertest.Options{MultiTenant: true},
				func(ps *providertest.Server) []string { return []string{"--type", "microsoft", "--issuer", ps.Issuer} })
			ctx := t.Context()
			contoso := &providertest.User{Subject: "sub-contoso", Email: "ada@contoso.example", EmailVerified: true, TenantID: "11111111-aaaa-4aaa-8aaa-111111111111"}
			fabrikam := &providertest.User{Subject: "sub-fabrikam", Email: "bo@fabrikam.example", EmailVerified: true, TenantID: "22222222-bbbb-4bbb-8bbb-222222222222"}
			var users []string
			for _, u := range []*providertest.User{contoso, fabrikam} {
				e.ps.Next(providertest.Login{User: u})
				res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t), SessionDurationMinutes: 5})
				if err != nil {
					t.Fatal(err)
				}
				if res.ProviderType != "Microsoft" || res.ProviderSubject != u.Subject || res.UserSession.AuthenticationFactors[0].MicrosoftOAuthFactor == nil {
					t.Errorf("%s: provider_type %q subject %q factors %+v", u.Email, res.ProviderType, res.ProviderSubject, res.UserSession.AuthenticationFactors)
				}
				users = append(users, res.UserID)
			}
			if users[0] == users[1] {
				t.Errorf("both tenants' users logged in as %s", users[0])
			}
			e.logged = len(e.srv.Logs())

			// A token of one tenant's user whose iss is another tenant's.
			e.ps.Next(providertest.Login{User: contoso, Issuer: e.ps.TenantIssuer(fabrikam.TenantID)})
			e.wantLoginError(t, "iss of another tenant", "server_error", "not by its tenant's issuer")
			// A token without tid cannot name its tenant.
			e.ps.Next(providertest.Login{User: &providertest.User{Subject: "sub-none", Email: "x@example.com", EmailVerified: true}})
			e.wantLoginError(t, "no tid", "server_error", "names no tenant")
			// An issuer off Microsoft's template.
			e.ps.Next(providertest.Login{User: contoso, Issuer: "https://login.example.com/" + contoso.TenantID + "/v2.0"})
			e.wantLoginError(t, "foreign issuer", "server_error", "not by its tenant's issuer")

			// Microsoft's tokens say nothing of email_verified: an address
			// is trusted only with the xms_edov claim (the tenant owns its
			// domain).
			for _, tc := range []struct {
				extra    map[string]any
				verified bool
			}{{nil, false}, {map[string]any{"xms_edov": true}, true}} {
				u := &providertest.User{Subject: "sub-edov-" + strconv.FormatBool(tc.verified), Email: "cy@contoso.example", TenantID: contoso.TenantID, Extra: tc.extra}
				e.ps.Next(providertest.Login{User: u})
				res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t)})
				if err != nil {
					t.Fatal(err)
				}
				if got := len(res.User.Emails) == 1 && res.User.Emails[0].Email == u.Email && res.User.Emails[0].Verified; got != tc.verified {
					t.Errorf("xms_edov %v: user emails %+v, want the address only with xms_edov", tc.extra, res.User.Emails)
				}
			}

			// One tenant configured: only its issuer is accepted.
			secret := filepath.Join(t.TempDir(), "ms.secret")
			if err := os.WriteFile(secret, []byte(e.ps.ClientSecret), 0o600); err != nil {
				t.Fatal(err)
			}
			e.srv.Run(t, "oauth-providers", "set", "--project", e.srv.ProjectID, "--type", "microsoft", "--client-id", e.ps.ClientID,
				"--client-secret-file", secret, "--tenant", contoso.TenantID, "--issuer", e.ps.TenantIssuer(contoso.TenantID))
			e.ps.Next(providertest.Login{User: contoso})
			if res, err := e.client.OAuth.Authenticate(ctx, &oauth.AuthenticateParams{Token: e.token(t)}); err != nil || res.UserID != users[0] {
				t.Errorf("single-tenant login = %+v, %v; want user %s", res, err, users[0])
			}
			e.logged = len(e.srv.Logs())
			e.ps.Next(providertest.Login{User: fabrikam})
			e.wantLoginError(t, "other tenant's user at a single-tenant provider", "server_error", "issued by a different provider")
		})
	}
}

// TestOAuthUserInfoOverride configures a generic OIDC provider whose ID
// tokens carry no address with --userinfo-url: Latch asks the configured
// userinfo endpoint, not the one of the discovery document.
func TestOAuthUserInfoOverride(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	override := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"sub": %q, "email": "ada@userinfo.example", "email_verified": true}`, providertest.DefaultUser.Subject)
	}))
	t.Cleanup(override.Close)
	e := startStandIn(t, latchtest.Options{}, "stand", providertest.Options{}, func(ps *providertest.Server) []string {
		return []string{"--type", "oidc", "--name", "stand", "--issuer", ps.Issuer, "--userinfo-url", override.URL}
	})
	noEmail := providertest.DefaultUser
	noEmail.Email, noEmail.EmailVerified = "", nil
	e.ps.SetDefault(providertest.Login{User: &noEmail})
	res, err := e.client.OAuth.Authenticate(t.Context(), &oauth.AuthenticateParams{Token: e.token(t)})
	if err != nil {
		t.Fatal(err)
	}
	if asked.Load() == 0 || len(res.User.Emails) != 1 || res.User.Emails[0].Email != "ada@userinfo.example" || !res.User.Emails[0].Verified {
		t.Errorf("user = %+v after %d userinfo requests to the override, want ada@userinfo.example from it", res.User, asked.Load())
	}
}
