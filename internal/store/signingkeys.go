package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// SigningKeys persists each project's JWT signing keys.
type SigningKeys interface {
	// AddSigningKey inserts k. Returns ErrConflict if its key ID exists.
	AddSigningKey(ctx context.Context, projectID string, k *auth.SigningKey) error
	// ListSigningKeys returns the project's keys not yet expired at now,
	// oldest first.
	ListSigningKeys(ctx context.Context, projectID string, now time.Time) ([]auth.SigningKey, error)
	// RetireSigningKey stops a key signing at retiredAt and unpublishes it
	// at expiresAt. Returns ErrNotFound.
	RetireSigningKey(ctx context.Context, projectID, keyID string, retiredAt, expiresAt time.Time) error
}
