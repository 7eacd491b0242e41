package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/otp"
)

// otpsPhoneRequest is the body of otps/sms and otps/whatsapp send and
// login_or_create; user_id and the session fields are send's only.
type otpsPhoneRequest struct {
	PhoneNumber         string `json:"phone_number"`
	ExpirationMinutes   *int64 `json:"expiration_minutes"`
	CreateUserAsPending bool   `json:"create_user_as_pending"`
	Locale              string `json:"locale"`
	UserID              string `json:"user_id"`
	SessionToken        string `json:"session_token"`
	SessionJWT          string `json:"session_jwt"`
}

// decodePhoneRequest reads the body of a phone passcode request.
func decodePhoneRequest(w http.ResponseWriter, r *http.Request) (otp.PhoneInput, error) {
	req, err := decode[otpsPhoneRequest](w, r)
	if err != nil {
		return otp.PhoneInput{}, err
	}
	minutes, err := intValue(req.ExpirationMinutes, "expiration_minutes")
	if err != nil {
		return otp.PhoneInput{}, err
	}
	return otp.PhoneInput{
		PhoneNumber: req.PhoneNumber, ExpirationMinutes: minutes, CreatePending: req.CreateUserAsPending,
		Locale: req.Locale, UserID: req.UserID, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
	}, nil
}

type otpsPhoneSendResponse struct {
	envelope
	UserID  string `json:"user_id"`
	PhoneID string `json:"phone_id"`
}

type otpsPhoneLoginOrCreateResponse struct {
	envelope
	UserID      string `json:"user_id"`
	PhoneID     string `json:"phone_id"`
	UserCreated bool   `json:"user_created"`
}

// otpsPhoneSend serves otps/sms/send and otps/whatsapp/send: the two
// differ only in the channel the code travels on.
func (h *handler) otpsPhoneSend(ch auth.Channel) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		in, err := decodePhoneRequest(w, r)
		if err != nil {
			return err
		}
		res, err := h.OTPs.SendPhone(r.Context(), projectOf(r), ch, in)
		if err != nil {
			return err
		}
		return encode(w, r, http.StatusOK, &otpsPhoneSendResponse{UserID: res.UserID, PhoneID: res.PhoneID})
	}
}

// otpsPhoneLoginOrCreate serves otps/sms/login_or_create and
// otps/whatsapp/login_or_create.
func (h *handler) otpsPhoneLoginOrCreate(ch auth.Channel) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		in, err := decodePhoneRequest(w, r)
		if err != nil {
			return err
		}
		res, err := h.OTPs.LoginOrCreatePhone(r.Context(), projectOf(r), ch, in)
		if err != nil {
			return err
		}
		return encode(w, r, http.StatusOK, &otpsPhoneLoginOrCreateResponse{UserID: res.UserID, PhoneID: res.PhoneID, UserCreated: res.Created})
	}
}
