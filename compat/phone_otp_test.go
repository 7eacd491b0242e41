package compat

import (
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/otp"
	otpsms "github.com/stytchauth/stytch-go/v16/stytch/consumer/otp/sms"
	otpwhatsapp "github.com/stytchauth/stytch-go/v16/stytch/consumer/otp/whatsapp"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/twiliotest"
)

// phoneCode waits for the n-th text message to number on channel in the
// dev inbox and reads its passcode, as the phone's owner would.
func phoneCode(tb testing.TB, e *env, number, channel string, n int) string {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := e.srv.DevInbox(tb, number); len(ms) >= n {
			if ms[0].Channel != channel {
				tb.Fatalf("newest message to %s came by %q, want %q", number, ms[0].Channel, channel)
			}
			c := otpCodeRE.FindString(ms[0].Text)
			if c == "" {
				tb.Fatalf("no passcode in %q", ms[0].Text)
			}
			return c
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no %s message to %s", channel, number)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestPhoneOTP logs users in by SMS and by WhatsApp through the SDK, with
// the codes read from the dev inbox: the user is created with the number,
// the number is verified, and the session records the phone factor.
func TestPhoneOTP(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		sms, err := e.client.OTPs.Sms.LoginOrCreate(ctx, &otpsms.LoginOrCreateParams{PhoneNumber: "+1 202-555-0162"})
		if err != nil {
			t.Fatal(err)
		}
		if !sms.UserCreated || !strings.HasPrefix(sms.PhoneID, "phone-number-test-") {
			t.Fatalf("Sms.LoginOrCreate = %+v", sms)
		}
		res, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{
			MethodID: sms.PhoneID, Code: phoneCode(t, e, "+12025550162", "sms", 1), SessionDurationMinutes: 30,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != sms.UserID || res.Session == nil || res.SessionToken == "" {
			t.Fatalf("Authenticate = %+v", res)
		}
		f := res.Session.AuthenticationFactors
		if len(f) != 1 || f[0].Type != "otp" || f[0].DeliveryMethod != "sms" || f[0].PhoneNumberFactor == nil ||
			f[0].PhoneNumberFactor.PhoneID != sms.PhoneID || f[0].PhoneNumberFactor.PhoneNumber != "+12025550162" {
			t.Errorf("factors = %+v", f)
		}
		if p := res.User.PhoneNumbers; len(p) != 1 || p[0].PhoneID != sms.PhoneID || p[0].PhoneNumber != "+12025550162" || !p[0].Verified {
			t.Errorf("user phone_numbers = %+v", p)
		}

		// WhatsApp: a new user on another number, then the same user again.
		wa, err := e.client.OTPs.Whatsapp.LoginOrCreate(ctx, &otpwhatsapp.LoginOrCreateParams{PhoneNumber: "+44 7911 123456"})
		if err != nil {
			t.Fatal(err)
		}
		waRes, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{
			MethodID: wa.PhoneID, Code: phoneCode(t, e, "+447911123456", "whatsapp", 1), SessionDurationMinutes: 30,
		})
		if err != nil {
			t.Fatal(err)
		}
		if waRes.UserID == res.UserID || waRes.Session.AuthenticationFactors[0].DeliveryMethod != "whatsapp" {
			t.Errorf("WhatsApp login = user %s, factors %+v", waRes.UserID, waRes.Session.AuthenticationFactors)
		}
		again, err := e.client.OTPs.Whatsapp.Send(ctx, &otpwhatsapp.SendParams{PhoneNumber: "+447911123456"})
		if err != nil || again.UserID != wa.UserID || again.PhoneID != wa.PhoneID {
			t.Errorf("Whatsapp.Send to the user's number = %+v, %v", again, err)
		}

		// Five wrong guesses void a code: the right one is refused after.
		code := phoneCode(t, e, "+447911123456", "whatsapp", 2)
		wrong := "000001"
		if code == wrong {
			wrong = "000002"
		}
		for range 5 {
			_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: wa.PhoneID, Code: wrong})
			wantError(t, err, 401, "unable_to_auth_otp_code")
		}
		_, err = e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: wa.PhoneID, Code: code})
		wantError(t, err, 404, "otp_code_not_found")

		// A logged-in user adds a second number by SMS; it is theirs once
		// the code authenticates, and the session then has two factors.
		added, err := e.client.OTPs.Sms.Send(ctx, &otpsms.SendParams{PhoneNumber: "+33 6 12 34 56 78", SessionToken: res.SessionToken})
		if err != nil {
			t.Fatal(err)
		}
		two, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{
			MethodID: added.PhoneID, Code: phoneCode(t, e, "+33612345678", "sms", 1), SessionToken: res.SessionToken,
		})
		if err != nil {
			t.Fatal(err)
		}
		if two.Session.SessionID != res.Session.SessionID || len(two.Session.AuthenticationFactors) != 2 || len(two.User.PhoneNumbers) != 2 {
			t.Errorf("second factor: session %s with %d factors, user phones %+v", two.Session.SessionID, len(two.Session.AuthenticationFactors), two.User.PhoneNumbers)
		}

		// users.create by phone, search by phone, delete the phone.
		created, err := e.client.Users.Create(ctx, &users.CreateParams{PhoneNumber: "+12025550163"})
		if err != nil || created.PhoneID == "" || len(created.User.PhoneNumbers) != 1 {
			t.Fatalf("Users.Create by phone = %+v, %v", created, err)
		}
		_, err = e.client.Users.Create(ctx, &users.CreateParams{PhoneNumber: "+1 (202) 555-0163"})
		wantError(t, err, 400, "duplicate_phone_number")
		deleted, err := e.client.Users.DeletePhoneNumber(ctx, &users.DeletePhoneNumberParams{PhoneID: created.PhoneID})
		if err != nil || deleted.UserID != created.UserID || len(deleted.User.PhoneNumbers) != 0 {
			t.Errorf("DeletePhoneNumber = %+v, %v", deleted, err)
		}
		_, err = e.client.Users.DeletePhoneNumber(ctx, &users.DeletePhoneNumberParams{PhoneID: created.PhoneID})
		wantError(t, err, 404, "phone_number_not_found")
	})
}

