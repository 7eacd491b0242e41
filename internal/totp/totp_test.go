package totp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	gototp "github.com/pquerna/otp/totp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
	"github.com/latchauth/latch/internal/user"
)

// code computes the code of secret at t, as an authenticator app does.
func code(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := gototp.GenerateCodeCustom(secret, at, gototp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantErr(t testing.TB, err error, want *auth.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %s", err, want.Type)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is a project with one user and the services.
type fixture struct {
	s *authtest.Services
	p *auth.Project
	u *auth.User
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	u, err := s.Users.Create(context.Background(), p, user.CreateInput{Email: "ada@example.com"})
	must(t, err)
	return &fixture{s: s, p: p, u: u}
}

func (f *fixture) create(t *testing.T) *totp.CreateResult {
	t.Helper()
	res, err := f.s.TOTPs.Create(context.Background(), f.p, totp.CreateInput{UserID: f.u.ID})
	must(t, err)
	return res
}

func (f *fixture) authenticate(code string, minutes int) (*totp.AuthenticateResult, error) {
	return f.s.TOTPs.Authenticate(context.Background(), f.p, totp.AuthenticateInput{UserID: f.u.ID, Code: code, DurationMinutes: minutes})
}

var recoveryCodeShape = regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)

func TestCreate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		res := f.create(t)
		if !auth.HasKind(res.TOTPID, auth.KindTOTP) {
			t.Errorf("totp_id = %q", res.TOTPID)
		}
		if len(res.Secret) != 32 || strings.Trim(res.Secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Errorf("secret = %q, want 32 base32 characters", res.Secret)
		}
		b64, ok := strings.CutPrefix(res.QRCode, "data:image/png;base64,")
		if !ok {
			t.Fatalf("qr_code = %.40q…, want a PNG data URI", res.QRCode)
		}
		img, err := base64.StdEncoding.DecodeString(b64)
		must(t, err)
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("qr_code is not a PNG: %v", err)
		}
		if len(res.RecoveryCodes) != totp.RecoveryCodeCount {
			t.Errorf("%d recovery codes, want %d", len(res.RecoveryCodes), totp.RecoveryCodeCount)
		}
		seen := map[string]bool{}
		for _, c := range res.RecoveryCodes {
			if !recoveryCodeShape.MatchString(c) || seen[c] {
				t.Errorf("recovery code %q: malformed or repeated", c)
			}
			seen[c] = true
		}
		if res.User.ID != f.u.ID || res.User.TOTPID != "" {
			t.Errorf("user %s with TOTPID %q, want %s with none (pending)", res.User.ID, res.User.TOTPID, f.u.ID)
		}

		// The secret is stored encrypted, and so are the recovery codes.
		reg, err := st.GetUserTOTP(t.Context(), f.p.ID, f.u.ID)
		must(t, err)
		if bytes.Contains(reg.SealedSecret, []byte(res.Secret)) || bytes.Contains(reg.SealedRecoveryCodes, []byte(res.RecoveryCodes[0])) {
			t.Error("the secret or a recovery code is stored in the clear")
		}
		rows, err := st.ListRecoveryCodes(t.Context(), f.p.ID, reg.ID)
		must(t, err)
		for _, r := range rows {
			for _, c := range res.RecoveryCodes {
				if bytes.Contains(r.Hash, []byte(c)) {
					t.Error("a recovery code is stored in the clear")
				}
			}
		}

		// A pending registration is replaced by a new one.
		again := f.create(t)
		if again.TOTPID == res.TOTPID {
			t.Error("a second create returned the same registration")
		}
		_, err = st.GetTOTP(t.Context(), f.p.ID, res.TOTPID)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the replaced registration is still stored: %v", err)
		}
	})
}

