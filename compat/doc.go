// Package compat is Latch's SDK acceptance suite: the official stytch-go
// client, built exactly as an application builds it, runs every supported
// flow against a real latch process, on SQLite and (when
// LATCH_TEST_POSTGRES_URL is set) on PostgreSQL.
//
// It is a module of its own so that the server never depends on the SDK.
// Run it from this directory:
//
//	go test ./...
//	LATCH_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./...
//
// Each scenario group starts one latch process per database, built from
// this checkout by internal/latchtest; the SMTP scenario also starts
// Mailpit (internal/mailpittest), built once per machine.
package compat