// TestPhoneOTPRefusals checks the Stytch error of every refused send.
func TestPhoneOTPRefusals(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		for _, n := range []string{"2025550162", "+1 800 FLOWERS", "+1 000 555 0100", "+"} {
			_, err := e.client.OTPs.Sms.LoginOrCreate(ctx, &otpsms.LoginOrCreateParams{PhoneNumber: n})
			wantError(t, err, 400, "invalid_phone_number")
		}
		_, err := e.client.OTPs.Sms.Send(ctx, &otpsms.SendParams{PhoneNumber: "+12025550100"})
		wantError(t, err, 404, "phone_number_not_found")
		_, err = e.client.OTPs.Whatsapp.LoginOrCreate(ctx, &otpwhatsapp.LoginOrCreateParams{PhoneNumber: "+12025550100", ExpirationMinutes: 11})
		wantError(t, err, 400, "invalid_expiration_otp")

		// The send throttle holds per number, across channels.
		for i := range 5 {
			if i%2 == 0 {
				_, err = e.client.OTPs.Sms.LoginOrCreate(ctx, &otpsms.LoginOrCreateParams{PhoneNumber: "+12025550101"})
			} else {
				_, err = e.client.OTPs.Whatsapp.LoginOrCreate(ctx, &otpwhatsapp.LoginOrCreateParams{PhoneNumber: "+12025550101"})
			}
			if err != nil {
				t.Fatalf("send %d: %v", i+1, err)
			}
		}
		_, err = e.client.OTPs.Sms.LoginOrCreate(ctx, &otpsms.LoginOrCreateParams{PhoneNumber: "+12025550101"})
		wantError(t, err, 429, "too_many_requests")

		// The sandbox number answers without sending, and 000000 logs in.
		sb, err := e.client.OTPs.Sms.Send(ctx, &otpsms.SendParams{PhoneNumber: "+10000000000"})
		if err != nil || sb.PhoneID != "phone-number-test-d5a3b680-e8a3-40c0-b815-ab79986666d0" {
			t.Fatalf("sandbox send = %+v, %v", sb, err)
		}
		if _, err := e.client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: sb.PhoneID, Code: "000000"}); err != nil {
			t.Errorf("sandbox authenticate: %v", err)
		}
		if ms := e.srv.DevInbox(t, "+10000000000"); len(ms) != 0 {
			t.Errorf("the sandbox number received %d messages", len(ms))
		}
	})
}