func TestCreateRefuses(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		_, err := f.s.TOTPs.Create(ctx, f.p, totp.CreateInput{UserID: "nope"})
		wantErr(t, err, auth.ErrInvalidUserID)
		_, err = f.s.TOTPs.Create(ctx, f.p, totp.CreateInput{UserID: "user-test-00000000-0000-4000-8000-000000000000"})
		wantErr(t, err, auth.ErrUserNotFound)
		for _, m := range []int{4, 1441} {
			_, err = f.s.TOTPs.Create(ctx, f.p, totp.CreateInput{UserID: f.u.ID, ExpirationMinutes: m})
			wantErr(t, err, auth.ErrInvalidExpiration)
		}
		// A verified registration must be deleted before another is made.
		res := f.create(t)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)
		_, err = f.s.TOTPs.Create(ctx, f.p, totp.CreateInput{UserID: f.u.ID})
		wantErr(t, err, auth.ErrActiveTOTPExists)
		// Another project cannot reach the user.
		other, _ := f.s.NewProject(t, auth.EnvTest)
		_, err = f.s.TOTPs.Create(ctx, other, totp.CreateInput{UserID: f.u.ID})
		wantErr(t, err, auth.ErrUserNotFound)
	})
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		res := f.create(t)
		now := f.s.Clock.Now()

		got, err := f.authenticate(code(t, res.Secret, now), 0)
		must(t, err)
		if got.TOTPID != res.TOTPID || got.Session != nil || got.User.TOTPID != res.TOTPID {
			t.Errorf("authenticate = totp %s, session %v, user TOTPID %q", got.TOTPID, got.Session, got.User.TOTPID)
		}
		u, err := f.s.Users.Get(context.Background(), f.p.ID, f.u.ID)
		must(t, err)
		if u.TOTPID != res.TOTPID {
			t.Errorf("users.get TOTPID = %q, want %q (verified)", u.TOTPID, res.TOTPID)
		}

		// The same code, and so the same step, is never accepted twice.
		_, err = f.authenticate(code(t, res.Secret, now), 0)
		wantErr(t, err, auth.ErrTOTPCodeAlreadyAuthenticated)

		// The next step's code logs in, with a session this time.
		f.s.Clock.Advance(totp.Period)
		got, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 60)
		must(t, err)
		if got.Session == nil || got.Token == "" || got.JWT == "" {
			t.Fatalf("no session: %+v", got.Result)
		}
		fs := got.Session.AuthenticationFactors
		if len(fs) != 1 || fs[0].Type != auth.FactorTOTP || fs[0].DeliveryMethod != auth.DeliveryAuthenticatorApp ||
			fs[0].AuthenticatorAppFactor == nil || fs[0].AuthenticatorAppFactor.TOTPID != res.TOTPID {
			t.Errorf("factors = %+v, want one totp factor of %s", fs, res.TOTPID)
		}
		// The session is a real one.
		sres, err := f.s.Sessions.Authenticate(context.Background(), f.p, session.AuthenticateInput{Token: got.Token})
		must(t, err)
		if sres.Session.ID != got.Session.ID {
			t.Errorf("sessions.authenticate found %s, want %s", sres.Session.ID, got.Session.ID)
		}

		// Wrong and malformed codes.
		wrong := "000000"
		if wrong == code(t, res.Secret, f.s.Clock.Now().Add(totp.Period)) {
			wrong = "111111"
		}
		_, err = f.authenticate(wrong, 0)
		wantErr(t, err, auth.ErrUnableToAuthTOTP)
		for _, c := range []string{"", "12345", "1234567", "12a456", " 123456"} {
			_, err = f.authenticate(c, 0)
			wantErr(t, err, auth.ErrInvalidTOTPCode)
		}
	})
}

// TestSkew pins the window: the steps either side of now are accepted,
// two steps away is not, and accepting a later step retires the earlier
// ones.
func TestSkew(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		res := f.create(t)
		now := f.s.Clock.Now()
		_, err := f.authenticate(code(t, res.Secret, now.Add(-2*totp.Period)), 0)
		wantErr(t, err, auth.ErrUnableToAuthTOTP)
		_, err = f.authenticate(code(t, res.Secret, now.Add(2*totp.Period)), 0)
		wantErr(t, err, auth.ErrUnableToAuthTOTP)
		_, err = f.authenticate(code(t, res.Secret, now.Add(-totp.Period)), 0)
		must(t, err)
		_, err = f.authenticate(code(t, res.Secret, now.Add(totp.Period)), 0)
		must(t, err)
		// now's step is earlier than the one just accepted.
		_, err = f.authenticate(code(t, res.Secret, now), 0)
		wantErr(t, err, auth.ErrTOTPCodeAlreadyAuthenticated)
		// Once the clock passes it, a new step's code is accepted again.
		f.s.Clock.Advance(2 * totp.Period)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)
	})
}

