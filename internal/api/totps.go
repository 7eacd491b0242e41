package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/totp"
)

// Wire types for consumer TOTPs (stytch-go consumer/totps).

type totpsCreateRequest struct {
	UserID            string `json:"user_id"`
	ExpirationMinutes *int64 `json:"expiration_minutes"`
}

type totpsCreateResponse struct {
	envelope
	TOTPID        string   `json:"totp_id"`
	Secret        string   `json:"secret"`
	QRCode        string   `json:"qr_code"`
	RecoveryCodes []string `json:"recovery_codes"`
	User          userJSON `json:"user"`
	UserID        string   `json:"user_id"`
}

func (h *handler) totpsCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[totpsCreateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.ExpirationMinutes, "expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.TOTPs.Create(r.Context(), projectOf(r), totp.CreateInput{UserID: req.UserID, ExpirationMinutes: minutes})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &totpsCreateResponse{
		TOTPID: res.TOTPID, Secret: res.Secret, QRCode: res.QRCode, RecoveryCodes: res.RecoveryCodes,
		User: toUserJSON(res.User), UserID: res.User.ID,
	})
}

// totpsLoginRequest is what authenticate and recover share: the session
// fields of every consumer login.
type totpsLoginRequest struct {
	UserID                 string         `json:"user_id"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	Attributes             *struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"attributes"`
}

func (req *totpsLoginRequest) attributes() auth.SessionAttributes {
	if req.Attributes == nil {
		return auth.SessionAttributes{}
	}
	return auth.SessionAttributes{IPAddress: req.Attributes.IPAddress, UserAgent: req.Attributes.UserAgent}
}

type totpsAuthenticateRequest struct {
	totpsLoginRequest
	TOTPCode string `json:"totp_code"`
}

// totpsLoginResponse answers authenticate and recover alike.
type totpsLoginResponse struct {
	envelope
	UserID       string       `json:"user_id"`
	TOTPID       string       `json:"totp_id"`
	SessionToken string       `json:"session_token"`
	SessionJWT   string       `json:"session_jwt"`
	User         userJSON     `json:"user"`
	Session      *sessionJSON `json:"session"`
}

func toTOTPsLoginResponse(res *totp.AuthenticateResult) *totpsLoginResponse {
	out := &totpsLoginResponse{
		UserID: res.User.ID, TOTPID: res.TOTPID, SessionToken: res.Token, SessionJWT: res.JWT, User: toUserJSON(res.User),
	}
	out.Session = sessionPtr(res.Session)
	return out
}

func (h *handler) totpsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[totpsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.TOTPs.Authenticate(r.Context(), projectOf(r), totp.AuthenticateInput{
		UserID: req.UserID, Code: req.TOTPCode, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
		Attributes: req.attributes(),
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toTOTPsLoginResponse(res))
}

type totpsRecoverRequest struct {
	totpsLoginRequest
	RecoveryCode string `json:"recovery_code"`
}

func (h *handler) totpsRecover(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[totpsRecoverRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.TOTPs.Recover(r.Context(), projectOf(r), totp.RecoverInput{
		UserID: req.UserID, RecoveryCode: req.RecoveryCode, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
		Attributes: req.attributes(),
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toTOTPsLoginResponse(res))
}

type totpsRecoveryCodesRequest struct {
	UserID string `json:"user_id"`
}

type totpRecoveryCodesJSON struct {
	TOTPID        string   `json:"totp_id"`
	Verified      bool     `json:"verified"`
	RecoveryCodes []string `json:"recovery_codes"`
}

type totpsRecoveryCodesResponse struct {
	envelope
	UserID string                  `json:"user_id"`
	TOTPs  []totpRecoveryCodesJSON `json:"totps"`
}

func (h *handler) totpsRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[totpsRecoveryCodesRequest](w, r)
	if err != nil {
		return err
	}
	regs, err := h.TOTPs.RecoveryCodes(r.Context(), projectOf(r), req.UserID)
	if err != nil {
		return err
	}
	out := &totpsRecoveryCodesResponse{UserID: req.UserID, TOTPs: make([]totpRecoveryCodesJSON, 0, len(regs))}
	for _, reg := range regs {
		out.TOTPs = append(out.TOTPs, totpRecoveryCodesJSON{TOTPID: reg.TOTPID, Verified: reg.Verified, RecoveryCodes: reg.RecoveryCodes})
	}
	return encode(w, r, http.StatusOK, out)
}

type usersDeleteTOTPResponse struct {
	envelope
	UserID string   `json:"user_id"`
	User   userJSON `json:"user"`
}

func (h *handler) usersDeleteTOTP(w http.ResponseWriter, r *http.Request) error {
	u, err := h.TOTPs.Delete(r.Context(), projectOf(r), r.PathValue("totp_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeleteTOTPResponse{UserID: u.ID, User: toUserJSON(u)})
}
