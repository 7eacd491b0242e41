package compat

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	discoveryorgs "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/organizations"
	b2boauth "github.com/stytchauth/stytch-go/v16/stytch/b2b/oauth"
	oauthdiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/oauth/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"

	"github.com/latchauth/latch/internal/oidctest"
	"github.com/latchauth/latch/internal/providertest"
)

// B2B OAuth through the official b2bstytchapi client: the browser goes
// from the B2B start URLs through a real OpenID provider, configured as
// the project's google provider with its issuer overridden, back to
// Latch's callback and on to the app, which exchanges the token.

const (
	tokenTypeOAuth          = "oauth"
	tokenTypeDiscoveryOAuth = "discovery_oauth"
)

// b2bOAuthEnv is a B2B scenario with a real OpenID provider as google,
// whose one user has a verified address at a domain of the test's own.
type b2bOAuthEnv struct {
	*b2bEnv
	op     *oidctest.Provider
	user   oidctest.User
	domain string
}

func eachB2BOAuthDatabase(t *testing.T, fn func(t *testing.T, e *b2bOAuthEnv)) {
	t.Helper()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		dom := newDomain(t)
		user := oidctest.User{ID: "ada-" + randHex(t, 4), Username: "ada", Password: "analytical-engine",
			FirstName: "Ada", LastName: "Lovelace", Email: "ada@" + dom, EmailVerified: true}
		op := oidctest.Start(t, oidctest.Options{
			RedirectURIs: []string{e.srv.URL + "/v1/oauth/callback/" + e.srv.ProjectID + "/google"},
			Users:        []oidctest.User{user},
		})
		secret := filepath.Join(t.TempDir(), "google.secret")
		if err := os.WriteFile(secret, []byte(op.ClientSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		e.srv.Run(t, "oauth-providers", "set", "--project", e.srv.ProjectID, "--type", "google",
			"--client-id", op.ClientID, "--client-secret-file", secret, "--issuer", op.Issuer)
		fn(t, &b2bOAuthEnv{b2bEnv: e, op: op, user: user, domain: dom})
	})
}

// loginURL is the app's "Sign in with Google" link into an organization;
// extra sets organization_id or slug and any other parameter.
func (e *b2bOAuthEnv) loginURL(extra url.Values) string {
	q := url.Values{"public_token": {e.srv.PublicToken}, "login_redirect_url": {appURL}, "signup_redirect_url": {appURL}}
	for k, vs := range extra {
		q[k] = vs
	}
	return e.srv.URL + "/v1/b2b/public/oauth/google/start?" + q.Encode()
}

// discoveryURL is the app's discovery "Sign in with Google" link.
func (e *b2bOAuthEnv) discoveryURL(extra url.Values) string {
	q := url.Values{"public_token": {e.srv.PublicToken}, "discovery_redirect_url": {appURL}}
	for k, vs := range extra {
		q[k] = vs
	}
	return e.srv.URL + "/v1/b2b/public/oauth/google/discovery/start?" + q.Encode()
}

// signIn plays the user through the provider from start and returns the
// token the app's redirect URL receives, checking its token type.
func (e *b2bOAuthEnv) signIn(t *testing.T, start, tokenType string) string {
	t.Helper()
	landed := e.op.SignIn(t, nil, start, e.user, appURL)
	q := landed.Query()
	if q.Get("stytch_token_type") != tokenType || q.Get("token") == "" {
		t.Fatalf("landed on %s, want stytch_token_type=%s and a token", landed, tokenType)
	}
	return q.Get("token")
}

