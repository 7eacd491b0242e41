package passwords_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/hibptest"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

const newStrong = "Another-long-passphrase-for-ada-42"

// signUp creates ada@example.com with the strong password and a session.
func (e *env) signUp(t *testing.T) *passwords.Result {
	t.Helper()
	res, err := e.pw.Create(context.Background(), e.p, passwords.CreateInput{
		Email: "ada@example.com", Password: strong, Session: passwords.SessionInput{DurationMinutes: 60},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// wantLogin checks that pw logs ada in, or that it is refused with want.
func (e *env) wantLogin(t *testing.T, pw string, want error) {
	t.Helper()
	_, err := e.pw.Authenticate(context.Background(), e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: pw})
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("Authenticate(%q) err = %v, want %v", pw, err, want)
	}
}

// wantSession checks whether a session token still authenticates.
func (e *env) wantSession(t *testing.T, name, tok string, live bool) {
	t.Helper()
	_, err := e.Sessions.Authenticate(context.Background(), e.p, session.AuthenticateInput{Token: tok})
	if live && err != nil || !live && !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("%s session: err = %v, want live=%v", name, err, live)
	}
}

func (e *env) startReset(t *testing.T, in passwords.ResetStartInput) string {
	t.Helper()
	if in.Email == "" {
		in.Email = "ada@example.com"
	}
	if _, err := e.pw.ResetStart(context.Background(), e.p, in); err != nil {
		t.Fatal(err)
	}
	link, tok := e.LastLink(t)
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("stytch_token_type") != "reset_password" || tok == "" {
		t.Fatalf("reset link %q", link)
	}
	return tok
}

func TestResetByEmail(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{Breach: breachList{"Breached-but-long-passphrase-1": true}})
		ada := e.signUp(t)
		other := e.Login(t, e.p, "ada@example.com", 60)

		res, err := e.pw.ResetStart(ctx, e.p, passwords.ResetStartInput{Email: "ADA@example.com"})
		if err != nil || res.UserID != ada.User.ID || res.EmailID != ada.EmailID {
			t.Fatalf("ResetStart = %+v, %v", res, err)
		}
		_, tok := e.LastLink(t)

		// Refused passwords leave the link usable.
		for pw, want := range map[string]error{
			"password":                       auth.ErrWeakPassword,
			"Breached-but-long-passphrase-1": auth.ErrBreachedPassword,
		} {
			if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: pw}); !errors.Is(err, want) {
				t.Errorf("reset to %q: err = %v, want %v", pw, err, want)
			}
		}

		got, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{
			Token: tok, Password: newStrong, Session: passwords.SessionInput{DurationMinutes: 30},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.User.ID != ada.User.ID || got.Session == nil || got.JWT == "" || !got.User.Emails[0].Verified {
			t.Fatalf("ResetByEmail = %+v", got)
		}
		if f := got.Session.AuthenticationFactors[0]; f.Type != auth.FactorMagicLink || f.DeliveryMethod != auth.DeliveryEmail {
			t.Errorf("factor = %+v", f)
		}
		e.wantLogin(t, strong, auth.ErrUnauthorizedCredentials)
		e.wantLogin(t, newStrong, nil)
		// Every other session ends; the reset's own lives.
		e.wantSession(t, "password", ada.Token, false)
		e.wantSession(t, "magic link", other.Token, false)
		e.wantSession(t, "reset", got.Token, true)

		// The link works once.
		if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong + "x"}); !errors.Is(err, auth.ErrUnableToAuthPasswordResetToken) {
			t.Errorf("reused link: err = %v", err)
		}
		for name, tok := range map[string]string{"unknown": "not-a-token", "empty": ""} {
			if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); err == nil {
				t.Errorf("%s token accepted", name)
			}
		}
	})
}

func TestResetByEmailExpires(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		e.signUp(t)
		tok := e.startReset(t, passwords.ResetStartInput{})
		e.Clock.Advance(30 * time.Minute) // the default lifetime
		if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); !errors.Is(err, auth.ErrUnableToAuthPasswordResetToken) {
			t.Errorf("expired link: err = %v", err)
		}
		e.wantLogin(t, strong, nil)

		tok = e.startReset(t, passwords.ResetStartInput{Minutes: 60})
		e.Clock.Advance(59 * time.Minute)
		if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); err != nil {
			t.Errorf("link within its hour: %v", err)
		}
	})
}

