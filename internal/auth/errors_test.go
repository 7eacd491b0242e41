package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, e := range Catalog {
		if seen[e.Type] {
			t.Errorf("error_type %q appears twice", e.Type)
		}
		seen[e.Type] = true
		if e.Status < 400 || e.Status > 599 {
			t.Errorf("%s: status %d is not 4xx or 5xx", e.Type, e.Status)
		}
		if e.Message == "" {
			t.Errorf("%s: empty message", e.Type)
		}
	}
}

func TestErrorIs(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk on fire")
	err := fmt.Errorf("context: %w", ErrUserNotFound.Wrap(cause))
	if !errors.Is(err, ErrUserNotFound) {
		t.Error("wrapped copy does not match its catalog entry")
	}
	if errors.Is(err, ErrSessionNotFound) {
		t.Error("matches a different type")
	}
	if !errors.Is(err, cause) {
		t.Error("cause is lost")
	}
	if got := ErrUserNotFound.WithMessage("x %d", 1).Message; got != "x 1" {
		t.Errorf("WithMessage = %q", got)
	}
	if ErrUserNotFound.Err != nil {
		t.Error("Wrap mutated the catalog entry")
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	id := NewID(KindUser, EnvTest)
	if !HasKind(id, KindUser) || HasKind(id, KindSession) || len(id) != len("user-test-")+36 {
		t.Errorf("NewID = %q", id)
	}
	if r := NewRequestID(EnvLive); !HasKind(r, KindRequest) || !strings.HasPrefix(r, "request-id-live-") || r[len("request-id-live-")+14] != '4' {
		t.Errorf("NewRequestID = %q", r)
	}
	if HasKind("user-prod-x", KindUser) {
		t.Error("unknown env accepted")
	}
}
