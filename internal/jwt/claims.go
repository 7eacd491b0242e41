package jwt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/latchauth/latch/internal/auth"
)

// Claim names Stytch puts in session JWTs (STYTCH_API.md §4).
const (
	sessionClaim      = "https://stytch.com/session"
	organizationClaim = "https://stytch.com/organization"
	stytchClaimPrefix = "https://stytch.com/"
)

// reservedClaims are the registered claims custom claims may not override.
// Stytch's Go SDK reserves the first six; Node and Python also reserve jti.
var reservedClaims = []string{"iss", "aud", "sub", "iat", "nbf", "exp", "jti"}

// SessionClaims is what a session JWT says: the session, who it belongs to,
// and the project's custom claims. Times travel as whole seconds in UTC, so
// a round trip through [Keyring.SignSession] and [Keyring.VerifySession]
// returns them truncated to the second, in UTC.
type SessionClaims struct {
	ProjectID      string
	Subject        string // user_id for consumer sessions, member_id for B2B
	SessionID      string
	StartedAt      time.Time
	LastAccessedAt time.Time
	ExpiresAt      time.Time // when the session (not the JWT) expires
	Attributes     auth.SessionAttributes
	// Factors carry Type, DeliveryMethod, LastAuthenticatedAt and the
	// factor details; CreatedAt and UpdatedAt are not part of the JWT and
	// come back zero.
	Factors []auth.AuthenticationFactor
	// Roles is always emitted, as [] when empty: Python's
	// authenticate_jwt_local reads claim["roles"] without a default.
	Roles []string
	// Organization is set for B2B sessions and nil for consumer ones.
	Organization *OrgClaim
	// Custom claims are merged at the top level of the JWT; see
	// [ValidateCustomClaims]. They come back as encoding/json decodes them
	// into any (numbers as float64).
	Custom map[string]any
	// IssuedAt is the JWT's iat and nbf; it expires [Lifetime] later.
	IssuedAt time.Time
}

// OrgClaim is the https://stytch.com/organization claim of B2B session
// JWTs; the SDKs read both fields.
type OrgClaim struct {
	ID   string
	Slug string
}

// ValidateCustomClaims reports whether custom may be merged into a session
// JWT. It returns auth.ErrReservedClaims if a key is a registered claim
// (iss aud sub iat nbf exp jti), and auth.ErrStytchClaimsInCustomClaims if a
// key starts with https://stytch.com/, because such keys would override or
// impersonate what Stytch itself asserts.
func ValidateCustomClaims(custom map[string]any) error {
	for _, k := range reservedClaims {
		if _, ok := custom[k]; ok {
			return auth.ErrReservedClaims.Wrap(fmt.Errorf("custom claim %q", k))
		}
	}
	var stytch []string
	for k := range custom {
		if strings.HasPrefix(k, stytchClaimPrefix) {
			stytch = append(stytch, k)
		}
	}
	if len(stytch) > 0 {
		// Name the smallest key so the logged cause does not depend on map
		// iteration order.
		return auth.ErrStytchClaimsInCustomClaims.Wrap(fmt.Errorf("custom claim %q", slices.Min(stytch)))
	}
	return nil
}

// issuer is the iss of a project's JWTs. All three SDKs accept this fixed
// string whatever base URL they are configured with (STYTCH_API.md §4).
func issuer(projectID string) string { return "stytch.com/" + projectID }

