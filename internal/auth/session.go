package auth

import "time"

// FactorType is what kind of proof an authentication factor was.
type FactorType string

// Factor types, spelled as Stytch's AuthenticationFactor.type.
const (
	FactorMagicLink FactorType = "magic_link"
	FactorOTP       FactorType = "otp"
	FactorOAuth     FactorType = "oauth"
	FactorWebAuthn  FactorType = "webauthn"
	FactorTOTP      FactorType = "totp"
	FactorPassword  FactorType = "password"
)

// DeliveryMethod is how a factor reached the user.
type DeliveryMethod string

// Delivery methods, spelled as Stytch's AuthenticationFactor.delivery_method.
const (
	DeliveryEmail    DeliveryMethod = "email"
	DeliverySMS      DeliveryMethod = "sms"
	DeliveryWhatsApp DeliveryMethod = "whatsapp"
)

// AuthenticationFactor records one proof that contributed to a session.
// Exactly one of the *Factor details is set for the factors Latch supports
// today; more appear as products are added.
type AuthenticationFactor struct {
	Type                FactorType
	DeliveryMethod      DeliveryMethod
	LastAuthenticatedAt time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	EmailFactor         *EmailFactor
}

// EmailFactor identifies the email address a factor was delivered to.
type EmailFactor struct {
	EmailID      string
	EmailAddress string
}

// SessionAttributes are the client details recorded when a session starts.
type SessionAttributes struct {
	IPAddress string
	UserAgent string
}

// Session is a signed-in session: a consumer user's (UserID set) or a B2B
// member's in one organization (MemberID and OrganizationID set). Its
// opaque token is known only to the client; Latch keeps a SHA-256 hash.
type Session struct {
	ID                    string
	ProjectID             string
	UserID                string
	MemberID              string
	OrganizationID        string
	TokenHash             []byte
	StartedAt             time.Time
	LastAccessedAt        time.Time
	ExpiresAt             time.Time
	Attributes            SessionAttributes
	AuthenticationFactors []AuthenticationFactor
	CustomClaims          map[string]any
}

// Active reports whether the session has not yet expired at now.
func (s *Session) Active(now time.Time) bool { return now.Before(s.ExpiresAt) }

// Session duration limits, in minutes (5 minutes to 366 days), as Stytch's.
const (
	MinSessionMinutes = 5
	MaxSessionMinutes = 527040
)
