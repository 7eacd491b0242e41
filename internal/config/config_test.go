package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, _, err := Load(env(nil), "latch", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Addr, "127.0.0.1:8080"; got != want {
		t.Errorf("Addr = %q, want %q", got, want)
	}
	if got, want := c.PublicURL, "http://127.0.0.1:8080"; got != want {
		t.Errorf("PublicURL = %q, want %q", got, want)
	}
	if d, _ := c.Database(); d != "sqlite" {
		t.Errorf("driver = %q, want sqlite", d)
	}
	if got, want := c.HIBPURL, "https://api.pwnedpasswords.com"; got != want {
		t.Errorf("HIBPURL = %q, want %q", got, want)
	}
}

func TestHIBPOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"LATCH_HIBP_URL": "off"}, nil, ""},
		{nil, []string{"--hibp-url="}, ""},
		{nil, []string{"--hibp-url=off"}, ""},
		{map[string]string{"LATCH_HIBP_URL": "http://127.0.0.1:9/"}, nil, "http://127.0.0.1:9/"},
	} {
		c, _, err := Load(env(tc.env), "latch", tc.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.HIBPURL != tc.want {
			t.Errorf("env %v args %v: HIBPURL = %q, want %q", tc.env, tc.args, c.HIBPURL, tc.want)
		}
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	t.Parallel()
	c, _, err := Load(env(map[string]string{
		"LATCH_ADDR":             "127.0.0.1:1",
		"LATCH_DATABASE_URL":     "postgres://u@h/db",
		"LATCH_SMTP_PORT":        "2525",
		"LATCH_JWT_PUBLISH_LEAD": "5m",
	}), "latch", []string{"--addr", "127.0.0.1:2", "--smtp-tls", "none"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2" || c.SMTP.Port != 2525 || c.SMTP.TLS != "none" || c.JWTPublishLead != 5*time.Minute {
		t.Errorf("got %+v", c)
	}
	if d, dsn := c.Database(); d != "postgres" || dsn != "postgres://u@h/db" {
		t.Errorf("Database() = %q, %q", d, dsn)
	}
}

func TestSecretFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(env(map[string]string{"LATCH_SMTP_PASSWORD_FILE": p}), "latch", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Password != "s3cret" {
		t.Errorf("Password = %q", c.SMTP.Password)
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"bad db url", map[string]string{"LATCH_DATABASE_URL": "mysql://x"}, nil},
		{"bad tls", nil, []string{"--smtp-tls", "maybe"}},
		{"bad port", map[string]string{"LATCH_SMTP_PORT": "x"}, nil},
		{"bad bool", map[string]string{"LATCH_DEV_INBOX": "perhaps"}, nil},
		{"unknown flag", nil, []string{"--nope"}},
		{"bad hibp url", map[string]string{"LATCH_HIBP_URL": "ftp://x"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Load(env(tc.env), "latch", tc.args, nil); err == nil {
				t.Error("Load succeeded, want error")
			}
		})
	}
}

func TestExtraFlagsAndArgs(t *testing.T) {
	t.Parallel()
	var name string
	_, rest, err := Load(env(nil), "latch", []string{"--name", "x", "--addr", "127.0.0.1:3", "pos"}, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "")
	})
	if err != nil {
		t.Fatal(err)
	}
	if name != "x" || len(rest) != 1 || rest[0] != "pos" {
		t.Errorf("name = %q, rest = %q", name, rest)
	}
}
