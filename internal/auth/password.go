package auth

import "time"

// Password is a consumer user's or a B2B member's password (exactly one of
// UserID and MemberID is set): one per user or member, kept as a
// self-describing hash string (internal/passhash), argon2id unless it was
// imported by passwords/migrate and not yet upgraded by a login.
type Password struct {
	ID        string
	ProjectID string
	UserID    string
	MemberID  string
	Hash      string
	// RequiresReset is set when the password may no longer log in until
	// it is reset (it was found in a breach); resetting it clears it.
	RequiresReset bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
