// Package compat is Latch's SDK acceptance suite: the official stytch-go
// client, built exactly as an application builds it, runs every supported
// flow against a real latch process, on SQLite and (when
// LATCH_TEST_POSTGRES_URL is set) on PostgreSQL.
//
// It is a module of its own so that the server never depends on the SDK.
package compat
