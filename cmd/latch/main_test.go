package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/latchtest"
)

func testEnv(t *testing.T, extra map[string]string) func(string) string {
	env := map[string]string{"LATCH_DATA_DIR": t.TempDir(), "LATCH_ADDR": "127.0.0.1:0", "LATCH_LOG_LEVEL": "warn"}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// runCmd runs one CLI command to completion and returns its output.
func runCmd(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"latch"}, args...), getenv, &out, &errOut); err != nil {
		t.Fatalf("latch %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// startServe runs `latch serve` in the test and returns its base URL and
// everything it printed.
func startServe(t *testing.T, getenv func(string) string) (string, *latchtest.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &latchtest.Buffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"latch"}, getenv, out, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base := m[1]
			for {
				if resp, err := http.Get(base + "/healthz"); err == nil {
					resp.Body.Close()
					return base, out
				}
				if time.Now().After(deadline) {
					t.Fatal("server never became healthy")
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		select {
		case err := <-errc:
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func post(t *testing.T, base, path, id, secret, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServeFirstStart runs the default command on an empty database, as
// the README's quickstart does: a test project is created and printed, and
// a magic link login works with the printed credentials.
func TestServeFirstStart(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	base, out := startServe(t, getenv)

	id := regexp.MustCompile(`project_id:\s+(project-test-\S+)`).FindStringSubmatch(out.String())
	secret := regexp.MustCompile(`secret:\s+(secret-test-\S+)`).FindStringSubmatch(out.String())
	if id == nil || secret == nil || !strings.Contains(out.String(), "public_token: public-token-test-") {
		t.Fatalf("credentials not printed:\n%s", out.String())
	}
	res := post(t, base, "/v1/magic_links/email/login_or_create", id[1], secret[1], `{"email":"first@example.com"}`)
	if res["user_created"] != true {
		t.Fatalf("login_or_create = %v", res)
	}
	resp, err := http.Get(base + "/dev/inbox/messages?to=first@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var inbox struct{ Messages []struct{ Text string } }
	json.NewDecoder(resp.Body).Decode(&inbox)
	resp.Body.Close()
	if len(inbox.Messages) != 1 {
		t.Fatalf("dev inbox has %d messages", len(inbox.Messages))
	}
	tok := regexp.MustCompile(`token=(\S+)`).FindStringSubmatch(inbox.Messages[0].Text)[1]
	res = post(t, base, "/v1/magic_links/authenticate", id[1], secret[1], `{"token":"`+tok+`","session_duration_minutes":30}`)
	if st, _ := res["session_token"].(string); len(st) != 44 {
		t.Fatalf("authenticate = %v", res)
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, map[string]string{"LATCH_CREATE_TEST_PROJECT": "false"})

	var creds map[string]string
	if err := json.Unmarshal([]byte(runCmd(t, getenv, "project", "create", "--name", "Acme", "--json")), &creds); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(creds["project_id"], "project-test-") || !strings.HasPrefix(creds["secret"], "secret-test-") ||
		!strings.HasPrefix(creds["public_token"], "public-token-test-") || creds["environment"] != "test" {
		t.Fatalf("project create --json = %v", creds)
	}
	var live map[string]string
	json.Unmarshal([]byte(runCmd(t, getenv, "project", "create", "--live", "--json")), &live)
	if !strings.HasPrefix(live["project_id"], "project-live-") || live["environment"] != "live" {
		t.Fatalf("live project = %v", live)
	}
	if out := runCmd(t, getenv, "project", "list"); !strings.Contains(out, creds["project_id"]) || !strings.Contains(out, "Acme") {
		t.Errorf("project list:\n%s", out)
	}

	runCmd(t, getenv, "redirect-urls", "add", "--project", creds["project_id"], "--type", "login,signup", "https://app.example.com/auth")
	if out := runCmd(t, getenv, "redirect-urls", "list", "--project", creds["project_id"]); !strings.Contains(out, "https://app.example.com/auth") || !strings.Contains(out, "http://localhost:3000/authenticate") {
		t.Errorf("redirect-urls list:\n%s", out)
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"latch", "redirect-urls", "add", "--project", creds["project_id"], "--type", "bogus", "https://x.example.com"}, getenv, io.Discard, &stderr); err == nil {
		t.Error("an unknown redirect type was accepted")
	}

	if out := runCmd(t, getenv, "project", "password-policy", "--project", creds["project_id"]); !strings.Contains(out, "zxcvbn (the default)") {
		t.Errorf("password-policy of a new project: %s", out)
	}
	if out := runCmd(t, getenv, "project", "password-policy", "--project", creds["project_id"], "--policy", "luds", "--luds-min-length", "12"); !strings.Contains(out, "luds: at least 12 characters of 3 kinds") {
		t.Errorf("password-policy luds: %s", out)
	}
	if out := runCmd(t, getenv, "project", "password-policy", "--project", creds["project_id"]); !strings.Contains(out, "luds: at least 12") {
		t.Errorf("password-policy after setting luds: %s", out)
	}
	for _, bad := range [][]string{{"--policy", "rot13"}, {"--policy", "luds", "--luds-min-length", "4"}, {"--policy", "zxcvbn", "--luds-min-char-types", "2"}} {
		if err := run(context.Background(), append([]string{"latch", "project", "password-policy", "--project", creds["project_id"]}, bad...), getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("password-policy %v was accepted", bad)
		}
	}

	if out := runCmd(t, getenv, "keys", "rotate", "--project", creds["project_id"], "--publish-lead", "0s"); !strings.Contains(out, "jwk-test-") {
		t.Errorf("keys rotate: %s", out)
	}
	if out := runCmd(t, getenv, "migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("migrate: %s", out)
	}
	if out := runCmd(t, getenv, "version"); !strings.HasPrefix(out, "latch ") {
		t.Errorf("version: %s", out)
	}
	if err := run(context.Background(), []string{"latch", "frobnicate"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}

	// The server picks up what the CLI did: both keys are published, and
	// the redirect URL works.
	base, _ := startServe(t, getenv)
	resp, err := http.Get(base + "/v1/sessions/jwks/" + creds["project_id"])
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct{ Keys []map[string]any }
	json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if len(jwks.Keys) != 2 {
		t.Errorf("%d keys published after rotation, want the old and the new", len(jwks.Keys))
	}
	res := post(t, base, "/v1/magic_links/email/login_or_create", creds["project_id"], creds["secret"],
		`{"email":"cli@example.com","signup_magic_link_url":"https://app.example.com/auth"}`)
	if res["status_code"] != float64(200) {
		t.Errorf("login_or_create with the added URL: %v", res)
	}
	// A live project without SMTP is refused before anything is issued.
	res = post(t, base, "/v1/magic_links/email/login_or_create", live["project_id"], live["secret"], `{"email":"live@example.com"}`)
	if res["error_type"] != "email_settings_not_found" {
		t.Errorf("live project without SMTP: %v", res)
	}
}

// TestServeOnPostgres runs the server on PostgreSQL when one is configured.
func TestServeOnPostgres(t *testing.T) {
	t.Parallel()
	if os.Getenv(authtest.PostgresEnv) == "" {
		t.Skipf("%s is not set", authtest.PostgresEnv)
	}
	getenv := testEnv(t, map[string]string{"LATCH_DATABASE_URL": authtest.PostgresURL(t)})
	if err := run(context.Background(), []string{"latch", "migrate"}, getenv, io.Discard, io.Discard); err == nil {
		t.Fatal("latch started on PostgreSQL without a server key")
	}
	getenv = testEnv(t, map[string]string{"LATCH_DATABASE_URL": getenv("LATCH_DATABASE_URL"), "LATCH_ENCRYPTION_KEY": strings.Repeat("ab", 32)})
	base, out := startServe(t, getenv)
	id := regexp.MustCompile(`project_id:\s+(\S+)`).FindStringSubmatch(out.String())
	secret := regexp.MustCompile(`secret:\s+(\S+)`).FindStringSubmatch(out.String())
	if id == nil || secret == nil {
		t.Fatalf("no credentials printed:\n%s", out.String())
	}
	res := post(t, base, "/v1/magic_links/email/login_or_create", id[1], secret[1], `{"email":"pg@example.com"}`)
	if res["user_created"] != true {
		t.Fatalf("login_or_create on PostgreSQL = %v", res)
	}
}