func TestResetStartRefusals(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		e.signUp(t)
		for name, tc := range map[string]struct {
			in   passwords.ResetStartInput
			want error
		}{
			"unknown email":  {passwords.ResetStartInput{Email: "nobody@example.com"}, auth.ErrEmailNotFound},
			"invalid email":  {passwords.ResetStartInput{Email: "nope"}, auth.ErrInvalidEmail},
			"unlisted URL":   {passwords.ResetStartInput{Email: "ada@example.com", RedirectURL: "https://evil.example/reset"}, auth.ErrNoMatchForMagicLinkURL},
			"unlisted login": {passwords.ResetStartInput{Email: "ada@example.com", LoginURL: "https://evil.example/login"}, auth.ErrNoMatchForMagicLinkURL},
			"expiration":     {passwords.ResetStartInput{Email: "ada@example.com", Minutes: 2}, auth.ErrInvalidExpiration},
			"locale":         {passwords.ResetStartInput{Email: "ada@example.com", Locale: "xx"}, auth.ErrInvalidLocale},
		} {
			if _, err := e.pw.ResetStart(ctx, e.p, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", name, err, tc.want)
			}
		}
		if n := len(e.Mail.Sent()); n != 0 {
			t.Errorf("refused starts sent %d emails", n)
		}
	})
}

func TestResetByEmailPKCE(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t), passwords.Options{})
	e.signUp(t)
	verifier := "a-code-verifier-that-is-long-enough-for-rfc-7636"
	sum := sha256.Sum256([]byte(verifier))
	tok := e.startReset(t, passwords.ResetStartInput{CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:])})
	if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); !errors.Is(err, auth.ErrPKCEExpectedVerifier) {
		t.Errorf("no verifier: err = %v", err)
	}
	if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong, CodeVerifier: "wrong"}); !errors.Is(err, auth.ErrPKCEMismatch) {
		t.Errorf("wrong verifier: err = %v", err)
	}
	if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong, CodeVerifier: verifier}); err != nil {
		t.Errorf("right verifier: %v", err)
	}
}

func TestResetByExisting(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		hibp := hibptest.Start(t, "Breached-but-long-passphrase-1")
		e := newEnv(t, st, passwords.Options{Breach: &password.HIBPClient{BaseURL: hibp.URL}})
		ada := e.signUp(t)
		for name, tc := range map[string]struct {
			in   passwords.ResetByExistingInput
			want error
		}{
			"wrong existing": {passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: strong + "x", NewPassword: newStrong}, auth.ErrUnauthorizedCredentials},
			"unknown email":  {passwords.ResetByExistingInput{Email: "nobody@example.com", ExistingPassword: strong, NewPassword: newStrong}, auth.ErrUnauthorizedCredentials},
			"weak new":       {passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: strong, NewPassword: "password"}, auth.ErrWeakPassword},
			"breached new":   {passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: strong, NewPassword: "Breached-but-long-passphrase-1"}, auth.ErrBreachedPassword},
			"empty new":      {passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: strong}, auth.ErrInvalidArgument},
		} {
			if _, err := e.pw.ResetByExisting(ctx, e.p, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", name, err, tc.want)
			}
		}
		e.wantLogin(t, strong, nil)

		got, err := e.pw.ResetByExisting(ctx, e.p, passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: strong, NewPassword: newStrong})
		if err != nil {
			t.Fatal(err)
		}
		if got.User.ID != ada.User.ID || got.Session != nil || got.Token != "" {
			t.Errorf("ResetByExisting without a duration = %+v", got)
		}
		e.wantLogin(t, strong, auth.ErrUnauthorizedCredentials)
		e.wantLogin(t, newStrong, nil)
		e.wantSession(t, "create", ada.Token, false)
	})
}