// TestB2BOAuthLogin logs a member in to an organization with Google: a
// new member provisioned by email domain, then the same member again,
// then the refusals (a reused token, a wrong PKCE verifier, a token of the
// other kind, an organization that allows other auth methods).
func TestB2BOAuthLogin(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		org := newOrg(t, e.b2bEnv, "OAuth", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		tok := e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		res, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("b2b oauth.authenticate: %v", err)
		}
		if res.OrganizationID != org.OrganizationID || res.Organization.OrganizationID != org.OrganizationID ||
			res.Member.EmailAddress != e.user.Email || res.MemberID != res.Member.MemberID || !res.Member.EmailAddressVerified ||
			res.Member.Status != "active" || !res.MemberAuthenticated || res.IntermediateSessionToken != "" {
			t.Fatalf("b2b oauth.authenticate = %s", describe(res))
		}
		if res.ProviderType != "Google" || res.ProviderSubject != e.user.ID || res.ProviderValues == nil || res.ProviderValues.AccessToken == "" {
			t.Errorf("provider_type %q, provider_subject %q, provider_values %+v", res.ProviderType, res.ProviderSubject, res.ProviderValues)
		}
		if res.MemberSession == nil || res.SessionToken == "" || res.SessionJWT == "" {
			t.Fatalf("no session: %s", describe(res))
		}
		if s := res.MemberSession; !strings.HasPrefix(s.MemberSessionID, "member-session-test-") || s.MemberID != res.MemberID ||
			s.OrganizationID != org.OrganizationID || s.OrganizationSlug != org.OrganizationSlug || s.StartedAt == nil || s.ExpiresAt == nil ||
			!near(*s.ExpiresAt, s.StartedAt.Add(30*time.Minute), 2*time.Second) {
			t.Errorf("member_session = %s, want the member's, in %s, for 30 minutes", describe(s), org.OrganizationID)
		}
		if fs := res.MemberSession.AuthenticationFactors; len(fs) != 1 || string(fs[0].Type) != "oauth" || string(fs[0].DeliveryMethod) != "oauth_google" ||
			fs[0].GoogleOAuthFactor == nil || fs[0].GoogleOAuthFactor.ProviderSubject != e.user.ID {
			t.Errorf("authentication_factors = %s, want one oauth_google factor of %s", describe(fs), e.user.ID)
		}
		checkMemberJWT(t, e.b2bEnv, res.SessionJWT, res.MemberID, res.Organization)
		sess, err := e.c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: res.SessionToken})
		if err != nil {
			t.Fatalf("b2b sessions.authenticate: %v", err)
		}
		if sess.Member.MemberID != res.MemberID || sess.Organization.OrganizationID != org.OrganizationID || sess.MemberSession.MemberSessionID != res.MemberSession.MemberSessionID {
			t.Errorf("sessions.authenticate = %s", describe(sess))
		}

		// The token is single-use.
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok})
		wantError(t, err, 404, "oauth_token_not_found")

		// The same account, by the organization's slug, is the same member;
		// with PKCE, the wrong verifier is refused and the right one works.
		verifier, challenge := pkcePair(t)
		tok = e.signIn(t, e.loginURL(url.Values{"slug": {org.OrganizationSlug}, "pkce_code_challenge": {challenge}}), tokenTypeOAuth)
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok, PkceCodeVerifier: verifier + "x"})
		wantError(t, err, 400, "pkce_mismatch")
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok})
		wantError(t, err, 400, "pkce_expected_code_verifier")
		again, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok, PkceCodeVerifier: verifier})
		if err != nil {
			t.Fatalf("returning b2b oauth.authenticate: %v", err)
		}
		if again.MemberID != res.MemberID {
			t.Errorf("returning member %s, want %s", again.MemberID, res.MemberID)
		}

		// A B2B token is not a consumer one, and a consumer one not B2B.
		tok = e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		wantRawError(t, rawJSON(t, e.srv, "POST", "/v1/oauth/authenticate", map[string]any{"token": tok}), 404, "oauth_token_not_found")
		_, err = e.c.OAuth.Discovery.Authenticate(ctx, &oauthdiscovery.AuthenticateParams{DiscoveryOAuthToken: tok})
		wantError(t, err, 404, "oauth_token_not_found")
		consumer := e.signIn(t, e.srv.URL+"/v1/public/oauth/google/start?"+url.Values{"public_token": {e.srv.PublicToken}}.Encode(), "oauth")
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: consumer})
		wantError(t, err, 404, "oauth_token_not_found")
		// Refused tokens stay unused: the B2B one still logs in.
		if _, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok}); err != nil {
			t.Errorf("b2b token after its refusals elsewhere: %v", err)
		}

		// Start refusals: an unknown organization, one that allows only
		// magic links.
		wantRawError(t, raw(t, e.srv, "GET", strings.TrimPrefix(e.loginURL(url.Values{"organization_id": {unknownOrganizationID}}), e.srv.URL), false, nil), 404, "organization_not_found")
		wantRawError(t, raw(t, e.srv, "GET", strings.TrimPrefix(e.loginURL(url.Values{"slug": {"no-such-org-" + randHex(t, 4)}}), e.srv.URL), false, nil), 404, "organization_not_found")
		ml := newOrg(t, e.b2bEnv, "MagicOnly", organizations.CreateParams{AuthMethods: restricted, AllowedAuthMethods: []string{"magic_link"},
			EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		wantRawError(t, raw(t, e.srv, "GET", strings.TrimPrefix(e.loginURL(url.Values{"organization_id": {ml.OrganizationID}}), e.srv.URL), false, nil), 400, "operation_restricted_by_organization_auth_methods")

		// An organization that stops allowing Google between the start and
		// the exchange refuses the token.
		tok = e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		if _, err := e.c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: org.OrganizationID, AuthMethods: restricted, AllowedAuthMethods: []string{"magic_link"}}); err != nil {
			t.Fatalf("organizations.update: %v", err)
		}
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok})
		wantError(t, err, 400, "operation_restricted_by_organization_auth_methods")
	})
}