// TestReplayConcurrently sends one code 50 times at once: exactly one
// call logs in.
func TestReplayConcurrently(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		res := f.create(t)
		c := code(t, res.Secret, f.s.Clock.Now())
		const callers = 50
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, callers)
		)
		for i := range callers {
			wg.Go(func() {
				<-start
				_, errs[i] = f.authenticate(c, 60)
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, auth.ErrTOTPCodeAlreadyAuthenticated):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of %d concurrent calls with one code logged in, want 1", ok, callers)
		}
	})
}

func TestExpiredPending(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		res, err := f.s.TOTPs.Create(ctx, f.p, totp.CreateInput{UserID: f.u.ID, ExpirationMinutes: 5})
		must(t, err)
		f.s.Clock.Advance(5 * time.Minute)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		wantErr(t, err, auth.ErrExpiredTOTP)
		_, err = f.s.TOTPs.RecoveryCodes(ctx, f.p, f.u.ID)
		wantErr(t, err, auth.ErrTOTPsNotFoundForUser)
		// A new registration takes its place.
		res = f.create(t)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)
		// Verified, it no longer expires.
		f.s.Clock.Advance(48 * time.Hour)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)
	})
}

func TestRecover(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		res := f.create(t)
		recover := func(c string, minutes int) (*totp.AuthenticateResult, error) {
			return f.s.TOTPs.Recover(ctx, f.p, totp.RecoverInput{UserID: f.u.ID, RecoveryCode: c, DurationMinutes: minutes})
		}
		// Not before the registration is verified.
		_, err := recover(res.RecoveryCodes[0], 0)
		wantErr(t, err, auth.ErrTOTPNotFound)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)

		regs, err := f.s.TOTPs.RecoveryCodes(ctx, f.p, f.u.ID)
		must(t, err)
		if len(regs) != 1 || regs[0].TOTPID != res.TOTPID || !regs[0].Verified || strings.Join(regs[0].RecoveryCodes, ",") != strings.Join(res.RecoveryCodes, ",") {
			t.Fatalf("recovery_codes = %+v, want the 10 codes of the verified %s", regs, res.TOTPID)
		}

		got, err := recover(strings.ToUpper(res.RecoveryCodes[3]), 60)
		must(t, err)
		fs := got.Session.AuthenticationFactors
		if got.TOTPID != res.TOTPID || len(fs) != 1 || fs[0].Type != auth.FactorRecoveryCodes ||
			fs[0].DeliveryMethod != auth.DeliveryRecoveryCode || fs[0].RecoveryCodeFactor == nil {
			t.Errorf("recover: totp %s, factors %+v", got.TOTPID, fs)
		}
		_, err = recover(res.RecoveryCodes[3], 0)
		wantErr(t, err, auth.ErrUnableToAuthRecoveryCode)
		_, err = recover("abcd-efgh-ijkl", 0)
		wantErr(t, err, auth.ErrUnableToAuthRecoveryCode)
		for _, c := range []string{"abcd", "abcd-efgh-ijk!", "abcdefghijklmn"} {
			_, err = recover(c, 0)
			wantErr(t, err, auth.ErrInvalidRecoveryCode)
		}
		regs, err = f.s.TOTPs.RecoveryCodes(ctx, f.p, f.u.ID)
		must(t, err)
		if n := len(regs[0].RecoveryCodes); n != 9 {
			t.Errorf("%d unused codes after one recovery, want 9", n)
		}
		for _, c := range regs[0].RecoveryCodes {
			if c == res.RecoveryCodes[3] {
				t.Error("the used code is still listed")
			}
		}
	})
}

