// Command consumer-login is the Stytch consumer quickstart written in Go:
// email magic links, a session cookie and a profile page, using the
// official stytch-go SDK and nothing else but the standard library.
//
// Pointed at Latch (STYTCH_API_URL) it runs entirely on your machine;
// without STYTCH_API_URL the same code talks to Stytch itself.
//
//	STYTCH_PROJECT_ID   project ID (required)
//	STYTCH_SECRET       project secret (required)
//	STYTCH_API_URL      API base URL, e.g. http://127.0.0.1:8080 for a local latch
//	APP_ADDR            address to listen on (default 127.0.0.1:3000)
//	APP_BASE_URL        URL the browser uses to reach this app (default http://localhost:3000)
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer-login:", err)
		os.Exit(1)
	}
}

// run is the whole program: it reads its configuration through getenv and
// serves until ctx is done, so a test can run it like main does.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	projectID, secret := getenv("STYTCH_PROJECT_ID"), getenv("STYTCH_SECRET")
	if projectID == "" || secret == "" {
		return errors.New("set STYTCH_PROJECT_ID and STYTCH_SECRET (latch prints them when it first starts)")
	}
	apiURL := strings.TrimSuffix(getenv("STYTCH_API_URL"), "/")
	addr := cmp.Or(getenv("APP_ADDR"), "127.0.0.1:3000")
	baseURL := strings.TrimSuffix(cmp.Or(getenv("APP_BASE_URL"), "http://localhost:3000"), "/")
	// The base URL ends up in every magic link, so a typo here would only
	// surface as a broken email; catch it at startup instead.
	if u, err := url.Parse(baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("APP_BASE_URL %q: want an absolute http(s) URL", baseURL)
	}

	// NewClient fetches the project's JWKS, so it fails fast when the API
	// is unreachable. (A wrong secret shows up at the first login.)
	opts := []stytchapi.Option{stytchapi.WithInitializationContext(ctx)}
	if apiURL != "" {
		opts = append(opts, stytchapi.WithBaseURI(apiURL))
	}
	client, err := stytchapi.NewClient(projectID, secret, opts...)
	if err != nil {
		return fmt.Errorf("stytch client for %s: %w", cmp.Or(apiURL, "Stytch"), err)
	}

	app := newApp(client, baseURL)
	app.log = slog.New(slog.NewTextHandler(stdout, nil))
	// Latch keeps a test project's email in its dev inbox rather than
	// sending it; pointing at it saves a newcomer from hunting for the URL.
	if apiURL != "" && !strings.HasPrefix(projectID, "project-live-") {
		app.devInboxURL = apiURL + "/dev/inbox"
	}
	// OAUTH_PROVIDERS (e.g. "google,github") adds a "Sign in with …"
	// button for each provider configured for the project; the browser
	// needs the project's public token to start there.
	if ps := getenv("OAUTH_PROVIDERS"); ps != "" {
		app.publicToken = getenv("STYTCH_PUBLIC_TOKEN")
		if app.publicToken == "" {
			return errors.New("OAUTH_PROVIDERS needs STYTCH_PUBLIC_TOKEN (latch prints it with the project's credentials)")
		}
		app.oauthStartURL = cmp.Or(apiURL, "https://test.stytch.com") + "/v1/public/oauth/"
		app.oauthPKCE = getenv("OAUTH_PKCE") == "true"
		for _, p := range strings.Split(ps, ",") {
			if p = strings.TrimSpace(p); p != "" {
				app.oauthProviders = append(app.oauthProviders, p)
			}
		}
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "consumer-login listening on %s; open %s\n", ln.Addr(), baseURL)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