// TestPhoneOTPThroughTwilio sends the codes through the Twilio provider,
// pointed at a local stand-in of Twilio's Messages API that checks what
// Twilio checks (credentials, sender, E.164 numbers, WhatsApp pairing).
func TestPhoneOTPThroughTwilio(t *testing.T) {
	t.Parallel()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			tw := twiliotest.Start(t)
			srv := latchtest.Start(t, latchtest.Options{DatabaseURL: db.url(t), Env: map[string]string{
				"LATCH_TWILIO_ACCOUNT_SID":   tw.AccountSID,
				"LATCH_TWILIO_AUTH_TOKEN":    tw.AuthToken,
				"LATCH_TWILIO_FROM":          "+12025550199",
				"LATCH_TWILIO_WHATSAPP_FROM": "+12025550198",
				"LATCH_TWILIO_BASE_URL":      tw.URL,
			}})
			closeIdleFirst(t)
			client := newClient(t, srv)
			ctx := t.Context()

			for _, tc := range []struct {
				channel, to string
				send        func() (string, error)
			}{
				{"sms", "+12025550162", func() (string, error) {
					r, err := client.OTPs.Sms.LoginOrCreate(ctx, &otpsms.LoginOrCreateParams{PhoneNumber: "+12025550162"})
					return r.PhoneID, err
				}},
				{"whatsapp", "whatsapp:+447911123456", func() (string, error) {
					r, err := client.OTPs.Whatsapp.LoginOrCreate(ctx, &otpwhatsapp.LoginOrCreateParams{PhoneNumber: "+447911123456"})
					return r.PhoneID, err
				}},
			} {
				phoneID, err := tc.send()
				if err != nil {
					t.Fatalf("%s: %v", tc.channel, err)
				}
				m := tw.WaitForMessage(t, tc.to, 20*time.Second)
				if m.AccountSID != tw.AccountSID || (tc.channel == "sms" && m.From != "+12025550199") || (tc.channel == "whatsapp" && m.From != "whatsapp:+12025550198") {
					t.Errorf("%s: Twilio message %+v", tc.channel, m)
				}
				res, err := client.OTPs.Authenticate(ctx, &otp.AuthenticateParams{MethodID: phoneID, Code: otpCodeRE.FindString(m.Body), SessionDurationMinutes: 5})
				if err != nil {
					t.Fatalf("%s: authenticate with the code Twilio carried: %v", tc.channel, err)
				}
				if string(res.Session.AuthenticationFactors[0].DeliveryMethod) != tc.channel {
					t.Errorf("%s: factor %+v", tc.channel, res.Session.AuthenticationFactors[0])
				}
			}
			// With a provider, nothing lands in the dev inbox.
			if ms := srv.DevInbox(t, "+12025550162"); len(ms) != 0 {
				t.Errorf("dev inbox holds %d messages while Twilio is configured", len(ms))
			}
		})
	}
}

// TestPythonStrictPhoneFields checks the phone responses field by field,
// as the Python SDK parses them.
func TestPythonStrictPhoneFields(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ok := func(r rawResponse, what string) map[string]any {
			t.Helper()
			if r.Status != 200 {
				t.Fatalf("%s: HTTP %d\n%s", what, r.Status, r.Body)
			}
			return r.JSON
		}
		loc := ok(rawJSON(t, e.srv, "POST", "/v1/otps/sms/login_or_create", map[string]any{"phone_number": "+12025550162"}), "otps.sms.login_or_create")
		checkFields(t, "otps.sms.login_or_create", loc, fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"phone_id", nonEmpty, nil}, {"user_created", boolean, nil},
		}))
		send := ok(rawJSON(t, e.srv, "POST", "/v1/otps/whatsapp/send", map[string]any{"phone_number": "+12025550162"}), "otps.whatsapp.send")
		checkFields(t, "otps.whatsapp.send", send, fields(envelopeFields, []field{{"user_id", nonEmpty, nil}, {"phone_id", nonEmpty, nil}}))

		res := ok(rawJSON(t, e.srv, "POST", "/v1/otps/authenticate", map[string]any{
			"method_id": send["phone_id"], "code": phoneCode(t, e, "+12025550162", "whatsapp", 2), "session_duration_minutes": 10,
		}), "otps.authenticate")
		checkFields(t, "otps.authenticate", res, fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"method_id", nonEmpty, nil}, {"session_token", nonEmpty, nil},
			{"session_jwt", nonEmpty, nil}, {"user", object, nil}, {"reset_sessions", boolean, nil}, {"session", object, nil},
			{"session.authentication_factors[].phone_number_factor.phone_id", nonEmpty, nil},
			{"session.authentication_factors[].phone_number_factor.phone_number", nonEmpty, nil},
		}, under("user", userFields), under("session", sessionFields)))
		if phones, _ := res["user"].(map[string]any)["phone_numbers"].([]any); len(phones) != 1 {
			t.Errorf("user.phone_numbers = %v, want one number", phones)
		}
	})
}
