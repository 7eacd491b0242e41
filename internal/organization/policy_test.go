package organization_test

import (
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
)

func org(mutate func(o *auth.Organization)) *auth.Organization {
	o := auth.NewOrganizationDefaults()
	o.Name = "Acme"
	mutate(&o)
	return &o
}

func TestCanJITProvision(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		jit     string
		domains []string
		address string
		want    *auth.Error
	}{
		{"not allowed", auth.NotAllowed, []string{"acme.com"}, "ada@acme.com", auth.ErrEmailJITProvisioningNotAllowed},
		{"restricted, allowed domain", auth.Restricted, []string{"acme.com"}, "ada@acme.com", nil},
		{"restricted, domain case", auth.Restricted, []string{"Acme.COM"}, "ada@ACME.com", nil},
		{"restricted, other domain", auth.Restricted, []string{"acme.com"}, "eve@evil.com", auth.ErrInvalidEmailForJITProvisioning},
		{"restricted, subdomain is not the domain", auth.Restricted, []string{"acme.com"}, "ada@eu.acme.com", auth.ErrInvalidEmailForJITProvisioning},
		{"restricted, suffix is not the domain", auth.Restricted, []string{"acme.com"}, "ada@notacme.com", auth.ErrInvalidEmailForJITProvisioning},
		{"restricted, no domains", auth.Restricted, nil, "ada@acme.com", auth.ErrInvalidEmailForJITProvisioning},
	} {
		o := org(func(o *auth.Organization) { o.EmailJITProvisioning, o.EmailAllowedDomains = tc.jit, tc.domains })
		err := organization.CanJITProvision(o, tc.address)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCanInvite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		invites string
		domains []string
		address string
		want    *auth.Error
	}{
		{"all allowed", auth.AllAllowed, nil, "anyone@example.com", nil},
		{"restricted, allowed domain", auth.Restricted, []string{"acme.com"}, "ada@acme.com", nil},
		{"restricted, other domain", auth.Restricted, []string{"acme.com"}, "eve@evil.com", auth.ErrInvalidEmailForInvites},
		{"not allowed", auth.NotAllowed, []string{"acme.com"}, "ada@acme.com", auth.ErrInvalidEmailForInvites},
	} {
		o := org(func(o *auth.Organization) { o.EmailInvites, o.EmailAllowedDomains = tc.invites, tc.domains })
		err := organization.CanInvite(o, tc.address)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestAllowsAuthMethod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		methods string
		allowed []string
		method  string
		ok      bool
	}{
		{"all allowed", auth.AllAllowed, nil, "magic_link", true},
		{"restricted, listed", auth.Restricted, []string{"sso", "magic_link"}, "magic_link", true},
		{"restricted, not listed", auth.Restricted, []string{"sso"}, "magic_link", false},
	} {
		o := org(func(o *auth.Organization) { o.AuthMethods, o.AllowedAuthMethods = tc.methods, tc.allowed })
		err := organization.AllowsAuthMethod(o, tc.method)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, auth.ErrOperationRestrictedByAuthMethods)) {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestMembership(t *testing.T) {
	t.Parallel()
	restricted := org(func(o *auth.Organization) {
		o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
	})
	closed := org(func(*auth.Organization) {})
	tenants := org(func(o *auth.Organization) {
		o.OAuthTenantJITProvisioning = auth.Restricted
		o.AllowedOAuthTenants = map[string]any{"google": []any{"acme.com"}, "microsoft": []string{"tid-1"}}
	})
	member := func(s auth.MemberStatus) *auth.Member { return &auth.Member{Status: s} }
	google := func(hd string) organization.OAuthTenant {
		return organization.OAuthTenant{ProviderType: "google", TenantID: hd}
	}
	for _, tc := range []struct {
		name    string
		o       *auth.Organization
		m       *auth.Member
		address string
		tenant  organization.OAuthTenant
		want    organization.MembershipType
		err     *auth.Error
	}{
		{"active", closed, member(auth.MemberActive), "ada@else.com", organization.OAuthTenant{}, organization.ActiveMember, nil},
		{"pending", closed, member(auth.MemberPending), "ada@else.com", organization.OAuthTenant{}, organization.PendingMember, nil},
		{"invited", closed, member(auth.MemberInvited), "ada@else.com", organization.OAuthTenant{}, organization.InvitedMember, nil},
		{"deleted", restricted, member(auth.MemberDeleted), "ada@acme.com", organization.OAuthTenant{}, "", auth.ErrActionAvailableOnlyForActiveMembers},
		{"eligible by domain", restricted, nil, "ada@acme.com", organization.OAuthTenant{}, organization.EligibleToJoinByEmailDomain, nil},
		{"other domain", restricted, nil, "eve@evil.com", organization.OAuthTenant{}, "", auth.ErrInvalidEmailForJITProvisioning},
		{"no jit", closed, nil, "ada@acme.com", organization.OAuthTenant{}, "", auth.ErrEmailJITProvisioningNotAllowed},
		{"eligible by google tenant", tenants, nil, "ada@acme.com", google("acme.com"), organization.EligibleToJoinByOAuthTenant, nil},
		{"eligible by microsoft tenant", tenants, nil, "ada@else.com", organization.OAuthTenant{ProviderType: "microsoft", TenantID: "tid-1"}, organization.EligibleToJoinByOAuthTenant, nil},
		{"tenant of another provider", tenants, nil, "ada@acme.com", organization.OAuthTenant{ProviderType: "microsoft", TenantID: "acme.com"}, "", auth.ErrEmailJITProvisioningNotAllowed},
		{"other tenant", tenants, nil, "ada@acme.com", google("evil.com"), "", auth.ErrEmailJITProvisioningNotAllowed},
		{"no tenant", tenants, nil, "ada@acme.com", organization.OAuthTenant{}, "", auth.ErrEmailJITProvisioningNotAllowed},
		{"tenant but tenant jit off", closed, nil, "ada@acme.com", google("acme.com"), "", auth.ErrEmailJITProvisioningNotAllowed},
		{"domain before tenant", restricted, nil, "ada@acme.com", google("acme.com"), organization.EligibleToJoinByEmailDomain, nil},
	} {
		got, err := organization.Membership(tc.o, tc.m, tc.address, tc.tenant)
		if got != tc.want || (tc.err == nil) != (err == nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("%s: Membership = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestMFAPolicy(t *testing.T) {
	t.Parallel()
	optional := org(func(*auth.Organization) {})
	required := org(func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	smsOnly := org(func(o *auth.Organization) {
		o.MFAMethods, o.AllowedMFAMethods = auth.Restricted, []string{"sms_otp"}
	})
	plain, enrolled := &auth.Member{}, &auth.Member{MFAEnrolled: true}
	for _, tc := range []struct {
		name string
		o    *auth.Organization
		m    *auth.Member
		want bool
	}{
		{"optional, not enrolled", optional, plain, false},
		{"optional, enrolled", optional, enrolled, true},
		{"required", required, plain, true},
		{"required, joining by domain", required, nil, true},
		{"optional, joining by domain", optional, nil, false},
	} {
		if got := organization.RequiresMFA(tc.o, tc.m); got != tc.want {
			t.Errorf("%s: RequiresMFA = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		o      *auth.Organization
		method string
		err    *auth.Error
	}{
		{optional, "totp", nil},
		{optional, "sms_otp", nil},
		{smsOnly, "sms_otp", nil},
		{smsOnly, "totp", auth.ErrOperationRestrictedByMFAMethods},
	} {
		if err := organization.AllowsMFAMethod(tc.o, tc.method); (tc.err == nil) != (err == nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("AllowsMFAMethod(%v, %s) = %v, want %v", tc.o.AllowedMFAMethods, tc.method, err, tc.err)
		}
	}
	for f, want := range map[auth.AuthenticationFactor]string{
		{Type: auth.FactorTOTP, DeliveryMethod: auth.DeliveryAuthenticatorApp}:      "totp",
		{Type: auth.FactorRecoveryCodes, DeliveryMethod: auth.DeliveryRecoveryCode}: "totp",
		{Type: auth.FactorOTP, DeliveryMethod: auth.DeliverySMS}:                    "sms_otp",
		{Type: auth.FactorOTP, DeliveryMethod: auth.DeliveryEmail}:                  "",
		{Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail}:            "",
	} {
		if got := organization.MFAMethod(f); got != want {
			t.Errorf("MFAMethod(%s/%s) = %q, want %q", f.Type, f.DeliveryMethod, got, want)
		}
	}
}
