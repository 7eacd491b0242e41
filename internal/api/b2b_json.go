package api

import (
	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
)

// Wire types shared by every B2B endpoint: the Organization and Member
// objects of stytch-go's b2b/organizations package, with every field the
// Python SDK requires present as "", false, [] or {} rather than omitted
// or null. Objects Latch does not have yet (SCIM, locks, the SSO default
// connection) are null, which every SDK accepts for them.
type (
	emailImplicitRoleAssignmentJSON struct {
		Domain string `json:"domain"`
		RoleID string `json:"role_id"`
	}
	organizationJSON struct {
		OrganizationID                       string                            `json:"organization_id"`
		OrganizationName                     string                            `json:"organization_name"`
		OrganizationLogoURL                  string                            `json:"organization_logo_url"`
		OrganizationSlug                     string                            `json:"organization_slug"`
		OrganizationExternalID               string                            `json:"organization_external_id"`
		SSOJITProvisioning                   string                            `json:"sso_jit_provisioning"`
		SSOJITProvisioningAllowedConnections []string                          `json:"sso_jit_provisioning_allowed_connections"`
		SSOActiveConnections                 []struct{}                        `json:"sso_active_connections"`
		SSODefaultConnectionID               *string                           `json:"sso_default_connection_id"`
		SCIMActiveConnection                 *struct{}                         `json:"scim_active_connection"`
		EmailAllowedDomains                  []string                          `json:"email_allowed_domains"`
		EmailJITProvisioning                 string                            `json:"email_jit_provisioning"`
		EmailInvites                         string                            `json:"email_invites"`
		AuthMethods                          string                            `json:"auth_methods"`
		AllowedAuthMethods                   []string                          `json:"allowed_auth_methods"`
		MFAPolicy                            string                            `json:"mfa_policy"`
		MFAMethods                           string                            `json:"mfa_methods"`
		AllowedMFAMethods                    []string                          `json:"allowed_mfa_methods"`
		RBACEmailImplicitRoleAssignments     []emailImplicitRoleAssignmentJSON `json:"rbac_email_implicit_role_assignments"`
		OAuthTenantJITProvisioning           string                            `json:"oauth_tenant_jit_provisioning"`
		AllowedOAuthTenants                  map[string]any                    `json:"allowed_oauth_tenants"`
		ClaimedEmailDomains                  []string                          `json:"claimed_email_domains"`
		FirstPartyConnectedAppsAllowedType   string                            `json:"first_party_connected_apps_allowed_type"`
		AllowedFirstPartyConnectedApps       []string                          `json:"allowed_first_party_connected_apps"`
		ThirdPartyConnectedAppsAllowedType   string                            `json:"third_party_connected_apps_allowed_type"`
		AllowedThirdPartyConnectedApps       []string                          `json:"allowed_third_party_connected_apps"`
		CustomRoles                          []struct{}                        `json:"custom_roles"`
		TrustedMetadata                      map[string]any                    `json:"trusted_metadata"`
		CreatedAt                            string                            `json:"created_at"`
		UpdatedAt                            string                            `json:"updated_at"`
	}

	memberRoleSourceJSON struct {
		Type    string         `json:"type"`
		Details map[string]any `json:"details"`
	}
	memberRoleJSON struct {
		RoleID  string                 `json:"role_id"`
		Sources []memberRoleSourceJSON `json:"sources"`
	}
	// memberOAuthRegistrationJSON is stytch-go's
	// b2b/organizations.OAuthRegistration.
	memberOAuthRegistrationJSON struct {
		ProviderType              string `json:"provider_type"`
		ProviderSubject           string `json:"provider_subject"`
		MemberOAuthRegistrationID string `json:"member_oauth_registration_id"`
		ProfilePictureURL         string `json:"profile_picture_url"`
		Locale                    string `json:"locale"`
	}
	memberJSON struct {
		OrganizationID         string                        `json:"organization_id"`
		MemberID               string                        `json:"member_id"`
		EmailAddress           string                        `json:"email_address"`
		EmailAddressVerified   bool                          `json:"email_address_verified"`
		Status                 string                        `json:"status"`
		Name                   string                        `json:"name"`
		SSORegistrations       []struct{}                    `json:"sso_registrations"`
		OAuthRegistrations     []memberOAuthRegistrationJSON `json:"oauth_registrations"`
		SCIMRegistration       *struct{}                     `json:"scim_registration"`
		IsBreakglass           bool                          `json:"is_breakglass"`
		MemberPasswordID       string                        `json:"member_password_id"`
		TOTPRegistrationID     string                        `json:"totp_registration_id"`
		RetiredEmailAddresses  []struct{}                    `json:"retired_email_addresses"`
		IsAdmin                bool                          `json:"is_admin"`
		IsLocked               bool                          `json:"is_locked"`
		LockCreatedAt          *string                       `json:"lock_created_at"`
		LockExpiresAt          *string                       `json:"lock_expires_at"`
		MFAEnrolled            bool                          `json:"mfa_enrolled"`
		MFAPhoneNumber         string                        `json:"mfa_phone_number"`
		MFAPhoneNumberVerified bool                          `json:"mfa_phone_number_verified"`
		DefaultMFAMethod       string                        `json:"default_mfa_method"`
		Roles                  []memberRoleJSON              `json:"roles"`
		TrustedMetadata        map[string]any                `json:"trusted_metadata"`
		UntrustedMetadata      map[string]any                `json:"untrusted_metadata"`
		ExternalID             string                        `json:"external_id"`
		CreatedAt              string                        `json:"created_at"`
		UpdatedAt              string                        `json:"updated_at"`
	}
)

