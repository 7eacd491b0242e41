package compat

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	b2boauth "github.com/stytchauth/stytch-go/v16/stytch/b2b/oauth"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members/oauthproviders"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"

	"github.com/latchauth/latch/internal/githubtest"
)

// TestB2BOAuthMemberProviders logs a member in with Google, then reads the
// linked account back: in the member object of members get, search and
// sessions.authenticate, and as the provider's tokens from
// organizations.members.oauth_providers, the refresh token only on
// request; then the refusals (another organization, an unknown member,
// another project) and the Python SDK's required fields.
func TestB2BOAuthMemberProviders(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		org := newOrg(t, e.b2bEnv, "Tokens", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		// offline_access asks the provider for a refresh token.
		tok := e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}, "custom_scopes": {"offline_access"}}), tokenTypeOAuth)
		login, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("b2b oauth.authenticate: %v", err)
		}
		regs := login.Member.OAuthRegistrations
		if len(regs) != 1 || regs[0].ProviderType != "Google" || regs[0].ProviderSubject != e.user.ID ||
			!strings.HasPrefix(regs[0].MemberOAuthRegistrationID, "member-oauth-registration-test-") {
			t.Fatalf("oauth.authenticate member oauth_registrations = %s, want the Google account %s", describe(regs), e.user.ID)
		}
		want := regs[0]

		got, err := e.c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: org.OrganizationID, MemberID: login.MemberID})
		if err != nil {
			t.Fatalf("members.get: %v", err)
		}
		if r := got.Member.OAuthRegistrations; len(r) != 1 || r[0] != want {
			t.Errorf("members.get oauth_registrations = %s, want %s", describe(r), describe(want))
		}
		sess, err := e.c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: login.SessionToken})
		if err != nil {
			t.Fatalf("b2b sessions.authenticate: %v", err)
		}
		if r := sess.Member.OAuthRegistrations; len(r) != 1 || r[0] != want {
			t.Errorf("sessions.authenticate oauth_registrations = %s, want %s", describe(r), describe(want))
		}
		found, err := e.c.Organizations.Members.Search(ctx, &members.SearchParams{OrganizationIds: []string{org.OrganizationID}})
		if err != nil {
			t.Fatalf("members.search: %v", err)
		}
		if len(found.Members) != 1 || len(found.Members[0].OAuthRegistrations) != 1 || found.Members[0].OAuthRegistrations[0] != want {
			t.Errorf("members.search = %s, want the member with %s", describe(found.Members), describe(want))
		}

		// The provider's tokens, as the login returned them.
		pv := login.ProviderValues
		g, err := e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		if err != nil {
			t.Fatalf("oauth_providers google: %v", err)
		}
		if g.ProviderType != "Google" || g.ProviderSubject != e.user.ID || g.AccessToken == "" || g.AccessToken != pv.AccessToken ||
			g.IDToken != pv.IDToken || g.RefreshToken != "" || g.AccessTokenExpiresIn <= 0 || len(g.Scopes) == 0 {
			t.Errorf("oauth_providers google = %s, want the login's access and ID tokens, no refresh token", describe(g))
		}
		if pv.RefreshToken == "" {
			t.Fatal("b2b oauth.authenticate provider_values.refresh_token is empty; offline_access should get one")
		}
		withRefresh, err := e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationSlug, MemberID: login.MemberID, IncludeRefreshToken: true,
		})
		if err != nil {
			t.Fatalf("oauth_providers google with include_refresh_token: %v", err)
		}
		if withRefresh.AccessToken != pv.AccessToken || withRefresh.RefreshToken == "" || withRefresh.RefreshToken != pv.RefreshToken {
			t.Errorf("oauth_providers google with include_refresh_token = %s, want the login's refresh token %q", describe(withRefresh), pv.RefreshToken)
		}

		// A provider the member has no account at: Microsoft refuses,
		// GitHub lists none.
		_, err = e.c.Organizations.Members.OAuthProviders.Microsoft(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		wantError(t, err, 404, "oauth_user_registration_not_found")
		gh, err := e.c.Organizations.Members.OAuthProviders.Github(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		if err != nil || gh.ProviderType != "Github" || len(gh.Registrations) != 0 {
			t.Errorf("oauth_providers github = %s, %v; want no registrations", describe(gh), err)
		}

		// Refusals: the member in another organization, an unknown member,
		// an unknown organization, another project's credentials.
		other := newOrg(t, e.b2bEnv, "Other", organizations.CreateParams{})
		_, err = e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: other.OrganizationID, MemberID: login.MemberID,
		})
		wantError(t, err, 404, "member_not_found")
		_, err = e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: "member-test-00000000-0000-4000-8000-000000000000",
		})
		wantError(t, err, 404, "member_not_found")
		_, err = e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: unknownOrganizationID, MemberID: login.MemberID,
		})
		wantError(t, err, 404, "organization_not_found")
		_, otherProject := e.otherProject(t)
		_, err = otherProject.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID, IncludeRefreshToken: true,
		})
		wantError(t, err, 404, "organization_not_found")

		// A deleted member's tokens are gone with it, as members get says.
		if _, err := e.c.Organizations.Members.Delete(ctx, &members.DeleteParams{OrganizationID: org.OrganizationID, MemberID: login.MemberID}); err != nil {
			t.Fatalf("members.delete: %v", err)
		}
		_, err = e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		wantError(t, err, 404, "member_not_found")
	})
}

