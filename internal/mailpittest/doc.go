// Package mailpittest starts a real Mailpit server (an SMTP server with an
// HTTP API) for tests that must see what actually went over the wire.
//
// Mailpit is not a dependency of Latch: it is pinned by the separate tools
// module in tools/mailpit, and Start builds the binary from there once per
// machine, caching it under the user cache directory. The first build takes
// a minute or two; later test runs reuse the cached binary.
//
// Every server listens on 127.0.0.1 only, on ports chosen at start, and
// keeps its messages in a per-test temporary database, so parallel tests
// and packages never see each other's mail.
package mailpittest
