package otp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/store"
)

func TestPhoneLoginOrCreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		for _, ch := range []auth.Channel{auth.ChannelSMS, auth.ChannelWhatsApp} {
			e := newEnv(t, st)
			// Any common way of writing the number is the same number.
			res, err := e.otp.LoginOrCreatePhone(ctx, e.p, ch, otp.PhoneInput{PhoneNumber: "+1 (202) 555-0162", CreatePending: true})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Created || !auth.HasKind(res.PhoneID, auth.KindPhone) {
				t.Fatalf("%s: LoginOrCreatePhone = %+v", ch, res)
			}
			m, _ := e.Mail.Last()
			if m.Channel != ch || m.To != "+12025550162" || m.Subject != "" || m.HTML != "" || len(m.Text) > 160 {
				t.Errorf("%s: message %+v, want a short text to +12025550162", ch, m)
			}
			code := e.lastCode(t)
			got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.PhoneID, Code: code, DurationMinutes: 30})
			if err != nil {
				t.Fatal(err)
			}
			if got.User.Status != auth.UserActive || len(got.User.Phones) != 1 || !got.User.Phones[0].Verified || got.User.Phones[0].Number != "+12025550162" {
				t.Errorf("%s: user after authenticate = %+v", ch, got.User)
			}
			f := got.Session.AuthenticationFactors[0]
			if f.Type != auth.FactorOTP || f.DeliveryMethod != auth.DeliveryMethod(ch) || f.PhoneNumberFactor == nil ||
				*f.PhoneNumberFactor != (auth.PhoneNumberFactor{PhoneID: res.PhoneID, PhoneNumber: "+12025550162"}) {
				t.Errorf("%s: factor = %+v", ch, f)
			}
			// The same number logs the same user in again.
			again, err := e.otp.LoginOrCreatePhone(ctx, e.p, ch, otp.PhoneInput{PhoneNumber: "+12025550162"})
			if err != nil || again.Created || again.UserID != res.UserID || again.PhoneID != res.PhoneID {
				t.Errorf("%s: second LoginOrCreatePhone = %+v, %v", ch, again, err)
			}
		}
	})
}

func TestPhoneSendToAnExistingUser(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		if _, err := e.otp.SendPhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+12025550162"}); !errors.Is(err, auth.ErrPhoneNumberNotFound) {
			t.Errorf("send to an unknown number: err = %v, want phone_number_not_found", err)
		}

		// A logged-in user adds a number: it becomes theirs only when the
		// code proves they hold it, and the session gains the factor.
		login := e.Login(t, e.p, "ada@example.com", 60)
		e.Clock.Advance(10 * time.Minute)
		res, err := e.otp.SendPhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+447911123456", SessionToken: login.Token})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != login.User.ID {
			t.Fatalf("send with a session went to %s, want %s", res.UserID, login.User.ID)
		}
		// Naming the user only reads the session: it is not touched.
		if sess, err := st.GetSession(ctx, e.p.ID, login.Session.ID); err != nil || !sess.LastAccessedAt.Equal(login.Session.LastAccessedAt) {
			t.Errorf("after the send the session was last accessed at %v (%v), want %v", sess.LastAccessedAt, err, login.Session.LastAccessedAt)
		}
		u, err := e.Users.Get(ctx, e.p.ID, login.User.ID)
		if err != nil || len(u.Phones) != 0 {
			t.Fatalf("before authentication the user has phones %+v (%v), want none", u.Phones, err)
		}
		got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.PhoneID, Code: e.lastCode(t), SessionToken: login.Token})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.User.Phones) != 1 || got.User.Phones[0].ID != res.PhoneID || !got.User.Phones[0].Verified {
			t.Errorf("after authentication the user has phones %+v", got.User.Phones)
		}
		if n := len(got.Session.AuthenticationFactors); n != 2 || got.Session.ID != login.Session.ID {
			t.Errorf("session %s has %d factors, want the login session with 2", got.Session.ID, n)
		}

		// The number is now the user's: plain send finds them, and
		// another user cannot claim it.
		if r, err := e.otp.SendPhone(ctx, e.p, auth.ChannelWhatsApp, otp.PhoneInput{PhoneNumber: "+447911123456"}); err != nil || r.UserID != u.ID || r.PhoneID != res.PhoneID {
			t.Errorf("send to the user's number = %+v, %v", r, err)
		}
		bob := e.Login(t, e.p, "bob@example.com", 0)
		if _, err := e.otp.SendPhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+447911123456", UserID: bob.User.ID}); !errors.Is(err, auth.ErrDuplicatePhoneNumber) {
			t.Errorf("claiming another user's number: err = %v, want duplicate_phone_number", err)
		}
		if _, err := e.otp.SendPhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+12025550162", UserID: "user-test-missing"}); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("send for an unknown user: err = %v, want user_not_found", err)
		}
	})
}

