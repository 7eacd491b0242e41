package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/organization"
)

type membershipJSON struct {
	Type    string         `json:"type"`
	Details map[string]any `json:"details"`
	Member  *memberJSON    `json:"member"`
}

// primaryRequiredJSON tells the app which primary auth methods an
// organization accepts, when the member's factors are none of them.
type primaryRequiredJSON struct {
	AllowedAuthMethods []string `json:"allowed_auth_methods"`
}

// discoveredOrganizationJSON is Stytch's DiscoveredOrganization.
type discoveredOrganizationJSON struct {
	MemberAuthenticated bool                 `json:"member_authenticated"`
	Organization        organizationJSON     `json:"organization"`
	Membership          membershipJSON       `json:"membership"`
	PrimaryRequired     *primaryRequiredJSON `json:"primary_required"`
	MFARequired         *mfaRequiredJSON     `json:"mfa_required"`
}

func toDiscoveredJSON(ds []discovery.Discovered) []discoveredOrganizationJSON {
	out := make([]discoveredOrganizationJSON, 0, len(ds))
	for _, d := range ds {
		mj := membershipJSON{Type: string(d.Membership), Details: map[string]any{}}
		if d.Member != nil {
			m := toMemberJSON(d.Member)
			mj.Member = &m
		}
		// Exchanging into the organization completes the login unless
		// another primary factor or a second factor is required. Listing
		// never sends a passcode, so secondary_auth_initiated stays null.
		dj := discoveredOrganizationJSON{
			Organization: toOrganizationJSON(d.Organization), Membership: mj,
			MemberAuthenticated: d.Authenticated(), MFARequired: toMFARequiredJSON(d.MFARequired),
		}
		if d.PrimaryRequired != nil {
			dj.PrimaryRequired = &primaryRequiredJSON{AllowedAuthMethods: d.PrimaryRequired}
		}
		out = append(out, dj)
	}
	return out
}

type b2bDiscoveryOrganizationsRequest struct {
	IntermediateSessionToken string `json:"intermediate_session_token"`
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
}

type b2bDiscoveryOrganizationsResponse struct {
	envelope
	EmailAddress            string                       `json:"email_address"`
	DiscoveredOrganizations []discoveredOrganizationJSON `json:"discovered_organizations"`
	OrganizationIDHint      string                       `json:"organization_id_hint"`
}

func (h *handler) b2bDiscoveryOrganizations(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bDiscoveryOrganizationsRequest](w, r)
	if err != nil {
		return err
	}
	email, ds, err := h.Discovery.ListOrganizations(r.Context(), projectOf(r), discovery.ListInput{
		IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bDiscoveryOrganizationsResponse{EmailAddress: email, DiscoveredOrganizations: toDiscoveredJSON(ds)})
}

type b2bDiscoveryIntermediateSessionsExchangeRequest struct {
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	OrganizationID           string         `json:"organization_id"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	Locale                   string         `json:"locale"`
}

func (h *handler) b2bDiscoveryIntermediateSessionsExchange(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bDiscoveryIntermediateSessionsExchangeRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Discovery.Exchange(r.Context(), projectOf(r), discovery.ExchangeInput{
		IntermediateSessionToken: req.IntermediateSessionToken, OrganizationID: req.OrganizationID,
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}

type b2bDiscoveryOrganizationsCreateRequest struct {
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	// The new organization, as organizations.create takes it.
	organizationsCreateRequest
}

func (h *handler) b2bDiscoveryOrganizationsCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bDiscoveryOrganizationsCreateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Discovery.CreateOrganization(r.Context(), projectOf(r), discovery.CreateInput{
		IntermediateSessionToken: req.IntermediateSessionToken,
		Organization: organization.CreateInput{
			Name: req.OrganizationName, Slug: req.OrganizationSlug, LogoURL: req.OrganizationLogoURL,
			ExternalID: req.OrganizationExternalID, TrustedMetadata: req.TrustedMetadata,
			Settings: req.toSettings(),
		},
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}
