//go:build tools

// Package tools pins the example OpenID Provider of github.com/zitadel/oidc
// (an OpenID-certified library), a real provider with discovery, JWKS, the
// authorization-code flow with PKCE and a login page, that the OAuth tests
// sign in to. It lives in its own module so that the main module never
// depends on it; internal/oidctest builds the binary from here with
// `go build github.com/zitadel/oidc/v3/example/server`. The build tag keeps
// this file out of every build while `go mod tidy` still sees the import.
package tools

import _ "github.com/zitadel/oidc/v3/example/server"
