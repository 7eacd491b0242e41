package oauth

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/secretbox"
)

// b2bFixture is the OAuth service over a real SQLite store with a
// configured Microsoft provider, for B2B logins whose provider identity a
// test makes up (the real OpenID provider of the compat tests sends no
// tenant).
type b2bFixture struct {
	svc  *Service
	all  *authtest.Services
	p    *auth.Project
	cfg  *Config
	ctx  context.Context
	orgs map[string]*auth.Organization
}

func newB2BFixture(t *testing.T) *b2bFixture {
	t.Helper()
	st := authtest.NewStore(t)
	all := authtest.NewServices(t, st)
	p, _ := all.NewProject(t, auth.EnvTest)
	box, err := secretbox.New(secretbox.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	providers := NewProviders(st, box, all.Clock.Now)
	ctx := context.Background()
	if _, err := providers.Set(ctx, p.ID, ProviderInput{Type: auth.OAuthMicrosoft, ClientID: "client", ClientSecret: "secret"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := providers.Get(ctx, p.ID, "microsoft")
	if err != nil {
		t.Fatal(err)
	}
	f := &b2bFixture{
		svc: NewService(st, providers, all.Projects, all.Users, all.Sessions, all.Discovery, box, all.Clock.Now, Options{PublicURL: "http://latch.test"}),
		all: all, p: p, cfg: cfg, ctx: ctx, orgs: map[string]*auth.Organization{},
	}
	restricted := auth.Restricted
	for slug, tenants := range map[string][]any{"fabrikam": {"tid-fabrikam"}, "contoso": {"tid-contoso"}} {
		m := map[string]any{"microsoft": tenants}
		o, err := all.Organizations.Create(ctx, p, organization.CreateInput{Name: slug, Slug: slug, Settings: organization.Settings{
			OAuthTenantJITProvisioning: &restricted, AllowedOAuthTenants: &m,
		}})
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[slug] = o
	}
	return f
}

// token ends a login at the callback for a made-up identity and returns
// the token it hands to the app.
func (f *b2bFixture) token(t *testing.T, kind auth.OAuthLoginKind, orgID string, id *identity) string {
	t.Helper()
	st := &auth.OAuthState{Kind: kind, OrganizationID: orgID, LoginRedirectURL: "http://localhost:3000/login", SignupRedirectURL: "http://localhost:3000/signup"}
	link, err := f.svc.issueB2B(f.ctx, f.p, f.cfg, st, id, f.all.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Query().Get("stytch_token_type"), tokenType(kind); got != want {
		t.Errorf("stytch_token_type = %q, want %q", got, want)
	}
	return u.Query().Get("token")
}

func TestB2BDiscoveryByOAuthTenant(t *testing.T) {
	f := newB2BFixture(t)
	tok := f.token(t, auth.OAuthLoginDiscovery, "", &identity{Subject: "sub-ada", Email: "ada@fabrikam.example", TenantID: "tid-fabrikam", GivenName: "Ada", FamilyName: "Lovelace"})
	res, err := f.svc.AuthenticateDiscovery(f.ctx, f.p, DiscoveryAuthenticateInput{Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if res.TenantID != "tid-fabrikam" || res.FullName != "Ada Lovelace" || res.ProviderType != auth.OAuthMicrosoft {
		t.Errorf("tenant %q, name %q, type %q", res.TenantID, res.FullName, res.ProviderType)
	}
	if len(res.Discovered) != 1 || res.Discovered[0].Organization.ID != f.orgs["fabrikam"].ID || res.Discovered[0].Membership != organization.EligibleToJoinByOAuthTenant {
		t.Fatalf("discovered %+v, want fabrikam only, eligible by OAuth tenant", res.Discovered)
	}
	if !res.Discovered[0].Authenticated() {
		t.Error("fabrikam needs nothing more, yet member_authenticated would be false")
	}
	// The token is single-use.
	if _, err := f.svc.AuthenticateDiscovery(f.ctx, f.p, DiscoveryAuthenticateInput{Token: tok}); !errors.Is(err, auth.ErrOAuthTokenNotFound) {
		t.Errorf("reused discovery token: %v, want oauth_token_not_found", err)
	}

	// The tenant does not open contoso.
	ist := res.IntermediateSessionToken
	if _, err := f.all.Discovery.Exchange(f.ctx, f.p, discovery.ExchangeInput{IntermediateSessionToken: ist, OrganizationID: f.orgs["contoso"].ID}); !errors.Is(err, auth.ErrEmailJITProvisioningNotAllowed) {
		t.Fatalf("exchange into contoso, which allows another tenant: err = %v, want email_jit_provisioning_not_allowed", err)
	}
	// The failed exchange rolled back, so the intermediate session is live.
	mres, err := f.all.Discovery.Exchange(f.ctx, f.p, discovery.ExchangeInput{IntermediateSessionToken: ist, OrganizationID: f.orgs["fabrikam"].ID})
	if err != nil {
		t.Fatal(err)
	}
	if mres.Member.EmailAddress != "ada@fabrikam.example" || mres.Member.Status != auth.MemberActive || mres.Session == nil {
		t.Fatalf("exchange: member %+v, session %v", mres.Member, mres.Session)
	}
	reg, err := f.all.Store.GetMemberOAuthRegistrationBySubject(f.ctx, f.p.ID, f.orgs["fabrikam"].ID, "microsoft", "sub-ada")
	if err != nil || reg.MemberID != mres.Member.ID {
		t.Fatalf("member's link after exchange: %+v, %v", reg, err)
	}
	fs := mres.Session.AuthenticationFactors
	if len(fs) != 1 || fs[0].DeliveryMethod != "oauth_microsoft" || fs[0].OAuthFactor.RegistrationID != reg.ID {
		t.Errorf("session factors %+v, want one oauth_microsoft factor naming the link", fs)
	}

	// A later B2B login of the same account is the same member.
	tok = f.token(t, auth.OAuthLoginB2B, f.orgs["fabrikam"].ID, &identity{Subject: "sub-ada", Email: "ada@fabrikam.example", TenantID: "tid-fabrikam"})
	login, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if login.Member.ID != mres.Member.ID || login.Registration.ID != reg.ID {
		t.Errorf("returning login: member %s link %s, want %s and %s", login.Member.ID, login.Registration.ID, mres.Member.ID, reg.ID)
	}
}

func TestB2BLoginTenantJIT(t *testing.T) {
	f := newB2BFixture(t)
	fabrikam := f.orgs["fabrikam"]
	tok := f.token(t, auth.OAuthLoginB2B, fabrikam.ID, &identity{Subject: "sub-bob", Email: "bob@fabrikam.example", TenantID: "tid-fabrikam", AccessToken: "at"})
	res, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if res.Member.OrganizationID != fabrikam.ID || res.Member.EmailAddress != "bob@fabrikam.example" || !res.Member.EmailVerified {
		t.Errorf("member %+v", res.Member)
	}
	if res.AccessToken != "at" || res.TenantID != "tid-fabrikam" || res.Session == nil || res.JWT == "" {
		t.Errorf("result: access token %q tenant %q session %v jwt %q", res.AccessToken, res.TenantID, res.Session, res.JWT)
	}
	// A consumer OAuth endpoint does not know a B2B token, even unused.
	tok = f.token(t, auth.OAuthLoginB2B, fabrikam.ID, &identity{Subject: "sub-bob", Email: "bob@fabrikam.example", TenantID: "tid-fabrikam"})
	if _, err := f.svc.Authenticate(f.ctx, f.p, AuthenticateInput{Token: tok}); !errors.Is(err, auth.ErrOAuthTokenNotFound) {
		t.Errorf("B2B token at oauth.authenticate: %v, want oauth_token_not_found", err)
	}
	if _, err := f.svc.AuthenticateDiscovery(f.ctx, f.p, DiscoveryAuthenticateInput{Token: tok}); !errors.Is(err, auth.ErrOAuthTokenNotFound) {
		t.Errorf("B2B token at discovery authenticate: %v, want oauth_token_not_found", err)
	}

	// Another tenant (or none) may not join: fabrikam takes no one by email.
	for _, tenant := range []string{"tid-contoso", ""} {
		tok = f.token(t, auth.OAuthLoginB2B, fabrikam.ID, &identity{Subject: "sub-eve" + tenant, Email: "eve@fabrikam.example", TenantID: tenant})
		if _, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: tok}); !errors.Is(err, auth.ErrEmailJITProvisioningNotAllowed) {
			t.Errorf("tenant %q: %v, want email_jit_provisioning_not_allowed", tenant, err)
		}
	}

	// An organization restricted to other auth methods refuses the token.
	methods, allowed := auth.Restricted, []string{"magic_link"}
	if _, err := f.all.Organizations.Update(f.ctx, f.p.ID, fabrikam.ID, organization.UpdateInput{Settings: organization.Settings{AuthMethods: &methods, AllowedAuthMethods: &allowed}}); err != nil {
		t.Fatal(err)
	}
	tok = f.token(t, auth.OAuthLoginB2B, fabrikam.ID, &identity{Subject: "sub-bob", Email: "bob@fabrikam.example", TenantID: "tid-fabrikam"})
	if _, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: tok}); !errors.Is(err, auth.ErrOperationRestrictedByAuthMethods) {
		t.Errorf("restricted organization: %v, want operation_restricted_by_organization_auth_methods", err)
	}
}

func TestB2BLoginStopsForMFA(t *testing.T) {
	f := newB2BFixture(t)
	fabrikam := f.orgs["fabrikam"]
	policy := auth.MFAPolicyRequiredForAll
	if _, err := f.all.Organizations.Update(f.ctx, f.p.ID, fabrikam.ID, organization.UpdateInput{Settings: organization.Settings{MFAPolicy: &policy}}); err != nil {
		t.Fatal(err)
	}
	tok := f.token(t, auth.OAuthLoginB2B, fabrikam.ID, &identity{Subject: "sub-mfa", Email: "mfa@fabrikam.example", TenantID: "tid-fabrikam"})
	res, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	if res.MFARequired == nil || res.Session != nil || res.IntermediateSessionToken == "" || res.Authenticated() {
		t.Fatalf("login into an organization requiring MFA: mfa %v, session %v, intermediate session token %q", res.MFARequired, res.Session, res.IntermediateSessionToken)
	}
	if res.Registration == nil || res.Registration.MemberID != res.Member.ID {
		t.Errorf("the account is linked to %+v, want the member %s", res.Registration, res.Member.ID)
	}
}

// TestB2BLinkedLoginVerifiesOnlyItsAddress logs a member in by its linked
// provider account after the member's address changed: the login enters,
// but the new address, which the provider did not assert, stays
// unverified.
func TestB2BLinkedLoginVerifiesOnlyItsAddress(t *testing.T) {
	f := newB2BFixture(t)
	fabrikam := f.orgs["fabrikam"]
	bob := &identity{Subject: "sub-bob", Email: "bob@fabrikam.example", TenantID: "tid-fabrikam"}
	res, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: f.token(t, auth.OAuthLoginB2B, fabrikam.ID, bob)})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Member
	m.EmailAddress, m.EmailVerified = "robert@fabrikam.example", false
	if err := f.svc.store.UpdateMember(f.ctx, f.p.ID, m); err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.AuthenticateMember(f.ctx, f.p, B2BAuthenticateInput{Token: f.token(t, auth.OAuthLoginB2B, fabrikam.ID, bob)})
	if err != nil {
		t.Fatal(err)
	}
	if again.Member.ID != m.ID || again.Member.EmailVerified {
		t.Errorf("linked login entered as %s, email_address_verified %v; want %s, still unverified", again.Member.ID, again.Member.EmailVerified, m.ID)
	}
	stored, err := f.svc.store.GetMember(f.ctx, f.p.ID, fabrikam.ID, m.ID)
	if err != nil || stored.EmailVerified {
		t.Errorf("stored member %+v, %v; want its new address unverified", stored, err)
	}
}
