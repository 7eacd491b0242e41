package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// MemberSessions persists B2B member sessions: auth.Session values with
// MemberID and OrganizationID set.
type MemberSessions interface {
	// CreateMemberSession inserts s. Returns ErrConflict if its ID or token
	// hash exists, and ErrNotFound if its member does not.
	CreateMemberSession(ctx context.Context, projectID string, s *auth.Session) error
	// GetMemberSessionByTokenHash returns the session whose token hashes to
	// hash, expired or not, with its member and organization, in one read:
	// every B2B sessions.authenticate by token makes this call. Returns
	// ErrNotFound.
	GetMemberSessionByTokenHash(ctx context.Context, projectID string, hash []byte) (*auth.Session, *auth.Member, *auth.Organization, error)
	// GetMemberSession returns a session by ID, expired or not, with its
	// member and organization, in one read. Returns ErrNotFound.
	GetMemberSession(ctx context.Context, projectID, sessionID string) (*auth.Session, *auth.Member, *auth.Organization, error)
	// ListMemberSessions returns a member's sessions that expire after now,
	// newest first.
	ListMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) ([]auth.Session, error)
	// UpdateMemberSession writes s's LastAccessedAt, ExpiresAt, factors and
	// custom claims. Returns ErrNotFound.
	UpdateMemberSession(ctx context.Context, projectID string, s *auth.Session) error
	// DeleteMemberSession revokes a session. Returns ErrNotFound.
	DeleteMemberSession(ctx context.Context, projectID, sessionID string) error
	// DeleteMemberSessions revokes every session of a member and returns
	// how many there were.
	DeleteMemberSessions(ctx context.Context, projectID, memberID string) (int, error)
}

// IntermediateSessions persists intermediate sessions, by token hash only.
type IntermediateSessions interface {
	// CreateIntermediateSession inserts s. Returns ErrConflict if its hash
	// exists, and ErrNotFound if it names an organization or member that
	// does not exist.
	CreateIntermediateSession(ctx context.Context, projectID string, s *auth.IntermediateSession) error
	// GetIntermediateSession returns the unconsumed, unexpired session
	// whose token hashes to hash, without consuming it. Returns
	// ErrNotFound if there is none in the project, and ErrConsumed if it
	// was consumed or has expired.
	GetIntermediateSession(ctx context.Context, projectID string, hash []byte, now time.Time) (*auth.IntermediateSession, error)
	// ConsumeIntermediateSession marks the unconsumed, unexpired session
	// whose token hashes to hash as consumed at now, in one conditional
	// statement, and returns it; of concurrent calls at most one succeeds.
	// Returns ErrNotFound or ErrConsumed as GetIntermediateSession does.
	ConsumeIntermediateSession(ctx context.Context, projectID string, hash []byte, now time.Time) (*auth.IntermediateSession, error)
}