func TestPhoneRefusals(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		for _, tc := range []struct {
			name string
			in   otp.PhoneInput
			want error
		}{
			{"no number", otp.PhoneInput{}, auth.ErrInvalidArgument},
			{"no country code", otp.PhoneInput{PhoneNumber: "2025550162"}, auth.ErrInvalidPhoneNumber},
			{"letters", otp.PhoneInput{PhoneNumber: "+1 800 FLOWERS"}, auth.ErrInvalidPhoneNumber},
			{"not a real number", otp.PhoneInput{PhoneNumber: "+1 000 555 0100"}, auth.ErrInvalidPhoneNumber},
			{"expiration too long", otp.PhoneInput{PhoneNumber: "+12025550162", ExpirationMinutes: 11}, auth.ErrInvalidExpirationOTP},
			{"unknown locale", otp.PhoneInput{PhoneNumber: "+12025550162", Locale: "xx"}, auth.ErrInvalidLocale},
			{"user for login_or_create", otp.PhoneInput{PhoneNumber: "+12025550162", UserID: "user-test-x"}, auth.ErrInvalidArgument},
		} {
			if _, err := e.otp.LoginOrCreatePhone(ctx, e.p, auth.ChannelSMS, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			}
		}
		if n := len(e.Mail.Sent()); n != 0 {
			t.Errorf("%d messages sent for refused requests", n)
		}

		// Sends to a number are throttled, whatever the channel.
		for i := range auth.MaxSends {
			ch := auth.ChannelSMS
			if i%2 == 1 {
				ch = auth.ChannelWhatsApp
			}
			if _, err := e.otp.LoginOrCreatePhone(ctx, e.p, ch, otp.PhoneInput{PhoneNumber: "+12025550162"}); err != nil {
				t.Fatalf("send %d: %v", i+1, err)
			}
		}
		if _, err := e.otp.LoginOrCreatePhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+12025550162"}); !errors.Is(err, auth.ErrTooManyRequests) {
			t.Errorf("send past the limit: err = %v, want too_many_requests", err)
		}

		// A live project refuses the sandbox number, and cannot text
		// without a provider.
		live, _ := e.NewProject(t, auth.EnvLive)
		if _, err := e.otp.LoginOrCreatePhone(ctx, live, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: auth.SandboxPhoneNumber}); !errors.Is(err, auth.ErrInvalidPhoneNumber) {
			t.Errorf("sandbox number in a live project: err = %v, want invalid_phone_number", err)
		}
		e.Mail.RefuseLive = true
		if _, err := e.otp.LoginOrCreatePhone(ctx, live, auth.ChannelWhatsApp, otp.PhoneInput{PhoneNumber: "+12025550163"}); !errors.Is(err, auth.ErrSMSSettingsNotFound) {
			t.Errorf("live project without a provider: err = %v, want sms_settings_not_found", err)
		}
		if _, err := e.Users.GetByPhone(ctx, st, live.ID, "+12025550163"); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("a refused send created a user: %v", err)
		}
	})
}

func TestPhoneSandbox(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		res, err := e.otp.LoginOrCreatePhone(ctx, e.p, auth.ChannelSMS, otp.PhoneInput{PhoneNumber: "+10000000000"})
		if err != nil || res.PhoneID != auth.SandboxPhoneID || res.UserID != auth.SandboxUserID {
			t.Fatalf("sandbox send = %+v, %v", res, err)
		}
		if n := len(e.Mail.Sent()); n != 0 {
			t.Errorf("sandbox send delivered %d messages", n)
		}
		if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: auth.SandboxPhoneID, Code: "123456"}); !errors.Is(err, auth.ErrUnableToAuthOTPCode) {
			t.Errorf("wrong sandbox code: err = %v", err)
		}
		got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: auth.SandboxPhoneID, Code: otp.SandboxCode})
		if err != nil || got.MethodID != auth.SandboxPhoneID || got.User.ID != auth.SandboxUserID {
			t.Errorf("sandbox authenticate = %+v, %v", got, err)
		}
		if !strings.HasPrefix(auth.SandboxPhoneID, string(auth.KindPhone)+"-test-") {
			t.Errorf("sandbox phone ID %q is not a test phone ID", auth.SandboxPhoneID)
		}
	})
}
