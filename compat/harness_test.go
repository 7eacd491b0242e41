package compat

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"

	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/latchtest"
)

// appURL is the redirect URL every new test project allowlists for every
// redirect type, and the default one.
const appURL = "http://localhost:3000/authenticate"

// errorDocsURL is the default base of error_url.
const errorDocsURL = "https://stytch.com/docs/api/errors"

// ctx is the context of every SDK call; the SDK's own HTTP client has no
// timeout, so a hung server fails the test binary's -timeout instead.
var ctx = context.Background()

// database is one storage backend a scenario runs on.
type database struct {
	name string
	// url returns LATCH_DATABASE_URL for a fresh, isolated database; ""
	// means SQLite in the server's own data directory.
	url func(tb testing.TB) string
}

var databases = []database{
	{name: "sqlite", url: func(testing.TB) string { return "" }},
	// authtest.PostgresURL skips the subtest when LATCH_TEST_POSTGRES_URL
	// is unset, so the skip shows in -v output.
	{name: "postgres", url: authtest.PostgresURL},
}

// env is a scenario's server and an SDK client built the way an
// application builds it.
type env struct {
	srv    *latchtest.Server
	client *stytchapi.API
}

// eachDatabase runs fn in a parallel subtest per database, each with its
// own latch process, database and test project.
func eachDatabase(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			dsn := db.url(t)
			srv := latchtest.Start(t, latchtest.Options{DatabaseURL: dsn})
			closeIdleFirst(t)
			fn(t, &env{srv: srv, client: newClient(t, srv)})
		})
	}
}

// closeIdleFirst closes the client side's idle connections before the
// server stops (cleanups run last-registered first). The SDK's HTTP client
// uses http.DefaultTransport, whose dial races leave connections that never
// carried a request; the server's graceful shutdown waits five seconds for
// each such connection before it counts as idle.
func closeIdleFirst(tb testing.TB) {
	tb.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
}

// newClient builds a stytch-go client against srv exactly as an app does:
// construction fetches the project's JWKS.
func newClient(tb testing.TB, srv *latchtest.Server) *stytchapi.API {
	tb.Helper()
	c, err := stytchapi.NewClient(srv.ProjectID, srv.Secret, stytchapi.WithBaseURI(srv.URL))
	if err != nil {
		tb.Fatalf("stytchapi.NewClient(%s, WithBaseURI(%s)): %v", srv.ProjectID, srv.URL, err)
	}
	return c
}

// newEmail returns an address no other test uses.
func newEmail(tb testing.TB, label string) string {
	tb.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprintf("%s-%s@example.com", label, hex.EncodeToString(b[:]))
}

// wantError checks that err is the Stytch error the SDK decodes from an
// error response of this status and type, with the full envelope.
func wantError(tb testing.TB, err error, status int, typ string) stytcherror.Error {
	tb.Helper()
	var se stytcherror.Error
	if !errors.As(err, &se) {
		tb.Fatalf("got error %v (%T), want a stytcherror.Error %d %s", err, err, status, typ)
	}
	if se.StatusCode != status || string(se.ErrorType) != typ {
		tb.Fatalf("got %d %s (%q), want %d %s", se.StatusCode, se.ErrorType, se.ErrorMessage, status, typ)
	}
	if !strings.HasPrefix(se.RequestID, "request-id-test-") {
		tb.Errorf("%s: request_id = %q, want request-id-test-…", typ, se.RequestID)
	}
	if se.ErrorMessage == "" {
		tb.Errorf("%s: empty error_message", typ)
	}
	if got, want := string(se.ErrorURL), fmt.Sprintf("%s/%d#%s", errorDocsURL, status, typ); got != want {
		tb.Errorf("%s: error_url = %q, want %q", typ, got, want)
	}
	return se
}

// message is a delivered magic link email, reduced to what tests check.
type message struct {
	Subject string
	Text    string
	HTML    string
	Link    string
	Token   string
}

