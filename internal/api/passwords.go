package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
)

type sessionAttributesJSON struct {
	IPAddress string `json:"ip_address"`
	UserAgent string `json:"user_agent"`
}

// passwordSessionRequest is the session part of passwords create and
// authenticate.
type passwordSessionRequest struct {
	SessionToken           string                 `json:"session_token"`
	SessionJWT             string                 `json:"session_jwt"`
	SessionDurationMinutes *int64                 `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any         `json:"session_custom_claims"`
	Attributes             *sessionAttributesJSON `json:"attributes"`
}

func (req *passwordSessionRequest) input() (passwords.SessionInput, error) {
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return passwords.SessionInput{}, err
	}
	in := passwords.SessionInput{
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
	}
	if req.Attributes != nil {
		in.Attributes = auth.SessionAttributes{IPAddress: req.Attributes.IPAddress, UserAgent: req.Attributes.UserAgent}
	}
	return in, nil
}

type passwordsCreateRequest struct {
	Email             string         `json:"email"`
	Password          string         `json:"password"`
	Name              *nameJSON      `json:"name"`
	TrustedMetadata   map[string]any `json:"trusted_metadata"`
	UntrustedMetadata map[string]any `json:"untrusted_metadata"`
	passwordSessionRequest
}

type passwordsCreateResponse struct {
	envelope
	UserID       string       `json:"user_id"`
	EmailID      string       `json:"email_id"`
	SessionToken string       `json:"session_token"`
	SessionJWT   string       `json:"session_jwt"`
	User         userJSON     `json:"user"`
	Session      *sessionJSON `json:"session"`
}

func (h *handler) passwordsCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsCreateRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	in := passwords.CreateInput{
		Email: req.Email, Password: req.Password, Session: sess,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
	}
	if n := req.Name.toName(); n != nil {
		in.Name = *n
	}
	res, err := h.Passwords.Create(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	out := &passwordsCreateResponse{
		UserID: res.User.ID, EmailID: res.EmailID, SessionToken: res.Token, SessionJWT: res.JWT, User: toUserJSON(res.User),
	}
	out.Session = sessionPtr(res.Session)
	return encode(w, r, http.StatusOK, out)
}

type passwordsAuthenticateRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	passwordSessionRequest
}

type passwordsAuthenticateResponse struct {
	envelope
	UserID       string       `json:"user_id"`
	SessionToken string       `json:"session_token"`
	SessionJWT   string       `json:"session_jwt"`
	User         userJSON     `json:"user"`
	Session      *sessionJSON `json:"session"`
}

func (h *handler) passwordsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.Authenticate(r.Context(), projectOf(r), passwords.AuthenticateInput{
		Email: req.Email, Password: req.Password, Session: sess,
	})
	if err != nil {
		return err
	}
	out := &passwordsAuthenticateResponse{
		UserID: res.User.ID, SessionToken: res.Token, SessionJWT: res.JWT, User: toUserJSON(res.User),
	}
	out.Session = sessionPtr(res.Session)
	return encode(w, r, http.StatusOK, out)
}

type passwordsStrengthCheckRequest struct {
	Password string `json:"password"`
	Email    string `json:"email"`
}

type (
	ludsRequirementsJSON struct {
		HasLowerCase      bool `json:"has_lower_case"`
		HasUpperCase      bool `json:"has_upper_case"`
		HasDigit          bool `json:"has_digit"`
		HasSymbol         bool `json:"has_symbol"`
		MissingComplexity int  `json:"missing_complexity"`
		MissingCharacters int  `json:"missing_characters"`
	}
	passwordFeedbackJSON struct {
		Warning          string                `json:"warning"`
		Suggestions      []string              `json:"suggestions"`
		LUDSRequirements *ludsRequirementsJSON `json:"luds_requirements"`
	}
	passwordsStrengthCheckResponse struct {
		envelope
		ValidPassword           bool                 `json:"valid_password"`
		Score                   int                  `json:"score"`
		BreachedPassword        bool                 `json:"breached_password"`
		StrengthPolicy          string               `json:"strength_policy"`
		BreachDetectionOnCreate bool                 `json:"breach_detection_on_create"`
		Feedback                passwordFeedbackJSON `json:"feedback"`
	}
)

func toStrengthJSON(s password.Strength) *passwordsStrengthCheckResponse {
	out := &passwordsStrengthCheckResponse{
		ValidPassword: s.ValidPassword, Score: s.Score, BreachedPassword: s.BreachedPassword,
		StrengthPolicy: s.StrengthPolicy, BreachDetectionOnCreate: s.BreachDetectionOnCreate,
		Feedback: passwordFeedbackJSON{Warning: s.Feedback.Warning, Suggestions: s.Feedback.Suggestions},
	}
	if l := s.Feedback.LUDSRequirements; l != nil {
		out.Feedback.LUDSRequirements = &ludsRequirementsJSON{
			HasLowerCase: l.HasLowerCase, HasUpperCase: l.HasUpperCase, HasDigit: l.HasDigit, HasSymbol: l.HasSymbol,
			MissingComplexity: l.MissingComplexity, MissingCharacters: l.MissingCharacters,
		}
	}
	return out
}

func (h *handler) passwordsStrengthCheck(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsStrengthCheckRequest](w, r)
	if err != nil {
		return err
	}
	s, err := h.Passwords.StrengthCheck(r.Context(), projectOf(r), req.Password, req.Email)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toStrengthJSON(s))
}

type (
	saltConfigJSON struct {
		PrependSalt string `json:"prepend_salt"`
		AppendSalt  string `json:"append_salt"`
	}
	argon2ConfigJSON struct {
		Salt            string `json:"salt"`
		IterationAmount int    `json:"iteration_amount"`
		Memory          int    `json:"memory"`
		Threads         int    `json:"threads"`
		KeyLength       int    `json:"key_length"`
	}
	scryptConfigJSON struct {
		Salt       string `json:"salt"`
		NParameter int    `json:"n_parameter"`
		RParameter int    `json:"r_parameter"`
		PParameter int    `json:"p_parameter"`
		KeyLength  int    `json:"key_length"`
	}
	pbkdf2ConfigJSON struct {
		Salt            string `json:"salt"`
		IterationAmount int    `json:"iteration_amount"`
		KeyLength       int    `json:"key_length"`
		Algorithm       string `json:"algorithm"`
	}
	passwordsMigrateRequest struct {
		Email             string            `json:"email"`
		Hash              string            `json:"hash"`
		HashType          string            `json:"hash_type"`
		MD5Config         *saltConfigJSON   `json:"md_5_config"`
		SHA1Config        *saltConfigJSON   `json:"sha_1_config"`
		SHA512Config      *saltConfigJSON   `json:"sha_512_config"`
		Argon2Config      *argon2ConfigJSON `json:"argon_2_config"`
		ScryptConfig      *scryptConfigJSON `json:"scrypt_config"`
		PBKDF2Config      *pbkdf2ConfigJSON `json:"pbkdf_2_config"`
		TrustedMetadata   map[string]any    `json:"trusted_metadata"`
		UntrustedMetadata map[string]any    `json:"untrusted_metadata"`
		SetEmailVerified  bool              `json:"set_email_verified"`
		Name              *nameJSON         `json:"name"`
		PhoneNumber       string            `json:"phone_number"`
	}
	passwordsMigrateResponse struct {
		envelope
		UserID      string   `json:"user_id"`
		EmailID     string   `json:"email_id"`
		UserCreated bool     `json:"user_created"`
		User        userJSON `json:"user"`
	}
)

func (c *saltConfigJSON) config() *passhash.SaltConfig {
	if c == nil {
		return nil
	}
	return &passhash.SaltConfig{PrependSalt: c.PrependSalt, AppendSalt: c.AppendSalt}
}

func (req *passwordsMigrateRequest) hashInput() passhash.MigrateInput {
	in := passhash.MigrateInput{
		HashType: req.HashType, Hash: req.Hash,
		MD5Config: req.MD5Config.config(), SHA1Config: req.SHA1Config.config(), SHA512Config: req.SHA512Config.config(),
	}
	if c := req.Argon2Config; c != nil {
		in.Argon2Config = &passhash.Argon2Config{Salt: c.Salt, IterationAmount: c.IterationAmount, Memory: c.Memory, Threads: c.Threads, KeyLength: c.KeyLength}
	}
	if c := req.ScryptConfig; c != nil {
		in.ScryptConfig = &passhash.ScryptConfig{Salt: c.Salt, NParameter: c.NParameter, RParameter: c.RParameter, PParameter: c.PParameter, KeyLength: c.KeyLength}
	}
	if c := req.PBKDF2Config; c != nil {
		in.PBKDF2Config = &passhash.PBKDF2Config{Salt: c.Salt, IterationAmount: c.IterationAmount, KeyLength: c.KeyLength, Algorithm: c.Algorithm}
	}
	return in
}

func (h *handler) passwordsMigrate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsMigrateRequest](w, r)
	if err != nil {
		return err
	}
	if req.PhoneNumber != "" {
		return auth.ErrInvalidArgument.WithMessage("phone_number is not supported yet.")
	}
	res, err := h.Passwords.Migrate(r.Context(), projectOf(r), passwords.MigrateInput{
		Email: req.Email, Hash: req.hashInput(), Name: req.Name.toName(),
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata, SetEmailVerified: req.SetEmailVerified,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &passwordsMigrateResponse{
		UserID: res.User.ID, EmailID: res.EmailID, UserCreated: res.Created, User: toUserJSON(res.User),
	})
}

type usersDeletePasswordResponse struct {
	envelope
	UserID string   `json:"user_id"`
	User   userJSON `json:"user"`
}

func (h *handler) usersDeletePassword(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Passwords.Delete(r.Context(), projectOf(r), r.PathValue("password_id"))
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &usersDeletePasswordResponse{UserID: u.ID, User: toUserJSON(u)})
}

type passwordsEmailResetStartRequest struct {
	Email                          string                 `json:"email"`
	ResetPasswordRedirectURL       string                 `json:"reset_password_redirect_url"`
	ResetPasswordExpirationMinutes *int64                 `json:"reset_password_expiration_minutes"`
	CodeChallenge                  string                 `json:"code_challenge"`
	Attributes                     *sessionAttributesJSON `json:"attributes"`
	LoginRedirectURL               string                 `json:"login_redirect_url"`
	Locale                         string                 `json:"locale"`
	// ResetPasswordTemplateID is accepted and ignored: Latch sends its
	// built-in reset email, as it does for magic links' template IDs.
	ResetPasswordTemplateID string `json:"reset_password_template_id"`
}

type passwordsEmailResetStartResponse struct {
	envelope
	UserID  string `json:"user_id"`
	EmailID string `json:"email_id"`
}

func (h *handler) passwordsEmailResetStart(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsEmailResetStartRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.ResetPasswordExpirationMinutes, "reset_password_expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetStart(r.Context(), projectOf(r), passwords.ResetStartInput{
		Email: req.Email, RedirectURL: req.ResetPasswordRedirectURL, LoginURL: req.LoginRedirectURL,
		Minutes: minutes, CodeChallenge: req.CodeChallenge, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &passwordsEmailResetStartResponse{UserID: res.UserID, EmailID: res.EmailID})
}

type passwordsEmailResetRequest struct {
	Token        string `json:"token"`
	Password     string `json:"password"`
	CodeVerifier string `json:"code_verifier"`
	// Options (ip_match_required, user_agent_match_required) are accepted
	// and not enforced, as for magic links.
	Options map[string]any `json:"options"`
	passwordSessionRequest
}

// passwordsResetResponse is the answer of every consumer password reset.
type passwordsResetResponse struct {
	envelope
	UserID       string       `json:"user_id"`
	SessionToken string       `json:"session_token"`
	SessionJWT   string       `json:"session_jwt"`
	User         userJSON     `json:"user"`
	Session      *sessionJSON `json:"session"`
}

func writeReset(w http.ResponseWriter, r *http.Request, res *passwords.Result) error {
	out := &passwordsResetResponse{
		UserID: res.User.ID, SessionToken: res.Token, SessionJWT: res.JWT, User: toUserJSON(res.User),
	}
	out.Session = sessionPtr(res.Session)
	return encode(w, r, http.StatusOK, out)
}

func (h *handler) passwordsEmailReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsEmailResetRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetByEmail(r.Context(), projectOf(r), passwords.ResetByEmailInput{
		Token: req.Token, Password: req.Password, CodeVerifier: req.CodeVerifier, Session: sess,
	})
	if err != nil {
		return err
	}
	return writeReset(w, r, res)
}

type passwordsExistingPasswordResetRequest struct {
	Email            string `json:"email"`
	ExistingPassword string `json:"existing_password"`
	NewPassword      string `json:"new_password"`
	passwordSessionRequest
}

func (h *handler) passwordsExistingPasswordReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsExistingPasswordResetRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetByExisting(r.Context(), projectOf(r), passwords.ResetByExistingInput{
		Email: req.Email, ExistingPassword: req.ExistingPassword, NewPassword: req.NewPassword, Session: sess,
	})
	if err != nil {
		return err
	}
	return writeReset(w, r, res)
}

type passwordsSessionResetRequest struct {
	Password               string         `json:"password"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
}

func (h *handler) passwordsSessionReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[passwordsSessionResetRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetBySession(r.Context(), projectOf(r), passwords.ResetBySessionInput{
		Password: req.Password, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return writeReset(w, r, res)
}