// TestB2BOAuthDiscovery proves an address with Google before an
// organization is chosen: discovery lists the account's membership and
// the organization its email domain may join, the intermediate session
// joins that one, and a second discovery login creates an organization.
func TestB2BOAuthDiscovery(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		byDomain := newOrg(t, e.b2bEnv, "ByDomain", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		member := newOrg(t, e.b2bEnv, "Member", organizations.CreateParams{})
		newMember(t, e.b2bEnv, member.OrganizationID, e.user.Email, members.CreateParams{})
		magicOnly := newOrg(t, e.b2bEnv, "MagicOnly", organizations.CreateParams{AuthMethods: restricted, AllowedAuthMethods: []string{"magic_link"},
			EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		unrelated := newOrg(t, e.b2bEnv, "Unrelated", organizations.CreateParams{})

		tok := e.signIn(t, e.discoveryURL(nil), tokenTypeDiscoveryOAuth)
		res, err := e.c.OAuth.Discovery.Authenticate(ctx, &oauthdiscovery.AuthenticateParams{DiscoveryOAuthToken: tok})
		if err != nil {
			t.Fatalf("b2b oauth.discovery.authenticate: %v", err)
		}
		if res.EmailAddress != e.user.Email || res.IntermediateSessionToken == "" || res.ProviderType != "Google" || res.FullName != "Ada Lovelace" || res.ProviderTenantID != "" {
			t.Errorf("discovery.authenticate = %s", describe(res))
		}
		types := discoveredTypes(t, "oauth discovery", res.DiscoveredOrganizations)
		if types[byDomain.OrganizationID] != eligibleByMail || types[member.OrganizationID] != activeMember || types[magicOnly.OrganizationID] != eligibleByMail {
			t.Errorf("discovered %v, want %s by email domain, %s as a member and %s", types, byDomain.OrganizationID, member.OrganizationID, magicOnly.OrganizationID)
		}
		if _, ok := types[unrelated.OrganizationID]; ok || len(types) != 3 {
			t.Errorf("discovered %v, want exactly three organizations", types)
		}
		for _, d := range res.DiscoveredOrganizations {
			restrictedOrg := d.Organization.OrganizationID == magicOnly.OrganizationID
			if d.MemberAuthenticated == restrictedOrg || (d.PrimaryRequired != nil) != restrictedOrg {
				t.Errorf("%s: member_authenticated %v, primary_required %+v", d.Organization.OrganizationName, d.MemberAuthenticated, d.PrimaryRequired)
			}
		}
		_, err = e.c.OAuth.Discovery.Authenticate(ctx, &oauthdiscovery.AuthenticateParams{DiscoveryOAuthToken: tok})
		wantError(t, err, 404, "oauth_token_not_found")

		// The Google login does not open an organization that allows only
		// magic links; it joins the one its domain may join.
		_, err = e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: magicOnly.OrganizationID})
		wantError(t, err, 400, "operation_restricted_by_organization_auth_methods")
		ex, err := e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: byDomain.OrganizationID})
		if err != nil {
			t.Fatalf("intermediate_sessions.exchange: %v", err)
		}
		if ex.Member.EmailAddress != e.user.Email || ex.Organization.OrganizationID != byDomain.OrganizationID || ex.MemberSession == nil {
			t.Fatalf("exchange = %s", describe(ex))
		}
		if fs := ex.MemberSession.AuthenticationFactors; len(fs) != 1 || string(fs[0].DeliveryMethod) != "oauth_google" || fs[0].GoogleOAuthFactor == nil ||
			fs[0].GoogleOAuthFactor.ProviderSubject != e.user.ID || fs[0].GoogleOAuthFactor.ID == "" {
			t.Errorf("exchanged session factors = %s", describe(fs))
		}
		// The member joined by discovery logs in directly next time, as
		// the same member.
		tok = e.signIn(t, e.loginURL(url.Values{"organization_id": {byDomain.OrganizationID}}), tokenTypeOAuth)
		login, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok})
		if err != nil || login.MemberID != ex.MemberID {
			t.Fatalf("b2b oauth.authenticate after discovery = %s, %v; want member %s", outcome(login, err), err, ex.MemberID)
		}

		// A second discovery login creates an organization.
		tok = e.signIn(t, e.discoveryURL(nil), tokenTypeDiscoveryOAuth)
		res, err = e.c.OAuth.Discovery.Authenticate(ctx, &oauthdiscovery.AuthenticateParams{DiscoveryOAuthToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		created, err := e.c.Discovery.Organizations.Create(ctx, &discoveryorgs.CreateParams{
			IntermediateSessionToken: res.IntermediateSessionToken, OrganizationName: "Created " + randHex(t, 4), OrganizationSlug: "created-" + randHex(t, 4)})
		if err != nil {
			t.Fatalf("discovery.organizations.create: %v", err)
		}
		if created.Member.EmailAddress != e.user.Email || created.MemberSession == nil || !created.MemberAuthenticated {
			t.Errorf("discovery.organizations.create = %s", describe(created))
		}

		// The discovery redirect URL must be allowlisted as one.
		wantRawError(t, raw(t, e.srv, "GET", strings.TrimPrefix(e.discoveryURL(url.Values{"discovery_redirect_url": {"https://evil.example.com/"}}), e.srv.URL), false, nil),
			400, "no_match_for_provided_oauth_url")
	})
}