// Factor is an authentication factor as Stytch writes it, in a session
// claim and (with created_at and updated_at, which claims leave out) in
// API responses: one shape, so the two cannot drift apart.
type Factor struct {
	Type                   string                      `json:"type"`
	DeliveryMethod         string                      `json:"delivery_method"`
	LastAuthenticatedAt    string                      `json:"last_authenticated_at"`
	CreatedAt              string                      `json:"created_at,omitempty"`
	UpdatedAt              string                      `json:"updated_at,omitempty"`
	EmailFactor            *emailFactorJSON            `json:"email_factor,omitempty"`
	PhoneNumberFactor      *phoneNumberFactorJSON      `json:"phone_number_factor,omitempty"`
	GoogleOAuthFactor      *oauthFactorJSON            `json:"google_oauth_factor,omitempty"`
	MicrosoftOAuthFactor   *oauthFactorJSON            `json:"microsoft_oauth_factor,omitempty"`
	AppleOAuthFactor       *oauthFactorJSON            `json:"apple_oauth_factor,omitempty"`
	GithubOAuthFactor      *oauthFactorJSON            `json:"github_oauth_factor,omitempty"`
	OIDCSSOFactor          *oidcSSOFactorJSON          `json:"oidc_sso_factor,omitempty"`
	AuthenticatorAppFactor *authenticatorAppFactorJSON `json:"authenticator_app_factor,omitempty"`
	RecoveryCodeFactor     *recoveryCodeFactorJSON     `json:"recovery_code_factor,omitempty"`
}

// NewFactor is f in Stytch's shape, its last_authenticated_at as session
// claims write times; an API response sets the times its own way.
func NewFactor(f auth.AuthenticationFactor) Factor {
	fj := Factor{
		Type:                string(f.Type),
		DeliveryMethod:      string(f.DeliveryMethod),
		LastAuthenticatedAt: formatTime(f.LastAuthenticatedAt),
	}
	if f.EmailFactor != nil {
		fj.EmailFactor = &emailFactorJSON{EmailID: f.EmailFactor.EmailID, EmailAddress: f.EmailFactor.EmailAddress}
	}
	if f.PhoneNumberFactor != nil {
		fj.PhoneNumberFactor = &phoneNumberFactorJSON{PhoneID: f.PhoneNumberFactor.PhoneID, PhoneNumber: f.PhoneNumberFactor.PhoneNumber}
	}
	if o := f.OAuthFactor; o != nil {
		setOAuthFactor(&fj, o)
	}
	if f.AuthenticatorAppFactor != nil {
		fj.AuthenticatorAppFactor = &authenticatorAppFactorJSON{TOTPID: f.AuthenticatorAppFactor.TOTPID}
	}
	if f.RecoveryCodeFactor != nil {
		fj.RecoveryCodeFactor = &recoveryCodeFactorJSON{TOTPRecoveryCodeID: f.RecoveryCodeFactor.RecoveryCodeID}
	}
	return fj
}

// The JSON shapes of Stytch's session and organization claims. JSON tags
// live here rather than in internal/api because the JWT payload is signed
// by this package, not served by the API.
type (
	sessionJSON struct {
		ID                    string         `json:"id"`
		StartedAt             string         `json:"started_at"`
		LastAccessedAt        string         `json:"last_accessed_at"`
		ExpiresAt             string         `json:"expires_at"`
		Attributes            attributesJSON `json:"attributes"`
		AuthenticationFactors []Factor       `json:"authentication_factors"`
		Roles                 []string       `json:"roles"`
	}
	attributesJSON struct {
		UserAgent string `json:"user_agent"`
		IPAddress string `json:"ip_address"`
	}
	phoneNumberFactorJSON struct {
		PhoneID     string `json:"phone_id"`
		PhoneNumber string `json:"phone_number"`
	}
	oauthFactorJSON struct {
		ID              string `json:"id"`
		ProviderSubject string `json:"provider_subject"`
		EmailID         string `json:"email_id"`
	}
	// oidcSSOFactorJSON is a generic OpenID Connect provider's login (see
	// auth.DeliverySSOOIDC): provider_id is the provider's name.
	oidcSSOFactorJSON struct {
		ID         string `json:"id"`
		ProviderID string `json:"provider_id"`
		ExternalID string `json:"external_id"`
	}
	emailFactorJSON struct {
		EmailID      string `json:"email_id"`
		EmailAddress string `json:"email_address"`
	}
	authenticatorAppFactorJSON struct {
		TOTPID string `json:"totp_id"`
	}
	recoveryCodeFactorJSON struct {
		TOTPRecoveryCodeID string `json:"totp_recovery_code_id"`
	}
	organizationJSON struct {
		OrganizationID string `json:"organization_id"`
		Slug           string `json:"slug"`
	}
)

