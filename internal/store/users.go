package store

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

// Users persists consumer users, their email addresses and their phone
// numbers.
type Users interface {
	// CreateUser inserts u and each of u.Emails and u.Phones. Returns
	// ErrConflict if an email address, phone number or external ID is
	// already used in the project.
	CreateUser(ctx context.Context, projectID string, u *auth.User) error
	// GetUser returns the user with its emails and phones. Returns ErrNotFound.
	GetUser(ctx context.Context, projectID, userID string) (*auth.User, error)
	// GetUserByEmail returns the user owning the (lowercased) address. Returns ErrNotFound.
	GetUserByEmail(ctx context.Context, projectID, address string) (*auth.User, error)
	// GetUserByPhone returns the user owning the (E.164) number. Returns ErrNotFound.
	GetUserByPhone(ctx context.Context, projectID, number string) (*auth.User, error)
	// UpdateUser writes u's status, name, external ID, metadata and
	// UpdatedAt (not its emails or phones). Returns ErrNotFound, or ErrConflict for a
	// used external ID.
	UpdateUser(ctx context.Context, projectID string, u *auth.User) error
	// DeleteUser removes the user with its emails, phones, sessions and tokens. Returns ErrNotFound.
	DeleteUser(ctx context.Context, projectID, userID string) error
	// SearchUsers returns one page of users matching f, ordered by
	// (CreatedAt, ID), and the number of users matching f in all pages.
	SearchUsers(ctx context.Context, projectID string, f UserFilter) (users []auth.User, total int, err error)

	// AddEmail attaches e to its user. Returns ErrConflict if the address is used.
	AddEmail(ctx context.Context, projectID string, e auth.Email) error
	// GetEmail returns one email. Returns ErrNotFound.
	GetEmail(ctx context.Context, projectID, emailID string) (*auth.Email, error)
	// VerifyEmail marks the email verified. Returns ErrNotFound.
	VerifyEmail(ctx context.Context, projectID, emailID string) error
	// DeleteEmail detaches an email. Returns ErrNotFound.
	DeleteEmail(ctx context.Context, projectID, emailID string) error

	// AddPhone attaches p to its user. Returns ErrConflict if the number
	// is used, ErrNotFound if the user does not exist.
	AddPhone(ctx context.Context, projectID string, p auth.Phone) error
	// GetPhone returns one phone number. Returns ErrNotFound.
	GetPhone(ctx context.Context, projectID, phoneID string) (*auth.Phone, error)
	// VerifyPhone marks the phone number verified. Returns ErrNotFound.
	VerifyPhone(ctx context.Context, projectID, phoneID string) error
	// DeletePhone detaches a phone number. Returns ErrNotFound.
	DeletePhone(ctx context.Context, projectID, phoneID string) error
}

// UserFilter selects users for SearchUsers. Each non-zero field is one
// condition; conditions are joined with AND, or with OR when Or is set. A
// filter with no condition matches every user.
type UserFilter struct {
	Or bool
	// UserIDs matches users whose ID is in the list.
	UserIDs []string
	// EmailAddresses matches users owning any of the (lowercased) addresses.
	EmailAddresses []string
	// EmailFuzzy matches users owning an address containing the (lowercased) substring.
	EmailFuzzy string
	// PhoneIDs matches users owning any of the phones.
	PhoneIDs []string
	// PhoneNumbers matches users owning any of the (E.164) numbers.
	PhoneNumbers []string
	// PhoneFuzzy matches users owning a number containing the substring.
	PhoneFuzzy string
	// Statuses matches users in any of the statuses.
	Statuses []auth.UserStatus

	// After, when set, starts the page after this position.
	After *Cursor
	// Limit is the page size; it must be positive.
	Limit int
}
