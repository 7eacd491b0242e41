package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
)

// organizationSettingsJSON are the settings fields organizations.create and
// organizations.update share. Pointers tell a field given (even empty)
// from one left out.
type organizationSettingsJSON struct {
	EmailAllowedDomains                  *[]string                          `json:"email_allowed_domains"`
	EmailJITProvisioning                 *string                            `json:"email_jit_provisioning"`
	EmailInvites                         *string                            `json:"email_invites"`
	AuthMethods                          *string                            `json:"auth_methods"`
	AllowedAuthMethods                   *[]string                          `json:"allowed_auth_methods"`
	MFAPolicy                            *string                            `json:"mfa_policy"`
	MFAMethods                           *string                            `json:"mfa_methods"`
	AllowedMFAMethods                    *[]string                          `json:"allowed_mfa_methods"`
	SSOJITProvisioning                   *string                            `json:"sso_jit_provisioning"`
	SSOJITProvisioningAllowedConnections *[]string                          `json:"sso_jit_provisioning_allowed_connections"`
	SSODefaultConnectionID               *string                            `json:"sso_default_connection_id"`
	OAuthTenantJITProvisioning           *string                            `json:"oauth_tenant_jit_provisioning"`
	AllowedOAuthTenants                  *map[string]any                    `json:"allowed_oauth_tenants"`
	ClaimedEmailDomains                  *[]string                          `json:"claimed_email_domains"`
	RBACEmailImplicitRoleAssignments     *[]emailImplicitRoleAssignmentJSON `json:"rbac_email_implicit_role_assignments"`
	FirstPartyConnectedAppsAllowedType   *string                            `json:"first_party_connected_apps_allowed_type"`
	AllowedFirstPartyConnectedApps       *[]string                          `json:"allowed_first_party_connected_apps"`
	ThirdPartyConnectedAppsAllowedType   *string                            `json:"third_party_connected_apps_allowed_type"`
	AllowedThirdPartyConnectedApps       *[]string                          `json:"allowed_third_party_connected_apps"`
}

func (s *organizationSettingsJSON) toSettings() organization.Settings {
	out := organization.Settings{
		EmailAllowedDomains: s.EmailAllowedDomains, EmailJITProvisioning: s.EmailJITProvisioning, EmailInvites: s.EmailInvites,
		AuthMethods: s.AuthMethods, AllowedAuthMethods: s.AllowedAuthMethods,
		MFAPolicy: s.MFAPolicy, MFAMethods: s.MFAMethods, AllowedMFAMethods: s.AllowedMFAMethods,
		SSOJITProvisioning: s.SSOJITProvisioning, SSOJITProvisioningAllowedConnections: s.SSOJITProvisioningAllowedConnections,
		SSODefaultConnectionID:     s.SSODefaultConnectionID,
		OAuthTenantJITProvisioning: s.OAuthTenantJITProvisioning, AllowedOAuthTenants: s.AllowedOAuthTenants,
		ClaimedEmailDomains:                s.ClaimedEmailDomains,
		FirstPartyConnectedAppsAllowedType: s.FirstPartyConnectedAppsAllowedType, AllowedFirstPartyConnectedApps: s.AllowedFirstPartyConnectedApps,
		ThirdPartyConnectedAppsAllowedType: s.ThirdPartyConnectedAppsAllowedType, AllowedThirdPartyConnectedApps: s.AllowedThirdPartyConnectedApps,
	}
	if s.RBACEmailImplicitRoleAssignments != nil {
		as := make([]auth.EmailImplicitRoleAssignment, 0, len(*s.RBACEmailImplicitRoleAssignments))
		for _, a := range *s.RBACEmailImplicitRoleAssignments {
			as = append(as, auth.EmailImplicitRoleAssignment{Domain: a.Domain, RoleID: a.RoleID})
		}
		out.RBACEmailImplicitRoleAssignments = &as
	}
	return out
}

