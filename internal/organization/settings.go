package organization

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/latchauth/latch/internal/auth"
)

// Settings are an organization's authentication, provisioning and RBAC
// settings as a create or update request gives them. A nil field was not
// given: Create takes Stytch's default for it and Update leaves it as it is.
// Lists given replace the whole list.
type Settings struct {
	EmailAllowedDomains                  *[]string
	EmailJITProvisioning                 *string
	EmailInvites                         *string
	AuthMethods                          *string
	AllowedAuthMethods                   *[]string
	MFAPolicy                            *string
	MFAMethods                           *string
	AllowedMFAMethods                    *[]string
	SSOJITProvisioning                   *string
	SSOJITProvisioningAllowedConnections *[]string
	SSODefaultConnectionID               *string
	OAuthTenantJITProvisioning           *string
	AllowedOAuthTenants                  *map[string]any
	ClaimedEmailDomains                  *[]string
	RBACEmailImplicitRoleAssignments     *[]auth.EmailImplicitRoleAssignment
	FirstPartyConnectedAppsAllowedType   *string
	AllowedFirstPartyConnectedApps       *[]string
	ThirdPartyConnectedAppsAllowedType   *string
	AllowedThirdPartyConnectedApps       *[]string
}

// authSettingsGiven reports whether any of the authentication settings
// (Stytch's "Organization authentication settings": how members join and
// how they authenticate) is given. Stytch defaults email_invites to
// ALL_ALLOWED only when none is, so that an organization created with no
// settings still has a way to add members, and to NOT_ALLOWED otherwise.
func (s *Settings) authSettingsGiven() bool {
	return s.EmailAllowedDomains != nil || s.EmailJITProvisioning != nil || s.EmailInvites != nil ||
		s.AuthMethods != nil || s.AllowedAuthMethods != nil ||
		s.MFAPolicy != nil || s.MFAMethods != nil || s.AllowedMFAMethods != nil ||
		s.SSOJITProvisioning != nil || s.SSOJITProvisioningAllowedConnections != nil ||
		s.OAuthTenantJITProvisioning != nil || s.AllowedOAuthTenants != nil
}

// apply copies the given settings onto o. Lists are copied, never shared
// with the caller, and domains are normalized (see normalizeDomains).
func (s *Settings) apply(o *auth.Organization) error {
	setStr := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setList := func(dst *[]string, v *[]string) {
		if v != nil {
			*dst = append([]string{}, *v...)
		}
	}
	if s.EmailAllowedDomains != nil {
		ds, err := normalizeDomains(*s.EmailAllowedDomains)
		if err != nil {
			return err
		}
		o.EmailAllowedDomains = ds
	}
	setStr(&o.EmailJITProvisioning, s.EmailJITProvisioning)
	setStr(&o.EmailInvites, s.EmailInvites)
	setStr(&o.AuthMethods, s.AuthMethods)
	setList(&o.AllowedAuthMethods, s.AllowedAuthMethods)
	setStr(&o.MFAPolicy, s.MFAPolicy)
	setStr(&o.MFAMethods, s.MFAMethods)
	setList(&o.AllowedMFAMethods, s.AllowedMFAMethods)
	setStr(&o.SSOJITProvisioning, s.SSOJITProvisioning)
	setList(&o.SSOJITProvisioningAllowedConnections, s.SSOJITProvisioningAllowedConnections)
	setStr(&o.SSODefaultConnectionID, s.SSODefaultConnectionID)
	setStr(&o.OAuthTenantJITProvisioning, s.OAuthTenantJITProvisioning)
	if s.AllowedOAuthTenants != nil {
		o.AllowedOAuthTenants = maps.Clone(auth.MergeMetadata(nil, *s.AllowedOAuthTenants))
	}
	if s.ClaimedEmailDomains != nil {
		ds, err := normalizeDomains(*s.ClaimedEmailDomains)
		if err != nil {
			return err
		}
		o.ClaimedEmailDomains = ds
	}
	if s.RBACEmailImplicitRoleAssignments != nil {
		as := make([]auth.EmailImplicitRoleAssignment, 0, len(*s.RBACEmailImplicitRoleAssignments))
		for _, a := range *s.RBACEmailImplicitRoleAssignments {
			d := strings.ToLower(strings.TrimSpace(a.Domain))
			if !ValidDomain(d) {
				return auth.ErrOrganizationSettingsInvalidDomain.WithMessage("rbac_email_implicit_role_assignments: %q is not a valid domain name.", a.Domain)
			}
			if !ValidRole(a.RoleID) {
				return auth.ErrInvalidRBACRoleID.WithMessage("rbac_email_implicit_role_assignments: the role %q does not exist; Latch's roles are %s and %s.", a.RoleID, auth.RoleMember, auth.RoleAdmin)
			}
			as = append(as, auth.EmailImplicitRoleAssignment{Domain: d, RoleID: a.RoleID})
		}
		o.RBACEmailImplicitRoleAssignments = as
	}
	setStr(&o.FirstPartyConnectedAppsAllowedType, s.FirstPartyConnectedAppsAllowedType)
	setList(&o.AllowedFirstPartyConnectedApps, s.AllowedFirstPartyConnectedApps)
	setStr(&o.ThirdPartyConnectedAppsAllowedType, s.ThirdPartyConnectedAppsAllowedType)
	setList(&o.AllowedThirdPartyConnectedApps, s.AllowedThirdPartyConnectedApps)
	return nil
}