// TestB2BOAuthMemberProvidersPythonStrictFields checks the fields the
// Python SDK requires of the oauth_providers responses and of a member
// with a linked account.
func TestB2BOAuthMemberProvidersPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		org := newOrg(t, e.b2bEnv, "StrictTokens", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		tok := e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		a := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/oauth/authenticate", map[string]any{"oauth_token": tok}), "b2b oauth.authenticate", 200)
		memberID := jsonStr(a, "member_id")
		if regs, _ := a["member"].(map[string]any)["oauth_registrations"].([]any); len(regs) != 1 {
			t.Fatalf("b2b oauth.authenticate member.oauth_registrations = %v, want one", regs)
		}
		path := "/v1/b2b/organizations/" + org.OrganizationID + "/members/" + memberID
		m := strictOK(t, raw(t, e.srv, "GET", "/v1/b2b/organizations/"+org.OrganizationID+"/member?member_id="+memberID, true, nil), "members.get", 200)
		checkFields(t, "members.get", m, memberResponseFields)

		flat := fields(envelopeFields, []field{
			{"provider_type", nonEmpty, nil},
			{"provider_subject", nonEmpty, nil},
			{"access_token", str, nil},
			{"access_token_expires_in", number, nil},
			{"id_token", str, nil},
			{"refresh_token", str, nil},
			{"scopes", array, nil},
		})
		for _, q := range []string{"", "?include_refresh_token=false", "?include_refresh_token=true"} {
			g := strictOK(t, raw(t, e.srv, "GET", path+"/oauth_providers/google"+q, true, nil), "oauth_providers google"+q, 200)
			checkFields(t, "oauth_providers google"+q, g, flat)
		}
		gh := strictOK(t, raw(t, e.srv, "GET", path+"/oauth_providers/github", true, nil), "oauth_providers github", 200)
		checkFields(t, "oauth_providers github", gh, fields(envelopeFields, []field{
			{"provider_type", nonEmpty, nil},
			{"registrations", array, nil},
			{"registrations[].provider_subject", nonEmpty, nil},
			{"registrations[].provider_tenant_ids", array, nil},
			{"registrations[].access_token", str, nil},
			{"registrations[].scopes", array, nil},
		}))

		// Errors are Stytch's envelope; the credentials are required, and
		// Slack and HubSpot are not served.
		wantRawError(t, raw(t, e.srv, "GET", path+"/oauth_providers/microsoft", true, nil), 404, "oauth_user_registration_not_found")
		wantRawError(t, raw(t, e.srv, "GET", path+"/oauth_providers/google", false, nil), 401, "unauthorized_credentials")
		if r := raw(t, e.srv, "GET", path+"/oauth_providers/slack", true, nil); r.Status != 404 {
			t.Errorf("oauth_providers slack: HTTP %d, want 404\n%s", r.Status, r.Body)
		}
	})
}

