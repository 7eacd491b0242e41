// Package jwt signs and verifies Latch's session JWTs and publishes the keys
// that verify them, in exactly the shape Stytch uses, so that the official
// Stytch SDKs (Go, Node, Python) verify Latch's JWTs locally without being
// patched (STYTCH_API.md §4).
//
// The package is a set of pure primitives plus one cache:
//
//   - [GenerateKey] makes an RSA-2048 signing key for a project.
//   - [Keyring] is an immutable, parsed view of one project's keys at an
//     instant: which key signs, which keys are published in the JWKS, and
//     until when that answer holds ([Keyring.ValidUntil]). It signs
//     ([Keyring.SignSession]) and verifies ([Keyring.VerifySession]) without
//     parsing keys per call, and is safe for concurrent use.
//   - [Manager] caches a Keyring per project, loads keys through the small
//     [KeyStore] interface, and creates and rotates keys.
//
// Keys rotate with an overlap (see [Manager.Rotate]): a new key is published
// in the JWKS before it signs, and a retired key stays published until every
// JWT it signed has expired, because SDKs cache the JWKS.
//
// The package imports only the standard library, golang-jwt (the library the
// Stytch Go SDK verifies with) and internal/auth. It does not import
// internal/store: [KeyStore] mirrors store.SigningKeys so that store.Store
// satisfies it, which keeps this package testable without a database.
package jwt
