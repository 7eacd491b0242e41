package compat

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/passwords"
	pwemail "github.com/stytchauth/stytch-go/v16/stytch/consumer/passwords/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/passwords/existingpassword"
	pwsession "github.com/stytchauth/stytch-go/v16/stytch/consumer/passwords/session"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"
)

const newPassword = "Another-long-passphrase-for-ada-42"

// resetFields are the required fields of the Python SDK's passwords reset
// responses (email, existing_password and session alike).
var resetFields = fields(envelopeFields, []field{
	{"user_id", nonEmpty, nil}, {"session_token", str, nil}, {"session_jwt", str, nil}, {"user", object, nil},
}, under("user", userFields))

// checkResetLink checks that a reset email's link is the allowlisted URL
// with stytch_token_type=reset_password and a token, and returns the token.
func checkResetLink(tb testing.TB, m message) string {
	tb.Helper()
	u, err := url.Parse(m.Link)
	if err != nil {
		tb.Fatalf("link %q: %v", m.Link, err)
	}
	q := u.Query()
	u.RawQuery = ""
	if u.String() != appURL || len(q) != 2 || q.Get("stytch_token_type") != "reset_password" || q.Get("token") == "" {
		tb.Fatalf("reset link %q, want %s?stytch_token_type=reset_password&token=…", m.Link, appURL)
	}
	return q.Get("token")
}

func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "reset")
		created, err := e.client.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: strongPassword, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}

		start, err := e.client.Passwords.Email.ResetStart(ctx, &pwemail.ResetStartParams{
			Email: addr, ResetPasswordRedirectURL: appURL, ResetPasswordExpirationMinutes: 30,
			Locale: ptrTo(pwemail.ResetStartRequestLocaleEn),
		})
		if err != nil {
			t.Fatal(err)
		}
		if start.UserID != created.UserID || start.EmailID != created.EmailID || start.StatusCode != 200 {
			t.Fatalf("ResetStart = %+v", start)
		}
		tok := checkResetLink(t, waitMessage(t, e.srv, addr, 1))

		_, err = e.client.Passwords.Email.Reset(ctx, &pwemail.ResetParams{Token: tok, Password: "password1"})
		wantError(t, err, 400, "weak_password")
		res, err := e.client.Passwords.Email.Reset(ctx, &pwemail.ResetParams{Token: tok, Password: newPassword, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != created.UserID || res.SessionToken == "" || res.SessionJWT == "" || res.Session == nil || !res.User.Emails[0].Verified {
			t.Fatalf("Reset = %+v", res)
		}
		if _, err := e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: res.SessionToken}); err != nil {
			t.Errorf("session from the reset: %v", err)
		}
		// The reset revoked the session create started.
		_, err = e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: created.SessionToken})
		wantError(t, err, 404, "session_not_found")

		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")
		login, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: newPassword, SessionDurationMinutes: 5})
		if err != nil || login.UserID != created.UserID {
			t.Fatalf("login with the new password: %+v, %v", login, err)
		}

		_, err = e.client.Passwords.Email.Reset(ctx, &pwemail.ResetParams{Token: tok, Password: newPassword + "!"})
		wantError(t, err, 401, "unable_to_auth_password_reset_token")
		_, err = e.client.Passwords.Email.ResetStart(ctx, &pwemail.ResetStartParams{Email: newEmail(t, "nobody")})
		wantError(t, err, 404, "email_not_found")
		_, err = e.client.Passwords.Email.ResetStart(ctx, &pwemail.ResetStartParams{Email: addr, ResetPasswordRedirectURL: "https://evil.example/reset"})
		wantError(t, err, 400, "no_match_for_provided_magic_link_url")

		// Python-strict: every required field present and typed, with and
		// without a session.
		rs := rawJSON(t, e.srv, "POST", "/v1/passwords/email/reset/start", map[string]any{"email": addr})
		checkFields(t, "passwords.email.reset_start", strictOK(t, rs, "passwords.email.reset_start", 200), fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"email_id", nonEmpty, nil},
		}))
		tok = checkResetLink(t, waitMessage(t, e.srv, addr, 2))
		r := rawJSON(t, e.srv, "POST", "/v1/passwords/email/reset", map[string]any{"token": tok, "password": strongPassword})
		body := strictOK(t, r, "passwords.email.reset", 200)
		checkFields(t, "passwords.email.reset", body, resetFields)
		if body["session_token"] != "" || body["session_jwt"] != "" {
			t.Errorf("reset without a session: session_token %#v, session_jwt %#v; want \"\"", body["session_token"], body["session_jwt"])
		}
	})
}

