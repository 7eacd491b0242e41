package auth

import "time"

// TokenKind is the purpose of a single-use token.
type TokenKind string

// Token kinds. Each is consumed only by its own endpoint.
const (
	TokenMagicLink TokenKind = "magic_link" // login or signup link
	TokenInvite    TokenKind = "invite"     // invite link
	// B2B: a login or signup link into one organization, an invite into
	// one, and a discovery link that proves an address before any
	// organization is chosen.
	TokenB2BMagicLink TokenKind = "b2b_magic_link"
	TokenB2BInvite    TokenKind = "b2b_invite"
	TokenDiscovery    TokenKind = "discovery"
	// Password resets: a consumer user's, a B2B member's in one
	// organization, and a B2B address's across every organization it
	// belongs to (discovery).
	TokenPasswordReset          TokenKind = "password_reset"
	TokenB2BPasswordReset       TokenKind = "b2b_password_reset"
	TokenDiscoveryPasswordReset TokenKind = "discovery_password_reset"
	// OAuth: the token a provider login hands to the app's redirect URL,
	// exchanged by oauth.authenticate.
	TokenOAuth TokenKind = "oauth"
	// TokenOAuthAttach lets one OAuth login link its provider account to
	// an existing user (oauth.attach); it names the provider.
	TokenOAuthAttach TokenKind = "oauth_attach"
	// B2B OAuth: the token a provider login into one organization hands
	// to the app (b2b oauth.authenticate), and the one a discovery login
	// hands to it (b2b oauth.discovery.authenticate). Both carry the
	// verified provider identity, sealed, until they are exchanged.
	TokenB2BOAuth       TokenKind = "b2b_oauth"
	TokenDiscoveryOAuth TokenKind = "discovery_oauth"
)

// OneTimeToken is a single-use secret delivered to a user. Only its SHA-256
// hash is stored; consuming it is one conditional UPDATE, so it succeeds at
// most once even under concurrency.
type OneTimeToken struct {
	ID        string
	ProjectID string
	Kind      TokenKind
	TokenHash []byte
	UserID    string
	EmailID   string
	// OrganizationID and MemberID are set for B2B links into an
	// organization.
	OrganizationID string
	MemberID       string
	EmailAddress   string
	CodeChallenge  string // PKCE S256 challenge, empty when not used
	// OAuthRegistrationID is the provider account an OAuth token logs in.
	OAuthRegistrationID string
	// Provider is the provider an OAuth attach token may be used with, and
	// the one a B2B OAuth token's identity comes from.
	Provider string
	// SealedOAuthIdentity is who the provider said a B2B OAuth login is
	// (subject, verified email, tenant, profile, provider tokens), sealed
	// under the server key; nil for other tokens.
	SealedOAuthIdentity []byte
	CreatedAt           time.Time
	ExpiresAt           time.Time
	ConsumedAt          *time.Time
}
