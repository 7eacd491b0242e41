package api_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp"
	gototp "github.com/pquerna/otp/totp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/totp"
)

func init() {
	// Registration and recovery code IDs, secrets, QR codes and recovery
	// codes are random.
	for _, s := range []struct{ re, with string }{
		{`\b(member-totp|totp-recovery-code|totp)-(test|live)-[0-9a-f-]{36}\b`, "<$1-id>"},
		{`"secret":\s*"[A-Z2-7]{32}"`, `"secret": "<secret>"`},
		{`"data:image/png;base64,[A-Za-z0-9+/=]+"`, `"<qr-code>"`},
		{`"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}"`, `"<recovery-code>"`},
	} {
		scrubbers = append(scrubbers, struct {
			re   *regexp.Regexp
			with string
		}{regexp.MustCompile(s.re), s.with})
	}
}

// totpCode is the code an authenticator app shows for secret at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := gototp.GenerateCodeCustom(secret, at, gototp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestTOTPsGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	userID := ok(t, s.do(t, "POST", "/v1/magic_links/email/login_or_create", map[string]any{"email": "ada@example.com"})).Body["user_id"].(string)
	_, tok := s.LastLink(t)
	first := ok(t, s.do(t, "POST", "/v1/magic_links/authenticate", map[string]any{"token": tok, "session_duration_minutes": 60}))

	created := s.do(t, "POST", "/v1/totps", map[string]any{"user_id": userID, "expiration_minutes": 60})
	golden(t, "totps_create/ok", created)
	secret := created.Body["secret"].(string)
	codes := strs(created.Body["recovery_codes"])
	golden(t, "totps_create/invalid_expiration", s.do(t, "POST", "/v1/totps", map[string]any{"user_id": userID, "expiration_minutes": 2000}))

	now := s.Clock.Now()
	golden(t, "totps_authenticate/wrong_code", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{
		"user_id": userID, "totp_code": wrongCode(t, secret, now),
	}))
	golden(t, "totps_authenticate/malformed_code", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{"user_id": userID, "totp_code": "12345"}))
	golden(t, "totps_authenticate/with_session", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{
		"user_id": userID, "totp_code": totpCode(t, secret, now), "session_token": first.Body["session_token"],
	}))
	golden(t, "totps_authenticate/replayed", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{
		"user_id": userID, "totp_code": totpCode(t, secret, now),
	}))
	s.Clock.Advance(totp.Period)
	golden(t, "totps_authenticate/without_session", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{
		"user_id": userID, "totp_code": totpCode(t, secret, s.Clock.Now()),
	}))
	golden(t, "totps_create/active_totp_exists", s.do(t, "POST", "/v1/totps", map[string]any{"user_id": userID}))
	golden(t, "users_get/with_totp", s.do(t, "GET", "/v1/users/"+userID, nil))

	golden(t, "totps_recovery_codes/ok", s.do(t, "POST", "/v1/totps/recovery_codes", map[string]any{"user_id": userID}))
	golden(t, "totps_recover/new_session", s.do(t, "POST", "/v1/totps/recover", map[string]any{
		"user_id": userID, "recovery_code": codes[0], "session_duration_minutes": 30,
	}))
	golden(t, "totps_recover/used", s.do(t, "POST", "/v1/totps/recover", map[string]any{"user_id": userID, "recovery_code": codes[0]}))
	golden(t, "totps_recover/malformed", s.do(t, "POST", "/v1/totps/recover", map[string]any{"user_id": userID, "recovery_code": "nope"}))
	if n := len(ok(t, s.do(t, "POST", "/v1/totps/recovery_codes", map[string]any{"user_id": userID})).Body["totps"].([]any)[0].(map[string]any)["recovery_codes"].([]any)); n != 9 {
		t.Errorf("%d recovery codes after one recovery, want 9", n)
	}

	totpID := created.Body["totp_id"].(string)
	golden(t, "users_delete_totp/ok", s.do(t, "DELETE", "/v1/users/totps/"+totpID, nil))
	golden(t, "users_delete_totp/not_found", s.do(t, "DELETE", "/v1/users/totps/"+totpID, nil))
	golden(t, "totps_authenticate/totp_not_found", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{"user_id": userID, "totp_code": "123456"}))
	golden(t, "totps_recovery_codes/none", s.do(t, "POST", "/v1/totps/recovery_codes", map[string]any{"user_id": userID}))

	// Stytch's sandbox values.
	golden(t, "totps_authenticate/sandbox", s.do(t, "POST", "/v1/totps/authenticate", map[string]any{
		"user_id": auth.SandboxUserID, "totp_code": totp.SandboxCode,
	}))
}

