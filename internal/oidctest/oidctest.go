package oidctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/toolbuild"
)

// The login page the provider redirects an authorization request to, for
// browser tests that fill it in. The form posts username, password and the
// hidden auth request id to LoginPath.
const (
	// LoginPath is the path of the login page, below the issuer.
	LoginPath = "/login/username"
	// UsernameSelector, PasswordSelector and SubmitSelector are CSS
	// selectors of the login form's fields and button.
	UsernameSelector = "#username"
	PasswordSelector = "#password"
	SubmitSelector   = `button[type="submit"]`
)

// startAttempts is how many times Start retries with a fresh port. The port
// is found by binding :0 and closing the listener, so another process can
// grab it before the provider binds it, which makes the provider exit; a
// retry with a new port resolves that race.
const startAttempts = 3

// readyTimeout bounds how long a freshly started provider may take to serve
// its discovery document. It generates an RSA key first.
const readyTimeout = 30 * time.Second

// pollInterval is how often readiness is polled.
const pollInterval = 25 * time.Millisecond

// signInTimeout bounds SignIn's whole walk through the redirects and the
// login form.
const signInTimeout = 30 * time.Second

// User is a user of the provider.
type User struct {
	// ID is the user's stable identifier: the sub claim of its ID tokens
	// and userinfo.
	ID string
	// Username and Password are what the user types on the login page.
	Username string
	Password string
	// FirstName and LastName become given_name, family_name and name
	// (with the profile scope).
	FirstName string
	LastName  string
	// Email and EmailVerified become email and email_verified (with the
	// email scope), at the userinfo endpoint only (see the package doc).
	Email         string
	EmailVerified bool
}

// DefaultUsers returns the users a provider has when Options.Users is
// empty: Ada, whose email is verified, and Grace, whose email is not.
func DefaultUsers() []User {
	return []User{
		{
			ID:            "ada-lovelace",
			Username:      "ada",
			Password:      "analytical-engine",
			FirstName:     "Ada",
			LastName:      "Lovelace",
			Email:         "ada@example.com",
			EmailVerified: true,
		},
		{
			ID:            "grace-hopper",
			Username:      "grace",
			Password:      "cobol-1959",
			FirstName:     "Grace",
			LastName:      "Hopper",
			Email:         "grace@example.com",
			EmailVerified: false,
		},
	}
}

// Options configure a provider. The zero value has DefaultUsers and the
// example's own default redirect URIs, which suits discovery and JWKS but
// no login.
type Options struct {
	// RedirectURIs are the redirect URIs every client accepts, absolute
	// and compared exactly (see the package doc for the public client's
	// loopback rule). They cannot contain commas: the provider reads them
	// as one comma-separated environment variable.
	RedirectURIs []string
	// Users replaces DefaultUsers when not empty. IDs and usernames must
	// be unique.
	Users []User
}

// Provider is a running OpenID provider owned by one test.
type Provider struct {
	// Issuer is the issuer URL, http://localhost:PORT/, exactly as the
	// discovery document and ID tokens state it (with the trailing slash).
	Issuer string
	// ClientID and ClientSecret are the confidential client ("web") to
	// configure Latch with; it authenticates with client_secret_basic or
	// client_secret_post. The example's main registers the clients, and
	// nothing a test passes can add others.
	ClientID     string
	ClientSecret string
	// OtherClientID is a second confidential client ("api") with the same
	// secret, for tests that need a token issued to another audience.
	OtherClientID string
	// PublicClientID is a public client ("native"): no secret, PKCE
	// required, and a registered loopback redirect URI accepted on any
	// port.
	PublicClientID string
	// RedirectURIs are the redirect URIs the clients accept: the ones
	// Options named, or the example's defaults.
	RedirectURIs []string
	// Users are the provider's users, and User the first of them, to sign
	// in as by default.
	Users []User
	User  User

	logs *latchtest.Buffer
}

