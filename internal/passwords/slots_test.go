package passwords

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHashingGivesUpWithContext fills every hashing slot and checks that
// a further hash waits, then returns the context's error.
func TestHashingGivesUpWithContext(t *testing.T) {
	t.Parallel()
	s := &Service{slots: make(chan struct{}, 2)}
	s.slots <- struct{}{}
	s.slots <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	ran := false
	err := s.hashing(ctx, func() error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("hashing with no free slot: err = %v, ran = %v", err, ran)
	}
	<-s.slots
	if err := s.hashing(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("hashing with a free slot: err = %v, ran = %v", err, ran)
	}
	if len(s.slots) != 1 {
		t.Errorf("slots in use after hashing = %d, want 1", len(s.slots))
	}
}
