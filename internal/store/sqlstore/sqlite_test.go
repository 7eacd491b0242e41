package sqlstore_test

import (
	"context"
	"fmt"
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