// Start builds the provider if needed, starts it on a free port and returns
// once it serves its discovery document. The process is killed when the
// test ends. Start fails the test if the provider cannot be built or
// started, or if opts are invalid.
func Start(tb testing.TB, opts Options) *Provider {
	tb.Helper()
	users := opts.Users
	if len(users) == 0 {
		users = DefaultUsers()
	}
	usersFile, err := writeUsers(tb.TempDir(), users)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range opts.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			tb.Fatal(err)
		}
	}
	bin, err := toolbuild.Binary(tb.Context(), toolbuild.Tool{
		Name: "oidcop", ToolsDir: "oidcop", Module: "github.com/zitadel/oidc/v3", Package: "github.com/zitadel/oidc/v3/example/server",
	})
	if err != nil {
		tb.Fatal(err)
	}
	var errs []error
	for range startAttempts {
		p, err := start(tb, bin, usersFile, opts.RedirectURIs)
		if err == nil {
			p.ClientID, p.ClientSecret = "web", "secret"
			p.OtherClientID, p.PublicClientID = "api", "native"
			p.Users, p.User = users, users[0]
			return p
		}
		errs = append(errs, err)
	}
	tb.Fatalf("oidctest: start provider: %v", errors.Join(errs...))
	return nil
}

// start makes one attempt at starting the provider on a fresh port.
func start(tb testing.TB, bin, usersFile string, redirectURIs []string) (*Provider, error) {
	tb.Helper()
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &Provider{
		// The example's main derives the issuer from PORT alone, always
		// on localhost.
		Issuer:       "http://localhost:" + strconv.Itoa(port) + "/",
		RedirectURIs: redirectURIs,
		logs:         &latchtest.Buffer{},
	}
	if len(redirectURIs) == 0 {
		// The defaults of storage.WebClient and storage.NativeClient,
		// which apply when REDIRECT_URI is unset.
		p.RedirectURIs = []string{"http://localhost:9999/auth/callback", "http://localhost/auth/callback", "custom://auth/callback"}
	}

	cmd := exec.Command(bin)
	cmd.Env = providerEnv(port, usersFile, redirectURIs)
	cmd.Stdout = p.logs
	cmd.Stderr = p.logs
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("oidctest: run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := p.waitReady(tb.Context(), exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w (exit: %v)\n%s", err, waitErr, p.logs.String())
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("oidc provider output:\n%s", p.logs.String())
		}
	})
	return p, nil
}

// providerEnv is the test's environment with the three variables the
// example's main reads (PORT, USERS_FILE, REDIRECT_URI) set for this
// provider, and a developer's own values of them dropped.
func providerEnv(port int, usersFile string, redirectURIs []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PORT", "USERS_FILE", "REDIRECT_URI":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PORT="+strconv.Itoa(port), "USERS_FILE="+usersFile)
	if len(redirectURIs) > 0 {
		env = append(env, "REDIRECT_URI="+strings.Join(redirectURIs, ","))
	}
	return env
}

