package compat

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2brecoverycodes "github.com/stytchauth/stytch-go/v16/stytch/b2b/recoverycodes"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	b2btotps "github.com/stytchauth/stytch-go/v16/stytch/b2b/totps"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/totps"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"
	"github.com/stytchauth/stytch-go/v16/stytch/methodoptions"
)

// The authenticator app: codes computed from the secret Latch returned,
// with an independent TOTP implementation, at the wall clock the server
// also reads.

// appCode returns the code an authenticator app shows for secret at t.
func appCode(tb testing.TB, secret string, t time.Time) string {
	tb.Helper()
	c, err := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		tb.Fatalf("totp code: %v", err)
	}
	return c
}

// staleCode returns a code of secret from ten minutes ago, which the
// server must refuse (it accepts one step, 30 seconds, either side).
func staleCode(tb testing.TB, secret string) string {
	tb.Helper()
	now := time.Now()
	for back := 10 * time.Minute; ; back += 30 * time.Second {
		c := appCode(tb, secret, now.Add(-back))
		if !slices.Contains([]string{appCode(tb, secret, now.Add(-30*time.Second)), appCode(tb, secret, now), appCode(tb, secret, now.Add(30*time.Second)), appCode(tb, secret, now.Add(time.Minute))}, c) {
			return c
		}
	}
}

var recoveryCodeRE = regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)

// checkEnrollment checks what a create returns to be shown to the user:
// a base32 secret, a QR code PNG as a data URI, and ten recovery codes.
func checkEnrollment(tb testing.TB, what, secret, qr string, codes []string) {
	tb.Helper()
	if len(secret) != 32 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		tb.Errorf("%s: secret %q, want 32 base32 characters", what, secret)
	}
	b64, ok := strings.CutPrefix(qr, "data:image/png;base64,")
	if !ok {
		tb.Errorf("%s: qr_code %.40q…, want a data:image/png;base64 URI", what, qr)
	} else if b, err := base64.StdEncoding.DecodeString(b64); err != nil {
		tb.Errorf("%s: qr_code is not base64: %v", what, err)
	} else if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		tb.Errorf("%s: qr_code is not a PNG: %v", what, err)
	}
	if len(codes) != 10 {
		tb.Errorf("%s: %d recovery codes, want 10", what, len(codes))
	}
	for _, c := range codes {
		if !recoveryCodeRE.MatchString(c) {
			tb.Errorf("%s: recovery code %q, want xxxx-xxxx-xxxx", what, c)
		}
	}
}

// factorTypes lists a session's factors as type/delivery_method.
func factorTypes(fs []sessions.AuthenticationFactor) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Type)+"/"+string(f.DeliveryMethod))
	}
	return out
}

