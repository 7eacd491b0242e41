package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/totp"
)

// Wire types for B2B TOTP and recovery codes (stytch-go b2b/totps and
// b2b/recoverycodes).

type b2bTOTPCreateRequest struct {
	OrganizationID           string `json:"organization_id"`
	MemberID                 string `json:"member_id"`
	ExpirationMinutes        *int64 `json:"expiration_minutes"`
	IncludeRecoveryCodes     *bool  `json:"include_recovery_codes"`
	IntermediateSessionToken string `json:"intermediate_session_token"`
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
}

type b2bTOTPCreateResponse struct {
	envelope
	MemberID           string           `json:"member_id"`
	TOTPRegistrationID string           `json:"totp_registration_id"`
	Secret             string           `json:"secret"`
	QRCode             string           `json:"qr_code"`
	RecoveryCodes      []string         `json:"recovery_codes"`
	Member             memberJSON       `json:"member"`
	Organization       organizationJSON `json:"organization"`
}

func (h *handler) b2bTOTPCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bTOTPCreateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.ExpirationMinutes, "expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.TOTPs.CreateMember(r.Context(), projectOf(r), totp.MemberCreateInput{
		OrganizationID: req.OrganizationID, MemberID: req.MemberID, ExpirationMinutes: minutes,
		MemberCredentials: discovery.MemberCredentials{
			IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		},
	})
	if err != nil {
		return err
	}
	codes := res.RecoveryCodes
	if req.IncludeRecoveryCodes != nil && !*req.IncludeRecoveryCodes {
		// The codes exist all the same; recovery_codes.get shows them.
		codes = []string{}
	}
	return encode(w, r, http.StatusOK, &b2bTOTPCreateResponse{
		MemberID: res.Member.ID, TOTPRegistrationID: res.RegistrationID, Secret: res.Secret, QRCode: res.QRCode,
		RecoveryCodes: codes, Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	})
}

