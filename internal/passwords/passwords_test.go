package passwords_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/hibptest"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

const strong = "correct-Horse-battery-staple-91!"

// breachList is a BreachChecker over a fixed set of passwords.
type breachList map[string]bool

func (b breachList) Breached(_ context.Context, pw string) (bool, error) { return b[pw], nil }

type env struct {
	*authtest.Services
	st store.Store
	pw *passwords.Service
	p  *auth.Project
}

func newEnv(t *testing.T, st store.Store, opts passwords.Options) *env {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	return &env{Services: s, st: st, pw: passwords.NewService(st, s.Users, s.Members, s.Sessions, s.MagicLinks, s.Clock.Now, opts), p: p}
}

func TestCreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		res, err := e.pw.Create(ctx, e.p, passwords.CreateInput{
			Email: "Ada@Example.com", Password: strong, Name: auth.Name{First: "Ada"},
			Session: passwords.SessionInput{DurationMinutes: 60},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.User.PasswordID == "" || res.User.Status != auth.UserActive || res.Session == nil || res.JWT == "" || res.EmailID != res.User.Emails[0].ID {
			t.Fatalf("Create = %+v", res)
		}
		if f := res.Session.AuthenticationFactors[0]; f.Type != auth.FactorPassword || f.DeliveryMethod != auth.DeliveryKnowledge || f.EmailFactor.EmailAddress != "ada@example.com" {
			t.Errorf("factor = %+v", f)
		}
		stored, err := st.GetUserPassword(ctx, e.p.ID, res.User.ID)
		if err != nil || !strings.HasPrefix(stored.Hash, "$argon2id$") {
			t.Fatalf("stored password %+v, %v", stored, err)
		}

		got, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: strong})
		if err != nil {
			t.Fatal(err)
		}
		if got.User.ID != res.User.ID || got.Session != nil {
			t.Errorf("Authenticate without a duration = %+v", got)
		}
		for name, in := range map[string]passwords.AuthenticateInput{
			"wrong password": {Email: "ada@example.com", Password: strong + "x"},
			"unknown email":  {Email: "nobody@example.com", Password: strong},
		} {
			if _, err := e.pw.Authenticate(ctx, e.p, in); !errors.Is(err, auth.ErrUnauthorizedCredentials) {
				t.Errorf("%s: err = %v, want unauthorized_credentials", name, err)
			}
		}
		// A user without a password fails alike.
		if _, err := e.Users.Create(ctx, e.p, userInput("grace@example.com")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "grace@example.com", Password: strong}); !errors.Is(err, auth.ErrUnauthorizedCredentials) {
			t.Errorf("passwordless user: err = %v", err)
		}

		if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong}); !errors.Is(err, auth.ErrDuplicateEmail) {
			t.Errorf("second create: err = %v", err)
		}
		if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "grace@example.com", Password: strong}); !errors.Is(err, auth.ErrDuplicateEmail) {
			t.Errorf("create over a passwordless user: err = %v", err)
		}
	})
}

func TestCreateRefusesWeakAndBreached(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{Breach: breachList{strong: true}})
		_, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: "password"})
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Type != "weak_password" || !strings.Contains(ae.Message, "common") {
			t.Errorf("weak: err = %v", err)
		}
		if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong}); !errors.Is(err, auth.ErrBreachedPassword) {
			t.Errorf("breached: err = %v", err)
		}
		if _, err := st.GetUserByEmail(ctx, e.p.ID, "ada@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused create left a user: %v", err)
		}
		s, err := e.pw.StrengthCheck(ctx, e.p, strong, "ada@example.com")
		if err != nil || s.ValidPassword || !s.BreachedPassword || !s.BreachDetectionOnCreate || s.Score < 3 {
			t.Errorf("StrengthCheck = %+v, %v", s, err)
		}
	})
}

// TestBreachCheckFailsOpen checks that an HIBP outage lets a password
// the strength policy accepts through, and a breached one is refused
// again once HIBP answers.
func TestBreachCheckFailsOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hibp := hibptest.Start(t, strong)
	e := newEnv(t, authtest.NewStore(t), passwords.Options{Breach: &password.HIBPClient{BaseURL: hibp.URL}})
	hibp.Fail(503)
	if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong}); err != nil {
		t.Fatalf("Create during an HIBP outage: %v", err)
	}
	hibp.Fail(0)
	if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "grace@example.com", Password: strong}); !errors.Is(err, auth.ErrBreachedPassword) {
		t.Errorf("Create after the outage: err = %v, want breached_password", err)
	}
}

