package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
)

// memberSessionJSON is Stytch's B2B MemberSession.
type memberSessionJSON struct {
	MemberSessionID       string         `json:"member_session_id"`
	MemberID              string         `json:"member_id"`
	StartedAt             string         `json:"started_at"`
	LastAccessedAt        string         `json:"last_accessed_at"`
	ExpiresAt             string         `json:"expires_at"`
	AuthenticationFactors []jwt.Factor   `json:"authentication_factors"`
	OrganizationID        string         `json:"organization_id"`
	Roles                 []string       `json:"roles"`
	OrganizationSlug      string         `json:"organization_slug"`
	CustomClaims          map[string]any `json:"custom_claims"`
}

func toMemberSessionJSON(s *auth.Session, m *auth.Member, o *auth.Organization) memberSessionJSON {
	return memberSessionJSON{
		MemberSessionID:       s.ID,
		MemberID:              s.MemberID,
		StartedAt:             timestamp(s.StartedAt),
		LastAccessedAt:        timestamp(s.LastAccessedAt),
		ExpiresAt:             timestamp(s.ExpiresAt),
		AuthenticationFactors: toFactorsJSON(s.AuthenticationFactors),
		OrganizationID:        s.OrganizationID,
		Roles:                 organization.MemberRoles(m),
		OrganizationSlug:      o.Slug,
		CustomClaims:          orEmpty(s.CustomClaims),
	}
}

// memberSessionPtr is a result's session as JSON, or nil when it has none.
func memberSessionPtr(r *session.MemberResult) *memberSessionJSON {
	if r.Session == nil {
		return nil
	}
	j := toMemberSessionJSON(r.Session, r.Member, r.Organization)
	return &j
}

// memberLogin is the part every B2B response that logs a member in shares.
// A login that stopped for MFA has member_authenticated false, an
// intermediate session token, mfa_required, and no session.
type memberLogin struct {
	MemberID                 string             `json:"member_id"`
	SessionToken             string             `json:"session_token"`
	SessionJWT               string             `json:"session_jwt"`
	Member                   memberJSON         `json:"member"`
	Organization             organizationJSON   `json:"organization"`
	MemberAuthenticated      bool               `json:"member_authenticated"`
	IntermediateSessionToken string             `json:"intermediate_session_token"`
	MemberSession            *memberSessionJSON `json:"member_session"`
	MFARequired              *mfaRequiredJSON   `json:"mfa_required"`
	PrimaryRequired          *struct{}          `json:"primary_required"`
}

func toMemberLogin(r *session.MemberResult) memberLogin {
	return memberLogin{
		MemberID:                 r.Member.ID,
		SessionToken:             r.Token,
		SessionJWT:               r.JWT,
		Member:                   toMemberJSON(r.Member),
		Organization:             toOrganizationJSON(r.Organization),
		MemberAuthenticated:      r.Authenticated(),
		IntermediateSessionToken: r.IntermediateSessionToken,
		MemberSession:            memberSessionPtr(r),
		MFARequired:              toMFARequiredJSON(r.MFARequired),
	}
}

// mfaRequiredJSON is Stytch's MfaRequired. member_options is null while the
// member has no second factor to offer (it must enroll one), and
// secondary_auth_initiated null unless a passcode was already sent, as
// Stytch's docs show them.
type mfaRequiredJSON struct {
	MemberOptions          *mfaMemberOptionsJSON `json:"member_options"`
	SecondaryAuthInitiated *string               `json:"secondary_auth_initiated"`
}

type mfaMemberOptionsJSON struct {
	MFAPhoneNumber     string `json:"mfa_phone_number"`
	TOTPRegistrationID string `json:"totp_registration_id"`
}

