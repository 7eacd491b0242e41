package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// TOTPs persists TOTP registrations and their recovery codes. An owner (a
// user, or a member) has at most one registration. The store keeps the
// owner's verified registration ID (auth.User.TOTPID,
// auth.Member.TOTPRegistrationID) in step with its registrations: it is
// set when a registration is first verified and cleared when it is
// deleted.
type TOTPs interface {
	// CreateTOTP inserts t, which names exactly one owner (UserID, or
	// OrganizationID and MemberID), with its recovery codes. Returns
	// ErrConflict if the owner already has a registration, and ErrNotFound
	// if the owner does not exist.
	CreateTOTP(ctx context.Context, projectID string, t *auth.TOTP, codes []auth.RecoveryCode) error
	// GetTOTP returns a registration by ID. Returns ErrNotFound.
	GetTOTP(ctx context.Context, projectID, totpID string) (*auth.TOTP, error)
	// GetUserTOTP returns a user's registration. Returns ErrNotFound.
	GetUserTOTP(ctx context.Context, projectID, userID string) (*auth.TOTP, error)
	// GetMemberTOTP returns a member's registration. Returns ErrNotFound.
	GetMemberTOTP(ctx context.Context, projectID, memberID string) (*auth.TOTP, error)
	// AcceptTOTPStep records step as the last accepted time step of a
	// registration and marks it verified, in one conditional statement
	// that requires step to be greater than the last accepted one and the
	// registration to be verified or unexpired at now: of concurrent calls
	// with one step, at most one succeeds. It returns the registration as
	// updated. Returns ErrNotFound if there is no such registration, and
	// ErrConsumed if the step was not greater or the registration expired.
	AcceptTOTPStep(ctx context.Context, projectID, totpID string, step int64, now time.Time) (*auth.TOTP, error)
	// DeleteTOTP removes a registration with its recovery codes and
	// returns it. Returns ErrNotFound.
	DeleteTOTP(ctx context.Context, projectID, totpID string) (*auth.TOTP, error)

	// ListRecoveryCodes returns a registration's recovery codes, used or
	// not, in creation order.
	ListRecoveryCodes(ctx context.Context, projectID, totpID string) ([]auth.RecoveryCode, error)
	// UseRecoveryCode marks the unused recovery code of a registration
	// whose hash is hash as used at now, in one conditional statement, and
	// returns it: of concurrent calls, at most one succeeds. Returns
	// ErrNotFound if the registration has no such code, and ErrConsumed if
	// it was used.
	UseRecoveryCode(ctx context.Context, projectID, totpID string, hash []byte, now time.Time) (*auth.RecoveryCode, error)
	// ReplaceRecoveryCodes replaces every recovery code of a registration
	// with codes, and its sealed copy with sealed, at now. Returns
	// ErrNotFound.
	ReplaceRecoveryCodes(ctx context.Context, projectID, totpID string, sealed []byte, codes []auth.RecoveryCode, now time.Time) error
}