// TestB2BOAuthPythonStrictFields reads both B2B OAuth responses with plain
// HTTP and checks every field the Python SDK requires (its
// b2b/models/oauth*.py), as TestB2BPythonStrictFields does for the rest.
func TestB2BOAuthPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		org := newOrg(t, e.b2bEnv, "Strict", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain}})
		tok := e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		a := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/oauth/authenticate", map[string]any{"oauth_token": tok}), "b2b oauth.authenticate", 200)
		checkFields(t, "b2b oauth.authenticate", a, fields(envelopeFields, []field{
			{"member_id", nonEmpty, nil},
			{"provider_subject", nonEmpty, nil},
			{"provider_type", nonEmpty, nil},
			{"session_token", str, nil},
			{"session_jwt", str, nil},
			{"organization_id", nonEmpty, nil},
			{"reset_sessions", boolean, nil},
			{"member_authenticated", boolean, nil},
			{"intermediate_session_token", str, nil},
			{"provider_tenant_id", str, nil},
			{"provider_tenant_ids", array, nil},
			{"provider_values", object, nil},
			{"provider_values.access_token", str, nil},
			{"provider_values.refresh_token", str, nil},
			{"provider_values.id_token", str, nil},
			{"provider_values.scopes", array, nil},
		}, withMemberAndOrganization, withMemberSession))

		tok = e.signIn(t, e.discoveryURL(nil), tokenTypeDiscoveryOAuth)
		d := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/oauth/discovery/authenticate", map[string]any{"discovery_oauth_token": tok}), "b2b oauth.discovery.authenticate", 200)
		checkFields(t, "b2b oauth.discovery.authenticate", d, fields(discoveryAuthFields, []field{
			{"provider_type", nonEmpty, nil},
			{"provider_tenant_id", str, nil},
			{"provider_tenant_ids", array, nil},
			{"full_name", str, nil},
		}))
		if list, _ := d["discovered_organizations"].([]any); len(list) != 1 {
			t.Errorf("b2b oauth.discovery.authenticate: %d discovered organizations, want 1 (the membership the login made)", len(list))
		}

		// Errors are Stytch's envelope too.
		wantRawError(t, rawJSON(t, e.srv, "POST", "/v1/b2b/oauth/authenticate", map[string]any{"oauth_token": tok}), 404, "oauth_token_not_found")
		wantRawError(t, rawJSON(t, e.srv, "POST", "/v1/b2b/oauth/discovery/authenticate", map[string]any{"discovery_oauth_token": "nope"}), 404, "oauth_token_not_found")
	})
}

