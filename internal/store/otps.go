package store

import (
	"context"
	"errors"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// ErrMismatch means a secret was checked and did not match; the attempt was
// counted.
var ErrMismatch = errors.New("store: mismatch")

// OTPs persists one-time passcodes, by keyed hash only.
type OTPs interface {
	// CreateOTP stores o as the live code of its method, voiding (as
	// consumed at o.CreatedAt) any earlier live code of the same method.
	// Returns ErrConflict if its ID exists.
	CreateOTP(ctx context.Context, projectID string, o *auth.OTP) error
	// AuthenticateOTP checks a code against the method's live code (not
	// consumed, not expired at now, fewer than maxAttempts wrong guesses):
	// if hash matches, it consumes the code in one conditional statement,
	// so of concurrent calls at most one succeeds, and returns it; if not,
	// it counts the wrong guess and returns ErrMismatch. With no live code
	// it returns ErrNotFound.
	AuthenticateOTP(ctx context.Context, projectID, methodID string, hash []byte, now time.Time, maxAttempts int) (*auth.OTP, error)
	// CountOTPs returns how many codes were sent to the (lowercased)
	// address since since: the send throttle, which survives restarts.
	CountOTPs(ctx context.Context, projectID, address string, since time.Time) (int, error)
}
