// Package oidctest starts a real OpenID Connect provider for tests of
// Latch's OAuth login: the example OpenID Provider of
// github.com/zitadel/oidc/v3 (an OpenID-certified library), with
// discovery, JWKS, the authorization-code flow with PKCE, a userinfo
// endpoint and an HTML login page, keeping its users and clients in memory.
//
// The provider is not a dependency of Latch: it is pinned by the separate
// tools module in tools/oidcop, and Start builds the binary from there once
// per machine, caching it under the user cache directory. Later test runs,
// and other packages and modules of the repository, reuse the cached
// binary.
//
// What the example provider allows, and so what a test must arrange:
//
//   - Clients are fixed: "web" and "api" are confidential clients with the
//     secret "secret" (client_secret_basic, or client_secret_post), and
//     "native" is a public client that must use PKCE. Provider.ClientID
//     and Provider.ClientSecret name the one to configure Latch with.
//   - Redirect URIs are registered when the provider starts
//     (Options.RedirectURIs) and cannot change afterwards. The confidential
//     clients accept exactly those URIs, so a test starts Latch (or its
//     callback page) first and the provider second, with the callback URL
//     it now knows. The public client "native" also accepts a registered
//     loopback URI on any port (RFC 8252), comparing path and query only.
//   - Users are fixed at start (Options.Users, or DefaultUsers). They log
//     in on the login page with User.Username and User.Password, and the ID
//     token's subject is User.ID.
//   - The ID token of the code flow carries no email or profile claims:
//     following OpenID Connect Core §5.4, the provider releases them only
//     at the userinfo endpoint, because an access token is issued. A client
//     reads the email from userinfo (go-oidc's Provider.UserInfo).
//   - The issuer is http://localhost:PORT/ (with the trailing slash, which
//     the discovery document repeats and go-oidc compares verbatim), and
//     the process listens on PORT on every interface, not just loopback:
//     the example's main chooses both, and oidctest runs it unchanged.
package oidctest
