// Package auth holds Latch's domain: projects, users, sessions, one-time
// tokens and the Stytch error catalog. It imports only the standard library
// and carries no JSON tags: the wire format lives in internal/api.
package auth