// waitReady polls until the provider serves a discovery document naming
// its issuer.
//
// A provider that lost its port to another process exits, and is reported
// as such; in the unlikely case that another oidctest provider took the
// port in between, the document names the same issuer and cannot tell the
// two apart, which is the same narrow race mailpittest accepts.
func (p *Provider) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	client := &http.Client{Timeout: 5 * time.Second}
	var lastErr error
	for {
		lastErr = p.discover(ctx, client)
		if lastErr == nil {
			select {
			case <-exited:
				return errors.New("oidctest: provider exited before it was ready")
			default:
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("oidctest: provider exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("oidctest: provider not ready within %v: %w", readyTimeout, lastErr)
		case <-ticker.C:
		}
	}
}

// discover fetches the discovery document and checks its issuer.
func (p *Provider) discover(ctx context.Context, client *http.Client) error {
	u := strings.TrimSuffix(p.Issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if doc.Issuer != p.Issuer {
		return fmt.Errorf("GET %s: issuer %q, want %q", u, doc.Issuer, p.Issuer)
	}
	return nil
}

// Logs returns what the provider has written so far: a line per request
// served, and the reason for every refusal.
func (p *Provider) Logs() string { return p.logs.String() }

// SignIn plays a browser without JavaScript through an authorization-code
// flow: it requests startURL (the provider's authorization URL, or any URL
// that redirects there, such as Latch's OAuth start URL), follows the
// redirects to the provider's login page, submits user's credentials, and
// follows the redirects that come back until one leads to a URL beginning
// with landing. It returns that URL without requesting it, so the test can
// read its code and state (or Latch's token) and decide what to do next.
//
// client carries the cookies of the "browser"; nil means a client with a
// fresh cookie jar. Its CheckRedirect is replaced, on a copy. SignIn fails
// the test if the provider refuses the login or the flow goes elsewhere.
func (p *Provider) SignIn(tb testing.TB, client *http.Client, startURL string, user User, landing string) *url.URL {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), signInTimeout)
	defer cancel()
	var c http.Client
	if client != nil {
		c = *client
	} else {
		jar, err := cookiejar.New(nil)
		if err != nil {
			tb.Fatal(err)
		}
		c.Jar = jar
	}
	var landed *url.URL
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), landing) {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		if len(via) >= 20 {
			return errors.New("oidctest: stopped after 20 redirects")
		}
		return nil
	}

	// To the login page.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	if err != nil {
		tb.Fatalf("oidctest: SignIn: %v", err)
	}
	resp, page := do(tb, &c, req)
	if landed != nil {
		tb.Fatalf("oidctest: SignIn: %s reached %s without a login", startURL, landed)
	}
	loginURL, err := url.Parse(strings.TrimSuffix(p.Issuer, "/") + LoginPath)
	if err != nil {
		tb.Fatal(err)
	}
	if got := resp.Request.URL; got.Host != loginURL.Host || got.Path != loginURL.Path || resp.StatusCode != http.StatusOK {
		tb.Fatalf("oidctest: SignIn: %s led to %s (%s), not to the login page %s:\n%s", startURL, got, resp.Status, loginURL, page)
	}
	// The login page's hidden "id" field holds the auth request ID the
	// provider put in the page's query.
	authRequestID := resp.Request.URL.Query().Get("authRequestID")
	if authRequestID == "" {
		tb.Fatalf("oidctest: SignIn: login page %s has no authRequestID", resp.Request.URL)
	}

	// Submit the form, as the page's <form method="POST"> would.
	form := url.Values{"id": {authRequestID}, "username": {user.Username}, "password": {user.Password}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, loginURL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, page = do(tb, &c, req)
	if landed == nil {
		// A refused login renders the form again, with the reason.
		tb.Fatalf("oidctest: SignIn as %q: did not reach %s; ended at %s (%s):\n%s", user.Username, landing, resp.Request.URL, resp.Status, page)
	}
	return landed
}

// do sends req and returns the response with its body (at most 8 KiB, for
// failure messages), failing the test on a transport error.
func do(tb testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	tb.Helper()
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("oidctest: SignIn: %s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	if err != nil {
		tb.Fatalf("oidctest: SignIn: %s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

// writeUsers writes users as the example's USERS_FILE: a JSON object of
// its storage.User values keyed by ID.
func writeUsers(dir string, users []User) (string, error) {
	// exampleUser mirrors the fields of the example's storage.User, which
	// has no JSON tags, so its Go field names are the JSON keys.
	type exampleUser struct {
		ID                string
		Username          string
		Password          string
		FirstName         string
		LastName          string
		Email             string
		EmailVerified     bool
		PreferredLanguage string
	}
	byID := make(map[string]exampleUser, len(users))
	usernames := make(map[string]bool, len(users))
	for _, u := range users {
		if u.ID == "" || u.Username == "" {
			return "", fmt.Errorf("oidctest: user %+v needs an ID and a Username", u)
		}
		if _, dup := byID[u.ID]; dup {
			return "", fmt.Errorf("oidctest: two users with ID %q", u.ID)
		}
		if usernames[u.Username] {
			return "", fmt.Errorf("oidctest: two users with Username %q", u.Username)
		}
		usernames[u.Username] = true
		byID[u.ID] = exampleUser{
			ID: u.ID, Username: u.Username, Password: u.Password,
			FirstName: u.FirstName, LastName: u.LastName,
			Email: u.Email, EmailVerified: u.EmailVerified,
			// The locale claim of userinfo; the zero tag would say "und".
			PreferredLanguage: "en",
		}
	}
	data, err := json.Marshal(byID)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "users.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("oidctest: write users: %w", err)
	}
	return path, nil
}

// checkRedirectURI rejects what the provider would silently misread.
func checkRedirectURI(raw string) error {
	if strings.Contains(raw, ",") {
		return fmt.Errorf("oidctest: redirect URI %q contains a comma, which the provider's REDIRECT_URI list cannot hold", raw)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("oidctest: redirect URI %q is not an absolute URL", raw)
	}
	return nil
}

// freePort returns a TCP port that was free on loopback a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("oidctest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
