package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/store/sqlstore"
	"github.com/latchauth/latch/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.RunConformance(t, func(tb testing.TB) store.Store { return authtest.NewStore(tb) })
}

// TestSQLiteMemory runs the suite on ":memory:", where one connection
// serves reads and writes.
func TestSQLiteMemory(t *testing.T) {
	t.Parallel()
	storetest.RunConformance(t, func(tb testing.TB) store.Store {
		db, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: "sqlite", DSN: ":memory:"})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}

// TestConcurrentWriters checks that 50 concurrent write transactions on
// SQLite all commit: none fails with SQLITE_BUSY and none deadlocks, while
// readers keep reading.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	st := authtest.NewStore(t)
	p, _ := authtest.SeedProject(t, st, auth.EnvTest)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	now := time.Now().UTC()

	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- st.InTx(ctx, func(tx store.Store) error {
				// Read, then write: the pattern that fails with SQLITE_BUSY
				// when a deferred transaction must upgrade its lock.
				if _, err := tx.GetProject(ctx, p.ID); err != nil {
					return err
				}
				u := &auth.User{
					ID: fmt.Sprintf("user-test-%02d", i), Status: auth.UserActive, CreatedAt: now, UpdatedAt: now,
					Emails: []auth.Email{{ID: fmt.Sprintf("email-test-%02d", i), Address: fmt.Sprintf("u%02d@example.com", i), CreatedAt: now}},
				}
				return tx.CreateUser(ctx, p.ID, u)
			})
		}()
		go func() {
			defer wg.Done()
			_, err := st.GetProject(ctx, p.ID)
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
	_, total, err := st.SearchUsers(ctx, p.ID, store.UserFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != writers {
		t.Errorf("%d users, want %d", total, writers)
	}
}

// TestSQLitePragmas checks that the connection settings the package relies
// on are in force, for a plain file name and for a file: URI carrying
// parameters of its own.
func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	for name, dsn := range map[string]string{
		"path": filepath.Join(t.TempDir(), "a.db"),
		"uri":  "file:" + filepath.Join(t.TempDir(), "b.db") + "?cache=private",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, err := sqlstore.Open(t.Context(), sqlstore.Config{DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			for _, pool := range []struct {
				name string
				db   *sql.DB
			}{{"writer", sqlstore.SQLDB(db)}, {"reader", sqlstore.ReadDB(db)}} {
				for pragma, want := range map[string]string{
					"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1",
				} {
					var got string
					if err := pool.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("%s: PRAGMA %s = %s, want %s", pool.name, pragma, got, want)
					}
				}
			}
			// The read pool refuses writes, so none can race the writer.
			if _, err := sqlstore.ReadDB(db).ExecContext(t.Context(), "DELETE FROM projects"); err == nil {
				t.Error("a write through the read pool succeeded")
			}
		})
	}
}