// checkSettings validates an organization's settings as a whole, after a
// create or update applied its changes: each value is one Stytch defines,
// and the settings agree with each other (Stytch's "Organization
// authentication settings" rules).
func checkSettings(o *auth.Organization) error {
	enum := func(field, v string, allowed ...string) error {
		if slices.Contains(allowed, v) {
			return nil
		}
		return auth.ErrInvalidSettingValue.WithMessage("%s must be one of %s (got %q).", field, strings.Join(allowed, ", "), v)
	}
	if o.AuthMethods != auth.AllAllowed && o.AuthMethods != auth.Restricted {
		return auth.ErrInvalidOrganizationAuthMethodSettings.WithMessage("auth_methods must be ALL_ALLOWED or RESTRICTED (got %q).", o.AuthMethods)
	}
	if o.MFAPolicy != auth.MFAPolicyOptional && o.MFAPolicy != auth.MFAPolicyRequiredForAll {
		return auth.ErrInvalidOrganizationMFAPolicy.WithMessage("mfa_policy must be OPTIONAL or REQUIRED_FOR_ALL (got %q).", o.MFAPolicy)
	}
	for _, c := range []struct {
		field, v string
		allowed  []string
	}{
		{"email_jit_provisioning", o.EmailJITProvisioning, []string{auth.Restricted, auth.NotAllowed}},
		{"email_invites", o.EmailInvites, []string{auth.AllAllowed, auth.Restricted, auth.NotAllowed}},
		{"mfa_methods", o.MFAMethods, []string{auth.AllAllowed, auth.Restricted}},
		{"sso_jit_provisioning", o.SSOJITProvisioning, []string{auth.AllAllowed, auth.Restricted, auth.NotAllowed}},
		{"oauth_tenant_jit_provisioning", o.OAuthTenantJITProvisioning, []string{auth.Restricted, auth.NotAllowed}},
		{"first_party_connected_apps_allowed_type", o.FirstPartyConnectedAppsAllowedType, []string{auth.AllAllowed, auth.Restricted, auth.NotAllowed}},
		{"third_party_connected_apps_allowed_type", o.ThirdPartyConnectedAppsAllowedType, []string{auth.AllAllowed, auth.Restricted, auth.NotAllowed}},
	} {
		if err := enum(c.field, c.v, c.allowed...); err != nil {
			return err
		}
	}
	for _, m := range o.AllowedAuthMethods {
		if !slices.Contains(auth.AuthMethods, m) {
			return auth.ErrInvalidOrganizationAllowedAuthMethods.WithMessage("allowed_auth_methods: %q is not an auth method; they are %s.", m, strings.Join(auth.AuthMethods, ", "))
		}
	}
	for _, m := range o.AllowedMFAMethods {
		if !slices.Contains(auth.MFAMethods, m) {
			return auth.ErrInvalidOrganizationAllowedMFAMethods.WithMessage("allowed_mfa_methods: %q is not an MFA method; they are %s.", m, strings.Join(auth.MFAMethods, ", "))
		}
	}
	if o.AuthMethods == auth.Restricted && len(o.AllowedAuthMethods) == 0 {
		return auth.ErrAllowedAuthMethodsRequired
	}
	if o.MFAMethods == auth.Restricted && len(o.AllowedMFAMethods) == 0 {
		return auth.ErrAllowedMFAMethodsRequired
	}
	if (o.EmailJITProvisioning == auth.Restricted || o.EmailInvites == auth.Restricted) && len(o.EmailAllowedDomains) == 0 {
		return auth.ErrInvalidRestrictedEmailSetting
	}
	if o.SSOJITProvisioning == auth.NotAllowed && o.EmailJITProvisioning == auth.NotAllowed && o.EmailInvites == auth.NotAllowed {
		return auth.ErrTooRestrictiveOrganizationSettings
	}
	return nil
}

