package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/oauth"
)

// b2bOAuthStart is GET /v1/b2b/public/oauth/{provider}/start: a login
// into one organization, named by organization_id or slug.
func (h *handler) b2bOAuthStart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	params, err := providerParams(q)
	if err != nil {
		return err
	}
	org := q.Get("organization_id")
	if org == "" {
		org = q.Get("slug")
	}
	return h.startOAuth(w, r, oauth.StartInput{
		Kind: auth.OAuthLoginB2B, Organization: org,
		PublicToken: q.Get("public_token"), Provider: r.PathValue("provider"),
		LoginRedirectURL: q.Get("login_redirect_url"), SignupRedirectURL: q.Get("signup_redirect_url"),
		CustomScopes: q.Get("custom_scopes"), CodeChallenge: q.Get("pkce_code_challenge"), ProviderParams: params,
	})
}

// b2bOAuthDiscoveryStart is GET /v1/b2b/public/oauth/{provider}/discovery/start:
// a login that proves an address before any organization is chosen.
func (h *handler) b2bOAuthDiscoveryStart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	params, err := providerParams(q)
	if err != nil {
		return err
	}
	return h.startOAuth(w, r, oauth.StartInput{
		Kind: auth.OAuthLoginDiscovery, PublicToken: q.Get("public_token"), Provider: r.PathValue("provider"),
		DiscoveryRedirectURL: q.Get("discovery_redirect_url"),
		CustomScopes:         q.Get("custom_scopes"), CodeChallenge: q.Get("pkce_code_challenge"), ProviderParams: params,
	})
}

type b2bOAuthAuthenticateRequest struct {
	OAuthToken               string         `json:"oauth_token"`
	SessionToken             string         `json:"session_token"`
	SessionJWT               string         `json:"session_jwt"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	PKCECodeVerifier         string         `json:"pkce_code_verifier"`
	Locale                   string         `json:"locale"`
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	TelemetryID              string         `json:"telemetry_id"`
}

type b2bOAuthAuthenticateResponse struct {
	envelope
	memberLogin
	OrganizationID    string             `json:"organization_id"`
	ResetSessions     bool               `json:"reset_sessions"`
	ProviderSubject   string             `json:"provider_subject"`
	ProviderType      string             `json:"provider_type"`
	ProviderTenantID  string             `json:"provider_tenant_id"`
	ProviderTenantIDs []string           `json:"provider_tenant_ids"`
	ProviderValues    providerValuesJSON `json:"provider_values"`
}

func (h *handler) b2bOAuthAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOAuthAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.OAuth.AuthenticateMember(r.Context(), projectOf(r), oauth.B2BAuthenticateInput{
		Token: req.OAuthToken, CodeVerifier: req.PKCECodeVerifier, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
		IntermediateSessionToken: req.IntermediateSessionToken,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bOAuthAuthenticateResponse{
		memberLogin: toMemberLogin(&res.MemberResult), OrganizationID: res.Organization.ID,
		ProviderSubject: res.Registration.Subject, ProviderType: providerTypeNames[res.ProviderType],
		ProviderTenantID: res.TenantID, ProviderTenantIDs: tenantIDs(res.TenantID), ProviderValues: toProviderValuesJSON(res.ProviderValues),
	})
}

// tenantIDs is provider_tenant_ids: the account's tenant, when it has one.
func tenantIDs(id string) []string {
	if id == "" {
		return []string{}
	}
	return []string{id}
}

type b2bOAuthDiscoveryAuthenticateRequest struct {
	DiscoveryOAuthToken    string         `json:"discovery_oauth_token"`
	SessionToken           string         `json:"session_token"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionJWT             string         `json:"session_jwt"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	PKCECodeVerifier       string         `json:"pkce_code_verifier"`
}

type b2bOAuthDiscoveryAuthenticateResponse struct {
	envelope
	IntermediateSessionToken string                       `json:"intermediate_session_token"`
	EmailAddress             string                       `json:"email_address"`
	DiscoveredOrganizations  []discoveredOrganizationJSON `json:"discovered_organizations"`
	ProviderType             string                       `json:"provider_type"`
	ProviderTenantID         string                       `json:"provider_tenant_id"`
	ProviderTenantIDs        []string                     `json:"provider_tenant_ids"`
	FullName                 string                       `json:"full_name"`
}

func (h *handler) b2bOAuthDiscoveryAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOAuthDiscoveryAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	// A discovery login starts no session (the intermediate session is
	// exchanged for one), so the session parameters are read only to be
	// validated.
	if _, err := intValue(req.SessionDurationMinutes, "session_duration_minutes"); err != nil {
		return err
	}
	res, err := h.OAuth.AuthenticateDiscovery(r.Context(), projectOf(r), oauth.DiscoveryAuthenticateInput{
		Token: req.DiscoveryOAuthToken, CodeVerifier: req.PKCECodeVerifier,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bOAuthDiscoveryAuthenticateResponse{
		IntermediateSessionToken: res.IntermediateSessionToken, EmailAddress: res.EmailAddress,
		DiscoveredOrganizations: toDiscoveredJSON(res.Discovered), ProviderType: providerTypeNames[res.ProviderType],
		ProviderTenantID: res.TenantID, ProviderTenantIDs: tenantIDs(res.TenantID), FullName: res.FullName,
	})
}
