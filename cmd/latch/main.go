// Command latch is a self-hosted authentication server that speaks the
// Stytch HTTP API.
//
//	latch [serve] [flags]                          run the API (the default)
//	latch project create [--name N] [--live] [--json]
//	latch project password-policy --project ID [--policy zxcvbn|luds] [--luds-min-length N] [--luds-min-char-types N]
//	latch redirect-urls add --project ID --type login,signup URL
//	latch keys rotate --project ID [--publish-lead 1h]
//	latch migrate                                  apply database migrations
//	latch version
//
// Every command takes the configuration flags (see latch serve -h), each
// mirroring a LATCH_* environment variable.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "latch:", err)
		os.Exit(1)
	}
}

// run is the whole program, callable from tests: it never reads globals
// or calls os.Exit.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "project", "projects":
		return projectCmd(ctx, rest, getenv, stdout)
	case "redirect-urls", "redirect-url":
		return redirectURLsCmd(ctx, rest, getenv, stdout)
	case "keys":
		return keysCmd(ctx, rest, getenv, stdout)
	case "oauth-providers", "oauth-provider":
		return oauthProvidersCmd(ctx, rest, getenv, stdout)
	case "migrate":
		return migrateCmd(ctx, rest, getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "latch", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

const usage = `Usage:
  latch [serve] [flags]                                  run the API server (default)
  latch project create [--name NAME] [--live] [--json]   create a project and print its credentials
  latch project list                                     list projects
  latch project password-policy --project ID [--policy zxcvbn|luds] [--luds-min-length 8] [--luds-min-char-types 3]
                                                         show or set a project's password strength policy
  latch redirect-urls add --project ID --type login,signup,invite [--default] URL
  latch redirect-urls list --project ID
  latch keys rotate --project ID [--publish-lead 1h]     rotate a project's JWT signing key
  latch oauth-providers set --project ID --type google --client-id ID --client-secret-file F [--scopes "…"]
  latch oauth-providers apply --project ID --file providers.json
  latch oauth-providers list --project ID
  latch oauth-providers remove --project ID NAME
  latch migrate                                          apply database migrations and exit
  latch version

Configuration flags (all commands) mirror LATCH_* environment variables; see latch serve -h.
`
