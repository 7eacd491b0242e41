package compat

import (
	"regexp"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/otp"
	otpemail "github.com/stytchauth/stytch-go/v16/stytch/consumer/otp/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
)

var otpCodeRE = regexp.MustCompile(`\b(\d{6})\b`)

// otpCode waits for the n-th email to addr and reads its passcode.
func otpCode(tb testing.TB, e *env, addr string, n int) string {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := e.srv.DevInbox(tb, addr); len(ms) >= n {
			c := otpCodeRE.FindString(ms[0].Text)
			if c == "" {
				tb.Fatalf("no passcode in %q", ms[0].Text)
			}
			return c
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no passcode email to %s", addr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestEmailOTP(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "otp")
		sent, err := e.client.OTPs.Email.LoginOrCreate(ctx, &otpemail.LoginOrCreateParams{Email: addr})
		if err != nil {
			t.Fatal(err)
		}
		if !sent.UserCreated || sent.EmailID == "" {
			t.Fatalf("LoginOrCreate = %+v", sent)
		}
		code := otpCode(t, e, addr, 1)

		// A wrong code is refused and counted; the right one then works.
		wrong := "000001"
		if code == wrong {
			wrong = "000002"
		}
		_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: wrong})
		wantError(t, err, 401, "unable_to_auth_otp_code")
		res, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: code, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != sent.UserID || res.MethodID != sent.EmailID || res.Session == nil || res.SessionToken == "" || res.SessionJWT == "" {
			t.Fatalf("Authenticate = %+v", res)
		}
		if f := res.Session.AuthenticationFactors; len(f) != 1 || f[0].Type != "otp" || f[0].DeliveryMethod != "email" {
			t.Errorf("factors = %+v", f)
		}
		_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: code})
		wantError(t, err, 404, "otp_code_not_found")

		// Five wrong guesses void a code.
		if _, err := e.client.OTPs.Email.Send(ctx, &otpemail.SendParams{Email: addr}); err != nil {
			t.Fatal(err)
		}
		code = otpCode(t, e, addr, 2)
		if code == wrong {
			wrong = "000003"
		}
		for range 5 {
			_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: wrong})
			wantError(t, err, 401, "unable_to_auth_otp_code")
		}
		_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: code})
		wantError(t, err, 404, "otp_code_not_found")

		// Sends to one address are throttled.
		for range 3 {
			if _, err := e.client.OTPs.Email.Send(ctx, &otpemail.SendParams{Email: addr}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = e.client.OTPs.Email.Send(ctx, &otpemail.SendParams{Email: addr})
		wantError(t, err, 429, "too_many_requests")

		// Refusals.
		_, err = e.client.OTPs.Email.LoginOrCreate(ctx, &otpemail.LoginOrCreateParams{Email: addr, ExpirationMinutes: 11})
		wantError(t, err, 400, "invalid_expiration_otp")
		_, err = e.client.OTPs.Email.Send(ctx, &otpemail.SendParams{Email: newEmail(t, "ghost")})
		wantError(t, err, 404, "email_not_found")
	})
}

// TestTwoFactorSession: a magic link starts a session; an email passcode
// authenticated with its token adds a second factor to the same session.
func TestTwoFactorSession(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "mfa")
		if _, err := e.client.MagicLinks.Email.LoginOrCreate(ctx, &mlemail.LoginOrCreateParams{Email: addr}); err != nil {
			t.Fatal(err)
		}
		m := waitMessage(t, e.srv, addr, 1)
		first, err := e.client.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: m.Token, SessionDurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		sent, err := e.client.OTPs.Email.Send(ctx, &otpemail.SendParams{Email: addr})
		if err != nil {
			t.Fatal(err)
		}
		code := otpCode(t, e, addr, 2)
		second, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sent.EmailID, Code: code, SessionToken: first.SessionToken})
		if err != nil {
			t.Fatal(err)
		}
		if second.Session == nil || second.Session.SessionID != first.Session.SessionID || second.SessionToken != first.SessionToken {
			t.Fatalf("second factor started another session: %+v", second.Session)
		}
		got, err := e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: second.SessionJWT})
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]bool{}
		for _, f := range got.Session.AuthenticationFactors {
			types[string(f.Type)] = true
		}
		if len(got.Session.AuthenticationFactors) != 2 || !types["magic_link"] || !types["otp"] {
			t.Errorf("factors = %+v, want magic_link and otp", got.Session.AuthenticationFactors)
		}
	})
}
