package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/latchauth/latch/internal/delivery"
)

// verdict is an error that classifies itself, as a future sender's
// errors may.
type verdict bool

func (v verdict) Error() string   { return fmt.Sprintf("verdict %v", bool(v)) }
func (v verdict) Retryable() bool { return bool(v) }

func TestRetryable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil: nothing to retry", nil, false},
		{"unclassified error", errors.New("connection reset by peer"), true},
		{"SMTP outage, as the outbox has always retried", errOutage, true},
		{"deadline", context.DeadlineExceeded, true},
		{"network error", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"channel unsupported", delivery.ErrChannelUnsupported, false},
		{"channel unsupported, wrapped", fmt.Errorf("send: %w", delivery.ErrChannelUnsupported), false},
		{"self-classified permanent", fmt.Errorf("a: %w", verdict(false)), false},
		{"self-classified temporary", fmt.Errorf("a: %w", verdict(true)), true},
		{"first classification found wins", fmt.Errorf("%w: %w", verdict(true), verdict(false)), true},
	}
	for _, tt := range tests {
		if got := delivery.Retryable(tt.err); got != tt.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
