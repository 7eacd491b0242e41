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

// lastText reads the passcode from the newest message, a text to number.
func (s *server) lastText(t *testing.T, number string) string {
	t.Helper()
	m, found := s.Mail.Last()
	if !found || m.Channel != auth.ChannelSMS || m.To != number {
		t.Fatalf("last message %+v, want a text to %s", m, number)
	}
	return s.lastOTP(t)
}

// TestB2BOTPsSMSGolden pins B2B SMS passcodes: a login into an
// organization requiring MFA that texts the member at once
// (secondary_auth_initiated), the authenticate that completes it, send
// with a new number, and the refusals.
func TestB2BOTPsSMSGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := s.NewOrganization(t, s.Project, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	ada := s.NewMember(t, o, "ada@acme.com", auth.MemberActive)
	bob := s.NewMember(t, o, "bob@acme.com", auth.MemberActive)
	ok(t, s.do(t, "PUT", "/v1/b2b/organizations/"+o.ID+"/members/"+ada.ID, map[string]any{"mfa_phone_number": "+1 (415) 555-0100"}))

	ok(t, s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": o.ID, "email_address": "ada@acme.com"}))
	_, tok := s.LastLink(t)
	stopped := s.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok})
	golden(t, "b2b_magic_links_authenticate/mfa_sms_sent", stopped)
	code := s.lastText(t, "+14155550100")
	ist := stopped.Body["intermediate_session_token"].(string)
	golden(t, "b2b_otps_sms_authenticate/no_credentials", s.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": code,
	}))
	golden(t, "b2b_otps_sms_authenticate/completes_mfa", s.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": code, "intermediate_session_token": ist,
	}))
	golden(t, "b2b_otps_sms_authenticate/spent_intermediate_session", s.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": code, "intermediate_session_token": ist,
	}))

	golden(t, "b2b_otps_sms_send/no_phone", s.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{"organization_id": o.ID, "member_id": bob.ID}))
	golden(t, "b2b_otps_sms_send/new_phone", s.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{
		"organization_id": o.ID, "member_id": bob.ID, "mfa_phone_number": "+14155550101",
	}))
	golden(t, "b2b_otps_sms_send/other_phone", s.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{
		"organization_id": o.ID, "member_id": bob.ID, "mfa_phone_number": "+14155550199",
	}))
	golden(t, "b2b_otps_sms_send/invalid_phone", s.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "mfa_phone_number": "12345",
	}))
	// Changing the number with members.update lets a send use another.
	ok(t, s.do(t, "PUT", "/v1/b2b/organizations/"+o.ID+"/members/"+bob.ID, map[string]any{"mfa_phone_number": "+14155550199"}))
	ok(t, s.do(t, "POST", "/v1/b2b/otps/sms/send", map[string]any{"organization_id": o.ID, "member_id": bob.ID}))
	s.lastText(t, "+14155550199")
	golden(t, "b2b_otps_sms_authenticate/unknown_intermediate_session", s.do(t, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": bob.ID, "code": "000000", "intermediate_session_token": "not-a-token",
	}))
}