func toMFARequiredJSON(r *session.MFARequired) *mfaRequiredJSON {
	if r == nil {
		return nil
	}
	out := &mfaRequiredJSON{}
	if r.HasOptions() {
		out.MemberOptions = &mfaMemberOptionsJSON{MFAPhoneNumber: r.PhoneNumber, TOTPRegistrationID: r.TOTPRegistrationID}
	}
	if r.SecondaryAuthInitiated != "" {
		out.SecondaryAuthInitiated = &r.SecondaryAuthInitiated
	}
	return out
}

type b2bSessionsAuthenticateRequest struct {
	sessionsAuthenticateRequest
	AuthorizationCheck *struct {
		OrganizationID string `json:"organization_id"`
		ResourceID     string `json:"resource_id"`
		Action         string `json:"action"`
	} `json:"authorization_check"`
}

type verdictJSON struct {
	Authorized    bool     `json:"authorized"`
	GrantingRoles []string `json:"granting_roles"`
}

type b2bSessionsAuthenticateResponse struct {
	envelope
	MemberSession memberSessionJSON `json:"member_session"`
	SessionToken  string            `json:"session_token"`
	SessionJWT    string            `json:"session_jwt"`
	Member        memberJSON        `json:"member"`
	Organization  organizationJSON  `json:"organization"`
	// Verdict answers an authorization_check; absent without one.
	Verdict *verdictJSON `json:"verdict,omitempty"`
}

func (h *handler) b2bSessionsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bSessionsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	in := session.MemberAuthenticateInput{AuthenticateInput: session.AuthenticateInput{
		Token: req.SessionToken, JWT: req.SessionJWT, DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	}}
	if c := req.AuthorizationCheck; c != nil {
		in.Check = &organization.Check{OrganizationID: c.OrganizationID, ResourceID: c.ResourceID, Action: c.Action}
	}
	res, err := h.Sessions.AuthenticateMemberSession(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	out := &b2bSessionsAuthenticateResponse{
		MemberSession: toMemberSessionJSON(res.Session, res.Member, res.Organization),
		SessionToken:  res.Token, SessionJWT: res.JWT,
		Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	}
	if in.Check != nil {
		out.Verdict = &verdictJSON{Authorized: true, GrantingRoles: res.GrantingRoles}
	}
	return encode(w, r, http.StatusOK, out)
}

type b2bSessionsRevokeRequest struct {
	MemberSessionID string `json:"member_session_id"`
	SessionToken    string `json:"session_token"`
	SessionJWT      string `json:"session_jwt"`
	MemberID        string `json:"member_id"`
}

func (h *handler) b2bSessionsRevoke(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bSessionsRevokeRequest](w, r)
	if err != nil {
		return err
	}
	err = h.Sessions.RevokeMember(r.Context(), projectOf(r), session.RevokeMemberInput{
		SessionID: req.MemberSessionID, Token: req.SessionToken, JWT: req.SessionJWT, MemberID: req.MemberID,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &sessionsRevokeResponse{})
}

type b2bSessionsGetResponse struct {
	envelope
	MemberSessions []memberSessionJSON `json:"member_sessions"`
}

func (h *handler) b2bSessionsGet(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := projectOf(r)
	orgID, memberID := q.Get("organization_id"), q.Get("member_id")
	ss, m, o, err := h.Sessions.ListMember(r.Context(), p, orgID, memberID)
	if err != nil {
		return err
	}
	out := &b2bSessionsGetResponse{MemberSessions: make([]memberSessionJSON, 0, len(ss))}
	for i := range ss {
		out.MemberSessions = append(out.MemberSessions, toMemberSessionJSON(&ss[i], m, o))
	}
	return encode(w, r, http.StatusOK, out)
}

type b2bSessionsExchangeRequest struct {
	OrganizationID         string         `json:"organization_id"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
}

type b2bLoginResponse struct {
	envelope
	memberLogin
}

func (h *handler) b2bSessionsExchange(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bSessionsExchangeRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Discovery.ExchangeSession(r.Context(), projectOf(r), discovery.SessionExchangeInput{
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, OrganizationID: req.OrganizationID,
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}
