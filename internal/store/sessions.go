package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Sessions persists consumer sessions.
type Sessions interface {
	// CreateSession inserts s. Returns ErrConflict if its ID or token hash exists.
	CreateSession(ctx context.Context, projectID string, s *auth.Session) error
	// GetSession returns a session by ID, expired or not. Returns ErrNotFound.
	GetSession(ctx context.Context, projectID, sessionID string) (*auth.Session, error)
	// GetSessionUserByTokenHash returns the session whose token hashes to
	// hash, expired or not, with its user, in one read: every
	// sessions.authenticate by token makes this call. Returns ErrNotFound.
	GetSessionUserByTokenHash(ctx context.Context, projectID string, hash []byte) (*auth.Session, *auth.User, error)
	// GetSessionUser returns a session by ID, expired or not, with its
	// user, in one read. Returns ErrNotFound.
	GetSessionUser(ctx context.Context, projectID, sessionID string) (*auth.Session, *auth.User, error)
	// ListUserSessions returns the user's sessions that expire after now,
	// newest first.
	ListUserSessions(ctx context.Context, projectID, userID string, now time.Time) ([]auth.Session, error)
	// UpdateSession writes s's LastAccessedAt, ExpiresAt, factors and custom
	// claims. Returns ErrNotFound.
	UpdateSession(ctx context.Context, projectID string, s *auth.Session) error
	// DeleteSession revokes a session. Returns ErrNotFound.
	DeleteSession(ctx context.Context, projectID, sessionID string) error
}
