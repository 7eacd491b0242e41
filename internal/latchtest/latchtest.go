// Package latchtest starts a real latch process for end-to-end tests: the
// binary is built from this checkout, run on a free loopback port with its
// own database, and stopped when the test ends. The SDK acceptance suite
// (compat/), the example apps and the benchmarks all use it, so every one
// of them exercises the program a user runs, not an in-process imitation.
package latchtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/secretbox"
)

// Options configure a server. The zero value runs on SQLite in a temporary
// directory with the dev inbox on.
type Options struct {
	// DatabaseURL, when set, is passed as LATCH_DATABASE_URL (for example
	// an isolated PostgreSQL schema from authtest).
	DatabaseURL string
	// Env adds LATCH_* variables, such as SMTP settings, and overrides
	// Start's defaults (LATCH_HIBP_URL is off unless set here).
	Env map[string]string
}

// Server is a running latch process with one test project.
type Server struct {
	// URL is the base URL, without a trailing slash, as the SDKs want it.
	URL         string
	ProjectID   string
	Secret      string
	PublicToken string

	bin  string
	env  []string
	logs *Buffer
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary returns the path of a latch binary built from this checkout, once
// per test process.
func Binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, err := os.MkdirTemp("", "latchtest-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "latch")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/latch")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/latch: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// Start runs latch and creates a test project in its database.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{bin: Binary(tb), logs: &Buffer{}}
	s.env = append(os.Environ(),
		"LATCH_DATA_DIR="+tb.TempDir(),
		"LATCH_CREATE_TEST_PROJECT=false",
		"LATCH_LOG_LEVEL=warn",
		"LATCH_ADDR=127.0.0.1:0",
		// Every server gets a server key of its own, as a PostgreSQL
		// deployment must (SQLite ones would make a key file otherwise).
		"LATCH_ENCRYPTION_KEY="+secretbox.FormatKey(secretbox.NewKey()),
		// Tests never reach the internet: breach detection is off unless
		// opts.Env points it at a stand-in (internal/hibptest).
		"LATCH_HIBP_URL=off",
	)
	if opts.DatabaseURL != "" {
		s.env = append(s.env, "LATCH_DATABASE_URL="+opts.DatabaseURL)
	}
	for k, v := range opts.Env {
		s.env = append(s.env, k+"="+v)
	}

	var creds struct {
		ProjectID   string `json:"project_id"`
		Secret      string `json:"secret"`
		PublicToken string `json:"public_token"`
	}
	if err := json.Unmarshal(s.Run(tb, "project", "create", "--name", tb.Name(), "--json"), &creds); err != nil {
		tb.Fatalf("latch project create: %v", err)
	}
	s.ProjectID, s.Secret, s.PublicToken = creds.ProjectID, creds.Secret, creds.PublicToken

	cmd := exec.Command(s.bin, "serve")
	cmd.Env = s.env
	cmd.Stderr = s.logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if tb.Failed() {
			tb.Logf("latch logs:\n%s", s.logs.String())
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.logs.Write([]byte(line + "\n"))
			if _, u, ok := strings.Cut(line, " listening on "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case s.URL = <-urls:
	case <-done:
		tb.Fatalf("latch exited before listening:\n%s", s.logs.String())
	case <-time.After(60 * time.Second):
		tb.Fatalf("latch did not listen within a minute:\n%s", s.logs.String())
	}
	s.waitHealthy(tb)
	return s
}

// Run runs a latch CLI command against the server's database and returns
// its standard output.
func (s *Server) Run(tb testing.TB, args ...string) []byte {
	tb.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("latch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// Logs returns what the server has written so far.
func (s *Server) Logs() string { return s.logs.String() }

func (s *Server) waitHealthy(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("latch at %s never became healthy: %v", s.URL, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// DevMessage is one message from the dev inbox's JSON.
type DevMessage struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
	Channel   string `json:"channel"` // email, sms or whatsapp
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	CreatedAt string `json:"created_at"`
}

// DevInbox returns the dev inbox messages sent to an address, newest first.
func (s *Server) DevInbox(tb testing.TB, to string) []DevMessage {
	tb.Helper()
	resp, err := http.Get(s.URL + "/dev/inbox/messages?to=" + url.QueryEscape(to))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []DevMessage `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		tb.Fatalf("dev inbox: %v", err)
	}
	return out.Messages
}

// Buffer is a bytes.Buffer safe for concurrent use: a running program's
// output that a test reads while it is written.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Link returns the first link in a message's text and its token query
// parameter, as an app's authenticate route would read them.
func Link(tb testing.TB, text string) (link, token string) {
	tb.Helper()
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
			u, err := url.Parse(f)
			if err != nil {
				tb.Fatalf("bad link %q: %v", f, err)
			}
			return f, u.Query().Get("token")
		}
	}
	tb.Fatalf("no link in message:\n%s", text)
	return "", ""
}

// WaitDevMessage polls the dev inbox until a message to the address
// arrives (delivery is normally done before the API call returns; the wait
// covers the outbox's retry path) and returns the newest one.
func (s *Server) WaitDevMessage(tb testing.TB, to string) DevMessage {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := s.DevInbox(tb, to); len(ms) > 0 {
			return ms[0]
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no dev inbox message to %s", to)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
