package organization

import (
	"slices"

	"github.com/latchauth/latch/internal/auth"
)

// Stytch's default RBAC policy, which decides what a member may do when a
// request acts with a member session (the X-Stytch-Member-Session and
// X-Stytch-Member-SessionJWT headers) rather than with project credentials
// alone. Source: stytch.com/docs/b2b/guides/rbac/stytch-default ("Stytch
// Resources and Roles") and the RBAC Resource object of Stytch's B2B API
// reference:
//
//   - stytch_member is held by every member and grants every action on
//     stytch.self: a member may change its own name, untrusted metadata
//     and MFA settings and delete itself, but not its own roles.
//   - stytch_admin grants every action on stytch.organization,
//     stytch.member, stytch.sso and stytch.scim, within its organization.
//
// Latch serves this default policy only; custom roles and resources are
// not supported, so the only roles are auth.RoleMember and auth.RoleAdmin.

// Stytch's default resources.
const (
	ResourceOrganization = "stytch.organization"
	ResourceMember       = "stytch.member"
	ResourceSelf         = "stytch.self"
	ResourceSSO          = "stytch.sso"
	ResourceSCIM         = "stytch.scim"
)

// Actions on the default resources, named as the Stytch SDK's request
// documentation names the permission each field or call requires
// (stytch-go b2b/organizations/types.go and members/types.go). The SDK
// names no action for an organization's external ID, claimed domains and
// connected apps settings, nor for a member's external ID: for those
// Latch uses names of its own, which the default roles grant by their
// wildcards like any other. stytch.self shares its actions' names with
// stytch.member.
const (
	ActionCreate = "create"
	ActionDelete = "delete"
	ActionSearch = "search"

	// stytch.organization
	ActionOrgUpdateName                       = "update.info.name"
	ActionOrgUpdateSlug                       = "update.info.slug"
	ActionOrgUpdateLogoURL                    = "update.info.logo-url"
	ActionOrgUpdateExternalID                 = "update.info.external-id"
	ActionOrgUpdateDefaultSSOConnection       = "update.settings.default-sso-connection"
	ActionOrgUpdateSSOJITProvisioning         = "update.settings.sso-jit-provisioning"
	ActionOrgUpdateAllowedDomains             = "update.settings.allowed-domains"
	ActionOrgUpdateEmailJITProvisioning       = "update.settings.email-jit-provisioning"
	ActionOrgUpdateEmailInvites               = "update.settings.email-invites"
	ActionOrgUpdateAllowedAuthMethods         = "update.settings.allowed-auth-methods"
	ActionOrgUpdateMFAPolicy                  = "update.settings.mfa-policy"
	ActionOrgUpdateImplicitRoles              = "update.settings.implicit-roles"
	ActionOrgUpdateAllowedMFAMethods          = "update.settings.allowed-mfa-methods"
	ActionOrgUpdateOAuthTenantJITProvisioning = "update.settings.oauth-tenant-jit-provisioning"
	ActionOrgUpdateAllowedOAuthTenants        = "update.settings.allowed-oauth-tenants"
	ActionOrgUpdateClaimedDomains             = "update.settings.claimed-email-domains"
	ActionOrgUpdateConnectedApps              = "update.settings.connected-apps"

	// stytch.member, and stytch.self where selfActions lists them
	ActionMemberUpdateName              = "update.info.name"
	ActionMemberUpdateUntrustedMetadata = "update.info.untrusted-metadata"
	ActionMemberUpdateEmail             = "update.info.email"
	ActionMemberUpdateExternalID        = "update.info.external-id"
	ActionMemberUpdateMFAPhone          = "update.info.mfa-phone"
	ActionMemberUpdateIsBreakglass      = "update.settings.is-breakglass"
	ActionMemberUpdateMFAEnrolled       = "update.settings.mfa-enrolled"
	ActionMemberUpdateRoles             = "update.settings.roles"
	ActionMemberUpdateDefaultMFAMethod  = "update.settings.default-mfa-method"
	ActionMemberDeleteMFATOTP           = "update.info.delete.mfa-totp"
	ActionMemberDeleteMFAPhone          = "update.info.delete.mfa-phone"
	ActionMemberDeletePassword          = "update.info.delete.password"
	// ActionMemberReactivate is Latch's name for reactivating a deleted
	// member: Stytch documents no action for it, and it is granted by the
	// same wildcard on stytch.member as every other member action.
	ActionMemberReactivate = "reactivate"
)