// TestB2BOAuthTenant discovers and joins organizations by OAuth tenant:
// a scriptable OpenID stand-in, configured as the project's microsoft
// provider, signs in accounts whose ID tokens carry a tid (the real
// OpenID provider of the other tests sends none).
func TestB2BOAuthTenant(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		pt := providertest.Start(t, providertest.Options{RedirectURIs: []string{e.srv.URL + "/v1/oauth/callback/" + e.srv.ProjectID + "/microsoft"}})
		secret := filepath.Join(t.TempDir(), "microsoft.secret")
		if err := os.WriteFile(secret, []byte(pt.ClientSecret), 0o600); err != nil {
			t.Fatal(err)
		}
		e.srv.Run(t, "oauth-providers", "set", "--project", e.srv.ProjectID, "--type", "microsoft",
			"--client-id", pt.ClientID, "--client-secret-file", secret, "--issuer", pt.Issuer)
		tenant, other := "tid-"+randHex(t, 8), "tid-"+randHex(t, 8)
		user := func(name, tid string) *providertest.User {
			return &providertest.User{Subject: name + "-" + randHex(t, 4), Email: name + "@" + newDomain(t), EmailVerified: true,
				GivenName: strings.ToUpper(name[:1]) + name[1:], FamilyName: "Fabrikam", TenantID: tid}
		}
		signIn := func(start, tokenType string, u *providertest.User) string {
			t.Helper()
			pt.Next(providertest.Login{User: u})
			landed := providertest.SignIn(t, nil, start, appURL)
			if landed.URL == nil || landed.URL.Query().Get("stytch_token_type") != tokenType || landed.URL.Query().Get("token") == "" {
				t.Fatalf("sign-in ended at %v (%d %s), want stytch_token_type=%s and a token", landed.URL, landed.Status, landed.Body, tokenType)
			}
			return landed.URL.Query().Get("token")
		}
		byTenant := newOrg(t, e, "Fabrikam", organizations.CreateParams{OAuthTenantJITProvisioning: restricted,
			AllowedOAuthTenants: map[string]any{"microsoft": []string{tenant}}})
		otherTenant := newOrg(t, e, "Contoso", organizations.CreateParams{OAuthTenantJITProvisioning: restricted,
			AllowedOAuthTenants: map[string]any{"microsoft": []string{other}}})

		// Discovery lists the organization that allows the account's
		// tenant, and only that one; the exchange joins it.
		ada := user("ada", tenant)
		discoveryStart := e.srv.URL + "/v1/b2b/public/oauth/microsoft/discovery/start?" + url.Values{"public_token": {e.srv.PublicToken}}.Encode()
		res, err := e.c.OAuth.Discovery.Authenticate(ctx, &oauthdiscovery.AuthenticateParams{DiscoveryOAuthToken: signIn(discoveryStart, tokenTypeDiscoveryOAuth, ada)})
		if err != nil {
			t.Fatalf("b2b oauth.discovery.authenticate: %v", err)
		}
		if res.ProviderType != "Microsoft" || res.ProviderTenantID != tenant || len(res.ProviderTenantIds) != 1 || res.ProviderTenantIds[0] != tenant || res.EmailAddress != ada.Email {
			t.Errorf("discovery.authenticate = %s", describe(res))
		}
		types := discoveredTypes(t, "tenant discovery", res.DiscoveredOrganizations)
		if len(types) != 1 || types[byTenant.OrganizationID] != "eligible_to_join_by_oauth_tenant" {
			t.Fatalf("discovered %v, want only %s, eligible_to_join_by_oauth_tenant", types, byTenant.OrganizationID)
		}
		_, err = e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: otherTenant.OrganizationID})
		wantErrorType(t, err, "email_jit_provisioning_not_allowed")
		ex, err := e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: byTenant.OrganizationID})
		if err != nil {
			t.Fatalf("intermediate_sessions.exchange: %v", err)
		}
		if ex.Member.EmailAddress != ada.Email || ex.Member.Status != "active" || ex.MemberSession == nil {
			t.Fatalf("exchange = %s", describe(ex))
		}
		if fs := ex.MemberSession.AuthenticationFactors; len(fs) != 1 || string(fs[0].DeliveryMethod) != "oauth_microsoft" ||
			fs[0].MicrosoftOAuthFactor == nil || fs[0].MicrosoftOAuthFactor.ProviderSubject != ada.Subject {
			t.Errorf("exchanged session factors = %s", describe(fs))
		}

		// A login into the organization provisions another account of the
		// tenant just in time, and refuses an account of another tenant.
		loginStart := func(orgID string) string {
			return e.srv.URL + "/v1/b2b/public/oauth/microsoft/start?" + url.Values{"public_token": {e.srv.PublicToken}, "organization_id": {orgID}}.Encode()
		}
		bob := user("bob", tenant)
		login, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: signIn(loginStart(byTenant.OrganizationID), tokenTypeOAuth, bob)})
		if err != nil {
			t.Fatalf("b2b oauth.authenticate of another account of the tenant: %v", err)
		}
		if login.Member.EmailAddress != bob.Email || login.ProviderType != "Microsoft" || login.MemberSession == nil {
			t.Errorf("b2b oauth.authenticate = %s", describe(login))
		}
		eve := user("eve", other)
		_, err = e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: signIn(loginStart(byTenant.OrganizationID), tokenTypeOAuth, eve)})
		wantErrorType(t, err, "email_jit_provisioning_not_allowed")
		// Ada, now a member, logs in directly as the member discovery made.
		again, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: signIn(loginStart(byTenant.OrganizationID), tokenTypeOAuth, ada)})
		if err != nil || again.MemberID != ex.MemberID {
			t.Fatalf("returning b2b oauth.authenticate = %s; want member %s", outcome(again, err), ex.MemberID)
		}
	})
}

