package store

import (
	"context"
	"errors"
)

// Sentinel errors. Implementations wrap them with context using %w.
var (
	// ErrNotFound means no row matched within the project.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a uniqueness constraint refused the write.
	ErrConflict = errors.New("store: conflict")
	// ErrConsumed means a single-use token exists but was already used or
	// has expired.
	ErrConsumed = errors.New("store: token consumed or expired")
)

// Store is everything Latch persists.
type Store interface {
	Projects
	RedirectURLs
	Users
	Sessions
	Tokens
	Outbox
	DevInbox
	SigningKeys
	Organizations
	Members
	MemberSessions
	IntermediateSessions
	TOTPs
	OTPs
	Passwords
	OAuthProviders
	OAuthLogins
	MemberPasswords

	// InTx runs fn with a Store bound to one transaction, committing when
	// fn returns nil and rolling back otherwise. Nested calls reuse the
	// outer transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	// Close releases the underlying database.
	Close() error
}
