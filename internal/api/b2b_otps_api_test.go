package api_test

import (
	"regexp"
	"testing"

	"github.com/latchauth/latch/internal/auth"
)

var otpCodeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastOTP reads the passcode from the newest email, as a user would.
func (s *server) lastOTP(t *testing.T) string {
	t.Helper()
	m, found := s.Mail.Last()
	if !found {
		t.Fatal("no email sent")
	}
	c := otpCodeRE.FindString(m.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return c
}

// TestB2BOTPsEmailGolden pins B2B email passcodes: login_or_signup and
// authenticate into an organization (JIT signup, then a login that stops
// for MFA), the refusals, and discovery.
func TestB2BOTPsEmailGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := s.NewOrganization(t, s.Project, "Acme", func(o *auth.Organization) {
		o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
	})
	strict := s.NewOrganization(t, s.Project, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	s.NewMember(t, strict, "new@acme.com", auth.MemberActive)

	golden(t, "b2b_otps_email_login_or_signup/jit_member", s.do(t, "POST", "/v1/b2b/otps/email/login_or_signup", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com", "login_template_id": "ignored",
	}))
	code := s.lastOTP(t)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	golden(t, "b2b_otps_email_authenticate/wrong_code", s.do(t, "POST", "/v1/b2b/otps/email/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com", "code": wrong,
	}))
	golden(t, "b2b_otps_email_authenticate/signup", s.do(t, "POST", "/v1/b2b/otps/email/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com", "code": code, "session_duration_minutes": 30,
	}))
	golden(t, "b2b_otps_email_authenticate/reused", s.do(t, "POST", "/v1/b2b/otps/email/authenticate", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com", "code": code,
	}))
	golden(t, "b2b_otps_email_login_or_signup/other_domain", s.do(t, "POST", "/v1/b2b/otps/email/login_or_signup", map[string]any{
		"organization_id": o.ID, "email_address": "eve@evil.com",
	}))
	golden(t, "b2b_otps_email_login_or_signup/invalid_expiration", s.do(t, "POST", "/v1/b2b/otps/email/login_or_signup", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com", "login_expiration_minutes": 30,
	}))

	ok(t, s.do(t, "POST", "/v1/b2b/otps/email/login_or_signup", map[string]any{"organization_id": strict.ID, "email_address": "new@acme.com"}))
	golden(t, "b2b_otps_email_authenticate/mfa_required", s.do(t, "POST", "/v1/b2b/otps/email/authenticate", map[string]any{
		"organization_id": strict.ID, "email_address": "new@acme.com", "code": s.lastOTP(t),
	}))

	golden(t, "b2b_otps_email_discovery_send/ok", s.do(t, "POST", "/v1/b2b/otps/email/discovery/send", map[string]any{"email_address": "new@acme.com"}))
	golden(t, "b2b_otps_email_discovery_authenticate/two_organizations", s.do(t, "POST", "/v1/b2b/otps/email/discovery/authenticate", map[string]any{
		"email_address": "new@acme.com", "code": s.lastOTP(t),
	}))
	golden(t, "b2b_otps_email_discovery_authenticate/no_code", s.do(t, "POST", "/v1/b2b/otps/email/discovery/authenticate", map[string]any{
		"email_address": "other@acme.com", "code": "123456",
	}))
}