// normalizeDomains lowercases and trims a list of domains and checks that
// each is a valid domain name listed once.
func normalizeDomains(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, d := range in {
		n := strings.ToLower(strings.TrimSpace(d))
		if !ValidDomain(n) {
			return nil, auth.ErrOrganizationSettingsInvalidDomain.WithMessage("%q is not a valid domain name.", d)
		}
		if slices.Contains(out, n) {
			return nil, auth.ErrOrganizationSettingsDuplicateDomain.WithMessage("The domain %s is listed more than once.", n)
		}
		out = append(out, n)
	}
	return out, nil
}

// ValidDomain reports whether d is a lowercase DNS domain name of at least
// two labels, such as "acme.com": labels of letters, digits and inner
// hyphens, at most 63 bytes each and 253 in all, and a top-level label
// that is not all digits (so IP addresses are refused).
func ValidDomain(d string) bool {
	if len(d) == 0 || len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.Trim(tld, "0123456789") != ""
}

// Slug and name limits, as Stytch's.
const (
	minSlugLen    = 2
	maxSlugLen    = 128
	maxNameLen    = 128
	maxExternalID = 128
)

// ValidSlug reports whether s is a valid organization slug: 2 to 128
// letters, digits and the characters - . _ ~.
func ValidSlug(s string) bool {
	if len(s) < minSlugLen || len(s) > maxSlugLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !slugByte(s[i]) {
			return false
		}
	}
	return true
}

func slugByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// Slugify derives a valid slug from a name: lowercased, each run of
// characters a slug cannot hold replaced by one hyphen, trimmed of hyphens
// at the ends and cut to 128 bytes; a result shorter than two characters
// is prefixed with "org". Organizations created without a slug get one
// this way, and discovery can derive one from an email address with it.
func Slugify(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if r < utf8.RuneSelf && slugByte(byte(r)) && r != '-' {
			b.WriteRune(r)
			hyphen = false
			continue
		}
		if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > maxSlugLen {
		s = strings.TrimRight(s[:maxSlugLen], "-")
	}
	if len(s) < minSlugLen {
		s = strings.TrimRight("org-"+s, "-")
	}
	return s
}

// CheckExternalID validates an organization's or member's external ID,
// named field in messages: at most 128 letters, digits and the characters
// . _ - |, as Stytch's.
func CheckExternalID(field, id string) error {
	if len(id) > maxExternalID {
		return auth.ErrInvalidArgument.WithMessage("%s must be at most %d characters.", field, maxExternalID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '|') {
			return auth.ErrInvalidArgument.WithMessage("%s may hold only letters, digits and the characters . _ - |.", field)
		}
	}
	return nil
}
