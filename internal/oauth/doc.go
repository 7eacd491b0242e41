// Package oauth is social and OpenID Connect login: each project's
// identity provider configurations (providers.go, builtin.go) and, built
// on them, the browser flow from Latch's public start URL to the provider
// and back, and the one-time token an app exchanges for a user and a
// session.
//
// Built-in provider types (Google, Microsoft, Apple, GitHub) know their
// provider's endpoints and quirks, each overridable; any other OpenID
// Connect provider is configured by its issuer URL and found through its
// discovery document. Client secrets and Apple's signing key are sealed
// under the server key before they are stored.
package oauth
