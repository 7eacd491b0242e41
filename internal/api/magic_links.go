package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/session"
)

type magicLinksEmailSendRequest struct {
	Email                   string `json:"email"`
	LoginMagicLinkURL       string `json:"login_magic_link_url"`
	SignupMagicLinkURL      string `json:"signup_magic_link_url"`
	LoginExpirationMinutes  *int64 `json:"login_expiration_minutes"`
	SignupExpirationMinutes *int64 `json:"signup_expiration_minutes"`
	LoginTemplateID         string `json:"login_template_id"`
	SignupTemplateID        string `json:"signup_template_id"`
	CreateUserAsPending     bool   `json:"create_user_as_pending"`
	CodeChallenge           string `json:"code_challenge"`
	Locale                  string `json:"locale"`
}

func (req *magicLinksEmailSendRequest) input() (magiclink.SendInput, error) {
	if req.Email == "" {
		return magiclink.SendInput{}, auth.ErrInvalidArgument.WithMessage("email is required.")
	}
	login, err := intValue(req.LoginExpirationMinutes, "login_expiration_minutes")
	if err != nil {
		return magiclink.SendInput{}, err
	}
	signup, err := intValue(req.SignupExpirationMinutes, "signup_expiration_minutes")
	if err != nil {
		return magiclink.SendInput{}, err
	}
	return magiclink.SendInput{
		Email: req.Email, LoginURL: req.LoginMagicLinkURL, SignupURL: req.SignupMagicLinkURL,
		LoginMinutes: login, SignupMinutes: signup, CreatePending: req.CreateUserAsPending,
		CodeChallenge: req.CodeChallenge, Locale: req.Locale,
		LoginTemplate: req.LoginTemplateID, SignupTemplate: req.SignupTemplateID,
	}, nil
}

type magicLinksEmailLoginOrCreateResponse struct {
	envelope
	UserID      string `json:"user_id"`
	EmailID     string `json:"email_id"`
	UserCreated bool   `json:"user_created"`
}

func (h *handler) magicLinksEmailLoginOrCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[magicLinksEmailSendRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.LoginOrCreate(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &magicLinksEmailLoginOrCreateResponse{
		UserID: res.UserID, EmailID: res.EmailID, UserCreated: res.Created,
	})
}

type magicLinksEmailSendResponse struct {
	envelope
	UserID  string `json:"user_id"`
	EmailID string `json:"email_id"`
}

func (h *handler) magicLinksEmailSend(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[magicLinksEmailSendRequest](w, r)
	if err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.MagicLinks.Send(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &magicLinksEmailSendResponse{UserID: res.UserID, EmailID: res.EmailID})
}

type magicLinksEmailInviteRequest struct {
	Email                   string         `json:"email"`
	InviteMagicLinkURL      string         `json:"invite_magic_link_url"`
	InviteExpirationMinutes *int64         `json:"invite_expiration_minutes"`
	InviteTemplateID        string         `json:"invite_template_id"`
	Name                    *nameJSON      `json:"name"`
	TrustedMetadata         map[string]any `json:"trusted_metadata"`
	UntrustedMetadata       map[string]any `json:"untrusted_metadata"`
	Locale                  string         `json:"locale"`
}

func (h *handler) magicLinksEmailInvite(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[magicLinksEmailInviteRequest](w, r)
	if err != nil {
		return err
	}
	if req.Email == "" {
		return auth.ErrInvalidArgument.WithMessage("email is required.")
	}
	minutes, err := intValue(req.InviteExpirationMinutes, "invite_expiration_minutes")
	if err != nil {
		return err
	}
	in := magiclink.InviteInput{
		Email: req.Email, URL: req.InviteMagicLinkURL, Minutes: minutes, Locale: req.Locale,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
	}
	if n := req.Name.toName(); n != nil {
		in.Name = *n
	}
	res, err := h.MagicLinks.Invite(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &magicLinksEmailSendResponse{UserID: res.UserID, EmailID: res.EmailID})
}

type magicLinksEmailRevokeInviteRequest struct {
	Email string `json:"email"`
}

type magicLinksEmailRevokeInviteResponse struct {
	envelope
}

func (h *handler) magicLinksEmailRevokeInvite(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[magicLinksEmailRevokeInviteRequest](w, r)
	if err != nil {
		return err
	}
	if req.Email == "" {
		return auth.ErrInvalidArgument.WithMessage("email is required.")
	}
	if err := h.MagicLinks.RevokeInvite(r.Context(), projectOf(r), req.Email); err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &magicLinksEmailRevokeInviteResponse{})
}

type magicLinksAuthenticateRequest struct {
	Token                  string         `json:"token"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	CodeVerifier           string         `json:"code_verifier"`
	Attributes             *struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"attributes"`
}

type magicLinksAuthenticateResponse struct {
	envelope
	UserID        string       `json:"user_id"`
	MethodID      string       `json:"method_id"`
	SessionToken  string       `json:"session_token"`
	SessionJWT    string       `json:"session_jwt"`
	User          userJSON     `json:"user"`
	ResetSessions bool         `json:"reset_sessions"`
	Session       *sessionJSON `json:"session"`
}

func (h *handler) magicLinksAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[magicLinksAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	in := magiclink.AuthenticateInput{
		Token: req.Token, CodeVerifier: req.CodeVerifier, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
	}
	if req.Attributes != nil {
		in.Attributes = auth.SessionAttributes{IPAddress: req.Attributes.IPAddress, UserAgent: req.Attributes.UserAgent}
	}
	res, err := h.MagicLinks.Authenticate(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toFactorLoginResponse(res.MethodID, &res.Result))
}

// toFactorLoginResponse is the response of the consumer logins that share
// magic_links.authenticate's shape: magic links and passcodes.
func toFactorLoginResponse(methodID string, res *session.Result) *magicLinksAuthenticateResponse {
	return &magicLinksAuthenticateResponse{
		UserID: res.User.ID, MethodID: methodID, SessionToken: res.Token, SessionJWT: res.JWT,
		User: toUserJSON(res.User), Session: sessionPtr(res.Session),
	}
}