// TestTOTPFlow is consumer authenticator-app MFA as an app runs it:
// enroll, verify with a first code, log in with codes and recovery codes,
// and remove the app.
func TestTOTPFlow(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		c := e.client
		u, err := c.Users.Create(ctx, &users.CreateParams{Email: newEmail(t, "totp")})
		if err != nil {
			t.Fatalf("users.create: %v", err)
		}
		created, err := c.TOTPs.Create(ctx, &totps.CreateParams{UserID: u.UserID, ExpirationMinutes: 60})
		if err != nil {
			t.Fatalf("totps.create: %v", err)
		}
		if !strings.HasPrefix(created.TOTPID, "totp-test-") || created.UserID != u.UserID || created.User.UserID != u.UserID || created.StatusCode != 200 {
			t.Fatalf("totps.create = totp_id %q, user_id %q, user %q, status %d", created.TOTPID, created.UserID, created.User.UserID, created.StatusCode)
		}
		checkEnrollment(t, "totps.create", created.Secret, created.QrCode, created.RecoveryCodes)
		if len(created.User.TOTPs) != 0 {
			t.Errorf("user.totps = %+v before the first code, want none", created.User.TOTPs)
		}

		// A wrong code, then the right one: it verifies the TOTP and
		// starts a session with a totp factor.
		_, err = c.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: u.UserID, TOTPCode: staleCode(t, created.Secret)})
		wantError(t, err, 401, "unable_to_authenticate_totp")
		code := appCode(t, created.Secret, time.Now())
		res, err := c.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: u.UserID, TOTPCode: code, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatalf("totps.authenticate: %v", err)
		}
		if res.TOTPID != created.TOTPID || res.UserID != u.UserID || res.Session == nil || res.SessionToken == "" || res.SessionJWT == "" {
			t.Fatalf("totps.authenticate = totp_id %q, user_id %q, session %v, token %q", res.TOTPID, res.UserID, res.Session, res.SessionToken)
		}
		fs := res.Session.AuthenticationFactors
		if got := factorTypes(fs); !slices.Equal(got, []string{"totp/authenticator_app"}) || fs[0].AuthenticatorAppFactor == nil || fs[0].AuthenticatorAppFactor.TOTPID != created.TOTPID {
			t.Errorf("factors %v (%+v), want one totp/authenticator_app factor of %s", got, fs, created.TOTPID)
		}
		if len(res.User.TOTPs) != 1 || res.User.TOTPs[0].TOTPID != created.TOTPID || !res.User.TOTPs[0].Verified {
			t.Errorf("user.totps = %+v, want the verified %s", res.User.TOTPs, created.TOTPID)
		}
		// The JWT carries the factor, and the SDK verifies it locally.
		local, err := c.Sessions.AuthenticateJWTLocal(res.SessionJWT, time.Minute)
		if err != nil {
			t.Fatalf("AuthenticateJWTLocal: %v", err)
		}
		if got := factorTypes(local.AuthenticationFactors); !slices.Equal(got, []string{"totp/authenticator_app"}) ||
			local.AuthenticationFactors[0].AuthenticatorAppFactor == nil || local.AuthenticationFactors[0].AuthenticatorAppFactor.TOTPID != created.TOTPID {
			t.Errorf("JWT factors %v, want the totp factor", got)
		}

		// A code is accepted once.
		_, err = c.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: u.UserID, TOTPCode: code})
		wantError(t, err, 401, "totp_code_already_authenticated")
		_, err = c.TOTPs.Create(ctx, &totps.CreateParams{UserID: u.UserID})
		wantError(t, err, 400, "active_totp_exists")

		// The app's next code (one step ahead, within the server's window,
		// so no test waits for the clock) adds the factor to the same
		// session again.
		again, err := c.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{
			UserID: u.UserID, TOTPCode: appCode(t, created.Secret, time.Now().Add(30*time.Second)), SessionToken: res.SessionToken,
		})
		if err != nil {
			t.Fatalf("totps.authenticate with session_token: %v", err)
		}
		if again.Session == nil || again.Session.SessionID != res.Session.SessionID || again.SessionToken != res.SessionToken {
			t.Errorf("session %v, want %s again", again.Session, res.Session.SessionID)
		}

		// Recovery codes: listed, single use, a recovery_codes factor.
		rc, err := c.TOTPs.RecoveryCodes(ctx, &totps.RecoveryCodesParams{UserID: u.UserID})
		if err != nil {
			t.Fatalf("totps.recovery_codes: %v", err)
		}
		if rc.UserID != u.UserID || len(rc.TOTPs) != 1 || rc.TOTPs[0].TOTPID != created.TOTPID || !rc.TOTPs[0].Verified ||
			!slices.Equal(rc.TOTPs[0].RecoveryCodes, created.RecoveryCodes) {
			t.Fatalf("totps.recovery_codes = %+v, want the 10 created codes", rc)
		}
		rec, err := c.TOTPs.Recover(ctx, &totps.RecoverParams{UserID: u.UserID, RecoveryCode: created.RecoveryCodes[2], SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("totps.recover: %v", err)
		}
		if rec.TOTPID != created.TOTPID || rec.Session == nil || !slices.Equal(factorTypes(rec.Session.AuthenticationFactors), []string{"recovery_codes/recovery_code"}) ||
			rec.Session.AuthenticationFactors[0].RecoveryCodeFactor == nil || rec.Session.AuthenticationFactors[0].RecoveryCodeFactor.TOTPRecoveryCodeID == "" {
			t.Errorf("totps.recover = totp_id %q, session %+v", rec.TOTPID, rec.Session)
		}
		_, err = c.TOTPs.Recover(ctx, &totps.RecoverParams{UserID: u.UserID, RecoveryCode: created.RecoveryCodes[2]})
		wantError(t, err, 401, "unable_to_authenticate_recovery_code")
		sres, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: rec.SessionToken})
		if err != nil {
			t.Fatalf("sessions.authenticate: %v", err)
		}
		if got := factorTypes(sres.Session.AuthenticationFactors); !slices.Equal(got, []string{"recovery_codes/recovery_code"}) {
			t.Errorf("sessions.authenticate factors %v", got)
		}

		// Removing the app.
		del, err := c.Users.DeleteTOTP(ctx, &users.DeleteTOTPParams{TOTPID: created.TOTPID})
		if err != nil {
			t.Fatalf("users.delete_totp: %v", err)
		}
		if del.UserID != u.UserID || len(del.User.TOTPs) != 0 {
			t.Errorf("users.delete_totp = user %q with totps %+v", del.UserID, del.User.TOTPs)
		}
		_, err = c.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: u.UserID, TOTPCode: appCode(t, created.Secret, time.Now())})
		wantError(t, err, 404, "totp_not_found")
		_, err = c.TOTPs.RecoveryCodes(ctx, &totps.RecoveryCodesParams{UserID: u.UserID})
		wantError(t, err, 404, "totps_not_found_for_user")
	})
}