// TestAttachToSession adds the totp factor to the session of an earlier
// magic link login, as an app does for MFA.
func TestAttachToSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		first := f.s.Login(t, f.p, "ada@example.com", 60)
		res := f.create(t)
		got, err := f.s.TOTPs.Authenticate(context.Background(), f.p, totp.AuthenticateInput{
			UserID: f.u.ID, Code: code(t, res.Secret, f.s.Clock.Now()), SessionToken: first.Token,
		})
		must(t, err)
		if got.Session.ID != first.Session.ID || got.Token != first.Token {
			t.Errorf("session %s, want the magic link's %s", got.Session.ID, first.Session.ID)
		}
		var types []string
		for _, f := range got.Session.AuthenticationFactors {
			types = append(types, string(f.Type))
		}
		if strings.Join(types, ",") != "magic_link,totp" {
			t.Errorf("factors %v, want magic_link and totp", types)
		}
		// A session of another user is refused, and the code stays unspent.
		other, err := f.s.Users.Create(context.Background(), f.p, user.CreateInput{Email: "bob@example.com"})
		must(t, err)
		bob := f.s.Login(t, f.p, other.Emails[0].Address, 60)
		f.s.Clock.Advance(totp.Period)
		c := code(t, res.Secret, f.s.Clock.Now())
		_, err = f.s.TOTPs.Authenticate(context.Background(), f.p, totp.AuthenticateInput{UserID: f.u.ID, Code: c, SessionToken: bob.Token})
		wantErr(t, err, auth.ErrSessionNotFound)
		_, err = f.authenticate(c, 0)
		must(t, err)
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		ctx := context.Background()
		res := f.create(t)
		_, err := f.authenticate(code(t, res.Secret, f.s.Clock.Now()), 0)
		must(t, err)
		other, _ := f.s.NewProject(t, auth.EnvTest)
		_, err = f.s.TOTPs.Delete(ctx, other, res.TOTPID)
		wantErr(t, err, auth.ErrTOTPNotFound)
		u, err := f.s.TOTPs.Delete(ctx, f.p, res.TOTPID)
		must(t, err)
		if u.ID != f.u.ID || u.TOTPID != "" {
			t.Errorf("delete returned user %s with TOTPID %q", u.ID, u.TOTPID)
		}
		_, err = f.s.TOTPs.Delete(ctx, f.p, res.TOTPID)
		wantErr(t, err, auth.ErrTOTPNotFound)
		_, err = f.s.TOTPs.Delete(ctx, f.p, "nope")
		wantErr(t, err, auth.ErrInvalidTOTPID)
		_, err = f.authenticate(code(t, res.Secret, f.s.Clock.Now().Add(totp.Period)), 0)
		wantErr(t, err, auth.ErrTOTPNotFound)
		f.create(t) // a new registration is allowed again
	})
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	ctx := context.Background()
	res, err := s.TOTPs.Authenticate(ctx, p, totp.AuthenticateInput{UserID: auth.SandboxUserID, Code: totp.SandboxCode, DurationMinutes: 60})
	must(t, err)
	if res.User.ID != auth.SandboxUserID || res.TOTPID != totp.SandboxTOTPID || res.Token != auth.SandboxSessionToken {
		t.Errorf("sandbox authenticate = user %s, totp %s, token %s", res.User.ID, res.TOTPID, res.Token)
	}
	_, err = s.TOTPs.Authenticate(ctx, p, totp.AuthenticateInput{UserID: auth.SandboxUserID, Code: "123456"})
	wantErr(t, err, auth.ErrUnableToAuthTOTP)
	_, err = s.TOTPs.Recover(ctx, p, totp.RecoverInput{UserID: auth.SandboxUserID, RecoveryCode: totp.SandboxRecoveryCode})
	must(t, err)
	_, err = s.TOTPs.Recover(ctx, p, totp.RecoverInput{UserID: auth.SandboxUserID, RecoveryCode: "aaaa-bbbb-cccc"})
	wantErr(t, err, auth.ErrUnableToAuthRecoveryCode)
	// Live projects have no sandbox.
	live, _ := s.NewProject(t, auth.EnvLive)
	_, err = s.TOTPs.Authenticate(ctx, live, totp.AuthenticateInput{UserID: auth.SandboxUserID, Code: totp.SandboxCode})
	wantErr(t, err, auth.ErrUserNotFound)
}

func TestStep(t *testing.T) {
	t.Parallel()
	// RFC 6238 appendix B: T = 0x23523EC at 2005-03-18T01:58:29Z.
	if got := totp.Step(time.Date(2005, 3, 18, 1, 58, 29, 0, time.UTC)); got != 0x23523EC {
		t.Errorf("Step = %#x, want 0x23523ec", got)
	}
}