// orEmptyList makes nil lists encode as [] rather than null.
func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// toOrganizationJSON maps an organization to Stytch's Organization object.
func toOrganizationJSON(o *auth.Organization) organizationJSON {
	roles := make([]emailImplicitRoleAssignmentJSON, 0, len(o.RBACEmailImplicitRoleAssignments))
	for _, a := range o.RBACEmailImplicitRoleAssignments {
		roles = append(roles, emailImplicitRoleAssignmentJSON{Domain: a.Domain, RoleID: a.RoleID})
	}
	j := organizationJSON{
		OrganizationID:                       o.ID,
		OrganizationName:                     o.Name,
		OrganizationLogoURL:                  o.LogoURL,
		OrganizationSlug:                     o.Slug,
		OrganizationExternalID:               o.ExternalID,
		SSOJITProvisioning:                   o.SSOJITProvisioning,
		SSOJITProvisioningAllowedConnections: orEmptyList(o.SSOJITProvisioningAllowedConnections),
		SSOActiveConnections:                 []struct{}{},
		EmailAllowedDomains:                  orEmptyList(o.EmailAllowedDomains),
		EmailJITProvisioning:                 o.EmailJITProvisioning,
		EmailInvites:                         o.EmailInvites,
		AuthMethods:                          o.AuthMethods,
		AllowedAuthMethods:                   orEmptyList(o.AllowedAuthMethods),
		MFAPolicy:                            o.MFAPolicy,
		MFAMethods:                           o.MFAMethods,
		AllowedMFAMethods:                    orEmptyList(o.AllowedMFAMethods),
		RBACEmailImplicitRoleAssignments:     roles,
		OAuthTenantJITProvisioning:           o.OAuthTenantJITProvisioning,
		AllowedOAuthTenants:                  orEmpty(o.AllowedOAuthTenants),
		ClaimedEmailDomains:                  orEmptyList(o.ClaimedEmailDomains),
		FirstPartyConnectedAppsAllowedType:   o.FirstPartyConnectedAppsAllowedType,
		AllowedFirstPartyConnectedApps:       orEmptyList(o.AllowedFirstPartyConnectedApps),
		ThirdPartyConnectedAppsAllowedType:   o.ThirdPartyConnectedAppsAllowedType,
		AllowedThirdPartyConnectedApps:       orEmptyList(o.AllowedThirdPartyConnectedApps),
		CustomRoles:                          []struct{}{},
		TrustedMetadata:                      orEmpty(o.TrustedMetadata),
		CreatedAt:                            timestamp(o.CreatedAt),
		UpdatedAt:                            timestamp(o.UpdatedAt),
	}
	if o.SSODefaultConnectionID != "" {
		id := o.SSODefaultConnectionID
		j.SSODefaultConnectionID = &id
	}
	return j
}

// toMemberJSON maps a member to Stytch's Member object. Its roles are
// stytch_member, which every member holds, then its directly assigned
// roles; Stytch reports both as direct assignments.
func toMemberJSON(m *auth.Member) memberJSON {
	roles := []memberRoleJSON{}
	for _, r := range organization.MemberRoles(m) {
		roles = append(roles, memberRoleJSON{
			RoleID:  r,
			Sources: []memberRoleSourceJSON{{Type: "direct_assignment", Details: map[string]any{}}},
		})
	}
	regs := make([]memberOAuthRegistrationJSON, 0, len(m.OAuthRegistrations))
	for _, r := range m.OAuthRegistrations {
		regs = append(regs, memberOAuthRegistrationJSON{
			ProviderType: providerTypeNames[auth.OAuthProviderTypeOf(r.Provider)], ProviderSubject: r.Subject,
			MemberOAuthRegistrationID: r.RegistrationID, ProfilePictureURL: r.ProfilePictureURL, Locale: r.Locale,
		})
	}
	return memberJSON{
		OrganizationID:         m.OrganizationID,
		MemberID:               m.ID,
		EmailAddress:           m.EmailAddress,
		EmailAddressVerified:   m.EmailVerified,
		Status:                 string(m.Status),
		Name:                   m.Name,
		SSORegistrations:       []struct{}{},
		OAuthRegistrations:     regs,
		IsBreakglass:           m.IsBreakglass,
		RetiredEmailAddresses:  []struct{}{},
		IsAdmin:                m.HasRole(auth.RoleAdmin),
		TOTPRegistrationID:     m.TOTPRegistrationID,
		MemberPasswordID:       m.PasswordID,
		MFAEnrolled:            m.MFAEnrolled,
		MFAPhoneNumber:         m.MFAPhoneNumber,
		MFAPhoneNumberVerified: m.MFAPhoneVerified,
		DefaultMFAMethod:       m.DefaultMFAMethod,
		Roles:                  roles,
		TrustedMetadata:        orEmpty(m.TrustedMetadata),
		UntrustedMetadata:      orEmpty(m.UntrustedMetadata),
		ExternalID:             m.ExternalID,
		CreatedAt:              timestamp(m.CreatedAt),
		UpdatedAt:              timestamp(m.UpdatedAt),
	}
}
