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
	// FactorRecoveryCodes is a TOTP recovery code (Stytch spells it in the
	// plural).
	FactorRecoveryCodes FactorType = "recovery_codes"
)

// DeliveryMethod is how a factor reached the user.
type DeliveryMethod string

// Delivery methods, spelled as Stytch's AuthenticationFactor.delivery_method.
const (
	DeliveryEmail    DeliveryMethod = "email"
	DeliverySMS      DeliveryMethod = "sms"
	DeliveryWhatsApp DeliveryMethod = "whatsapp"
	// DeliveryAuthenticatorApp is a TOTP code; DeliveryRecoveryCode a
	// TOTP recovery code.
	DeliveryAuthenticatorApp DeliveryMethod = "authenticator_app"
	DeliveryRecoveryCode     DeliveryMethod = "recovery_code"
	// DeliveryKnowledge is a password: something the user knows.
	DeliveryKnowledge DeliveryMethod = "knowledge"
	// DeliverySSOOIDC is a login at a generic OpenID Connect provider.
	// Stytch's consumer OAuth has no such provider; its nearest method,
	// which every SDK parses, is B2B's OIDC SSO.
	DeliverySSOOIDC DeliveryMethod = "sso_oidc"
)

// OAuthDeliveryMethod is the delivery method of an OAuth login at a
// provider of type t: oauth_google and the like for the built-in types.
func OAuthDeliveryMethod(t OAuthProviderType) DeliveryMethod {
	if t == OAuthOIDC || !t.Valid() {
		return DeliverySSOOIDC
	}
	return DeliveryMethod("oauth_" + string(t))
}

// AuthenticationFactor records one proof that contributed to a session.
// At most one of the *Factor details is set, the one the factor's type
// has; more appear as products are added.
type AuthenticationFactor struct {
	Type                   FactorType
	DeliveryMethod         DeliveryMethod
	LastAuthenticatedAt    time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time
	EmailFactor            *EmailFactor
	PhoneNumberFactor      *PhoneNumberFactor
	OAuthFactor            *OAuthFactor
	AuthenticatorAppFactor *AuthenticatorAppFactor
	RecoveryCodeFactor     *RecoveryCodeFactor
}

// AuthenticatorAppFactor identifies the TOTP registration (a consumer
// totp_id or a B2B totp_registration_id) a code was checked against.
type AuthenticatorAppFactor struct {
	TOTPID string
}

// RecoveryCodeFactor identifies the recovery code that was used.
type RecoveryCodeFactor struct {
	RecoveryCodeID string
}

// Target returns what the factor proved control of, so that two factors
// of one type and target are the same factor authenticated again.
func (f AuthenticationFactor) Target() string {
	switch {
	case f.EmailFactor != nil:
		return f.EmailFactor.EmailID
	case f.PhoneNumberFactor != nil:
		return f.PhoneNumberFactor.PhoneID
	case f.OAuthFactor != nil:
		return f.OAuthFactor.RegistrationID
	case f.AuthenticatorAppFactor != nil:
		return f.AuthenticatorAppFactor.TOTPID
	case f.RecoveryCodeFactor != nil:
		return f.RecoveryCodeFactor.RecoveryCodeID
	}
	return ""
}

// EmailFactor identifies the email address a factor was delivered to.
type EmailFactor struct {
	EmailID      string
	EmailAddress string
}

// PhoneNumberFactor identifies the phone number a passcode was delivered
// to, by SMS or WhatsApp. For a B2B member's SMS factor PhoneID is empty:
// a member's MFA phone number is a field of the member, not a resource.
type PhoneNumberFactor struct {
	PhoneID     string
	PhoneNumber string
}

// OAuthFactor identifies the provider account an OAuth login proved.
type OAuthFactor struct {
	ProviderType    string // google, microsoft, apple, github, oidc
	RegistrationID  string
	ProviderSubject string
	EmailID         string // the user's email the provider asserted, if any
	// ProviderName is the project's name for the provider (the built-in
	// type's own for built-in providers), and TenantID the account's
	// Google hosted domain or Microsoft tenant: B2B discovery matches
	// organizations' allowed OAuth tenants against them.
	ProviderName string
	TenantID     string
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
