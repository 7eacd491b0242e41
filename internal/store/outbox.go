package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Outbox persists outgoing email until it is delivered.
type Outbox interface {
	// EnqueueMessage inserts m, due at m.NextAttemptAt.
	EnqueueMessage(ctx context.Context, projectID string, m *auth.Message) error
	// DueMessages returns up to limit undelivered messages due at or before
	// now, oldest first. Operator-level: the delivery worker spans projects.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]auth.Message, error)
	// ClaimMessage leases an undelivered message due at or before now until
	// leaseUntil, so that concurrent workers (in this process or another)
	// never send it twice at once, and returns it with Attempts incremented.
	// Returns ErrNotFound if it is delivered, not due, or leased elsewhere.
	ClaimMessage(ctx context.Context, projectID, messageID string, now, leaseUntil time.Time) (*auth.Message, error)
	// MarkMessageSent records delivery. Returns ErrNotFound.
	MarkMessageSent(ctx context.Context, projectID, messageID string, at time.Time) error
	// MarkMessageFailed records a failed attempt and when to retry. Returns ErrNotFound.
	MarkMessageFailed(ctx context.Context, projectID, messageID, reason string, retryAt time.Time) error
}

// DevInbox persists messages kept by the built-in dev inbox.
type DevInbox interface {
	// AddDevMessage inserts m.
	AddDevMessage(ctx context.Context, projectID string, m *auth.DevMessage) error
	// ListDevMessages returns messages matching f, newest first.
	// Operator-level: with an empty ProjectID it spans projects.
	ListDevMessages(ctx context.Context, f DevMessageFilter) ([]auth.DevMessage, error)
}

// DevMessageFilter selects dev inbox messages. Empty fields match anything.
type DevMessageFilter struct {
	ProjectID string
	To        string // lowercased recipient address
	Limit     int    // 0 means 100
}
