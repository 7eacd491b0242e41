package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Passwords persists consumer users' passwords, one per user. The store
// keeps auth.User.PasswordID in step with them.
type Passwords interface {
	// SetPassword stores pw as its user's password. A user who already has
	// one keeps its ID and creation time, which are written back to pw, and
	// gets the new hash and RequiresReset. Returns ErrNotFound if the user
	// does not exist.
	SetPassword(ctx context.Context, projectID string, pw *auth.Password) error
	// GetUserPassword returns a user's password. Returns ErrNotFound.
	GetUserPassword(ctx context.Context, projectID, userID string) (*auth.Password, error)
	// UpdatePasswordHash replaces a password's hash with newHash if it is
	// still oldHash, so that a rehash after a login cannot overwrite a
	// password set meanwhile. Returns ErrNotFound if the password does not
	// exist, and ErrConflict if its hash is no longer oldHash.
	UpdatePasswordHash(ctx context.Context, projectID, passwordID, oldHash, newHash string, now time.Time) error
	// RequirePasswordReset marks a password as requiring a reset before it
	// logs in again. Returns ErrNotFound.
	RequirePasswordReset(ctx context.Context, projectID, passwordID string, now time.Time) error
	// DeletePassword removes a password and clears its user's PasswordID.
	// Returns ErrNotFound.
	DeletePassword(ctx context.Context, projectID, passwordID string) (*auth.Password, error)
}

// MemberPasswords persists B2B members' passwords, one per member, as
// auth.Password values with MemberID set. The store keeps
// auth.Member.PasswordID in step with them.
type MemberPasswords interface {
	// SetMemberPassword stores pw as its member's password, as
	// SetPassword does for users. Returns ErrNotFound if the member does
	// not exist.
	SetMemberPassword(ctx context.Context, projectID string, pw *auth.Password) error
	// GetMemberPassword returns a member's password. Returns ErrNotFound.
	GetMemberPassword(ctx context.Context, projectID, memberID string) (*auth.Password, error)
	// UpdateMemberPasswordHash is UpdatePasswordHash for a member's
	// password. Returns ErrNotFound or ErrConflict.
	UpdateMemberPasswordHash(ctx context.Context, projectID, passwordID, oldHash, newHash string, now time.Time) error
	// RequireMemberPasswordReset is RequirePasswordReset for a member's
	// password. Returns ErrNotFound.
	RequireMemberPasswordReset(ctx context.Context, projectID, passwordID string, now time.Time) error
	// DeleteMemberPassword removes a member's password and clears its
	// member's PasswordID, as DeletePassword does for users. Returns
	// ErrNotFound.
	DeleteMemberPassword(ctx context.Context, projectID, passwordID string) (*auth.Password, error)
}
