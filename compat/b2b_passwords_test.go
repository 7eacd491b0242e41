package compat

import (
	"net/url"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bpasswords "github.com/stytchauth/stytch-go/v16/stytch/b2b/passwords"
	b2bpwemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/passwords/email"
	b2bpwexisting "github.com/stytchauth/stytch-go/v16/stytch/b2b/passwords/existingpassword"
	b2bpwsession "github.com/stytchauth/stytch-go/v16/stytch/b2b/passwords/session"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// checkMemberResetLink checks a B2B password reset link: the allowlisted
// URL with stytch_redirect_type=reset_password,
// stytch_token_type=multi_tenant_passwords and a token, which it returns.
func checkMemberResetLink(tb testing.TB, m message) string {
	tb.Helper()
	u, err := url.Parse(m.Link)
	if err != nil {
		tb.Fatalf("link %q: %v", m.Link, err)
	}
	q := u.Query()
	u.RawQuery = ""
	if u.String() != appURL || len(q) != 3 || q.Get("stytch_redirect_type") != "reset_password" ||
		q.Get("stytch_token_type") != "multi_tenant_passwords" || q.Get("token") == "" {
		tb.Fatalf("member reset link %q", m.Link)
	}
	return q.Get("token")
}

// b2bPasswordLoginFields are the Python SDK's required fields of the B2B
// password logins (authenticate, and the three resets).
var b2bPasswordLoginFields = fields(envelopeFields, []field{
	{"member_id", nonEmpty, nil}, {"session_token", str, nil}, {"session_jwt", str, nil},
	{"member_authenticated", boolean, nil}, {"intermediate_session_token", str, nil},
	{"member.member_password_id", nonEmpty, nil},
}, withMemberAndOrganization)

func TestB2BPasswords(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		ctx := t.Context()
		o := newOrg(t, e, "Passwords", organizations.CreateParams{})
		addr := "ada@" + newDomain(t)
		created := newMember(t, e, o.OrganizationID, addr, members.CreateParams{})
		if created.Member.MemberPasswordID != "" {
			t.Fatalf("new member has member_password_id %q", created.Member.MemberPasswordID)
		}

		// No password yet: refused as a wrong password is.
		_, err := e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")

		// Reset by email sets the first password, end to end from the inbox.
		m := sendAndRead(t, e.srv, addr, func() {
			res, err := e.c.Passwords.Email.ResetStart(ctx, &b2bpwemail.ResetStartParams{
				OrganizationID: o.OrganizationID, EmailAddress: addr, ResetPasswordRedirectURL: appURL,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.MemberID != created.MemberID || res.Member.MemberID != created.MemberID {
				t.Errorf("reset_start = %+v", res)
			}
		})
		tok := checkMemberResetLink(t, m)
		_, err = e.c.Passwords.Email.Reset(ctx, &b2bpwemail.ResetParams{PasswordResetToken: tok, Password: "password1"})
		wantError(t, err, 400, "weak_password")
		reset, err := e.c.Passwords.Email.Reset(ctx, &b2bpwemail.ResetParams{PasswordResetToken: tok, Password: strongPassword, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if reset.MemberID != created.MemberID || !reset.MemberAuthenticated || reset.MemberSession == nil || reset.SessionToken == "" ||
			reset.Member.MemberPasswordID == "" || reset.OrganizationID != o.OrganizationID || reset.IntermediateSessionToken != "" {
			t.Fatalf("email reset = %+v", reset)
		}
		_, err = e.c.Passwords.Email.Reset(ctx, &b2bpwemail.ResetParams{PasswordResetToken: tok, Password: strongPassword})
		wantError(t, err, 401, "unable_to_auth_password_reset_token")

		login, err := e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{
			OrganizationID: o.OrganizationID, EmailAddress: addr, Password: strongPassword, SessionDurationMinutes: 60,
		})
		if err != nil {
			t.Fatal(err)
		}
		if login.MemberID != created.MemberID || !login.MemberAuthenticated || login.MemberSession == nil ||
			len(login.MemberSession.AuthenticationFactors) != 1 || login.MemberSession.AuthenticationFactors[0].Type != "password" {
			t.Fatalf("authenticate = %+v", login)
		}
		if _, err := e.c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: login.SessionJWT}); err != nil {
			t.Errorf("member session from the password login: %v", err)
		}
		_, err = e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: newPassword})
		wantError(t, err, 401, "unauthorized_credentials")

		// Existing-password reset revokes the other sessions; the session
		// it starts may then reset by session.
		ex, err := e.c.Passwords.ExistingPassword.Reset(ctx, &b2bpwexisting.ResetParams{
			OrganizationID: o.OrganizationID, EmailAddress: addr, ExistingPassword: strongPassword, NewPassword: newPassword,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: login.SessionToken})
		wantError(t, err, 404, "session_not_found")
		// The new password logs in, the old one no longer does.
		if nl, err := e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: newPassword}); err != nil {
			t.Errorf("login with the new password after the existing-password reset: %v", err)
		} else if nl.MemberID != created.MemberID {
			t.Errorf("login with the new password = member %q, want %q", nl.MemberID, created.MemberID)
		}
		_, err = e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")
		sr, err := e.c.Passwords.Sessions.Reset(ctx, &b2bpwsession.ResetParams{OrganizationID: o.OrganizationID, Password: strongPassword, SessionToken: ex.SessionToken})
		if err != nil {
			t.Fatal(err)
		}
		if sr.MemberSession == nil || sr.MemberSession.MemberSessionID != ex.MemberSession.MemberSessionID {
			t.Errorf("session reset = %+v", sr)
		}
		if _, err := e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: strongPassword}); err != nil {
			t.Errorf("login after the session reset: %v", err)
		}

		strength, err := e.c.Passwords.StrengthCheck(ctx, &b2bpasswords.StrengthCheckParams{Password: "password1", EmailAddress: addr})
		if err != nil || strength.ValidPassword || strength.StrengthPolicy != "zxcvbn" || strength.ZxcvbnFeedback == nil || strength.LudsFeedback != nil {
			t.Errorf("strength_check = %+v, %v", strength, err)
		}

		// Python-strict fields, read with plain HTTP.
		r := rawJSON(t, e.srv, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
			"organization_id": o.OrganizationID, "email_address": addr, "password": strongPassword,
		})
		checkFields(t, "b2b passwords.authenticate", strictOK(t, r, "b2b passwords.authenticate", 200), fields(b2bPasswordLoginFields, withMemberSession))
		r = rawJSON(t, e.srv, "POST", "/v1/b2b/passwords/strength_check", map[string]any{"password": strongPassword})
		checkFields(t, "b2b passwords.strength_check", strictOK(t, r, "b2b passwords.strength_check", 200), fields(envelopeFields, []field{
			{"valid_password", boolean, nil}, {"score", number, nil}, {"breached_password", boolean, nil},
			{"strength_policy", nonEmpty, nil}, {"breach_detection_on_create", boolean, nil},
		}))
		r = rawJSON(t, e.srv, "POST", "/v1/b2b/passwords/email/reset/start", map[string]any{"organization_id": o.OrganizationID, "email_address": addr})
		checkFields(t, "b2b passwords.email.reset_start", strictOK(t, r, "b2b passwords.email.reset_start", 200), fields(envelopeFields, []field{
			{"member_id", nonEmpty, nil}, {"member_email_id", str, nil}, {"member", object, nil},
		}, under("member", memberFields)))
	})
}

