package sqlstore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store/sqlstore"
)

// TestMigrationFileParity checks that both dialects have the same
// migrations: a change to one schema must be made to the other.
func TestMigrationFileParity(t *testing.T) {
	t.Parallel()
	lite, err := sqlstore.MigrationFiles("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := sqlstore.MigrationFiles("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("no migrations embedded")
	}
	if d := cmp.Diff(lite, pg); d != "" {
		t.Errorf("migration files differ (-sqlite +postgres):\n%s", d)
	}
}

// column is one column of the migrated schema.
type column struct {
	Table, Name string
	NotNull     bool
}

const sqliteColumns = `SELECT m.name, c.name, c."notnull" OR c.pk > 0
	FROM sqlite_master m JOIN pragma_table_info(m.name) c
	WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
	ORDER BY m.name, c.cid`

const postgresColumns = `SELECT table_name, column_name, is_nullable = 'NO'
	FROM information_schema.columns WHERE table_schema = current_schema()
	ORDER BY table_name, ordinal_position`

func schema(t *testing.T, db *sqlstore.DB) []column {
	t.Helper()
	q := sqliteColumns
	if sqlstore.Dialect(db) == "postgres" {
		q = postgresColumns
	}
	rows, err := sqlstore.SQLDB(db).QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Table, &c.Name, &c.NotNull); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols
}

func open(t *testing.T, cfg sqlstore.Config) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSchemaParity checks that both dialects' migrations end with the same
// tables and columns, in the same order, with the same nullability.
func TestSchemaParity(t *testing.T) {
	t.Parallel()
	lite := schema(t, open(t, sqlstore.Config{Driver: "sqlite", DSN: ":memory:"}))
	pg := schema(t, open(t, sqlstore.Config{Driver: "postgres", DSN: authtest.PostgresURL(t)}))
	if d := cmp.Diff(lite, pg); d != "" {
		t.Errorf("schemas differ (-sqlite +postgres):\n%s", d)
	}
}

// TestEveryTableIsScoped checks that every table but the migrations'
// record has project_id, created_at and updated_at.
func TestEveryTableIsScoped(t *testing.T) {
	t.Parallel()
	has := map[string]map[string]bool{}
	for _, c := range schema(t, open(t, sqlstore.Config{Driver: "sqlite", DSN: ":memory:"})) {
		if has[c.Table] == nil {
			has[c.Table] = map[string]bool{}
		}
		has[c.Table][c.Name] = true
	}
	for table, cols := range has {
		if table == "schema_migrations" {
			continue
		}
		for _, want := range []string{"project_id", "created_at", "updated_at"} {
			if !cols[want] {
				t.Errorf("table %s has no %s column", table, want)
			}
		}
	}
}

// dbConfigs name a fresh, empty database of each dialect; the postgres one
// skips unless LATCH_TEST_POSTGRES_URL is set.
var dbConfigs = map[string]func(t *testing.T) sqlstore.Config{
	"sqlite": func(t *testing.T) sqlstore.Config {
		return sqlstore.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "latch.db")}
	},
	"postgres": func(t *testing.T) sqlstore.Config {
		return sqlstore.Config{DSN: authtest.PostgresURL(t)} // the postgres:// prefix picks the driver
	},
}

func applied(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	rows, err := sqlstore.SQLDB(db).QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v+".sql")
	}
	return vs
}

// TestMigrateTwice checks that migrating a migrated database changes
// nothing, whether by reopening it or by running the runner again.
func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	files, err := sqlstore.MigrationFiles("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	for name, config := range dbConfigs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := config(t)
			first := open(t, cfg)
			before := schema(t, first)
			if err := sqlstore.Migrate(t.Context(), first); err != nil {
				t.Fatalf("second migration: %v", err)
			}
			first.Close()
			again := open(t, cfg)
			if d := cmp.Diff(before, schema(t, again)); d != "" {
				t.Errorf("schema changed on reopening (-before +after):\n%s", d)
			}
			if d := cmp.Diff(files, applied(t, again)); d != "" {
				t.Errorf("schema_migrations (-files +recorded):\n%s", d)
			}
		})
	}
}

// TestConcurrentMigrations checks that processes starting together on one
// empty database each apply or skip every migration without failing.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	for name, config := range dbConfigs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := config(t)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := sqlstore.Open(context.Background(), cfg)
					if err == nil {
						err = db.Close()
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}
