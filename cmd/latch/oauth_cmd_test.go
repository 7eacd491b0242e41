package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOAuthProvidersCLI configures providers from flags and from a file,
// lists and removes them, and checks that a bad file changes nothing.
func TestOAuthProvidersCLI(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	var creds map[string]string
	if err := json.Unmarshal([]byte(runCmd(t, getenv, "project", "create", "--json")), &creds); err != nil {
		t.Fatal(err)
	}
	project := creds["project_id"]
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	secret := write("google.secret", "google-client-secret\n")
	out := runCmd(t, getenv, "oauth-providers", "set", "--project", project, "--type", "google",
		"--client-id", "gid.apps.googleusercontent.com", "--client-secret-file", secret, "--scopes", "https://www.googleapis.com/auth/calendar.readonly")
	if !strings.Contains(out, "Configured google (google)") {
		t.Errorf("set: %s", out)
	}

	write("acme.secret", "acme-secret")
	file := write("providers.json", `[
		{"name": "acme", "type": "oidc", "client_id": "latch", "client_secret_file": "acme.secret", "issuer_url": "http://127.0.0.1:9998"},
		{"type": "microsoft", "client_id": "mid", "client_secret": "inline-secret", "tenant": "organizations"}
	]`)
	out = runCmd(t, getenv, "oauth-providers", "apply", "--project", project, "--file", file)
	if !strings.Contains(out, "Configured acme (oidc)") || !strings.Contains(out, "Configured microsoft (microsoft)") {
		t.Errorf("apply: %s", out)
	}
	out = runCmd(t, getenv, "oauth-providers", "list", "--project", project)
	for _, want := range []string{"acme", "google", "microsoft", "gid.apps.googleusercontent.com", "calendar.readonly"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"google-client-secret", "acme-secret", "inline-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("list shows the secret %q:\n%s", secret, out)
		}
	}

	// A file with one bad provider applies none of them.
	bad := write("bad.json", `[
		{"type": "github", "client_id": "hid", "client_secret": "s"},
		{"type": "oidc", "name": "noissuer", "client_id": "x", "client_secret": "y"}
	]`)
	err := run(context.Background(), []string{"latch", "oauth-providers", "apply", "--project", project, "--file", bad}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Errorf("apply of a bad file: err = %v, want the missing issuer", err)
	}
	if out := runCmd(t, getenv, "oauth-providers", "list", "--project", project); strings.Contains(out, "github") {
		t.Errorf("a refused file configured github:\n%s", out)
	}
	for _, args := range [][]string{
		{"oauth-providers", "set", "--type", "google"}, // no project
		{"oauth-providers", "set", "--project", "project-test-00000000-0000-4000-8000-000000000000", "--type", "google", "--client-id", "x"}, // unknown project
		{"oauth-providers", "apply", "--project", project, "--file", write("unknown.json", `[{"type": "google", "client_id": "x", "secret": "typo"}]`)},
	} {
		if err := run(context.Background(), append([]string{"latch"}, args...), getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("latch %s succeeded", strings.Join(args, " "))
		}
	}

	runCmd(t, getenv, "oauth-providers", "remove", "--project", project, "acme")
	if out := runCmd(t, getenv, "oauth-providers", "list", "--project", project); strings.Contains(out, "acme") {
		t.Errorf("acme still listed after remove:\n%s", out)
	}
	if err := run(context.Background(), []string{"latch", "oauth-providers", "remove", "--project", project, "acme"}, getenv, io.Discard, io.Discard); err == nil {
		t.Error("removing a provider twice succeeded")
	}
}
