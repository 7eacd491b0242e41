package auth

import "time"

// IntermediateSession proves that someone controls an email address (or
// completed a primary factor) without yet being logged in to an
// organization: the discovery flow hands its token to the app, which lists
// the organizations the address may enter and exchanges the token for a
// member session in one of them. Only a SHA-256 hash of the token is
// stored; it lives ten minutes and is consumed by its exchange.
type IntermediateSession struct {
	ID           string
	ProjectID    string
	TokenHash    []byte
	EmailAddress string // lowercased, verified by the factor
	Factors      []AuthenticationFactor
	// OrganizationID and MemberID are set when primary authentication into
	// an organization still needs a second factor.
	OrganizationID string
	MemberID       string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	ConsumedAt     *time.Time
}

// IntermediateSessionLifetime is how long an intermediate session token is
// valid, as Stytch's.
const IntermediateSessionLifetime = 10 * time.Minute
