package api_test

import (
	"regexp"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchauth/latch/internal/auth"
)

func init() {
	// Before the consumer password scrubber, which would match inside.
	scrubbers = append([]struct {
		re   *regexp.Regexp
		with string
	}{{regexp.MustCompile(`\bmember-password-(test|live)-[0-9a-f-]{36}\b`), "<member-password-id>"}}, scrubbers...)
}

// TestB2BPasswordsGolden pins the B2B password endpoints: a reset by email
// that sets a member's first password, a login, the refusals, the resets
// by existing password and by session, strength check and migrate.
func TestB2BPasswordsGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const newPassword = "Another-long-passphrase-for-ada-42"
	o := s.NewOrganization(t, s.Project, "Acme", nil)
	s.NewMember(t, o, "ada@acme.com", auth.MemberActive)
	links := s.NewOrganization(t, s.Project, "Links Only", func(o *auth.Organization) {
		o.AuthMethods, o.AllowedAuthMethods = auth.Restricted, []string{"magic_link"}
	})
	s.NewMember(t, links, "ada@acme.com", auth.MemberActive)

	golden(t, "b2b_passwords_email_reset_start/ok", s.do(t, "POST", "/v1/b2b/passwords/email/reset/start", map[string]any{
		"organization_id": o.ID, "email_address": "ada@acme.com", "reset_password_expiration_minutes": 60,
	}))
	_, tok := s.LastLink(t)
	golden(t, "b2b_passwords_email_reset_start/not_allowed", s.do(t, "POST", "/v1/b2b/passwords/email/reset/start", map[string]any{
		"organization_id": o.ID, "email_address": "eve@evil.com",
	}))
	golden(t, "b2b_passwords_email_reset/weak", s.do(t, "POST", "/v1/b2b/passwords/email/reset", map[string]any{"password_reset_token": tok, "password": "password1"}))
	golden(t, "b2b_passwords_email_reset/ok", s.do(t, "POST", "/v1/b2b/passwords/email/reset", map[string]any{"password_reset_token": tok, "password": strongPassword}))
	golden(t, "b2b_passwords_email_reset/used", s.do(t, "POST", "/v1/b2b/passwords/email/reset", map[string]any{"password_reset_token": tok, "password": strongPassword}))

	login := ok(t, s.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "ada@acme.com", "password": strongPassword, "session_duration_minutes": 30,
	}))
	golden(t, "b2b_passwords_authenticate/ok", login)
	golden(t, "b2b_passwords_authenticate/wrong_password", s.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "ada@acme.com", "password": newPassword,
	}))
	golden(t, "b2b_passwords_authenticate/restricted", s.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
		"organization_id": links.ID, "email_address": "ada@acme.com", "password": strongPassword,
	}))
	golden(t, "b2b_passwords_authenticate/malformed", s.do(t, "POST", "/v1/b2b/passwords/authenticate", `{"organization_id": 7}`))

	golden(t, "b2b_passwords_existing_password_reset/ok", s.do(t, "POST", "/v1/b2b/passwords/existing_password/reset", map[string]any{
		"organization_id": o.ID, "email_address": "ada@acme.com", "existing_password": strongPassword, "new_password": newPassword,
	}))
	golden(t, "b2b_sessions_authenticate/revoked_by_password_reset", s.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": login.Body["session_token"]}))
	again := ok(t, s.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "ada@acme.com", "password": newPassword,
	}))
	golden(t, "b2b_passwords_session_reset/ok", s.do(t, "POST", "/v1/b2b/passwords/session/reset", map[string]any{
		"organization_id": o.ID, "password": strongPassword, "session_token": again.Body["session_token"],
	}))
	golden(t, "b2b_passwords_session_reset/other_organization", s.do(t, "POST", "/v1/b2b/passwords/session/reset", map[string]any{
		"organization_id": links.ID, "password": strongPassword, "session_token": again.Body["session_token"],
	}))

	golden(t, "b2b_passwords_strength_check/weak", s.do(t, "POST", "/v1/b2b/passwords/strength_check", map[string]any{"password": "ada1234", "email_address": "ada@acme.com"}))
	h, err := bcrypt.GenerateFromPassword([]byte("old-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "b2b_passwords_migrate/new_member", s.do(t, "POST", "/v1/b2b/passwords/migrate", map[string]any{
		"organization_id": o.ID, "email_address": "grace@acme.com", "hash": string(h), "hash_type": "bcrypt",
		"name": "Grace", "roles": []string{"stytch_admin"}, "trusted_metadata": map[string]any{"plan": "pro"},
	}))
	golden(t, "b2b_passwords_migrate/invalid_hash", s.do(t, "POST", "/v1/b2b/passwords/migrate", map[string]any{
		"organization_id": o.ID, "email_address": "grace@acme.com", "hash": "nope", "hash_type": "bcrypt",
	}))

	// In an organization requiring MFA, a password login stops with an
	// intermediate session (session.AttachMember decides).
	strict := s.NewOrganization(t, s.Project, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	s.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
	ok(t, s.do(t, "POST", "/v1/b2b/passwords/email/reset/start", map[string]any{"organization_id": strict.ID, "email_address": "ada@acme.com"}))
	_, tok = s.LastLink(t)
	ok(t, s.do(t, "POST", "/v1/b2b/passwords/email/reset", map[string]any{"password_reset_token": tok, "password": strongPassword}))
	golden(t, "b2b_passwords_authenticate/mfa_required", s.do(t, "POST", "/v1/b2b/passwords/authenticate", map[string]any{
		"organization_id": strict.ID, "email_address": "ada@acme.com", "password": strongPassword,
	}))
}
