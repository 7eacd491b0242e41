package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/otp"
)

type otpsEmailRequest struct {
	Email               string `json:"email"`
	ExpirationMinutes   *int64 `json:"expiration_minutes"`
	CreateUserAsPending bool   `json:"create_user_as_pending"`
	LoginTemplateID     string `json:"login_template_id"`
	SignupTemplateID    string `json:"signup_template_id"`
	Locale              string `json:"locale"`
}

func (req *otpsEmailRequest) input() (otp.EmailInput, error) {
	if req.Email == "" {
		return otp.EmailInput{}, auth.ErrInvalidArgument.WithMessage("email is required.")
	}
	minutes, err := intValue(req.ExpirationMinutes, "expiration_minutes")
	if err != nil {
		return otp.EmailInput{}, err
	}
	return otp.EmailInput{Email: req.Email, ExpirationMinutes: minutes, CreatePending: req.CreateUserAsPending, Locale: req.Locale}, nil
}

type otpsEmailLoginOrCreateResponse struct {
	envelope
	UserID      string `json:"user_id"`
	EmailID     string `json:"email_id"`
	UserCreated bool   `json:"user_created"`
}

func (h *handler) otpsEmailLoginOrCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[otpsEmailRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.OTPs.LoginOrCreateEmail(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &otpsEmailLoginOrCreateResponse{UserID: res.UserID, EmailID: res.EmailID, UserCreated: res.Created})
}

type otpsEmailSendResponse struct {
	envelope
	UserID  string `json:"user_id"`
	EmailID string `json:"email_id"`
}

func (h *handler) otpsEmailSend(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[otpsEmailRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.OTPs.SendEmail(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &otpsEmailSendResponse{UserID: res.UserID, EmailID: res.EmailID})
}

type otpsAuthenticateRequest struct {
	MethodID               string         `json:"method_id"`
	Code                   string         `json:"code"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	Attributes             *struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"attributes"`
}

func (h *handler) otpsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[otpsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	in := otp.AuthenticateInput{
		MethodID: req.MethodID, Code: req.Code, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
	}
	if req.Attributes != nil {
		in.Attributes = auth.SessionAttributes{IPAddress: req.Attributes.IPAddress, UserAgent: req.Attributes.UserAgent}
	}
	res, err := h.OTPs.Authenticate(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toFactorLoginResponse(res.MethodID, &res.Result))
}