func TestB2BPasswordsRestrictedAndMigrated(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		ctx := t.Context()
		o := newOrg(t, e, "Links", organizations.CreateParams{AuthMethods: restricted, AllowedAuthMethods: []string{"magic_link"}})
		addr := "grace@" + newDomain(t)
		h, err := bcrypt.GenerateFromPassword([]byte("legacy-secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		mig, err := e.c.Passwords.Migrate(ctx, &b2bpasswords.MigrateParams{
			OrganizationID: o.OrganizationID, EmailAddress: addr, Hash: string(h), HashType: b2bpasswords.MigrateRequestHashTypeBcrypt,
			Name: "Grace", Roles: []string{roleAdmin},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !mig.MemberCreated || mig.Member.MemberPasswordID == "" || mig.Member.Name != "Grace" || !mig.Member.IsAdmin || mig.Organization.OrganizationID != o.OrganizationID {
			t.Fatalf("migrate = %+v", mig)
		}
		// The organization allows only magic links: the imported password
		// exists but may not log in, nor be reset.
		_, err = e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: "legacy-secret"})
		wantError(t, err, 400, "operation_restricted_by_organization_auth_methods")
		_, err = e.c.Passwords.Email.ResetStart(ctx, &b2bpwemail.ResetStartParams{OrganizationID: o.OrganizationID, EmailAddress: addr})
		wantError(t, err, 400, "operation_restricted_by_organization_auth_methods")
		noMail(t, e.srv, addr, "a refused reset start")

		// Once passwords are allowed, the imported hash logs in.
		if _, err := e.c.Organizations.Update(ctx, &organizations.UpdateParams{
			OrganizationID: o.OrganizationID, AuthMethods: allAllowed,
		}); err != nil {
			t.Fatal(err)
		}
		login, err := e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Password: "legacy-secret"})
		if err != nil || login.MemberID != mig.MemberID || login.SessionToken == "" {
			t.Fatalf("login with the migrated password = %+v, %v", login, err)
		}
		_, err = e.c.Passwords.Migrate(ctx, &b2bpasswords.MigrateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Hash: "nope", HashType: b2bpasswords.MigrateRequestHashTypeBcrypt})
		wantError(t, err, 400, "invalid_bcrypt_hash")
	})
}
