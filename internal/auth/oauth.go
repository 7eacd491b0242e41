package auth

import "time"

// OAuthProviderType is the kind of identity provider an OAuth provider
// configuration talks to. The built-in types know their provider's
// endpoints and quirks; OAuthOIDC is any OpenID Connect provider, found by
// its issuer's discovery document.
type OAuthProviderType string

// Provider types. Their values are the {provider} path segment of
// Stytch's start URLs (/v1/public/oauth/google/start).
const (
	OAuthGoogle    OAuthProviderType = "google"
	OAuthMicrosoft OAuthProviderType = "microsoft"
	OAuthApple     OAuthProviderType = "apple"
	OAuthGitHub    OAuthProviderType = "github"
	OAuthOIDC      OAuthProviderType = "oidc"
)

// Valid reports whether t is a known provider type.
func (t OAuthProviderType) Valid() bool {
	switch t {
	case OAuthGoogle, OAuthMicrosoft, OAuthApple, OAuthGitHub, OAuthOIDC:
		return true
	}
	return false
}

// OAuthProviderTypeOf returns the type of the provider configured under
// name: a built-in type's provider always bears the type's name, and any
// other name is a generic OpenID Connect provider's.
func OAuthProviderTypeOf(name string) OAuthProviderType {
	if t := OAuthProviderType(name); t.Valid() {
		return t
	}
	return OAuthOIDC
}

// OAuthProvider is one project's configuration of one identity provider.
// Name is the {provider} of the start URL: the type's own name for the
// built-in providers, and any slug for generic OpenID Connect providers
// (several may be configured side by side). Empty endpoint fields take
// the type's defaults; set, they override them (a test's stand-in, a
// regional endpoint, a proxy).
type OAuthProvider struct {
	ProjectID string
	Name      string
	Type      OAuthProviderType
	ClientID  string
	// SealedClientSecret is the provider's client secret sealed under the
	// server key (internal/oauth seals and opens it); only sealed bytes
	// reach the store. Apple has none: its client secret is a JWT signed
	// with the key in SealedApplePrivateKey.
	SealedClientSecret []byte
	// Scopes are requested on every login, besides the ones the type
	// always needs (openid for OIDC providers).
	Scopes []string
	// IssuerURL is an OpenID Connect provider's issuer, whose discovery
	// document names its endpoints and keys.
	IssuerURL string
	// AuthURL, TokenURL and UserInfoURL override the endpoints of the
	// type or of the discovery document.
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	// APIURL is the base of GitHub's REST API (profile and emails).
	APIURL string
	// Tenant is a Microsoft Entra tenant ("common", "organizations",
	// "consumers" or a tenant ID); empty means common.
	Tenant string
	// AppleTeamID, AppleKeyID and the sealed PEM private key sign Apple's
	// client secret JWTs.
	AppleTeamID           string
	AppleKeyID            string
	SealedApplePrivateKey []byte
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// OAuthState is one browser's login in progress with a provider: created
// by the start URL, consumed once by the provider's redirect back to the
// callback. Only hashes of the state parameter and of the browser binding
// cookie are stored, and the PKCE verifier Latch uses towards the
// provider is sealed under the server key.
type OAuthState struct {
	ID        string
	ProjectID string
	StateHash []byte
	// BindingHash is the SHA-256 of a random value set as a cookie in the
	// browser that started the flow: a state carried back by any other
	// browser is refused.
	BindingHash []byte
	Provider    string // the provider's name
	Nonce       string // OIDC nonce, checked in the ID token
	// SealedVerifier is the PKCE code verifier sent at the token exchange.
	SealedVerifier    []byte
	LoginRedirectURL  string
	SignupRedirectURL string
	// CodeChallenge is the app's own PKCE challenge (S256), when its start
	// URL carried one: oauth.authenticate then needs the verifier.
	CodeChallenge string
	// Scopes are the custom scopes the start URL asked for, beyond the
	// provider's configured ones.
	Scopes []string
	// AttachUserID is the user an oauth_attach_token named: the login
	// links the provider account to that user.
	AttachUserID string
	// Kind is what the login is for: a consumer login, a B2B login into
	// OrganizationID, or a B2B discovery login.
	Kind           OAuthLoginKind
	OrganizationID string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	ConsumedAt     *time.Time
}

// OAuthLoginKind is what an OAuth login in progress is for.
type OAuthLoginKind string

// OAuth login kinds. A discovery login keeps its discovery redirect URL as
// its login redirect URL.
const (
	OAuthLoginConsumer  OAuthLoginKind = "consumer"
	OAuthLoginB2B       OAuthLoginKind = "b2b"
	OAuthLoginDiscovery OAuthLoginKind = "discovery"
)

// MemberOAuthRegistration links a B2B member (one membership in one
// organization) to one account at one provider, by the provider's
// subject, as OAuthRegistration links a user.
type MemberOAuthRegistration struct {
	ID             string
	ProjectID      string
	OrganizationID string
	MemberID       string
	Provider       string // the provider's name
	Subject        string
	Email          string
	// TenantID is the account's Google hosted domain or Microsoft tenant,
	// "" when the provider named none.
	TenantID          string
	ProfilePictureURL string
	Locale            string
	SealedTokens      []byte
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// ProviderLink returns the link as the member's oauth_registrations
// list reports it, without its tokens.
func (r *MemberOAuthRegistration) ProviderLink() ProviderLink {
	return ProviderLink{
		RegistrationID: r.ID, Provider: r.Provider, Subject: r.Subject,
		ProfilePictureURL: r.ProfilePictureURL, Locale: r.Locale, CreatedAt: r.CreatedAt,
	}
}

// OAuthStateLifetime is how long a user has to finish at the provider.
const OAuthStateLifetime = 10 * time.Minute

// OAuthRegistration links a user to one account at one provider, by the
// provider's stable subject. The provider's tokens are kept sealed, for
// oauth.authenticate's provider_values.
type OAuthRegistration struct {
	ID        string
	ProjectID string
	UserID    string
	Provider  string // the provider's name
	Subject   string // the provider's subject ("sub", or GitHub's user ID)
	// Email is the verified address the provider asserted, if any.
	Email             string
	ProfilePictureURL string
	Locale            string
	// SealedTokens holds the provider's access, refresh and ID tokens and
	// their scopes, sealed under the server key.
	SealedTokens []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
