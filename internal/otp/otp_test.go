package otp_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

type env struct {
	*authtest.Services
	otp *otp.Service
	p   *auth.Project
}

func newEnv(t *testing.T, st store.Store) *env {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	key := []byte("0123456789abcdef0123456789abcdef")
	return &env{Services: s, otp: otp.NewService(st, s.Users, s.Sessions, s.Mail, key, s.Clock.Now), p: p}
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode reads the code from the newest email, as a user would.
func (e *env) lastCode(t *testing.T) string {
	t.Helper()
	m, ok := e.Mail.Last()
	if !ok {
		t.Fatal("no email sent")
	}
	c := codeRE.FindString(m.Text)
	if c == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	return c
}

func TestEmailLoginOrCreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		res, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "Ada@Example.com", CreatePending: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || !auth.HasKind(res.EmailID, auth.KindEmail) {
			t.Fatalf("LoginOrCreateEmail = %+v", res)
		}
		m, _ := e.Mail.Last()
		if m.To != "ada@example.com" || !strings.Contains(m.Subject, "verification code") {
			t.Errorf("email to %q, subject %q", m.To, m.Subject)
		}
		code := e.lastCode(t)
		got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: code, DurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if got.User.Status != auth.UserActive || !got.User.Emails[0].Verified || got.Session == nil || got.MethodID != res.EmailID {
			t.Errorf("Authenticate = %+v", got)
		}
		if f := got.Session.AuthenticationFactors[0]; f.Type != auth.FactorOTP || f.DeliveryMethod != auth.DeliveryEmail || f.EmailFactor.EmailID != res.EmailID {
			t.Errorf("factor = %+v", f)
		}
		if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: code}); !errors.Is(err, auth.ErrOTPCodeNotFound) {
			t.Errorf("reused code: err = %v", err)
		}
	})
}

func TestWrongCodesVoidTheCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t))
	res, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "guess@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	code := e.lastCode(t)
	wrong := "000001"
	if code == wrong {
		wrong = "000002"
	}
	for i := range auth.OTPMaxAttempts {
		if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: wrong}); !errors.Is(err, auth.ErrUnableToAuthOTPCode) {
			t.Fatalf("wrong guess %d: err = %v", i+1, err)
		}
	}
	if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: code}); !errors.Is(err, auth.ErrOTPCodeNotFound) {
		t.Errorf("right code after five wrong ones: err = %v", err)
	}
}

func TestExpiryAndReplacement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t))
	res, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "slow@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	first := e.lastCode(t)
	e.Clock.Advance(2*time.Minute + time.Second)
	if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: first}); !errors.Is(err, auth.ErrOTPCodeNotFound) {
		t.Errorf("expired code: err = %v", err)
	}
	if _, err := e.otp.SendEmail(ctx, e.p, otp.EmailInput{Email: "slow@example.com", ExpirationMinutes: 10}); err != nil {
		t.Fatal(err)
	}
	second := e.lastCode(t)
	if _, err := e.otp.SendEmail(ctx, e.p, otp.EmailInput{Email: "slow@example.com"}); err != nil {
		t.Fatal(err)
	}
	third := e.lastCode(t)
	if second != third {
		if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: second}); !errors.Is(err, auth.ErrUnableToAuthOTPCode) {
			t.Errorf("replaced code: err = %v", err)
		}
	}
	e.Clock.Advance(5 * time.Minute) // past the newest code's default two minutes
	if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: third}); !errors.Is(err, auth.ErrOTPCodeNotFound) {
		t.Errorf("newest code after 5 minutes: err = %v", err)
	}
}

func TestInputsAndThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t))
	for _, tc := range []struct {
		in   otp.EmailInput
		want *auth.Error
	}{
		{otp.EmailInput{Email: "nope"}, auth.ErrInvalidEmail},
		{otp.EmailInput{Email: "a@example.com", ExpirationMinutes: 11}, auth.ErrInvalidExpirationOTP},
		{otp.EmailInput{Email: "a@example.com", Locale: "de"}, auth.ErrInvalidLocale},
	} {
		if _, err := e.otp.LoginOrCreateEmail(ctx, e.p, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%+v: err = %v, want %s", tc.in, err, tc.want.Type)
		}
	}
	if _, err := e.otp.SendEmail(ctx, e.p, otp.EmailInput{Email: "ghost@example.com"}); !errors.Is(err, auth.ErrEmailNotFound) {
		t.Errorf("send to unknown: err = %v", err)
	}
	for i := range auth.MaxSends {
		if _, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "spam@example.com"}); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	if _, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "spam@example.com"}); !errors.Is(err, auth.ErrTooManyRequests) {
		t.Errorf("send over the limit: err = %v", err)
	}
	e.Clock.Advance(auth.SendWindow + time.Second)
	if _, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "spam@example.com"}); err != nil {
		t.Errorf("send after the window: %v", err)
	}
}

func TestConcurrentAuthenticateSucceedsOnce(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		res, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: "race@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		code := e.lastCode(t)
		var (
			wg sync.WaitGroup
			mu sync.Mutex
			ok int
		)
		for range 20 {
			wg.Go(func() {
				if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: code}); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok != 1 {
			t.Errorf("%d concurrent successes, want 1", ok)
		}
	})
}

func TestSecondFactorOnASession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t))
	first := e.Login(t, e.p, "two@example.com", 60)
	if _, err := e.otp.SendEmail(ctx, e.p, otp.EmailInput{Email: "two@example.com"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: first.MethodID, Code: e.lastCode(t), SessionToken: first.Token})
	if err != nil {
		t.Fatal(err)
	}
	if got.Session.ID != first.Session.ID || len(got.Session.AuthenticationFactors) != 2 {
		t.Errorf("session after a second factor = %+v", got.Session)
	}
	byToken, err := e.Sessions.Authenticate(ctx, e.p, session.AuthenticateInput{Token: first.Token})
	if err != nil || len(byToken.Session.AuthenticationFactors) != 2 {
		t.Errorf("stored factors = %+v, %v", byToken, err)
	}
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t))
	res, err := e.otp.LoginOrCreateEmail(ctx, e.p, otp.EmailInput{Email: auth.SandboxEmail})
	if err != nil || res.EmailID != auth.SandboxEmailID || len(e.Mail.Sent()) != 0 {
		t.Fatalf("sandbox send = %+v, %v", res, err)
	}
	if got, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: otp.SandboxCode}); err != nil || got.User.ID != auth.SandboxUserID {
		t.Errorf("sandbox authenticate = %+v, %v", got, err)
	}
	if _, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: res.EmailID, Code: "123456"}); !errors.Is(err, auth.ErrUnableToAuthOTPCode) {
		t.Errorf("wrong sandbox code: err = %v", err)
	}
}
