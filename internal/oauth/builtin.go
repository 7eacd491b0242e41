package oauth

import (
	"strings"

	"github.com/latchauth/latch/internal/auth"
)

// builtin is what a provider type brings before any configuration: its
// endpoints and the scopes every login needs.
type builtin struct {
	// oidc is set for providers that issue ID tokens and publish an
	// OpenID Connect discovery document at issuer.
	oidc bool
	// issuer, for OIDC providers; "{tenant}" is replaced for Microsoft.
	issuer string
	// authURL and tokenURL, for providers without discovery (GitHub).
	authURL, tokenURL string
	// apiURL is GitHub's REST API, where the profile and the verified
	// emails are read.
	apiURL string
	// scopes are always requested.
	scopes []string
}

// builtins are the provider types Latch knows. OAuthOIDC brings no
// endpoints: its issuer is the configuration.
var builtins = map[auth.OAuthProviderType]builtin{
	auth.OAuthGoogle:    {oidc: true, issuer: "https://accounts.google.com", scopes: []string{"openid", "email", "profile"}},
	auth.OAuthMicrosoft: {oidc: true, issuer: "https://login.microsoftonline.com/{tenant}/v2.0", scopes: []string{"openid", "email", "profile"}},
	// Apple publishes a discovery document, but its ID tokens carry the
	// email only on the first login and its token endpoint wants a client
	// secret signed with the team's key; the flow handles both.
	auth.OAuthApple: {oidc: true, issuer: "https://appleid.apple.com", scopes: []string{"openid", "name", "email"}},
	// GitHub speaks OAuth 2.0 only: no ID token, no discovery.
	auth.OAuthGitHub: {authURL: "https://github.com/login/oauth/authorize", tokenURL: "https://github.com/login/oauth/access_token",
		apiURL: "https://api.github.com", scopes: []string{"read:user", "user:email"}},
	auth.OAuthOIDC: {oidc: true, scopes: []string{"openid", "email", "profile"}},
}

// defaultTenant is the Microsoft tenant when none is configured: any work,
// school or personal account.
const defaultTenant = "common"

// issuerFor returns the issuer of an OIDC provider: the configured one,
// else the type's, with Microsoft's tenant filled in.
func issuerFor(p *auth.OAuthProvider) string {
	if p.IssuerURL != "" {
		return p.IssuerURL
	}
	tenant := p.Tenant
	if tenant == "" {
		tenant = defaultTenant
	}
	return strings.ReplaceAll(builtins[p.Type].issuer, "{tenant}", tenant)
}