// TestB2BOAuthIntermediateSession passes an intermediate session token,
// from an email magic link discovery, to b2b oauth.authenticate for an
// organization that requires Google: the OAuth login joins that session's
// factor and spends it.
func TestB2BOAuthIntermediateSession(t *testing.T) {
	t.Parallel()
	eachB2BOAuthDatabase(t, func(t *testing.T, e *b2bOAuthEnv) {
		// The organization takes Google logins only: the magic link that
		// began the login is not enough (primary_required), and the OAuth
		// login completes it.
		org := newOrg(t, e.b2bEnv, "OAuthIST", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{e.domain},
			AuthMethods: restricted, AllowedAuthMethods: []string{"google_oauth"}})
		ist := discover(t, e.b2bEnv, e.user.Email).IntermediateSessionToken
		_, err := e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: ist, OrganizationID: org.OrganizationID})
		wantErrorType(t, err, "operation_restricted_by_organization_auth_methods")
		ist = discover(t, e.b2bEnv, e.user.Email).IntermediateSessionToken
		tok := e.signIn(t, e.loginURL(url.Values{"organization_id": {org.OrganizationID}}), tokenTypeOAuth)
		res, err := e.c.OAuth.Authenticate(ctx, &b2boauth.AuthenticateParams{OAuthToken: tok, IntermediateSessionToken: ist, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("b2b oauth.authenticate with an intermediate session: %v", err)
		}
		if !res.MemberAuthenticated || res.MemberSession == nil || res.Member.EmailAddress != e.user.Email {
			t.Fatalf("b2b oauth.authenticate = %s", describe(res))
		}
		got := map[string]string{}
		for _, f := range res.MemberSession.AuthenticationFactors {
			got[string(f.Type)] = string(f.DeliveryMethod)
		}
		if want := map[string]string{"magic_link": "email", "oauth": "oauth_google"}; len(got) != len(want) || got["magic_link"] != "email" || got["oauth"] != "oauth_google" {
			t.Errorf("authentication_factors = %v, want %v", got, want)
		}
		// The intermediate session is spent.
		_, err = e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: ist, OrganizationID: org.OrganizationID})
		wantError(t, err, 404, "intermediate_session_not_found")
	})
}
