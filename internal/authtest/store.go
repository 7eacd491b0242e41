// Package authtest holds the helpers tests share across packages: real
// stores (SQLite always, PostgreSQL when configured), seeded projects, a
// settable clock and captured mail. Nothing here is a mock of the store:
// SQLite is the fake.
package authtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for schema setup

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/store/sqlstore"
	"github.com/latchauth/latch/internal/token"
)

// PostgresEnv names the environment variable holding the URL of a
// PostgreSQL server for tests, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When it is
// unset, PostgreSQL tests skip.
const PostgresEnv = "LATCH_TEST_POSTGRES_URL"

// NewStore returns a fresh, migrated SQLite store in a file under
// tb.TempDir(), closed when the test ends. A file rather than :memory:
// gives tests the production setup: WAL, one writer connection and a read
// pool. The file starts as a copy of a database migrated once per test
// process: running every migration for each of the thousands of stores a
// test run opens was most of the time the store tests took.
func NewStore(tb testing.TB) store.Store {
	tb.Helper()
	migrated, err := sqliteTemplate()
	if err != nil {
		tb.Fatalf("migrate the SQLite template: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "latch.db")
	if err := os.WriteFile(path, migrated, 0o600); err != nil {
		tb.Fatal(err)
	}
	// Open still checks every migration against the copy's
	// schema_migrations, so a template gone stale cannot pass unnoticed.
	return open(tb, sqlstore.Config{Driver: "sqlite", DSN: path})
}

// sqliteTemplate is the bytes of a freshly migrated SQLite database,
// closed (so its WAL is checkpointed into the file) before it is read.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "latch-sqlite-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "latch.db")
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: "sqlite", DSN: path})
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// NewPostgresStore returns a fresh, migrated PostgreSQL store in a schema
// of its own (see PostgresURL), closed when the test ends. It skips the
// test when PostgresEnv is unset.
func NewPostgresStore(tb testing.TB) store.Store {
	tb.Helper()
	return open(tb, sqlstore.Config{Driver: "postgres", DSN: PostgresURL(tb)})
}

func open(tb testing.TB, cfg sqlstore.Config) store.Store {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open %s store: %v", cfg.Driver, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close %s store: %v", cfg.Driver, err)
		}
	})
	return db
}

// ForEachStore runs fn as a subtest named for each dialect: "sqlite"
// always, and "postgres" when PostgresEnv is set. Each gets a fresh store;
// fn may call t.Parallel.
func ForEachStore(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, NewStore(t)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, NewPostgresStore(t)) })
	}
}

// PostgresURL returns the URL of an empty schema of its own on the server
// PostgresEnv names, for a test (or a latch process the test starts) to
// migrate and use: its search_path points at the schema, so parallel tests
// and packages never see each other's rows. The schema is dropped when the
// test ends. It skips the test when PostgresEnv is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("%s is not set; skipping PostgreSQL", PostgresEnv)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "latch_test_" + hex.EncodeToString(b[:])
	pgExec(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { pgExec(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	return withSearchPath(tb, base, schema)
}

// withSearchPath returns dsn with search_path set to schema; pgx sends
// unknown DSN parameters to the server as run-time settings.
func withSearchPath(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema // key=value form
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func pgExec(tb testing.TB, dsn, stmt string) {
	tb.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

// SeedProject inserts a project of environment env with a fresh secret and
// returns it with the plain secret, for Basic authentication as
// PROJECT_ID:SECRET.
func SeedProject(tb testing.TB, st store.Store, env auth.Env) (*auth.Project, string) {
	tb.Helper()
	secret := token.NewSecret("secret-" + string(env) + "-")
	now := time.Now().UTC().Truncate(time.Microsecond)
	p := &auth.Project{
		ID:          auth.NewID(auth.KindProject, env),
		Name:        "Test project",
		Env:         env,
		SecretHash:  token.Hash(secret),
		PublicToken: auth.NewID(auth.KindPublicToken, env),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	if err := st.CreateProject(context.Background(), p); err != nil {
		tb.Fatalf("seed project: %v", err)
	}
	return p, secret
}