// selfActions are the actions stytch.self defines: what a member may do to
// itself. Its roles, breakglass flag, email address and external ID are
// not among them.
var selfActions = []string{
	ActionMemberUpdateName, ActionMemberUpdateUntrustedMetadata, ActionMemberUpdateMFAPhone,
	ActionMemberDeleteMFAPhone, ActionMemberDeletePassword, ActionMemberDeleteMFATOTP,
	ActionMemberUpdateMFAEnrolled, ActionMemberUpdateDefaultMFAMethod, ActionDelete,
}

// Permission is an action on a resource.
type Permission struct {
	Resource string
	Action   string
}

// defaultRoles maps each default role to the resources on which it grants
// every action ("*" in Stytch's policy).
var defaultRoles = map[string][]string{
	auth.RoleMember: {ResourceSelf},
	auth.RoleAdmin:  {ResourceOrganization, ResourceMember, ResourceSSO, ResourceSCIM},
}

// ValidRole reports whether role exists in the project's RBAC policy,
// which in Latch is Stytch's default one.
func ValidRole(role string) bool {
	_, ok := defaultRoles[role]
	return ok
}

// MemberRoles returns every role a member holds: stytch_member, which every
// member holds implicitly, then the member's directly assigned roles.
func MemberRoles(m *auth.Member) []string {
	roles := []string{auth.RoleMember}
	for _, r := range m.Roles {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// Permits reports whether m holds p through any of its roles. stytch.self
// actions are granted only for the actions stytch.self defines; callers
// decide whether the target is m itself (see AuthorizeMemberAction).
func Permits(m *auth.Member, p Permission) bool {
	if p.Resource == ResourceSelf && !slices.Contains(selfActions, p.Action) {
		return false
	}
	for _, r := range MemberRoles(m) {
		if slices.Contains(defaultRoles[r], p.Resource) {
			return true
		}
	}
	return false
}

// Authorize returns nil if m holds every permission in ps, and
// auth.ErrSessionAuthorization naming the first one missing otherwise.
func Authorize(m *auth.Member, ps ...Permission) error {
	for _, p := range ps {
		if !Permits(m, p) {
			return auth.ErrSessionAuthorization.WithMessage(
				"The member is not authorized to perform the %s action on the %s resource.", p.Action, p.Resource)
		}
	}
	return nil
}

// AuthorizeMemberAction returns nil if actor may take action on the member
// targetID of its organization: with the action on stytch.member, or, when
// the target is the actor itself and stytch.self defines the action, with
// it on stytch.self, as Stytch's member endpoints document.
func AuthorizeMemberAction(actor *auth.Member, targetID, action string) error {
	if actor.ID == targetID && Permits(actor, Permission{ResourceSelf, action}) {
		return nil
	}
	return Authorize(actor, Permission{ResourceMember, action})
}

// GrantingRoles returns the roles of m that grant p, in the order
// MemberRoles lists them; none means m may not.
func GrantingRoles(m *auth.Member, p Permission) []string {
	if p.Resource == ResourceSelf && !slices.Contains(selfActions, p.Action) {
		return nil
	}
	var out []string
	for _, r := range MemberRoles(m) {
		if slices.Contains(defaultRoles[r], p.Resource) {
			out = append(out, r)
		}
	}
	return out
}

// Check is an authorization_check: may the session's member take Action
// on ResourceID in the organization OrganizationID names?
type Check struct {
	OrganizationID string // an ID, slug or external ID
	ResourceID     string
	Action         string
}

// AuthorizeCheck answers an authorization_check for member m of o, as
// B2B sessions.authenticate does: the organization must be the member's
// (ErrSessionAuthorizationTenancy), and one of its roles must grant the
// action (ErrSessionAuthorization). It returns the granting roles.
func AuthorizeCheck(o *auth.Organization, m *auth.Member, c Check) ([]string, error) {
	if c.OrganizationID != o.ID && c.OrganizationID != o.Slug && (o.ExternalID == "" || c.OrganizationID != o.ExternalID) {
		return nil, auth.ErrSessionAuthorizationTenancy.WithMessage(
			"Subject organization_id %s does not match authZ request organization_id %s.", o.ID, c.OrganizationID)
	}
	if c.ResourceID == "" || c.Action == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("authorization_check needs resource_id and action.")
	}
	roles := GrantingRoles(m, Permission{Resource: c.ResourceID, Action: c.Action})
	if len(roles) == 0 {
		return nil, auth.ErrSessionAuthorization.WithMessage(
			"The member is not authorized to perform the %s action on the %s resource.", c.Action, c.ResourceID)
	}
	return roles, nil
}
