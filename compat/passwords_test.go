package compat

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/passwords"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"

	"github.com/latchauth/latch/internal/hibptest"
	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/store/sqlstore"
)

const strongPassword = "correct-Horse-battery-staple-91!"

func TestPasswords(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "pw")
		created, err := e.client.Passwords.Create(ctx, &passwords.CreateParams{
			Email: addr, Password: strongPassword, SessionDurationMinutes: 60,
			SessionCustomClaims: map[string]any{"plan": "pro"}, Name: &users.Name{FirstName: "Ada"},
			TrustedMetadata: map[string]any{"tier": "gold"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.UserID == "" || created.EmailID == "" || created.SessionToken == "" || created.SessionJWT == "" || created.Session == nil {
			t.Fatalf("Create = %+v", created)
		}
		if created.User.Password == nil || created.User.Password.PasswordID == "" || created.User.Name.FirstName != "Ada" || created.User.Status != "active" {
			t.Errorf("created user = %+v", created.User)
		}
		if f := created.Session.AuthenticationFactors; len(f) != 1 || f[0].Type != "password" || f[0].DeliveryMethod != "knowledge" {
			t.Errorf("factors = %+v", f)
		}
		if _, err := e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: created.SessionToken}); err != nil {
			t.Errorf("session from create: %v", err)
		}

		res, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: strongPassword, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if res.UserID != created.UserID || res.SessionToken == "" || res.Session == nil || res.User.Password == nil {
			t.Fatalf("Authenticate = %+v", res)
		}
		s, err := e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: res.SessionJWT})
		if err != nil || s.Session.UserID != created.UserID {
			t.Fatalf("session from authenticate: %+v, %v", s, err)
		}
		got, err := e.client.Users.Get(ctx, &users.GetParams{UserID: created.UserID})
		if err != nil || got.Password == nil || got.Password.PasswordID != created.User.Password.PasswordID {
			t.Errorf("Users.Get password = %+v, %v", got, err)
		}

		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: "not-" + strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")
		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: newEmail(t, "nobody"), Password: strongPassword})
		wantError(t, err, 401, "unauthorized_credentials")
		_, err = e.client.Passwords.Create(ctx, &passwords.CreateParams{Email: addr, Password: strongPassword})
		wantError(t, err, 400, "duplicate_email")
		_, err = e.client.Passwords.Create(ctx, &passwords.CreateParams{Email: newEmail(t, "weak"), Password: "password1"})
		wantError(t, err, 400, "weak_password")

		weak, err := e.client.Passwords.StrengthCheck(ctx, &passwords.StrengthCheckParams{Password: "password1"})
		if err != nil {
			t.Fatal(err)
		}
		if weak.ValidPassword || weak.Score >= 3 || weak.StrengthPolicy != "zxcvbn" || weak.BreachDetectionOnCreate || weak.Feedback == nil || len(weak.Feedback.Suggestions) == 0 {
			t.Errorf("StrengthCheck(weak) = %+v", weak)
		}
		strong, err := e.client.Passwords.StrengthCheck(ctx, &passwords.StrengthCheckParams{Password: strongPassword, Email: addr})
		if err != nil || !strong.ValidPassword || strong.Score < 3 || strong.BreachedPassword {
			t.Errorf("StrengthCheck(strong) = %+v, %v", strong, err)
		}
	})
}