// wrongCode returns a code that matches none of the steps near now.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222"} {
		if c != totpCode(t, secret, now) && c != totpCode(t, secret, now.Add(totp.Period)) && c != totpCode(t, secret, now.Add(-totp.Period)) {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

func TestB2BTOTPGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	org := ok(t, s.do(t, "POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Acme", "organization_slug": "acme"}))
	orgID := obj(org, "organization")["organization_id"].(string)
	memberID := obj(ok(t, s.do(t, "POST", "/v1/b2b/organizations/"+orgID+"/members", map[string]any{"email_address": "ada@acme.com"})), "member")["member_id"].(string)

	// The primary factor: a discovery magic link.
	ist := func() string {
		ok(t, s.do(t, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": "ada@acme.com"}))
		_, tok := s.LastLink(t)
		return ok(t, s.do(t, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": tok})).Body["intermediate_session_token"].(string)
	}

	created := s.do(t, "POST", "/v1/b2b/totp", map[string]any{"organization_id": orgID, "member_id": memberID})
	golden(t, "b2b_totp_create/ok", created)
	secret := created.Body["secret"].(string)
	codes := strs(created.Body["recovery_codes"])

	golden(t, "b2b_totp_authenticate/no_credentials", s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": orgID, "member_id": memberID, "code": totpCode(t, secret, s.Clock.Now()),
	}))
	auth1 := s.do(t, "POST", "/v1/b2b/totp/authenticate", map[string]any{
		"organization_id": orgID, "member_id": memberID, "code": totpCode(t, secret, s.Clock.Now()),
		"intermediate_session_token": ist(), "set_mfa_enrollment": "enroll",
	})
	golden(t, "b2b_totp_authenticate/intermediate_session", auth1)
	golden(t, "b2b_totp_create/active_totp_exists", s.do(t, "POST", "/v1/b2b/totp", map[string]any{"organization_id": orgID, "member_id": memberID}))

	golden(t, "b2b_recovery_codes_get/ok", s.do(t, "GET", "/v1/b2b/recovery_codes/"+orgID+"/"+memberID, nil))
	golden(t, "b2b_recovery_codes_recover/session", s.do(t, "POST", "/v1/b2b/recovery_codes/recover", map[string]any{
		"organization_id": orgID, "member_id": memberID, "recovery_code": codes[0], "session_token": auth1.Body["session_token"],
	}))
	golden(t, "b2b_recovery_codes_recover/used", s.do(t, "POST", "/v1/b2b/recovery_codes/recover", map[string]any{
		"organization_id": orgID, "member_id": memberID, "recovery_code": codes[0], "session_token": auth1.Body["session_token"],
	}))
	golden(t, "b2b_recovery_codes_rotate/ok", s.do(t, "POST", "/v1/b2b/recovery_codes/rotate", map[string]any{"organization_id": orgID, "member_id": memberID}))
	// A member may delete its own registration, acting with its session.
	golden(t, "b2b_members_delete_totp/ok", s.doAs(t, "DELETE", "/v1/b2b/organizations/"+orgID+"/members/"+memberID+"/totp", nil,
		[]string{"X-Stytch-Member-Session", auth1.Body["session_token"].(string)}))
	golden(t, "b2b_members_delete_totp/not_found", s.do(t, "DELETE", "/v1/b2b/organizations/"+orgID+"/members/"+memberID+"/totp", nil))
	golden(t, "b2b_recovery_codes_get/no_registration", s.do(t, "GET", "/v1/b2b/recovery_codes/"+orgID+"/"+
		obj(ok(t, s.do(t, "POST", "/v1/b2b/organizations/"+orgID+"/members", map[string]any{"email_address": "bob@acme.com"})), "member")["member_id"].(string), nil))
}
