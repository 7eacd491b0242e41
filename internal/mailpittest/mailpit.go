package mailpittest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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

// startAttempts is how many times Start retries with fresh ports. Ports are
// found by binding :0 and closing the listener, so another process can grab
// one before Mailpit binds it; a retry with new ports resolves that race.
const startAttempts = 3

// readyTimeout bounds how long a freshly started Mailpit may take to accept
// HTTP and SMTP connections.
const readyTimeout = 30 * time.Second

// pollInterval is how often readiness and WaitForMessage poll the API.
const pollInterval = 25 * time.Millisecond

// Server is a running Mailpit process owned by one test.
type Server struct {
	// SMTPHost and SMTPPort are where Mailpit accepts mail: plain SMTP on
	// 127.0.0.1, no TLS, any credentials or none.
	SMTPHost string
	SMTPPort int
	// APIURL is the base URL of the web UI and HTTP API, without a trailing
	// slash, for example "http://127.0.0.1:41234".
	APIURL string

	client *http.Client
}

// Address is a mailbox in a message's From or To header.
type Address struct {
	Name    string
	Address string
}

// Message is one message Mailpit received, with its bodies.
type Message struct {
	// ID is Mailpit's own identifier, used in /api/v1/message/{ID}.
	ID string
	// MessageID is the Message-ID header, without angle brackets.
	MessageID string
	From      Address
	To        []Address
	Subject   string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text string
	HTML string
}

// Start builds Mailpit if needed, starts it on free loopback ports and
// returns once it accepts both HTTP and SMTP connections. The process is
// killed when the test ends. Start fails the test if Mailpit cannot be
// built or started.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := toolbuild.Binary(tb.Context(), toolbuild.Tool{Name: "mailpit", ToolsDir: "mailpit", Module: "github.com/axllent/mailpit"})
	if err != nil {
		tb.Fatal(err)
	}
	var errs []error
	for range startAttempts {
		s, err := start(tb, bin)
		if err == nil {
			return s
		}
		errs = append(errs, err)
	}
	tb.Fatalf("mailpittest: start mailpit: %v", errors.Join(errs...))
	return nil
}

// start makes one attempt at starting Mailpit on fresh ports.
func start(tb testing.TB, bin string) (*Server, error) {
	tb.Helper()
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
	smtpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort))

	// A directory of its own per attempt, so a failed attempt's database
	// never leaks into the next one.
	dir, err := os.MkdirTemp(tb.TempDir(), "mailpit-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--listen", httpAddr,
		"--smtp", smtpAddr,
		// A private database, so parallel tests never share messages.
		"--database", filepath.Join(dir, "mailpit.db"),
		// No network: the update check and reverse DNS would only hang.
		"--disable-version-check",
		"--smtp-disable-rdns",
		// Accept mail with or without AUTH over a plain connection: tests
		// exercise Latch's SMTP client, not Mailpit's access control.
		"--smtp-auth-accept-any",
		"--smtp-auth-allow-insecure",
	)
	cmd.Env = mailpitEnv()
	var out latchtest.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mailpittest: run %s: %w", bin, err)
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

	s := &Server{
		SMTPHost: "127.0.0.1",
		SMTPPort: smtpPort,
		APIURL:   "http://" + httpAddr,
		client:   &http.Client{Timeout: 10 * time.Second},
	}
	if err := s.waitReady(tb.Context(), smtpAddr, exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w (exit: %v)\n%s", err, waitErr, out.String())
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("mailpit output:\n%s", out.String())
		}
	})
	return s, nil
}

// waitReady polls until the API answers /readyz and the SMTP port accepts
// a connection: Mailpit starts the two listeners independently.
func (s *Server) waitReady(ctx context.Context, smtpAddr string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if s.ready(ctx, smtpAddr) {
			return nil
		}
		select {
		case <-exited:
			return errors.New("mailpittest: mailpit exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("mailpittest: mailpit not ready: %w", ctx.Err())
		case <-ticker.C:
		}
	}
}

// ready reports whether both listeners accept connections.
func (s *Server) ready(ctx context.Context, smtpAddr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", smtpAddr)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Messages returns every message Mailpit holds, newest first, each with its
// Text and HTML bodies.
func (s *Server) Messages(ctx context.Context) ([]Message, error) {
	var list struct {
		Messages []struct{ ID string }
	}
	// limit: Mailpit pages the list (50 by default); tests send far fewer.
	if err := s.getJSON(ctx, "/api/v1/messages?limit=1000", &list); err != nil {
		return nil, err
	}
	msgs := make([]Message, 0, len(list.Messages))
	for _, m := range list.Messages {
		msg, err := s.Message(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Message returns the message with Mailpit's ID id, with its bodies.
func (s *Server) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	err := s.getJSON(ctx, "/api/v1/message/"+url.PathEscape(id), &m)
	return m, err
}

// WaitForMessage polls until a message addressed to to (compared without
// regard to case) arrives and returns the newest such message. It fails the
// test if none arrives within timeout.
func (s *Server) WaitForMessage(tb testing.TB, to string, timeout time.Duration) Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), timeout)
	defer cancel()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastErr error
	for {
		msgs, err := s.Messages(ctx)
		if err != nil {
			lastErr = err
		}
		for _, m := range msgs {
			for _, a := range m.To {
				if strings.EqualFold(a.Address, to) {
					return m
				}
			}
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("mailpittest: no message to %s within %v (last error: %v)", to, timeout, lastErr)
			return Message{}
		case <-ticker.C:
		}
	}
}

// getJSON decodes the JSON answer to GET path into v.
func (s *Server) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+path, nil)
	if err != nil {
		return fmt.Errorf("mailpittest: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("mailpittest: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("mailpittest: GET %s: %s: %s", path, resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("mailpittest: GET %s: decode: %w", path, err)
	}
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("mailpittest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// mailpitEnv is the test's environment without MP_* variables: Mailpit
// reads its flags from them too, and a developer's MP_SMTP_AUTH_FILE or
// MP_UI_AUTH_FILE would silently change what the tests talk to.
func mailpitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MP_") {
			env = append(env, kv)
		}
	}
	return env
}