// b2bMFALoginRequest is what B2B totp.authenticate and
// recovery_codes.recover share.
type b2bMFALoginRequest struct {
	OrganizationID           string         `json:"organization_id"`
	MemberID                 string         `json:"member_id"`
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	SessionToken             string         `json:"session_token"`
	SessionJWT               string         `json:"session_jwt"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
}

func (req *b2bMFALoginRequest) input() (totp.MemberLoginInput, error) {
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return totp.MemberLoginInput{}, err
	}
	return totp.MemberLoginInput{
		OrganizationID: req.OrganizationID, MemberID: req.MemberID,
		MemberCredentials: discovery.MemberCredentials{
			IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		},
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	}, nil
}

type b2bTOTPAuthenticateRequest struct {
	b2bMFALoginRequest
	Code             string `json:"code"`
	SetMFAEnrollment string `json:"set_mfa_enrollment"`
	SetDefaultMFA    bool   `json:"set_default_mfa"`
}

// b2bMFALoginResponse is the member login both answer with.
type b2bMFALoginResponse struct {
	envelope
	MemberID      string             `json:"member_id"`
	Member        memberJSON         `json:"member"`
	Organization  organizationJSON   `json:"organization"`
	SessionToken  string             `json:"session_token"`
	SessionJWT    string             `json:"session_jwt"`
	MemberSession *memberSessionJSON `json:"member_session"`
}

func toB2BMFALoginResponse(res *session.MemberResult) b2bMFALoginResponse {
	return b2bMFALoginResponse{
		MemberID: res.Member.ID, Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
		SessionToken: res.Token, SessionJWT: res.JWT, MemberSession: memberSessionPtr(res),
	}
}

func (h *handler) b2bTOTPAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bTOTPAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.TOTPs.AuthenticateMember(r.Context(), projectOf(r), totp.MemberAuthenticateInput{
		MemberLoginInput: in, Code: req.Code, SetMFAEnrollment: req.SetMFAEnrollment, SetDefaultMFA: req.SetDefaultMFA,
	})
	if err != nil {
		return err
	}
	out := toB2BMFALoginResponse(res)
	return encode(w, r, http.StatusOK, &out)
}

type b2bRecoveryCodesResponse struct {
	envelope
	MemberID      string           `json:"member_id"`
	Member        memberJSON       `json:"member"`
	Organization  organizationJSON `json:"organization"`
	RecoveryCodes []string         `json:"recovery_codes"`
}

func toB2BRecoveryCodesResponse(res *totp.MemberCodesResult) *b2bRecoveryCodesResponse {
	return &b2bRecoveryCodesResponse{
		MemberID: res.Member.ID, Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
		RecoveryCodes: res.RecoveryCodes,
	}
}

func (h *handler) b2bRecoveryCodesGet(w http.ResponseWriter, r *http.Request) error {
	res, err := h.TOTPs.MemberRecoveryCodes(r.Context(), projectOf(r), r.PathValue("organization_id"), r.PathValue("member_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toB2BRecoveryCodesResponse(res))
}

type b2bRecoveryCodesRotateRequest struct {
	OrganizationID string `json:"organization_id"`
	MemberID       string `json:"member_id"`
}

func (h *handler) b2bRecoveryCodesRotate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bRecoveryCodesRotateRequest](w, r)
	if err != nil {
		return err
	}
	res, err := h.TOTPs.RotateMemberRecoveryCodes(r.Context(), projectOf(r), req.OrganizationID, req.MemberID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toB2BRecoveryCodesResponse(res))
}

type b2bRecoveryCodesRecoverRequest struct {
	b2bMFALoginRequest
	RecoveryCode string `json:"recovery_code"`
}

type b2bRecoveryCodesRecoverResponse struct {
	b2bMFALoginResponse
	RecoveryCodesRemaining int `json:"recovery_codes_remaining"`
}

func (h *handler) b2bRecoveryCodesRecover(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bRecoveryCodesRecoverRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, remaining, err := h.TOTPs.RecoverMember(r.Context(), projectOf(r), totp.MemberRecoverInput{MemberLoginInput: in, RecoveryCode: req.RecoveryCode})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bRecoveryCodesRecoverResponse{
		b2bMFALoginResponse: toB2BMFALoginResponse(res), RecoveryCodesRemaining: remaining,
	})
}

// membersDeleteFactor serves the member-factor deletions whose paths
// the router cannot tell apart by pattern alone:
// DELETE …/members/{member_id}/totp,
// DELETE …/members/mfa_phone_numbers/{member_id} and
// DELETE …/members/passwords/{member_password_id}.
func (h *handler) membersDeleteFactor(w http.ResponseWriter, r *http.Request) error {
	first, second := r.PathValue("first"), r.PathValue("second")
	switch {
	case first == "mfa_phone_numbers":
		return h.membersDeleteMFAPhone(w, r, second)
	case first == "passwords":
		return h.membersDeletePassword(w, r, second)
	case second == "totp":
		return h.membersDeleteTOTP(w, r, first)
	}
	return h.notFound(w, r)
}

func (h *handler) membersDeleteMFAPhone(w http.ResponseWriter, r *http.Request, memberID string) error {
	orgID := r.PathValue("organization_id")
	if _, err := h.authorizeMember(r, orgID, memberID, organization.ActionMemberDeleteMFAPhone); err != nil {
		return err
	}
	m, o, err := h.Members.DeleteMFAPhone(r.Context(), projectOf(r).ID, orgID, memberID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

func (h *handler) membersDeleteTOTP(w http.ResponseWriter, r *http.Request, memberID string) error {
	orgID := r.PathValue("organization_id")
	if _, err := h.authorizeMember(r, orgID, memberID, organization.ActionMemberDeleteMFATOTP); err != nil {
		return err
	}
	m, o, err := h.TOTPs.DeleteMember(r.Context(), projectOf(r), orgID, memberID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}
