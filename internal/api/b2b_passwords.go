package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
)

// memberSessionRequest is the session part of B2B password logins.
type memberSessionRequest struct {
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	// Locale chooses the language of an MFA passcode Stytch would send;
	// accepted and not used.
	Locale string `json:"locale"`
}

func (req *memberSessionRequest) input() (passwords.MemberSessionInput, error) {
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return passwords.MemberSessionInput{}, err
	}
	return passwords.MemberSessionInput{
		DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
	}, nil
}

type b2bPasswordsAuthenticateRequest struct {
	OrganizationID string `json:"organization_id"`
	EmailAddress   string `json:"email_address"`
	Password       string `json:"password"`
	// IntermediateSessionToken is accepted and not used, as in B2B magic
	// link authenticate: the password proves the address itself.
	IntermediateSessionToken string `json:"intermediate_session_token"`
	memberSessionRequest
}

func (h *handler) b2bPasswordsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.AuthenticateMember(r.Context(), projectOf(r), passwords.MemberAuthenticateInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, Password: req.Password, Session: sess,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}

type (
	b2bPasswordsStrengthCheckRequest struct {
		Password     string `json:"password"`
		EmailAddress string `json:"email_address"`
	}
	zxcvbnFeedbackJSON struct {
		Warning     string   `json:"warning"`
		Suggestions []string `json:"suggestions"`
	}
	// b2bPasswordsStrengthCheckResponse is Stytch's B2B shape: the
	// feedback of the policy in force, the other policy's null.
	b2bPasswordsStrengthCheckResponse struct {
		envelope
		ValidPassword           bool                  `json:"valid_password"`
		Score                   int                   `json:"score"`
		BreachedPassword        bool                  `json:"breached_password"`
		StrengthPolicy          string                `json:"strength_policy"`
		BreachDetectionOnCreate bool                  `json:"breach_detection_on_create"`
		LUDSFeedback            *ludsRequirementsJSON `json:"luds_feedback"`
		ZxcvbnFeedback          *zxcvbnFeedbackJSON   `json:"zxcvbn_feedback"`
	}
)

func toB2BStrengthJSON(s password.Strength) *b2bPasswordsStrengthCheckResponse {
	c := toStrengthJSON(s)
	out := &b2bPasswordsStrengthCheckResponse{
		ValidPassword: c.ValidPassword, Score: c.Score, BreachedPassword: c.BreachedPassword,
		StrengthPolicy: c.StrengthPolicy, BreachDetectionOnCreate: c.BreachDetectionOnCreate,
		LUDSFeedback: c.Feedback.LUDSRequirements,
	}
	if out.LUDSFeedback == nil {
		out.ZxcvbnFeedback = &zxcvbnFeedbackJSON{Warning: c.Feedback.Warning, Suggestions: c.Feedback.Suggestions}
		if out.ZxcvbnFeedback.Suggestions == nil {
			out.ZxcvbnFeedback.Suggestions = []string{}
		}
	}
	return out
}

func (h *handler) b2bPasswordsStrengthCheck(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsStrengthCheckRequest](w, r)
	if err != nil {
		return err
	}
	s, err := h.Passwords.StrengthCheck(r.Context(), projectOf(r), req.Password, req.EmailAddress)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, toB2BStrengthJSON(s))
}

type (
	b2bPasswordsMigrateRequest struct {
		EmailAddress   string   `json:"email_address"`
		OrganizationID string   `json:"organization_id"`
		Name           *string  `json:"name"`
		Roles          []string `json:"roles"`
		ExternalID     string   `json:"external_id"`
		// PreserveExistingSessions concerns roles granted by SSO, which
		// Latch does not have; accepted and not used.
		PreserveExistingSessions bool   `json:"preserve_existing_sessions"`
		MFAPhoneNumber           string `json:"mfa_phone_number"`
		SetPhoneNumberVerified   bool   `json:"set_phone_number_verified"`
		passwordsMigrateRequest
	}
	b2bPasswordsMigrateResponse struct {
		envelope
		MemberID      string           `json:"member_id"`
		MemberCreated bool             `json:"member_created"`
		Member        memberJSON       `json:"member"`
		Organization  organizationJSON `json:"organization"`
	}
)

func (h *handler) b2bPasswordsMigrate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsMigrateRequest](w, r)
	if err != nil {
		return err
	}
	res, err := h.Passwords.MigrateMember(r.Context(), projectOf(r), passwords.MemberMigrateInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, Hash: req.hashInput(),
		Name: req.Name, TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
		Roles: req.Roles, ExternalID: req.ExternalID,
		MFAPhoneNumber: req.MFAPhoneNumber, MFAPhoneVerified: req.SetPhoneNumberVerified,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bPasswordsMigrateResponse{
		MemberID: res.Member.ID, MemberCreated: res.Created,
		Member: toMemberJSON(res.Member), Organization: toOrganizationJSON(res.Organization),
	})
}