// formatTime renders t as Stytch does in session claims: RFC 3339, UTC,
// whole seconds ("2024-07-16T20:38:53Z"). The Go SDK time.Parses these.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func parseTime(name, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("session claim %s: %w", name, err)
	}
	return t.UTC(), nil
}

// toSessionJSON builds the session claim. Lists are never nil, because
// SDKs index into them and a JSON null would break Python's parsing.
func toSessionJSON(c *SessionClaims) sessionJSON {
	s := sessionJSON{
		ID:                    c.SessionID,
		StartedAt:             formatTime(c.StartedAt),
		LastAccessedAt:        formatTime(c.LastAccessedAt),
		ExpiresAt:             formatTime(c.ExpiresAt),
		Attributes:            attributesJSON{UserAgent: c.Attributes.UserAgent, IPAddress: c.Attributes.IPAddress},
		AuthenticationFactors: make([]Factor, 0, len(c.Factors)),
		Roles:                 append(make([]string, 0, len(c.Roles)), c.Roles...),
	}
	for _, f := range c.Factors {
		s.AuthenticationFactors = append(s.AuthenticationFactors, NewFactor(f))
	}
	return s
}

// setOAuthFactor puts an OAuth factor under its provider's key, as
// Stytch's claims (and API responses) do. The account's tenant is not a
// claim.
func setOAuthFactor(fj *Factor, o *auth.OAuthFactor) {
	oj := &oauthFactorJSON{ID: o.RegistrationID, ProviderSubject: o.ProviderSubject, EmailID: o.EmailID}
	switch auth.OAuthProviderType(o.ProviderType) {
	case auth.OAuthGoogle:
		fj.GoogleOAuthFactor = oj
	case auth.OAuthMicrosoft:
		fj.MicrosoftOAuthFactor = oj
	case auth.OAuthApple:
		fj.AppleOAuthFactor = oj
	case auth.OAuthGitHub:
		fj.GithubOAuthFactor = oj
	case auth.OAuthOIDC:
		fj.OIDCSSOFactor = &oidcSSOFactorJSON{ID: o.RegistrationID, ProviderID: o.ProviderName, ExternalID: o.ProviderSubject}
	}
}

// oauthFactor reads back what setOAuthFactor wrote; nil without one. A
// built-in provider's name is its type's.
func (fj *Factor) oauthFactor() *auth.OAuthFactor {
	for t, oj := range map[auth.OAuthProviderType]*oauthFactorJSON{
		auth.OAuthGoogle: fj.GoogleOAuthFactor, auth.OAuthMicrosoft: fj.MicrosoftOAuthFactor,
		auth.OAuthApple: fj.AppleOAuthFactor, auth.OAuthGitHub: fj.GithubOAuthFactor,
	} {
		if oj != nil {
			return &auth.OAuthFactor{ProviderType: string(t), ProviderName: string(t), RegistrationID: oj.ID,
				ProviderSubject: oj.ProviderSubject, EmailID: oj.EmailID}
		}
	}
	if o := fj.OIDCSSOFactor; o != nil {
		return &auth.OAuthFactor{ProviderType: string(auth.OAuthOIDC), ProviderName: o.ProviderID, RegistrationID: o.ID, ProviderSubject: o.ExternalID}
	}
	return nil
}

// payload is a verified JWT's claims as decoded for [Keyring.VerifySession].
// Embedding RegisteredClaims makes it a gojwt.Claims and decodes aud as
// either a string or an array, as the SDKs accept.
type payload struct {
	gojwt.RegisteredClaims
	Session      *sessionJSON
	Organization *organizationJSON
	Custom       map[string]any
}

