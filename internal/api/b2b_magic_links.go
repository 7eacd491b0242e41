package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/organization"
)

type b2bMagicLinksEmailLoginOrSignupRequest struct {
	OrganizationID          string `json:"organization_id"`
	EmailAddress            string `json:"email_address"`
	LoginRedirectURL        string `json:"login_redirect_url"`
	SignupRedirectURL       string `json:"signup_redirect_url"`
	PKCECodeChallenge       string `json:"pkce_code_challenge"`
	LoginTemplateID         string `json:"login_template_id"`
	SignupTemplateID        string `json:"signup_template_id"`
	Locale                  string `json:"locale"`
	LoginExpirationMinutes  *int64 `json:"login_expiration_minutes"`
	SignupExpirationMinutes *int64 `json:"signup_expiration_minutes"`
}

type b2bMagicLinksEmailLoginOrSignupResponse struct {
	envelope
	MemberID      string           `json:"member_id"`
	MemberCreated bool             `json:"member_created"`
	Member        memberJSON       `json:"member"`
	Organization  organizationJSON `json:"organization"`
}

func (h *handler) b2bMagicLinksEmailLoginOrSignup(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bMagicLinksEmailLoginOrSignupRequest](w, r)
	if err != nil {
		return err
	}
	if req.EmailAddress == "" || req.OrganizationID == "" {
		return auth.ErrInvalidArgument.WithMessage("organization_id and email_address are required.")
	}
	login, err := intValue(req.LoginExpirationMinutes, "login_expiration_minutes")
	if err != nil {
		return err
	}
	signup, err := intValue(req.SignupExpirationMinutes, "signup_expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.LoginOrSignup(r.Context(), projectOf(r), magiclink.LoginOrSignupInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress,
		LoginURL: req.LoginRedirectURL, SignupURL: req.SignupRedirectURL,
		LoginMinutes: login, SignupMinutes: signup, CodeChallenge: req.PKCECodeChallenge, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksEmailLoginOrSignupResponse{
		MemberID: res.Member.ID, MemberCreated: res.Created,
		Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	})
}

type b2bMagicLinksEmailInviteRequest struct {
	OrganizationID          string         `json:"organization_id"`
	EmailAddress            string         `json:"email_address"`
	InviteRedirectURL       string         `json:"invite_redirect_url"`
	InvitedByMemberID       string         `json:"invited_by_member_id"`
	Name                    string         `json:"name"`
	TrustedMetadata         map[string]any `json:"trusted_metadata"`
	UntrustedMetadata       map[string]any `json:"untrusted_metadata"`
	InviteTemplateID        string         `json:"invite_template_id"`
	Locale                  string         `json:"locale"`
	Roles                   []string       `json:"roles"`
	InviteExpirationMinutes *int64         `json:"invite_expiration_minutes"`
}

type b2bMagicLinksEmailInviteResponse struct {
	envelope
	MemberID     string           `json:"member_id"`
	Member       memberJSON       `json:"member"`
	Organization organizationJSON `json:"organization"`
}

func (h *handler) b2bMagicLinksEmailInvite(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bMagicLinksEmailInviteRequest](w, r)
	if err != nil {
		return err
	}
	if req.EmailAddress == "" || req.OrganizationID == "" {
		return auth.ErrInvalidArgument.WithMessage("organization_id and email_address are required.")
	}
	if _, err := h.authorizeOrganization(r, req.OrganizationID, memberPermission(organization.ActionCreate)); err != nil {
		return err
	}
	minutes, err := intValue(req.InviteExpirationMinutes, "invite_expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.InviteMember(r.Context(), projectOf(r), magiclink.B2BInviteInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, URL: req.InviteRedirectURL, Minutes: minutes,
		Name: req.Name, Roles: req.Roles, TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
		Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksEmailInviteResponse{
		MemberID: res.Member.ID, Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	})
}

type b2bMagicLinksEmailDiscoverySendRequest struct {
	EmailAddress               string `json:"email_address"`
	DiscoveryRedirectURL       string `json:"discovery_redirect_url"`
	PKCECodeChallenge          string `json:"pkce_code_challenge"`
	LoginTemplateID            string `json:"login_template_id"`
	Locale                     string `json:"locale"`
	DiscoveryExpirationMinutes *int64 `json:"discovery_expiration_minutes"`
}

type b2bMagicLinksEmailDiscoverySendResponse struct {
	envelope
}

func (h *handler) b2bMagicLinksEmailDiscoverySend(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bMagicLinksEmailDiscoverySendRequest](w, r)
	if err != nil {
		return err
	}
	if req.EmailAddress == "" {
		return auth.ErrInvalidArgument.WithMessage("email_address is required.")
	}
	minutes, err := intValue(req.DiscoveryExpirationMinutes, "discovery_expiration_minutes")
	if err != nil {
		return err
	}
	err = h.MagicLinks.DiscoverySend(r.Context(), projectOf(r), magiclink.DiscoverySendInput{
		Email: req.EmailAddress, URL: req.DiscoveryRedirectURL, Minutes: minutes,
		CodeChallenge: req.PKCECodeChallenge, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksEmailDiscoverySendResponse{})
}

type b2bMagicLinksAuthenticateRequest struct {
	MagicLinksToken          string         `json:"magic_links_token"`
	PKCECodeVerifier         string         `json:"pkce_code_verifier"`
	SessionToken             string         `json:"session_token"`
	SessionJWT               string         `json:"session_jwt"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	Locale                   string         `json:"locale"`
	IntermediateSessionToken string         `json:"intermediate_session_token"`
}

type b2bMagicLinksAuthenticateResponse struct {
	envelope
	memberLogin
	MethodID       string `json:"method_id"`
	ResetSessions  bool   `json:"reset_sessions"`
	OrganizationID string `json:"organization_id"`
}

func (h *handler) b2bMagicLinksAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bMagicLinksAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.AuthenticateMember(r.Context(), projectOf(r), magiclink.B2BAuthenticateInput{
		Token: req.MagicLinksToken, CodeVerifier: req.PKCECodeVerifier, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksAuthenticateResponse{
		memberLogin: toMemberLogin(&res.MemberResult), MethodID: res.MethodID, OrganizationID: res.Organization.ID,
	})
}

type b2bMagicLinksDiscoveryAuthenticateRequest struct {
	DiscoveryMagicLinksToken string `json:"discovery_magic_links_token"`
	PKCECodeVerifier         string `json:"pkce_code_verifier"`
}

type b2bMagicLinksDiscoveryAuthenticateResponse struct {
	envelope
	IntermediateSessionToken string                       `json:"intermediate_session_token"`
	EmailAddress             string                       `json:"email_address"`
	DiscoveredOrganizations  []discoveredOrganizationJSON `json:"discovered_organizations"`
}

func (h *handler) b2bMagicLinksDiscoveryAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bMagicLinksDiscoveryAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.AuthenticateDiscovery(r.Context(), projectOf(r), req.DiscoveryMagicLinksToken, req.PKCECodeVerifier)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksDiscoveryAuthenticateResponse{
		IntermediateSessionToken: res.IntermediateSessionToken, EmailAddress: res.EmailAddress,
		DiscoveredOrganizations: toDiscoveredJSON(res.Discovered),
	})
}