// permissions lists the stytch.organization actions that changing the
// given settings requires of a member session, as the Stytch SDK documents
// each field.
func (s *organizationSettingsJSON) permissions() []string {
	var actions []string
	need := func(given bool, action string) {
		if given {
			actions = append(actions, action)
		}
	}
	need(s.SSODefaultConnectionID != nil, organization.ActionOrgUpdateDefaultSSOConnection)
	need(s.SSOJITProvisioning != nil || s.SSOJITProvisioningAllowedConnections != nil, organization.ActionOrgUpdateSSOJITProvisioning)
	need(s.EmailAllowedDomains != nil, organization.ActionOrgUpdateAllowedDomains)
	need(s.EmailJITProvisioning != nil, organization.ActionOrgUpdateEmailJITProvisioning)
	need(s.EmailInvites != nil, organization.ActionOrgUpdateEmailInvites)
	need(s.AuthMethods != nil || s.AllowedAuthMethods != nil, organization.ActionOrgUpdateAllowedAuthMethods)
	need(s.MFAPolicy != nil, organization.ActionOrgUpdateMFAPolicy)
	need(s.RBACEmailImplicitRoleAssignments != nil, organization.ActionOrgUpdateImplicitRoles)
	need(s.MFAMethods != nil || s.AllowedMFAMethods != nil, organization.ActionOrgUpdateAllowedMFAMethods)
	need(s.OAuthTenantJITProvisioning != nil, organization.ActionOrgUpdateOAuthTenantJITProvisioning)
	need(s.AllowedOAuthTenants != nil, organization.ActionOrgUpdateAllowedOAuthTenants)
	need(s.ClaimedEmailDomains != nil, organization.ActionOrgUpdateClaimedDomains)
	need(s.FirstPartyConnectedAppsAllowedType != nil || s.AllowedFirstPartyConnectedApps != nil ||
		s.ThirdPartyConnectedAppsAllowedType != nil || s.AllowedThirdPartyConnectedApps != nil, organization.ActionOrgUpdateConnectedApps)
	return actions
}

// organizationResponse is the response of organizations create, get and
// update.
type organizationResponse struct {
	envelope
	Organization organizationJSON `json:"organization"`
}

type organizationsCreateRequest struct {
	OrganizationName       string         `json:"organization_name"`
	OrganizationSlug       string         `json:"organization_slug"`
	OrganizationLogoURL    string         `json:"organization_logo_url"`
	OrganizationExternalID string         `json:"organization_external_id"`
	TrustedMetadata        map[string]any `json:"trusted_metadata"`
	organizationSettingsJSON
}

func (h *handler) organizationsCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[organizationsCreateRequest](w, r)
	if err != nil {
		return err
	}
	o, err := h.Organizations.Create(r.Context(), projectOf(r), organization.CreateInput{
		Name: req.OrganizationName, Slug: req.OrganizationSlug, LogoURL: req.OrganizationLogoURL,
		ExternalID: req.OrganizationExternalID, TrustedMetadata: req.TrustedMetadata,
		Settings: req.toSettings(),
	})
	if err != nil {
		return err
	}
	// Stytch answers organization creation with 200, unlike user creation.
	return encode(w, r, http.StatusOK, &organizationResponse{Organization: toOrganizationJSON(o)})
}

func (h *handler) organizationsGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("organization_id")
	// Any member may read its own organization.
	if _, err := h.authorizeOrganization(r, id); err != nil {
		return err
	}
	o, err := h.Organizations.Get(r.Context(), projectOf(r).ID, id)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &organizationResponse{Organization: toOrganizationJSON(o)})
}

type organizationsUpdateRequest struct {
	OrganizationName       *string        `json:"organization_name"`
	OrganizationSlug       *string        `json:"organization_slug"`
	OrganizationLogoURL    *string        `json:"organization_logo_url"`
	OrganizationExternalID *string        `json:"organization_external_id"`
	TrustedMetadata        map[string]any `json:"trusted_metadata"`
	organizationSettingsJSON
}

