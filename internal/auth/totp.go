package auth

import "time"

// TOTP is a time-based one-time passcode registration (RFC 6238): a
// secret shared with an authenticator app, owned by a consumer user
// (UserID) or by a B2B member (OrganizationID and MemberID). An owner has
// at most one registration. It is pending until a first code is accepted,
// which verifies it; a pending registration expires at ExpiresAt, a
// verified one never does.
type TOTP struct {
	ID             string
	ProjectID      string
	UserID         string
	OrganizationID string
	MemberID       string
	// SealedSecret is the base32 secret encrypted with the server key;
	// only the totp service opens it.
	SealedSecret []byte
	// SealedRecoveryCodes is the registration's recovery codes, encrypted
	// with the server key, so that they can be shown again (Stytch's
	// recovery_codes endpoints return them). Codes are authenticated
	// against their hashes (RecoveryCode), never against this copy.
	SealedRecoveryCodes []byte
	Verified            bool
	// LastStep is the RFC 6238 time step of the last accepted code, 0
	// before any: a code of that step or an earlier one is refused, so no
	// code is accepted twice.
	LastStep  int64
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Active reports whether codes may be checked against the registration
// at now: it is verified, or still pending.
func (t *TOTP) Active(now time.Time) bool { return t.Verified || now.Before(t.ExpiresAt) }

// RecoveryCode is one single-use recovery code of a TOTP registration,
// stored only as a hash.
type RecoveryCode struct {
	ID        string
	TOTPID    string
	Hash      []byte
	UsedAt    *time.Time
	CreatedAt time.Time
}