func TestPasswordsMigrateBcrypt(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		addr := newEmail(t, "migrated")
		h, err := bcrypt.GenerateFromPassword([]byte("legacy-secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.client.Passwords.Migrate(ctx, &passwords.MigrateParams{
			Email: addr, Hash: string(h), HashType: passwords.MigrateRequestHashTypeBcrypt, SetEmailVerified: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !m.UserCreated || m.UserID == "" || m.EmailID == "" || m.User.Password == nil || len(m.User.Emails) != 1 || !m.User.Emails[0].Verified {
			t.Fatalf("Migrate = %+v", m)
		}
		_, err = e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: "wrong"})
		wantError(t, err, 401, "unauthorized_credentials")
		// The first login verifies bcrypt and stores argon2id (checked on
		// every store in internal/passwords, and in the database by
		// TestPasswordsMigrateUpgradesStoredHash); the second reads the upgrade.
		for i := range 2 {
			res, err := e.client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: addr, Password: "legacy-secret", SessionDurationMinutes: 5})
			if err != nil {
				t.Fatalf("login %d: %v", i+1, err)
			}
			if res.UserID != m.UserID || res.SessionToken == "" {
				t.Fatalf("login %d = %+v", i+1, res)
			}
		}

		_, err = e.client.Passwords.Migrate(ctx, &passwords.MigrateParams{Email: addr, Hash: "nope", HashType: passwords.MigrateRequestHashTypeBcrypt})
		wantError(t, err, 400, "invalid_bcrypt_hash")
		again, err := e.client.Passwords.Migrate(ctx, &passwords.MigrateParams{Email: addr, Hash: string(h), HashType: passwords.MigrateRequestHashTypeBcrypt})
		if err != nil || again.UserCreated || again.UserID != m.UserID {
			t.Errorf("second Migrate = %+v, %v", again, err)
		}
	})
}

func TestPasswordsBreached(t *testing.T) {
	t.Parallel()
	const breached = "Tr0ub4dor&3-but-leaked-2024"
	hibp := hibptest.Start(t, breached)
	srv := latchtest.Start(t, latchtest.Options{Env: map[string]string{"LATCH_HIBP_URL": hibp.URL}})
	closeIdleFirst(t)
	client := newClient(t, srv)
	ctx := t.Context()

	_, err := client.Passwords.Create(ctx, &passwords.CreateParams{Email: newEmail(t, "leaked"), Password: breached})
	wantError(t, err, 400, "breached_password")
	s, err := client.Passwords.StrengthCheck(ctx, &passwords.StrengthCheckParams{Password: breached, Email: newEmail(t, "leaked")})
	if err != nil || s.ValidPassword || !s.BreachedPassword || !s.BreachDetectionOnCreate {
		t.Errorf("StrengthCheck(breached) = %+v, %v", s, err)
	}
	if _, err := client.Passwords.Create(ctx, &passwords.CreateParams{Email: newEmail(t, "fine"), Password: strongPassword}); err != nil {
		t.Errorf("Create with an unbreached password: %v", err)
	}
	for _, p := range hibp.Requests() {
		if len(p) != 5 {
			t.Errorf("HIBP was asked for %q, want a five-character prefix", p)
		}
	}
	if len(hibp.Requests()) == 0 {
		t.Error("HIBP was never asked")
	}
}

// TestPasswordsMigrateUpgradesStoredHash looks into the database of a
// SQLite server: the hash a migrated user's first login verified is
// replaced by an argon2id hash.
func TestPasswordsMigrateUpgradesStoredHash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "latch.db")
	srv := latchtest.Start(t, latchtest.Options{DatabaseURL: "sqlite:" + path})
	closeIdleFirst(t)
	client := newClient(t, srv)
	ctx := t.Context()
	h, err := bcrypt.GenerateFromPassword([]byte("legacy-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m, err := client.Passwords.Migrate(ctx, &passwords.MigrateParams{Email: newEmail(t, "upgrade"), Hash: string(h), HashType: passwords.MigrateRequestHashTypeBcrypt})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, sqlstore.Config{Driver: "sqlite", DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, err := db.GetUserPassword(ctx, srv.ProjectID, m.UserID)
	if err != nil || before.Hash != string(h) {
		t.Fatalf("stored after migrate: %+v, %v; want the bcrypt hash", before, err)
	}
	if _, err := client.Passwords.Authenticate(ctx, &passwords.AuthenticateParams{Email: m.User.Emails[0].Email, Password: "legacy-secret"}); err != nil {
		t.Fatal(err)
	}
	after, err := db.GetUserPassword(ctx, srv.ProjectID, m.UserID)
	if err != nil || !strings.HasPrefix(after.Hash, "$argon2id$") || after.ID != before.ID {
		t.Fatalf("stored after login: %+v, %v; want argon2id under the same password ID", after, err)
	}
}