func TestPasswordResetByExistingPasswordAndSession(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "change")
		created, err := e.client.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: strongPassword, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}

		_, err = e.client.Passwords.ExistingPassword.Reset(ctx, &existingpassword.ResetParams{Email: addr, ExistingPassword: "wrong", NewPassword: newPassword})
		wantError(t, err, 401, "unauthorized_credentials")
		_, err = e.client.Passwords.ExistingPassword.Reset(ctx, &existingpassword.ResetParams{Email: addr, ExistingPassword: strongPassword, NewPassword: "password1"})
		wantError(t, err, 400, "weak_password")
		ex, err := e.client.Passwords.ExistingPassword.Reset(ctx, &existingpassword.ResetParams{
			Email: addr, ExistingPassword: strongPassword, NewPassword: newPassword, SessionDurationMinutes: 30,
		})
		if err != nil {
			t.Fatal(err)
		}
		if ex.UserID != created.UserID || ex.SessionToken == "" || ex.Session == nil {
			t.Fatalf("existing_password reset = %+v", ex)
		}
		_, err = e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: created.SessionToken})
		wantError(t, err, 404, "session_not_found")
		// The new password logs in, the old one no longer does.
		if nl, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: newPassword}); err != nil {
			t.Errorf("login with the new password after the existing-password reset: %v", err)
		} else if nl.UserID != created.UserID {
			t.Errorf("login with the new password = user %q, want %q", nl.UserID, created.UserID)
		}
		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")

		// The session the reset started authenticated with a password
		// moments ago, so it may reset the password again.
		sr, err := e.client.Passwords.Sessions.Reset(ctx, &pwsession.ResetParams{Password: strongPassword, SessionToken: ex.SessionToken, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		if sr.UserID != created.UserID || sr.Session == nil || sr.Session.SessionID != ex.Session.SessionID || sr.SessionToken != ex.SessionToken {
			t.Fatalf("session reset = %+v", sr)
		}
		if _, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: strongPassword}); err != nil {
			t.Errorf("login after the session reset: %v", err)
		}
		_, err = e.client.Passwords.Sessions.Reset(ctx, &pwsession.ResetParams{Password: newPassword, SessionToken: created.SessionToken})
		wantError(t, err, 404, "session_not_found")
		_, err = e.client.Passwords.Sessions.Reset(ctx, &pwsession.ResetParams{Password: newPassword})
		wantError(t, err, 400, "no_session_arguments")

		// Python-strict, by JWT this time.
		r := rawJSON(t, e.srv, "POST", "/v1/passwords/session/reset", map[string]any{"password": newPassword, "session_jwt": sr.SessionJWT})
		checkFields(t, "passwords.session.reset", strictOK(t, r, "passwords.session.reset", 200), fields(resetFields, []field{{"session", object, nil}}, under("session", sessionFields)))
		r = rawJSON(t, e.srv, "POST", "/v1/passwords/existing_password/reset", map[string]any{
			"email": addr, "existing_password": newPassword, "new_password": strongPassword,
		})
		checkFields(t, "passwords.existing_password.reset", strictOK(t, r, "passwords.existing_password.reset", 200), resetFields)
	})
}

func ptrTo[T any](v T) *T { return &v }

// TestPasswordsLUDSPolicy sets a project's policy with the CLI, as an
// operator does, and checks that strength_check, create and the resets
// apply it. The project is new to the server, so no cached copy hides the
// change.
func TestPasswordsLUDSPolicy(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		var creds struct {
			ProjectID string `json:"project_id"`
			Secret    string `json:"secret"`
		}
		if err := json.Unmarshal(e.srv.Run(t, "project", "create", "--name", "LUDS", "--json"), &creds); err != nil {
			t.Fatal(err)
		}
		out := e.srv.Run(t, "project", "password-policy", "--project", creds.ProjectID, "--policy", "luds", "--luds-min-length", "10", "--luds-min-char-types", "4")
		if !strings.Contains(string(out), "luds: at least 10 characters of 4 kinds") {
			t.Fatalf("password-policy: %s", out)
		}
		c, err := stytchapi.NewClient(creds.ProjectID, creds.Secret, stytchapi.WithBaseURI(e.srv.URL))
		if err != nil {
			t.Fatal(err)
		}

		weak, err := c.Passwords.StrengthCheck(ctx, &passwords.StrengthCheckParams{Password: "Abcdefg1"})
		if err != nil {
			t.Fatal(err)
		}
		l := weak.Feedback.LudsRequirements
		if weak.ValidPassword || weak.StrengthPolicy != "luds" || l == nil || l.MissingCharacters != 2 || l.MissingComplexity != 1 || !l.HasUpperCase || l.HasSymbol {
			t.Errorf("strength_check under LUDS = %+v (luds_requirements %+v)", weak, l)
		}
		addr := newEmail(t, "luds")
		_, err = c.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: "Abcdefg1"})
		wantError(t, err, 400, "weak_password")
		if _, err := c.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: "Abcdefg12!"}); err != nil {
			t.Fatalf("create with a LUDS 10/4 password: %v", err)
		}
		_, err = c.Passwords.ExistingPassword.Reset(ctx, &existingpassword.ResetParams{Email: addr, ExistingPassword: "Abcdefg12!", NewPassword: "abcdefghijkl"})
		wantError(t, err, 400, "weak_password")
	})
}

// TestPasswordRequiresResetAfterMagicLink is Stytch's deduplication rule
// through the SDK: a password account whose address is first proved by a
// magic link must reset its password, and the user says so.
func TestPasswordRequiresResetAfterMagicLink(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "dedup")
		created, err := e.client.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: strongPassword})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.MagicLinks.Email.LoginOrCreate(ctx, &mlemail.LoginOrCreateParams{Email: addr}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: waitMessage(t, e.srv, addr, 1).Token}); err != nil {
			t.Fatal(err)
		}
		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: strongPassword})
		wantError(t, err, 400, "reset_password")
		u, err := e.client.Users.Get(ctx, &users.GetParams{UserID: created.UserID})
		if err != nil || u.Password == nil || !u.Password.RequiresReset {
			t.Fatalf("user after the magic link: password %+v, %v; want requires_reset", u.Password, err)
		}
		tok := checkResetLink(t, sendAndRead(t, e.srv, addr, func() {
			if _, err := e.client.Passwords.Email.ResetStart(ctx, &pwemail.ResetStartParams{Email: addr}); err != nil {
				t.Fatal(err)
			}
		}))
		if _, err := e.client.Passwords.Email.Reset(ctx, &pwemail.ResetParams{Token: tok, Password: newPassword}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: newPassword}); err != nil {
			t.Errorf("login after the reset: %v", err)
		}
	})
}