type (
	b2bPasswordsEmailResetStartRequest struct {
		OrganizationID                 string `json:"organization_id"`
		EmailAddress                   string `json:"email_address"`
		ResetPasswordRedirectURL       string `json:"reset_password_redirect_url"`
		ResetPasswordExpirationMinutes *int64 `json:"reset_password_expiration_minutes"`
		CodeChallenge                  string `json:"code_challenge"`
		LoginRedirectURL               string `json:"login_redirect_url"`
		Locale                         string `json:"locale"`
		// Template IDs are accepted and ignored: Latch sends its
		// built-in email.
		ResetPasswordTemplateID string `json:"reset_password_template_id"`
		VerifyEmailTemplateID   string `json:"verify_email_template_id"`
	}
	b2bPasswordsEmailResetStartResponse struct {
		envelope
		MemberID string `json:"member_id"`
		// MemberEmailID is "": members have no email records of their own
		// (see the B2B factors' email_id).
		MemberEmailID string     `json:"member_email_id"`
		Member        memberJSON `json:"member"`
	}
)

func (h *handler) b2bPasswordsEmailResetStart(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsEmailResetStartRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.ResetPasswordExpirationMinutes, "reset_password_expiration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetStartMember(r.Context(), projectOf(r), passwords.MemberResetStartInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress, RedirectURL: req.ResetPasswordRedirectURL,
		LoginURL: req.LoginRedirectURL, Minutes: minutes, CodeChallenge: req.CodeChallenge, Locale: req.Locale,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bPasswordsEmailResetStartResponse{MemberID: res.Member.ID, Member: toMemberJSON(res.Member)})
}

type (
	b2bPasswordsEmailResetRequest struct {
		PasswordResetToken string `json:"password_reset_token"`
		Password           string `json:"password"`
		CodeVerifier       string `json:"code_verifier"`
		// IntermediateSessionToken is accepted and not used, as in
		// b2bPasswordsAuthenticateRequest.
		IntermediateSessionToken string `json:"intermediate_session_token"`
		memberSessionRequest
	}
	b2bPasswordsEmailResetResponse struct {
		envelope
		memberLogin
		MemberEmailID  string `json:"member_email_id"`
		OrganizationID string `json:"organization_id"`
	}
)

func (h *handler) b2bPasswordsEmailReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsEmailResetRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetMemberByEmail(r.Context(), projectOf(r), passwords.MemberResetByEmailInput{
		Token: req.PasswordResetToken, Password: req.Password, CodeVerifier: req.CodeVerifier, Session: sess,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bPasswordsEmailResetResponse{memberLogin: toMemberLogin(res), OrganizationID: res.Organization.ID})
}

type b2bPasswordsExistingPasswordResetRequest struct {
	OrganizationID   string `json:"organization_id"`
	EmailAddress     string `json:"email_address"`
	ExistingPassword string `json:"existing_password"`
	NewPassword      string `json:"new_password"`
	memberSessionRequest
}

func (h *handler) b2bPasswordsExistingPasswordReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsExistingPasswordResetRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetMemberByExisting(r.Context(), projectOf(r), passwords.MemberResetByExistingInput{
		OrganizationID: req.OrganizationID, Email: req.EmailAddress,
		ExistingPassword: req.ExistingPassword, NewPassword: req.NewPassword, Session: sess,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}

type b2bPasswordsSessionResetRequest struct {
	OrganizationID string `json:"organization_id"`
	Password       string `json:"password"`
	memberSessionRequest
}

func (h *handler) b2bPasswordsSessionReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[b2bPasswordsSessionResetRequest](w, r)
	if err != nil {
		return err
	}
	sess, err := req.input()
	if err != nil {
		return err
	}
	res, err := h.Passwords.ResetMemberBySession(r.Context(), projectOf(r), passwords.MemberResetBySessionInput{
		OrganizationID: req.OrganizationID, Password: req.Password,
		SessionToken: sess.SessionToken, SessionJWT: sess.SessionJWT,
		DurationMinutes: sess.DurationMinutes, CustomClaims: sess.CustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &b2bLoginResponse{memberLogin: toMemberLogin(res)})
}

// membersDeletePassword serves DELETE
// …/members/passwords/{member_password_id} (through membersDeleteFactor).
// A member session may delete its own password (stytch.self) or, with
// stytch.member, another member's.
func (h *handler) membersDeletePassword(w http.ResponseWriter, r *http.Request, passwordID string) error {
	orgID := r.PathValue("organization_id")
	a, err := h.authorizeOrganization(r, orgID)
	if err != nil {
		return err
	}
	var authorize func(memberID string) error
	if a != nil {
		authorize = func(memberID string) error {
			return organization.AuthorizeMemberAction(a.Member, memberID, organization.ActionMemberDeletePassword)
		}
	}
	m, o, err := h.Passwords.DeleteMember(r.Context(), projectOf(r), orgID, passwordID, authorize)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}