// waitMessage polls the dev inbox until at least n messages to addr have
// arrived and returns the newest. Delivery is normally done before the API
// call returns; the deadline covers the outbox's retry path.
func waitMessage(tb testing.TB, srv *latchtest.Server, addr string, n int) message {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms := srv.DevInbox(tb, addr)
		if len(ms) >= n {
			m := ms[0]
			link, tok := latchtest.Link(tb, m.Text)
			return message{Subject: m.Subject, Text: m.Text, HTML: m.HTML, Link: link, Token: tok}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("dev inbox: %d messages to %s after 20s, want %d", len(ms), addr, n)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// checkLink checks that a magic link is the allowlisted redirect URL with
// exactly stytch_token_type=magic_links and a 44-character token, and
// returns the token.
func checkLink(tb testing.TB, link, redirect string) string {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil {
		tb.Fatalf("link %q: %v", link, err)
	}
	q := u.Query()
	u.RawQuery = ""
	if got := u.String(); got != redirect {
		tb.Errorf("link %q points at %q, want %q", link, got, redirect)
	}
	if len(q) != 2 || q.Get("stytch_token_type") != "magic_links" {
		tb.Errorf("link %q: query %v, want exactly stytch_token_type=magic_links and token", link, q)
	}
	tok := q.Get("token")
	// 32 random bytes, base64url with padding, like Stytch's tokens.
	if b, err := base64.URLEncoding.DecodeString(tok); err != nil || len(b) != 32 {
		tb.Errorf("link %q: token %q is not 32 bytes of padded base64url", link, tok)
	}
	if want := "stytch_token_type=magic_links&token="; !strings.Contains(link, want) {
		tb.Errorf("link %q does not contain %q", link, want)
	}
	return tok
}

// pkcePair returns an RFC 7636 code verifier and its S256 challenge.
func pkcePair(tb testing.TB) (verifier, challenge string) {
	tb.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// rawResponse is a response read with plain HTTP, as the Node and Python
// SDKs see it.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// raw sends a request with plain HTTP. creds selects Basic project
// credentials; body, when not nil, is sent as application/json.
func raw(tb testing.TB, srv *latchtest.Server, method, path string, creds bool, body []byte) rawResponse {
	tb.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if creds {
		req.SetBasicAuth(srv.ProjectID, srv.Secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	out := rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if err := json.Unmarshal(b, &out.JSON); err != nil {
		tb.Fatalf("%s %s: %d response is not a JSON object: %v\n%s", method, path, resp.StatusCode, err, b)
	}
	return out
}

// rawJSON is raw with v marshalled as the body.
func rawJSON(tb testing.TB, srv *latchtest.Server, method, path string, v any) rawResponse {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return raw(tb, srv, method, path, true, b)
}

// wantRawError checks an error response read with plain HTTP: the status,
// a JSON content type and the complete Stytch error envelope.
func wantRawError(tb testing.TB, r rawResponse, status int, typ string) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("HTTP status %d, want %d\n%s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("Content-Type %q, want application/json", ct)
	}
	want := map[string]any{
		"status_code": float64(status),
		"error_type":  typ,
		"error_url":   fmt.Sprintf("%s/%d#%s", errorDocsURL, status, typ),
	}
	for k, v := range want {
		if r.JSON[k] != v {
			tb.Errorf("%s = %#v, want %#v\n%s", k, r.JSON[k], v, r.Body)
		}
	}
	if id, _ := r.JSON["request_id"].(string); !strings.HasPrefix(id, "request-id-test-") {
		tb.Errorf("request_id = %#v, want request-id-test-…", r.JSON["request_id"])
	}
	if msg, _ := r.JSON["error_message"].(string); msg == "" {
		tb.Errorf("error_message = %#v, want a non-empty string", r.JSON["error_message"])
	}
	if _, ok := r.JSON["error_details"].(map[string]any); !ok {
		tb.Errorf("error_details = %#v, want an object", r.JSON["error_details"])
	}
}

// near reports whether t is within d of want.
func near(t, want time.Time, d time.Duration) bool {
	diff := t.Sub(want)
	return diff >= -d && diff <= d
}
