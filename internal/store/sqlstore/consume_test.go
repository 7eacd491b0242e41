package sqlstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// TestConsumeTokenConcurrently checks that of 50 concurrent ConsumeToken
// calls for one token exactly one succeeds and the others see ErrConsumed.
func TestConsumeTokenConcurrently(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p, _ := authtest.SeedProject(t, st, auth.EnvTest)
		now := time.Now().UTC()
		tok := &auth.OneTimeToken{
			ID: "token-test-1", Kind: auth.TokenMagicLink, TokenHash: token.Hash(token.New()),
			EmailAddress: "ada@example.com", CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		}
		if err := st.CreateToken(t.Context(), p.ID, tok); err != nil {
			t.Fatal(err)
		}

		const callers = 50
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, callers)
		)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenMagicLink}, now)
			}()
		}
		close(start)
		wg.Wait()

		var ok, consumed int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrConsumed):
				consumed++
			default:
				t.Errorf("ConsumeToken: %v", err)
			}
		}
		if ok != 1 || consumed != callers-1 {
			t.Errorf("%d succeeded and %d got ErrConsumed, want 1 and %d", ok, consumed, callers-1)
		}
	})
}