// UnmarshalJSON sorts the top-level claims into registered, Stytch and
// custom ones in one pass over the object.
func (p *payload) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for name, v := range raw {
		var err error
		switch name {
		case "iss":
			err = json.Unmarshal(v, &p.Issuer)
		case "sub":
			err = json.Unmarshal(v, &p.Subject)
		case "aud":
			err = json.Unmarshal(v, &p.Audience)
		case "exp":
			err = json.Unmarshal(v, &p.ExpiresAt)
		case "nbf":
			err = json.Unmarshal(v, &p.NotBefore)
		case "iat":
			err = json.Unmarshal(v, &p.IssuedAt)
		case "jti":
			err = json.Unmarshal(v, &p.ID)
		case sessionClaim:
			err = json.Unmarshal(v, &p.Session)
		case organizationClaim:
			err = json.Unmarshal(v, &p.Organization)
		default:
			if strings.HasPrefix(name, stytchClaimPrefix) {
				continue // a Stytch claim Latch does not model; never custom
			}
			var x any
			if err = json.Unmarshal(v, &x); err == nil {
				if p.Custom == nil {
					p.Custom = make(map[string]any)
				}
				p.Custom[name] = x
			}
		}
		if err != nil {
			return fmt.Errorf("claim %q: %w", name, err)
		}
	}
	return nil
}

// sessionClaims converts a verified payload back into SessionClaims.
// Registered claims must already have been checked present.
func (p *payload) sessionClaims(projectID string) (*SessionClaims, error) {
	s := p.Session
	if s == nil {
		return nil, fmt.Errorf("missing %s claim", sessionClaim)
	}
	c := &SessionClaims{
		ProjectID:  projectID,
		Subject:    p.Subject,
		SessionID:  s.ID,
		Attributes: auth.SessionAttributes{UserAgent: s.Attributes.UserAgent, IPAddress: s.Attributes.IPAddress},
		Custom:     p.Custom,
		IssuedAt:   p.IssuedAt.UTC(),
	}
	var err error
	if c.StartedAt, err = parseTime("started_at", s.StartedAt); err != nil {
		return nil, err
	}
	if c.LastAccessedAt, err = parseTime("last_accessed_at", s.LastAccessedAt); err != nil {
		return nil, err
	}
	if c.ExpiresAt, err = parseTime("expires_at", s.ExpiresAt); err != nil {
		return nil, err
	}
	// Empty lists come back nil, the Go zero value, so that claims built
	// without factors or roles round-trip unchanged.
	if len(s.Roles) > 0 {
		c.Roles = s.Roles
	}
	for _, fj := range s.AuthenticationFactors {
		f := auth.AuthenticationFactor{
			Type:           auth.FactorType(fj.Type),
			DeliveryMethod: auth.DeliveryMethod(fj.DeliveryMethod),
		}
		if f.LastAuthenticatedAt, err = parseTime("last_authenticated_at", fj.LastAuthenticatedAt); err != nil {
			return nil, err
		}
		if fj.EmailFactor != nil {
			f.EmailFactor = &auth.EmailFactor{EmailID: fj.EmailFactor.EmailID, EmailAddress: fj.EmailFactor.EmailAddress}
		}
		if fj.PhoneNumberFactor != nil {
			f.PhoneNumberFactor = &auth.PhoneNumberFactor{PhoneID: fj.PhoneNumberFactor.PhoneID, PhoneNumber: fj.PhoneNumberFactor.PhoneNumber}
		}
		f.OAuthFactor = fj.oauthFactor()
		if fj.AuthenticatorAppFactor != nil {
			f.AuthenticatorAppFactor = &auth.AuthenticatorAppFactor{TOTPID: fj.AuthenticatorAppFactor.TOTPID}
		}
		if fj.RecoveryCodeFactor != nil {
			f.RecoveryCodeFactor = &auth.RecoveryCodeFactor{RecoveryCodeID: fj.RecoveryCodeFactor.TOTPRecoveryCodeID}
		}
		c.Factors = append(c.Factors, f)
	}
	if o := p.Organization; o != nil {
		c.Organization = &OrgClaim{ID: o.OrganizationID, Slug: o.Slug}
	}
	return c, nil
}