func TestResetBySession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		ada := e.signUp(t)
		link := e.Login(t, e.p, "ada@example.com", 60)

		if _, err := e.pw.ResetBySession(ctx, e.p, passwords.ResetBySessionInput{Password: "password", SessionToken: link.Token}); !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("weak: err = %v", err)
		}
		got, err := e.pw.ResetBySession(ctx, e.p, passwords.ResetBySessionInput{Password: newStrong, SessionToken: link.Token, DurationMinutes: 120})
		if err != nil {
			t.Fatal(err)
		}
		if got.Session == nil || got.Session.ID != link.Session.ID || got.Token != link.Token || got.JWT == "" ||
			!got.Session.ExpiresAt.Equal(e.Clock.Now().UTC().Add(120*time.Minute)) {
			t.Fatalf("ResetBySession = %+v", got)
		}
		if n := len(got.Session.AuthenticationFactors); n != 2 || got.Session.AuthenticationFactors[1].Type != auth.FactorPassword {
			t.Errorf("factors = %+v", got.Session.AuthenticationFactors)
		}
		e.wantSession(t, "reset", link.Token, true)
		e.wantSession(t, "other", ada.Token, false)
		e.wantLogin(t, newStrong, nil)

		// By JWT as well as by token.
		if _, err := e.pw.ResetBySession(ctx, e.p, passwords.ResetBySessionInput{Password: strong, SessionJWT: got.JWT}); err != nil {
			t.Errorf("by JWT: %v", err)
		}

		// Five minutes after its last email factor, the session is stale.
		e.Clock.Advance(RecentWindow + time.Second)
		if _, err := e.pw.ResetBySession(ctx, e.p, passwords.ResetBySessionInput{Password: newStrong, SessionToken: link.Token}); !errors.Is(err, auth.ErrSessionTooOldToResetPassword) {
			t.Errorf("stale session: err = %v", err)
		}
		for name, in := range map[string]passwords.ResetBySessionInput{
			"revoked session": {Password: newStrong, SessionToken: ada.Token},
			"unknown session": {Password: newStrong, SessionToken: "no-such-session-token"},
		} {
			if _, err := e.pw.ResetBySession(ctx, e.p, in); !errors.Is(err, auth.ErrSessionNotFound) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		if _, err := e.pw.ResetBySession(ctx, e.p, passwords.ResetBySessionInput{Password: newStrong}); !errors.Is(err, auth.ErrNoSessionArguments) {
			t.Errorf("no session: err = %v", err)
		}
		e.wantLogin(t, strong, nil)
	})
}

// RecentWindow is passwords.RecentFactorWindow, named short for the test.
const RecentWindow = passwords.RecentFactorWindow

func TestBreachedImportRequiresReset(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		const leaked = "leaked-Old-secret-9"
		hibp := hibptest.Start(t, leaked)
		e := newEnv(t, st, passwords.Options{Breach: &password.HIBPClient{BaseURL: hibp.URL}})
		h, err := bcrypt.GenerateFromPassword([]byte(leaked), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pw.Migrate(ctx, e.p, passwords.MigrateInput{
			Email: "ada@example.com", Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)},
		}); err != nil {
			t.Fatal(err)
		}
		e.wantLogin(t, "wrong", auth.ErrUnauthorizedCredentials)
		e.wantLogin(t, leaked, auth.ErrResetPassword)
		// The mark is stored: it holds with breach detection unreachable.
		hibp.Fail(503)
		e.wantLogin(t, leaked, auth.ErrResetPassword)
		if _, err := e.pw.ResetByExisting(ctx, e.p, passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: leaked, NewPassword: newStrong}); !errors.Is(err, auth.ErrResetPassword) {
			t.Errorf("existing-password reset of a password that must be reset: err = %v", err)
		}
		hibp.Fail(0)
		tok := e.startReset(t, passwords.ResetStartInput{})
		if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); err != nil {
			t.Fatal(err)
		}
		e.wantLogin(t, newStrong, nil)
	})
}