// TestTOTPSandbox checks Stytch's sandbox TOTP values (stytch-python
// test/constants.py) in a test project.
func TestTOTPSandbox(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		const sandboxUser = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd"
		res, err := e.client.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: sandboxUser, TOTPCode: "000000"})
		if err != nil || res.UserID != sandboxUser {
			t.Fatalf("sandbox totps.authenticate = %+v, %v", res, err)
		}
		if _, err := e.client.TOTPs.Recover(ctx, &totps.RecoverParams{UserID: sandboxUser, RecoveryCode: "a1b2-c3d4-e5f6"}); err != nil {
			t.Fatalf("sandbox totps.recover: %v", err)
		}
		_, err = e.client.TOTPs.Authenticate(ctx, &totps.AuthenticateParams{UserID: sandboxUser, TOTPCode: "123456"})
		wantError(t, err, 401, "unable_to_authenticate_totp")
	})
}

// b2bFactorTypes lists a member session's factors as type/delivery_method.
func b2bFactorTypes(s *b2bsessions.MemberSession) []string {
	if s == nil {
		return nil
	}
	return factorTypes(s.AuthenticationFactors)
}

// TestB2BTOTPFlow is a B2B login with TOTP as its second factor: a
// discovery magic link proves the address, TOTP completes the login, and
// recovery codes stand in for the app.
func TestB2BTOTPFlow(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		o := newOrg(t, e, "TOTP", organizations.CreateParams{})
		addr := newEmail(t, "mfa")
		m := newMember(t, e, o.OrganizationID, addr, members.CreateParams{})

		created, err := c.TOTPs.Create(ctx, &b2btotps.CreateParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("b2b totp.create: %v", err)
		}
		if !strings.HasPrefix(created.TOTPRegistrationID, "member-totp-test-") || created.MemberID != m.MemberID ||
			created.Member.MemberID != m.MemberID || created.Organization.OrganizationID != o.OrganizationID {
			t.Fatalf("b2b totp.create = registration %q, member %q/%q, organization %q", created.TOTPRegistrationID, created.MemberID, created.Member.MemberID, created.Organization.OrganizationID)
		}
		checkEnrollment(t, "b2b totp.create", created.Secret, created.QrCode, created.RecoveryCodes)
		if created.Member.TOTPRegistrationID != "" {
			t.Errorf("member.totp_registration_id = %q before the first code, want empty", created.Member.TOTPRegistrationID)
		}

		// Without an intermediate session or a session there is nothing
		// for the second factor to complete.
		code := appCode(t, created.Secret, time.Now())
		_, err = c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID, Code: code})
		wantError(t, err, 400, "no_session_arguments")

		ist := discover(t, e, addr).IntermediateSessionToken
		res, err := c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, Code: code,
			IntermediateSessionToken: ist, SetMFAEnrollment: "enroll",
		})
		if err != nil {
			t.Fatalf("b2b totp.authenticate: %v", err)
		}
		if got := b2bFactorTypes(res.MemberSession); !slices.Equal(got, []string{"magic_link/email", "totp/authenticator_app"}) {
			t.Errorf("member session factors %v, want the magic link and the totp", got)
		}
		if res.SessionToken == "" || res.SessionJWT == "" || res.Member.TOTPRegistrationID != created.TOTPRegistrationID ||
			!res.Member.MFAEnrolled || res.Member.DefaultMFAMethod != "totp" {
			t.Errorf("b2b totp.authenticate = token %q, member registration %q, enrolled %v, default %q",
				res.SessionToken, res.Member.TOTPRegistrationID, res.Member.MFAEnrolled, res.Member.DefaultMFAMethod)
		}
		checkMemberJWT(t, e, res.SessionJWT, m.MemberID, o)
		sres, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: res.SessionToken})
		if err != nil {
			t.Fatalf("b2b sessions.authenticate: %v", err)
		}
		if got := b2bFactorTypes(&sres.MemberSession); !slices.Equal(got, []string{"magic_link/email", "totp/authenticator_app"}) {
			t.Errorf("b2b sessions.authenticate factors %v", got)
		}

		// The intermediate session and the code are both spent.
		_, err = c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, Code: code, SessionToken: res.SessionToken,
		})
		wantError(t, err, 401, "totp_code_already_authenticated")
		_, err = c.TOTPs.Create(ctx, &b2btotps.CreateParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		wantError(t, err, 400, "active_totp_exists")

		// Recovery codes.
		got, err := c.RecoveryCodes.Get(ctx, &b2brecoverycodes.GetParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("recovery_codes.get: %v", err)
		}
		if !slices.Equal(got.RecoveryCodes, created.RecoveryCodes) || got.Member.MemberID != m.MemberID {
			t.Errorf("recovery_codes.get = %v, want the created codes", got.RecoveryCodes)
		}
		rec, err := c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, RecoveryCode: created.RecoveryCodes[0],
			IntermediateSessionToken: discover(t, e, addr).IntermediateSessionToken,
		})
		if err != nil {
			t.Fatalf("recovery_codes.recover: %v", err)
		}
		if rec.RecoveryCodesRemaining != 9 || !slices.Equal(b2bFactorTypes(rec.MemberSession), []string{"magic_link/email", "recovery_codes/recovery_code"}) {
			t.Errorf("recovery_codes.recover = %d remaining, factors %v", rec.RecoveryCodesRemaining, b2bFactorTypes(rec.MemberSession))
		}
		_, err = c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, RecoveryCode: created.RecoveryCodes[0], SessionToken: rec.SessionToken,
		})
		wantError(t, err, 401, "unable_to_authenticate_recovery_code")

		rot, err := c.RecoveryCodes.Rotate(ctx, &b2brecoverycodes.RotateParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("recovery_codes.rotate: %v", err)
		}
		if len(rot.RecoveryCodes) != 10 || slices.Contains(rot.RecoveryCodes, created.RecoveryCodes[1]) {
			t.Errorf("recovery_codes.rotate = %v", rot.RecoveryCodes)
		}
		_, err = c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, RecoveryCode: created.RecoveryCodes[1], SessionToken: rec.SessionToken,
		})
		wantError(t, err, 401, "unable_to_authenticate_recovery_code")
		if _, err := c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: o.OrganizationID, MemberID: m.MemberID, RecoveryCode: rot.RecoveryCodes[1], SessionToken: rec.SessionToken,
		}); err != nil {
			t.Errorf("recovery_codes.recover with a rotated code: %v", err)
		}

		// The member removes its app, acting with its own session, and may
		// then register a new one.
		del, err := c.Organizations.Members.DeleteTOTP(ctx, &members.DeleteTOTPParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID},
			&members.DeleteTOTPRequestOptions{Authorization: methodoptions.Authorization{SessionToken: res.SessionToken}})
		if err != nil {
			t.Fatalf("members.delete_totp: %v", err)
		}
		if del.MemberID != m.MemberID || del.Member.TOTPRegistrationID != "" {
			t.Errorf("members.delete_totp = member %q with registration %q", del.MemberID, del.Member.TOTPRegistrationID)
		}
		_, err = c.RecoveryCodes.Get(ctx, &b2brecoverycodes.GetParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		wantError(t, err, 404, "totp_not_found")
		if _, err := c.TOTPs.Create(ctx, &b2btotps.CreateParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID}); err != nil {
			t.Errorf("b2b totp.create after delete_totp: %v", err)
		}

		// Another project sees none of it.
		_, other := e.otherProject(t)
		_, err = other.RecoveryCodes.Get(ctx, &b2brecoverycodes.GetParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		wantError(t, err, 404, "organization_not_found")
	})
}
