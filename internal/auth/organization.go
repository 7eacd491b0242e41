package auth

import "slices"

import "time"

// Organization settings values, as Stytch spells them.
const (
	AllAllowed = "ALL_ALLOWED"
	Restricted = "RESTRICTED"
	NotAllowed = "NOT_ALLOWED"

	MFAPolicyOptional       = "OPTIONAL"
	MFAPolicyRequiredForAll = "REQUIRED_FOR_ALL"
)

// Auth methods an organization can allow, as Stytch names them in
// allowed_auth_methods.
var AuthMethods = []string{"sso", "magic_link", "email_otp", "password", "google_oauth", "microsoft_oauth", "slack_oauth", "github_oauth", "hubspot_oauth"}

// OAuthAuthMethod is the auth method (google_oauth, …) of logins at a
// provider of type t, or "" for a type no organization setting names
// (Apple, generic OpenID Connect), which B2B logins do not offer.
func OAuthAuthMethod(t OAuthProviderType) string {
	if m := string(t) + "_oauth"; slices.Contains(AuthMethods, m) {
		return m
	}
	return ""
}

// MFA methods an organization can allow, as Stytch names them in
// allowed_mfa_methods.
var MFAMethods = []string{"sms_otp", "totp"}

// Organization is a B2B tenant of a project: members log in to it.
type Organization struct {
	ID         string
	ProjectID  string
	Name       string
	Slug       string // unique within the project
	LogoURL    string
	ExternalID string

	TrustedMetadata map[string]any

	// EmailAllowedDomains are the domains whose addresses may join by
	// email (JIT provisioning, invites when EmailInvites is RESTRICTED).
	EmailAllowedDomains []string
	// EmailJITProvisioning is NOT_ALLOWED or RESTRICTED (to
	// EmailAllowedDomains).
	EmailJITProvisioning string
	// EmailInvites is ALL_ALLOWED, RESTRICTED (to EmailAllowedDomains) or
	// NOT_ALLOWED.
	EmailInvites string
	// AuthMethods is ALL_ALLOWED or RESTRICTED (to AllowedAuthMethods).
	AuthMethods        string
	AllowedAuthMethods []string
	// MFAPolicy is OPTIONAL or REQUIRED_FOR_ALL.
	MFAPolicy string
	// MFAMethods is ALL_ALLOWED or RESTRICTED (to AllowedMFAMethods).
	MFAMethods        string
	AllowedMFAMethods []string

	// Stored and reported; enforced once SSO and OAuth tenants exist.
	SSOJITProvisioning                   string
	SSOJITProvisioningAllowedConnections []string
	SSODefaultConnectionID               string
	OAuthTenantJITProvisioning           string
	AllowedOAuthTenants                  map[string]any
	ClaimedEmailDomains                  []string
	RBACEmailImplicitRoleAssignments     []EmailImplicitRoleAssignment
	FirstPartyConnectedAppsAllowedType   string
	AllowedFirstPartyConnectedApps       []string
	ThirdPartyConnectedAppsAllowedType   string
	AllowedThirdPartyConnectedApps       []string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// EmailImplicitRoleAssignment grants RoleID to members whose verified
// email is in Domain.
type EmailImplicitRoleAssignment struct {
	Domain string
	RoleID string
}

// NewOrganizationDefaults returns the settings Stytch gives an
// organization created without them.
func NewOrganizationDefaults() Organization {
	return Organization{
		TrustedMetadata:                      map[string]any{},
		EmailAllowedDomains:                  []string{},
		EmailJITProvisioning:                 NotAllowed,
		EmailInvites:                         AllAllowed,
		AuthMethods:                          AllAllowed,
		AllowedAuthMethods:                   []string{},
		MFAPolicy:                            MFAPolicyOptional,
		MFAMethods:                           AllAllowed,
		AllowedMFAMethods:                    []string{},
		SSOJITProvisioning:                   AllAllowed,
		SSOJITProvisioningAllowedConnections: []string{},
		OAuthTenantJITProvisioning:           NotAllowed,
		AllowedOAuthTenants:                  map[string]any{},
		ClaimedEmailDomains:                  []string{},
		RBACEmailImplicitRoleAssignments:     []EmailImplicitRoleAssignment{},
		FirstPartyConnectedAppsAllowedType:   AllAllowed,
		AllowedFirstPartyConnectedApps:       []string{},
		ThirdPartyConnectedAppsAllowedType:   AllAllowed,
		AllowedThirdPartyConnectedApps:       []string{},
	}
}
