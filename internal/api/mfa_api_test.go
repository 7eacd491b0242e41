package api_test

import (
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/totp"
)

// TestB2BMFAGolden pins a login that stops for MFA: the magic link
// authenticate with an intermediate session token and mfa_required, the
// discovered organization that reports it, a TOTP code that completes it,
// and the refusals of a spent token, another member's token and a method
// the organization does not allow.
func TestB2BMFAGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := s.NewOrganization(t, s.Project, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
	smsOnly := s.NewOrganization(t, s.Project, "SMS only", func(o *auth.Organization) {
		o.MFAPolicy, o.MFAMethods, o.AllowedMFAMethods = auth.MFAPolicyRequiredForAll, auth.Restricted, []string{"sms_otp"}
	})
	ada := s.NewMember(t, o, "ada@acme.com", auth.MemberActive)
	s.NewMember(t, o, "bob@acme.com", auth.MemberActive)
	tom := s.NewMember(t, smsOnly, "tom@acme.com", auth.MemberActive)
	login := func(orgID, email string) response {
		t.Helper()
		ok(t, s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": orgID, "email_address": email}))
		_, tok := s.LastLink(t)
		return s.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok})
	}

	first := login(o.ID, "ada@acme.com")
	golden(t, "b2b_magic_links_authenticate/mfa_enrollment_required", first)
	ist := first.Body["intermediate_session_token"].(string)
	created := ok(t, s.do(t, "POST", "/v1/b2b/totp", map[string]any{"organization_id": o.ID, "member_id": ada.ID, "intermediate_session_token": ist}))
	secret := created.Body["secret"].(string)
	golden(t, "b2b_totp_authenticate/completes_mfa", s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": totpCode(t, secret, s.Clock.Now()), "intermediate_session_token": ist,
	}))
	s.Clock.Advance(totp.Period)
	golden(t, "b2b_totp_authenticate/spent_intermediate_session", s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": totpCode(t, secret, s.Clock.Now()), "intermediate_session_token": ist,
	}))

	// Enrolled now: the next login offers the registration.
	golden(t, "b2b_magic_links_authenticate/mfa_required", login(o.ID, "ada@acme.com"))
	bobIST := login(o.ID, "bob@acme.com").Body["intermediate_session_token"].(string)
	golden(t, "b2b_totp_authenticate/other_members_intermediate_session", s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": o.ID, "member_id": ada.ID, "code": totpCode(t, secret, s.Clock.Now()), "intermediate_session_token": bobIST,
	}))

	tomIST := login(smsOnly.ID, "tom@acme.com").Body["intermediate_session_token"].(string)
	tomReg := ok(t, s.do(t, "POST", "/v1/b2b/totp", map[string]any{"organization_id": smsOnly.ID, "member_id": tom.ID}))
	golden(t, "b2b_totp_authenticate/method_not_allowed", s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": smsOnly.ID, "member_id": tom.ID, "code": totpCode(t, tomReg.Body["secret"].(string), s.Clock.Now()),
		"intermediate_session_token": tomIST,
	}))

	// Discovery reports the requirement without sending anything.
	ok(t, s.do(t, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": "ada@acme.com"}))
	_, tok := s.LastLink(t)
	disc := ok(t, s.do(t, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": tok}))
	golden(t, "b2b_magic_links_discovery_authenticate/mfa_required", disc)
	golden(t, "b2b_discovery_intermediate_sessions_exchange/mfa_required", s.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
		"intermediate_session_token": disc.Body["intermediate_session_token"], "organization_id": o.ID,
	}))
}