func TestProjectLUDSPolicy(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		// Eight characters of three kinds: enough for LUDS's defaults, far
		// too guessable for zxcvbn.
		const luds = "Abcdefg1"
		if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: luds}); !errors.Is(err, auth.ErrWeakPassword) {
			t.Fatalf("zxcvbn project: err = %v, want weak_password", err)
		}
		for _, bad := range []auth.PasswordPolicy{{Kind: "rot13"}, {Kind: "luds", LUDSMinLength: 40}, {Kind: "zxcvbn", LUDSMinCharTypes: 2}} {
			if _, err := e.Projects.SetPasswordPolicy(ctx, e.p.ID, bad); !errors.Is(err, auth.ErrInvalidArgument) {
				t.Errorf("SetPasswordPolicy(%+v) err = %v", bad, err)
			}
		}
		p, err := e.Projects.SetPasswordPolicy(ctx, e.p.ID, auth.PasswordPolicy{Kind: "luds"})
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.pw.StrengthCheck(ctx, p, luds, "")
		if err != nil || !s.ValidPassword || s.StrengthPolicy != "luds" || s.Feedback.LUDSRequirements == nil {
			t.Fatalf("StrengthCheck under LUDS = %+v, %v", s, err)
		}
		if _, err := e.pw.Create(ctx, p, passwords.CreateInput{Email: "ada@example.com", Password: luds}); err != nil {
			t.Fatalf("LUDS project: %v", err)
		}

		// A stricter LUDS policy applies to resets too, saying what is missing.
		if p, err = e.Projects.SetPasswordPolicy(ctx, e.p.ID, auth.PasswordPolicy{Kind: "luds", LUDSMinLength: 12, LUDSMinCharTypes: 4}); err != nil {
			t.Fatal(err)
		}
		_, err = e.pw.ResetByExisting(ctx, p, passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: luds, NewPassword: "Abcdefgh1"})
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Type != "weak_password" || !strings.Contains(ae.Message, "Add 3 more characters") {
			t.Errorf("reset under LUDS 12/4: err = %v", err)
		}
		if _, err := e.pw.ResetByExisting(ctx, p, passwords.ResetByExistingInput{Email: "ada@example.com", ExistingPassword: luds, NewPassword: "Abcdefgh1234!"}); err != nil {
			t.Errorf("reset to a LUDS 12/4 password: %v", err)
		}
	})
}

// TestPasswordlessLoginRequiresReset checks Stytch's deduplication rule: a
// passwordless login that proves an address no one had proved makes the
// user's password (set by someone who never proved it) require a reset.
func TestPasswordlessLoginRequiresReset(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		ada := e.signUp(t) // unverified: create does not prove the address
		e.Login(t, e.p, "ada@example.com", 0)
		e.wantLogin(t, strong, auth.ErrResetPassword)
		if u, err := e.Users.Get(ctx, e.p.ID, ada.User.ID); err != nil || !u.PasswordRequiresReset {
			t.Errorf("user after the magic link: %+v, %v; want its password to require a reset", u, err)
		}
		e.wantLogin(t, "wrong", auth.ErrUnauthorizedCredentials)
		tok := e.startReset(t, passwords.ResetStartInput{})
		if _, err := e.pw.ResetByEmail(ctx, e.p, passwords.ResetByEmailInput{Token: tok, Password: newStrong}); err != nil {
			t.Fatal(err)
		}
		e.wantLogin(t, newStrong, nil)
		if u, err := e.Users.Get(ctx, e.p.ID, ada.User.ID); err != nil || u.PasswordRequiresReset {
			t.Errorf("user after the reset: %+v, %v", u, err)
		}
		// Once the address is proved, later passwordless logins leave the
		// password alone.
		e.Login(t, e.p, "ada@example.com", 0)
		e.wantLogin(t, newStrong, nil)

		// So do they for an imported password whose address was verified.
		h, err := bcrypt.GenerateFromPassword([]byte("old-secret-42"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pw.Migrate(ctx, e.p, passwords.MigrateInput{
			Email: "grace@example.com", SetEmailVerified: true, Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)},
		}); err != nil {
			t.Fatal(err)
		}
		e.Login(t, e.p, "grace@example.com", 0)
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "grace@example.com", Password: "old-secret-42"}); err != nil {
			t.Errorf("verified import after a magic link: %v", err)
		}
	})
}
