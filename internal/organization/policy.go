package organization

import (
	"slices"
	"strings"

	"github.com/latchauth/latch/internal/auth"
)

// The policy rules of an organization's email settings. They are pure
// functions of the organization and an address, shared by every flow that
// lets someone in (B2B magic links, discovery, invites, later OAuth and
// OTP), so a rule is written once and tested as a table.

// EmailDomain returns the lowercased domain of an address.
func EmailDomain(address string) string {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(address[at+1:])
}

// DomainAllowed reports whether the address's domain is one of the
// organization's email_allowed_domains.
func DomainAllowed(o *auth.Organization, address string) bool {
	d := EmailDomain(address)
	return d != "" && slices.ContainsFunc(o.EmailAllowedDomains, func(a string) bool { return strings.EqualFold(a, d) })
}

// CanJITProvision returns nil if someone who proved control of address may
// become a new member of o on login (just-in-time provisioning by email),
// and the Stytch error saying why not otherwise.
func CanJITProvision(o *auth.Organization, address string) error {
	switch o.EmailJITProvisioning {
	case auth.Restricted:
		if DomainAllowed(o, address) {
			return nil
		}
		return auth.ErrInvalidEmailForJITProvisioning.WithMessage(
			"%s may not join %s: its domain is not in email_allowed_domains.", address, o.Name)
	default:
		return auth.ErrEmailJITProvisioningNotAllowed.WithMessage(
			"%s does not allow new members to join by email; invite %s instead.", o.Name, address)
	}
}

// CanInvite returns nil if o accepts an invite to address, and the Stytch
// error saying why not otherwise.
func CanInvite(o *auth.Organization, address string) error {
	switch o.EmailInvites {
	case auth.NotAllowed:
		return auth.ErrInvalidEmailForInvites.WithMessage("%s does not allow email invites (email_invites is NOT_ALLOWED).", o.Name)
	case auth.Restricted:
		if DomainAllowed(o, address) {
			return nil
		}
		return auth.ErrInvalidEmailForInvites.WithMessage(
			"%s only allows invites to email_allowed_domains, and %s is not in them.", o.Name, EmailDomain(address))
	default:
		return nil
	}
}

// AllowsAuthMethod returns nil if o lets members authenticate with method
// (a name from auth.AuthMethods, such as "magic_link"), and
// ErrOperationRestrictedByAuthMethods otherwise.
func AllowsAuthMethod(o *auth.Organization, method string) error {
	if o.AuthMethods != auth.Restricted || slices.Contains(o.AllowedAuthMethods, method) {
		return nil
	}
	return auth.ErrOperationRestrictedByAuthMethods.WithMessage(
		"%s does not allow %s (allowed_auth_methods is %s).", o.Name, method, strings.Join(o.AllowedAuthMethods, ", "))
}

// MembershipType is how an address relates to an organization in
// discovery, as Stytch's Membership.type names it.
type MembershipType string

// Membership types.
const (
	ActiveMember                MembershipType = "active_member"
	PendingMember               MembershipType = "pending_member"
	InvitedMember               MembershipType = "invited_member"
	EligibleToJoinByEmailDomain MembershipType = "eligible_to_join_by_email_domain"
	EligibleToJoinByOAuthTenant MembershipType = "eligible_to_join_by_oauth_tenant"
	notAMember                  MembershipType = ""
)

// OAuthTenant is the organization a provider account belongs to, as the
// provider names it: Google's hosted domain, Microsoft's tenant ID. The
// zero value is no tenant (a personal account, or not an OAuth login).
type OAuthTenant struct {
	// ProviderType is the key of allowed_oauth_tenants: "google",
	// "microsoft", …
	ProviderType string
	TenantID     string
}

// TenantAllowed reports whether o lets accounts of tenant join it just in
// time: its oauth_tenant_jit_provisioning is RESTRICTED and its
// allowed_oauth_tenants list the tenant under its provider type.
func TenantAllowed(o *auth.Organization, tenant OAuthTenant) bool {
	if o.OAuthTenantJITProvisioning != auth.Restricted || tenant.TenantID == "" {
		return false
	}
	switch ids := o.AllowedOAuthTenants[tenant.ProviderType].(type) {
	case []any:
		return slices.ContainsFunc(ids, func(v any) bool { s, ok := v.(string); return ok && s == tenant.TenantID })
	case []string:
		return slices.Contains(ids, tenant.TenantID)
	}
	return false
}

// Membership returns how the holder of address relates to o, given their
// member record there (nil if none) and the OAuth tenant their login
// proved (the zero value if none): what discovery lists, and whether an
// intermediate session may be exchanged into o. A deleted member, or an
// address o would provision neither by email domain nor by OAuth tenant,
// yields "" and the reason.
func Membership(o *auth.Organization, m *auth.Member, address string, tenant OAuthTenant) (MembershipType, error) {
	if m != nil {
		switch m.Status {
		case auth.MemberActive:
			return ActiveMember, nil
		case auth.MemberPending:
			return PendingMember, nil
		case auth.MemberInvited:
			return InvitedMember, nil
		default:
			return notAMember, auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted.", address, o.Name)
		}
	}
	if err := CanJITProvision(o, address); err != nil {
		if TenantAllowed(o, tenant) {
			return EligibleToJoinByOAuthTenant, nil
		}
		return notAMember, err
	}
	return EligibleToJoinByEmailDomain, nil
}

// The MFA rules: whether a login into o must pass a second factor, and
// which second factors o accepts. Like the email rules they are pure, so
// that the one place a member session starts (session.AttachMember) and
// discovery, which only reports them, cannot disagree.

// RequiresMFA reports whether member m (nil for someone who would join o
// by email domain) must complete MFA to log in to o: o requires it of
// everyone (mfa_policy REQUIRED_FOR_ALL), or m enrolled in it.
func RequiresMFA(o *auth.Organization, m *auth.Member) bool {
	return o.MFAPolicy == auth.MFAPolicyRequiredForAll || (m != nil && m.MFAEnrolled)
}

// AllowsMFAMethod returns nil if o lets members complete MFA with method
// ("sms_otp" or "totp"), and ErrOperationRestrictedByMFAMethods otherwise.
func AllowsMFAMethod(o *auth.Organization, method string) error {
	if o.MFAMethods != auth.Restricted || slices.Contains(o.AllowedMFAMethods, method) {
		return nil
	}
	return auth.ErrOperationRestrictedByMFAMethods.WithMessage(
		"%s does not allow %s as a second factor (allowed_mfa_methods is %s).", o.Name, method, strings.Join(o.AllowedMFAMethods, ", "))
}

// MFAMethod names the MFA method (allowed_mfa_methods) a factor is, or ""
// for a factor that is not a second factor. A recovery code stands in for
// the authenticator app it belongs to.
func MFAMethod(f auth.AuthenticationFactor) string {
	switch {
	case f.Type == auth.FactorTOTP, f.Type == auth.FactorRecoveryCodes:
		return "totp"
	case f.Type == auth.FactorOTP && f.DeliveryMethod == auth.DeliverySMS:
		return "sms_otp"
	}
	return ""
}