func TestMigrateBcryptUpgradesOnLogin(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		h, err := bcrypt.GenerateFromPassword([]byte("old-secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.pw.Migrate(ctx, e.p, passwords.MigrateInput{
			Email: "ada@example.com", Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)}, SetEmailVerified: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.User.PasswordID == "" || !res.User.Emails[0].Verified {
			t.Fatalf("Migrate = %+v", res)
		}
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: "wrong"}); !errors.Is(err, auth.ErrUnauthorizedCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: "old-secret"}); err != nil {
			t.Fatal(err)
		}
		pw, err := st.GetUserPassword(ctx, e.p.ID, res.User.ID)
		if err != nil || !strings.HasPrefix(pw.Hash, "$argon2id$") {
			t.Fatalf("after login: %+v, %v", pw, err)
		}
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: "old-secret"}); err != nil {
			t.Errorf("after upgrade: %v", err)
		}

		// Migrating again updates the same user.
		again, err := e.pw.Migrate(ctx, e.p, passwords.MigrateInput{Email: "ada@example.com", Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)}})
		if err != nil || again.Created || again.User.ID != res.User.ID || again.User.PasswordID != res.User.PasswordID {
			t.Errorf("second Migrate = %+v, %v", again, err)
		}

		for _, tc := range []struct {
			in   passhash.MigrateInput
			want *auth.Error
		}{
			{passhash.MigrateInput{HashType: "rot13", Hash: "x"}, auth.ErrInvalidHashType},
			{passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: "nope"}, auth.ErrInvalidBcryptHash},
			{passhash.MigrateInput{HashType: passhash.HashTypeScrypt, Hash: "aGFzaA", ScryptConfig: &passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 3, RParameter: 8, PParameter: 1}}, auth.ErrInvalidScryptNParameter},
		} {
			_, err := e.pw.Migrate(ctx, e.p, passwords.MigrateInput{Email: "x@example.com", Hash: tc.in})
			if !errors.Is(err, tc.want) {
				t.Errorf("Migrate(%+v) err = %v, want %s", tc.in, err, tc.want.Type)
			}
		}
	})
}

func TestDelete(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		res, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong})
		if err != nil {
			t.Fatal(err)
		}
		u, err := e.pw.Delete(ctx, e.p, res.User.PasswordID)
		if err != nil || u.PasswordID != "" {
			t.Fatalf("Delete = %+v, %v", u, err)
		}
		if _, err := e.pw.Delete(ctx, e.p, res.User.PasswordID); !errors.Is(err, auth.ErrPasswordNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if _, err := e.pw.Delete(ctx, e.p, "nope"); !errors.Is(err, auth.ErrInvalidPasswordID) {
			t.Errorf("bad ID: %v", err)
		}
	})
}

// TestHashingIsBounded checks that logins beyond the hashing limit wait
// their turn.
func TestHashingIsBounded(t *testing.T) {
	t.Parallel()
	st := authtest.NewStore(t)
	ctx := context.Background()
	e := newEnv(t, st, passwords.Options{MaxConcurrentHashes: 1})
	if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: "ada@example.com", Password: strong})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("login %d: %v", i, err)
		}
	}
}

func userInput(addr string) user.CreateInput { return user.CreateInput{Email: addr} }

// TestUnknownEmailCostsAHash checks that a login for an address without an
// account verifies a password hash (against a dummy), exactly as a wrong
// password for a real account does, rather than returning at once: the
// work is counted, not timed.
func TestUnknownEmailCostsAHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, authtest.NewStore(t), passwords.Options{})
	if _, err := e.pw.Create(ctx, e.p, passwords.CreateInput{Email: "ada@example.com", Password: strong}); err != nil {
		t.Fatal(err)
	}
	verifications := func(email string) int64 {
		before := passwords.Verifications(e.pw)
		if _, err := e.pw.Authenticate(ctx, e.p, passwords.AuthenticateInput{Email: email, Password: "wrong-password"}); !errors.Is(err, auth.ErrUnauthorizedCredentials) {
			t.Fatalf("%s: err = %v", email, err)
		}
		return passwords.Verifications(e.pw) - before
	}
	if known, unknown := verifications("ada@example.com"), verifications("nobody@example.com"); known != 1 || unknown != 1 {
		t.Errorf("verifications: wrong password %d, unknown email %d; want one each", known, unknown)
	}
}