// TestB2BOAuthMemberProvidersGitHub logs a member in with GitHub (a
// stand-in of its OAuth endpoints and API, as the project's github
// provider) and reads the linked account back from the member and from
// organizations.members.oauth_providers github, as the SDK and as the
// Python SDK's required fields.
func TestB2BOAuthMemberProvidersGitHub(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		dom := newDomain(t)
		gh := githubtest.Start(t, githubtest.User{ID: 583231, Login: "octocat", Name: "The Octocat",
			Emails: []githubtest.Email{{Email: "octocat@" + dom, Primary: true, Verified: true}}})
		secret := filepath.Join(t.TempDir(), "github.secret")
		if err := os.WriteFile(secret, []byte(gh.ClientSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		e.srv.Run(t, "oauth-providers", "set", "--project", e.srv.ProjectID, "--type", "github", "--client-id", gh.ClientID,
			"--client-secret-file", secret, "--auth-url", gh.URL+"/login/oauth/authorize",
			"--token-url", gh.URL+"/login/oauth/access_token", "--api-url", gh.URL)
		org := newOrg(t, e, "GitHub", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})

		// The browser goes from the B2B start URL through GitHub's
		// authorize endpoint and Latch's callback to the app.
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		var landed *url.URL
		browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), appURL) {
				landed = req.URL
				return http.ErrUseLastResponse
			}
			return nil
		}}
		start := e.srv.URL + "/v1/b2b/public/oauth/github/start?" + url.Values{"public_token": {e.srv.PublicToken},
			"organization_id": {org.OrganizationID}, "login_redirect_url": {appURL}, "signup_redirect_url": {appURL}}.Encode()
		resp, err := browser.Get(start)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if landed == nil || landed.Query().Get("stytch_token_type") != tokenTypeOAuth || landed.Query().Get("token") == "" {
			t.Fatalf("GitHub login ended at %s (%s), want the app with an oauth token\n%s", resp.Request.URL, resp.Status, body)
		}
		login, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: landed.Query().Get("token"), SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("b2b oauth.authenticate: %v", err)
		}
		if login.ProviderType != "Github" || login.ProviderSubject != "583231" || login.ProviderValues.AccessToken == "" {
			t.Errorf("b2b oauth.authenticate = %s, want GitHub's account 583231 and its access token", describe(login))
		}
		regs := login.Member.OAuthRegistrations
		if len(regs) != 1 || regs[0].ProviderType != "Github" || regs[0].ProviderSubject != "583231" {
			t.Fatalf("b2b oauth.authenticate member oauth_registrations = %s, want the GitHub account 583231", describe(regs))
		}

		got, err := e.c.Organizations.Members.OAuthProviders.Github(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		if err != nil {
			t.Fatalf("oauth_providers github: %v", err)
		}
		if got.ProviderType != "Github" || len(got.Registrations) != 1 {
			t.Fatalf("oauth_providers github = %s, want one registration", describe(got))
		}
		if r := got.Registrations[0]; r.ProviderSubject != "583231" || r.AccessToken == "" || r.AccessToken != login.ProviderValues.AccessToken {
			t.Errorf("oauth_providers github registration = %s, want subject 583231 and the login's access token %q", describe(r), login.ProviderValues.AccessToken)
		}
		// The member has no Google account.
		_, err = e.c.Organizations.Members.OAuthProviders.Google(ctx, &oauthproviders.ProviderInformationParams{
			OrganizationID: org.OrganizationID, MemberID: login.MemberID,
		})
		wantError(t, err, 404, "oauth_user_registration_not_found")

		// The Python SDK's required fields, with the registration present
		// so that its fields are checked.
		path := "/v1/b2b/organizations/" + org.OrganizationID + "/members/" + login.MemberID + "/oauth_providers/github"
		r := strictOK(t, raw(t, e.srv, "GET", path, true, nil), "oauth_providers github", 200)
		if regs, _ := r["registrations"].([]any); len(regs) != 1 {
			t.Fatalf("oauth_providers github registrations = %v, want one", r["registrations"])
		}
		checkFields(t, "oauth_providers github", r, fields(envelopeFields, []field{
			{"provider_type", nonEmpty, nil},
			{"registrations", array, nil},
			{"registrations[].provider_subject", nonEmpty, nil},
			{"registrations[].provider_tenant_ids", array, nil},
			{"registrations[].access_token", nonEmpty, nil},
			{"registrations[].scopes", array, nil},
		}))
	})
}