// permissions lists the stytch.organization actions the update requires
// of a member session.
func (req *organizationsUpdateRequest) permissions() []string {
	var actions []string
	for _, f := range []struct {
		given  bool
		action string
	}{
		{req.OrganizationName != nil, organization.ActionOrgUpdateName},
		{req.OrganizationSlug != nil, organization.ActionOrgUpdateSlug},
		{req.OrganizationLogoURL != nil, organization.ActionOrgUpdateLogoURL},
		{req.OrganizationExternalID != nil, organization.ActionOrgUpdateExternalID},
	} {
		if f.given {
			actions = append(actions, f.action)
		}
	}
	return append(actions, req.organizationSettingsJSON.permissions()...)
}

func (h *handler) organizationsUpdate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[organizationsUpdateRequest](w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("organization_id")
	a, err := h.authorizeOrganization(r, id, orgPermissions(req.permissions()...)...)
	if err != nil {
		return err
	}
	if a != nil && req.TrustedMetadata != nil {
		return auth.ErrCannotUpdateTrustedMetadata
	}
	o, err := h.Organizations.Update(r.Context(), projectOf(r).ID, id, organization.UpdateInput{
		Name: req.OrganizationName, Slug: req.OrganizationSlug, LogoURL: req.OrganizationLogoURL,
		ExternalID: req.OrganizationExternalID, TrustedMetadata: req.TrustedMetadata,
		Settings: req.toSettings(),
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &organizationResponse{Organization: toOrganizationJSON(o)})
}

type organizationsDeleteResponse struct {
	envelope
	OrganizationID string `json:"organization_id"`
}

func (h *handler) organizationsDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("organization_id")
	if _, err := h.authorizeOrganization(r, id, orgPermissions(organization.ActionDelete)...); err != nil {
		return err
	}
	deleted, err := h.Organizations.Delete(r.Context(), projectOf(r).ID, id)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &organizationsDeleteResponse{OrganizationID: deleted})
}

// searchQueryJSON is the query of Stytch's search endpoints.
type searchQueryJSON struct {
	Operator string `json:"operator"`
	Operands []struct {
		FilterName  string `json:"filter_name"`
		FilterValue any    `json:"filter_value"`
	} `json:"operands"`
}

func (q *searchQueryJSON) operands() (string, []organization.Operand) {
	if q == nil {
		return "", nil
	}
	ops := make([]organization.Operand, 0, len(q.Operands))
	for _, op := range q.Operands {
		ops = append(ops, organization.Operand{FilterName: op.FilterName, FilterValue: op.FilterValue})
	}
	return q.Operator, ops
}

// resultsMetadataJSON is the paging metadata of search responses.
type resultsMetadataJSON struct {
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

type organizationsSearchRequest struct {
	Cursor string           `json:"cursor"`
	Limit  *int64           `json:"limit"`
	Query  *searchQueryJSON `json:"query"`
}

type organizationsSearchResponse struct {
	envelope
	Organizations   []organizationJSON  `json:"organizations"`
	ResultsMetadata resultsMetadataJSON `json:"results_metadata"`
}

func (h *handler) organizationsSearch(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[organizationsSearchRequest](w, r)
	if err != nil {
		return err
	}
	limit, err := intValue(req.Limit, "limit")
	if err != nil {
		return err
	}
	op, operands := req.Query.operands()
	res, err := h.Organizations.Search(r.Context(), projectOf(r).ID, organization.SearchInput{
		Cursor: req.Cursor, Limit: limit, Operator: op, Operands: operands,
	})
	if err != nil {
		return err
	}
	out := &organizationsSearchResponse{
		Organizations:   make([]organizationJSON, 0, len(res.Organizations)),
		ResultsMetadata: resultsMetadataJSON{Total: res.Total, NextCursor: res.NextCursor},
	}
	for i := range res.Organizations {
		out.Organizations = append(out.Organizations, toOrganizationJSON(&res.Organizations[i]))
	}
	return encode(w, r, http.StatusOK, out)
}
