package sqlstore_test

import (
	"testing"

	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/store/storetest"
)

// TestPostgres runs the suite on PostgreSQL, each subtest in a schema of
// its own. It skips unless LATCH_TEST_POSTGRES_URL is set.
func TestPostgres(t *testing.T) {
	t.Parallel()
	authtest.PostgresURL(t) // skips early when PostgreSQL is not configured
	storetest.RunConformance(t, func(tb testing.TB) store.Store { return authtest.NewPostgresStore(tb) })
}
