package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/otp"
)

// Wire types for B2B passcodes (stytch-go b2b/otp/email,
// b2b/otp/email/discovery and b2b/otp/sms). Template IDs are accepted and
// not used.

type b2bOTPsEmailLoginOrSignupRequest struct {
	OrganizationID          string `json:"organization_id"`
	EmailAddress            string `json:"email_address"`
	LoginTemplateID         string `json:"login_template_id"`
	SignupTemplateID        string `json:"signup_template_id"`
	Locale                  string `json:"locale"`
	LoginExpirationMinutes  *int64 `json:"login_expiration_minutes"`
	SignupExpirationMinutes *int64 `json:"signup_expiration_minutes"`
}

func (h *handler) b2bOTPsEmailLoginOrSignup(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsEmailLoginOrSignupRequest](w, r)
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
	res, err := h.B2BOTPs.LoginOrSignupEmail(r.Context(), projectOf(r), otp.B2BEmailInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, LoginMinutes: login, SignupMinutes: signup, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	// The same response as magic links' login_or_signup.
	return encode(w, r, http.StatusOK, &b2bMagicLinksEmailLoginOrSignupResponse{
		MemberID: res.Member.ID, MemberCreated: res.Created,
		Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	})
}

type b2bOTPsEmailAuthenticateRequest struct {
	OrganizationID           string         `json:"organization_id"`
	EmailAddress             string         `json:"email_address"`
	Code                     string         `json:"code"`
	SessionToken             string         `json:"session_token"`
	SessionJWT               string         `json:"session_jwt"`
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	Locale                   string         `json:"locale"`
}

type b2bOTPsEmailAuthenticateResponse struct {
	envelope
	memberLogin
	MethodID       string `json:"method_id"`
	OrganizationID string `json:"organization_id"`
}

func (h *handler) b2bOTPsEmailAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsEmailAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	if req.EmailAddress == "" || req.OrganizationID == "" {
		return auth.ErrInvalidArgument.WithMessage("organization_id and email_address are required.")
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.B2BOTPs.AuthenticateEmail(r.Context(), projectOf(r), otp.B2BEmailAuthenticateInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, Code: req.Code,
		IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bOTPsEmailAuthenticateResponse{
		memberLogin: toMemberLogin(&res.MemberResult), MethodID: res.MethodID, OrganizationID: res.Organization.ID,
	})
}

type b2bOTPsEmailDiscoverySendRequest struct {
	EmailAddress               string `json:"email_address"`
	LoginTemplateID            string `json:"login_template_id"`
	Locale                     string `json:"locale"`
	DiscoveryExpirationMinutes *int64 `json:"discovery_expiration_minutes"`
}

func (h *handler) b2bOTPsEmailDiscoverySend(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsEmailDiscoverySendRequest](w, r)
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
	err = h.B2BOTPs.SendDiscoveryEmail(r.Context(), projectOf(r), otp.DiscoveryEmailInput{Email: req.EmailAddress, Minutes: minutes, Locale: req.Locale})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bMagicLinksEmailDiscoverySendResponse{})
}

type b2bOTPsEmailDiscoveryAuthenticateRequest struct {
	EmailAddress string `json:"email_address"`
	Code         string `json:"code"`
}

func (h *handler) b2bOTPsEmailDiscoveryAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsEmailDiscoveryAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	if req.EmailAddress == "" {
		return auth.ErrInvalidArgument.WithMessage("email_address is required.")
	}
	res, err := h.B2BOTPs.AuthenticateDiscoveryEmail(r.Context(), projectOf(r), req.EmailAddress, req.Code)
	if err != nil {
		return err
	}
	// The same response as magic links' discovery authenticate.
	return encode(w, r, http.StatusOK, &b2bMagicLinksDiscoveryAuthenticateResponse{
		IntermediateSessionToken: res.IntermediateSessionToken, EmailAddress: res.EmailAddress,
		DiscoveredOrganizations: toDiscoveredJSON(res.Discovered),
	})
}

type b2bOTPsSMSSendRequest struct {
	OrganizationID           string `json:"organization_id"`
	MemberID                 string `json:"member_id"`
	MFAPhoneNumber           string `json:"mfa_phone_number"`
	Locale                   string `json:"locale"`
	IntermediateSessionToken string `json:"intermediate_session_token"`
	SessionToken             string `json:"session_token"`
	SessionJWT               string `json:"session_jwt"`
}

func (h *handler) b2bOTPsSMSSend(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsSMSSendRequest](w, r)
	if err != nil {
		return err
	}
	if req.OrganizationID == "" || req.MemberID == "" {
		return auth.ErrInvalidArgument.WithMessage("organization_id and member_id are required.")
	}
	res, err := h.B2BOTPs.SendSMS(r.Context(), projectOf(r), otp.B2BSMSSendInput{
		OrganizationID: req.OrganizationID, MemberID: req.MemberID, MFAPhoneNumber: req.MFAPhoneNumber, Locale: req.Locale,
		MemberCredentials: discovery.MemberCredentials{
			IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		},
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(res.Member, res.Organization))
}

type b2bOTPsSMSAuthenticateRequest struct {
	OrganizationID           string         `json:"organization_id"`
	MemberID                 string         `json:"member_id"`
	Code                     string         `json:"code"`
	IntermediateSessionToken string         `json:"intermediate_session_token"`
	SessionToken             string         `json:"session_token"`
	SessionJWT               string         `json:"session_jwt"`
	SessionDurationMinutes   *int64         `json:"session_duration_minutes"`
	SessionCustomClaims      map[string]any `json:"session_custom_claims"`
	SetMFAEnrollment         string         `json:"set_mfa_enrollment"`
	SetDefaultMFA            bool           `json:"set_default_mfa"`
}

func (h *handler) b2bOTPsSMSAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bOTPsSMSAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	if req.OrganizationID == "" || req.MemberID == "" {
		return auth.ErrInvalidArgument.WithMessage("organization_id and member_id are required.")
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.B2BOTPs.AuthenticateSMS(r.Context(), projectOf(r), otp.B2BSMSAuthenticateInput{
		OrganizationID: req.OrganizationID, MemberID: req.MemberID, Code: req.Code,
		MemberCredentials: discovery.MemberCredentials{
			IntermediateSessionToken: req.IntermediateSessionToken, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		},
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
		SetMFAEnrollment: req.SetMFAEnrollment, SetDefaultMFA: req.SetDefaultMFA,
	})
	if err != nil {
		return err
	}
	// The same response as TOTP's: a second factor completes a login.
	out := toB2BMFALoginResponse(res)
	return encode(w, r, http.StatusOK, &out)
}
