//go:build tools

// Package tools pins Mailpit, a real SMTP server with an HTTP API that the
// delivery tests send mail to. It lives in its own module so that the main
// module never depends on Mailpit; internal/mailpittest builds the binary
// from here with `go build github.com/axllent/mailpit`. The build tag keeps
// this file out of every build while `go mod tidy` still sees the import.
package tools

import _ "github.com/axllent/mailpit"
