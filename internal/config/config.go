// Package config loads Latch's configuration once, at startup, from
// LATCH_* environment variables and the equivalent command-line flags.
// A Config is a plain value passed down to constructors: there is no
// package-level configuration.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything Latch can be configured with.
type Config struct {
	// Addr is the address the API listens on.
	Addr string
	// PublicURL is the base URL clients reach Latch at, for links Latch
	// renders to itself (OAuth callbacks, once they exist). Defaults to
	// http://<Addr>.
	PublicURL string
	// DataDir holds the SQLite database when DatabaseURL is empty.
	DataDir string
	// DatabaseURL selects PostgreSQL when it is a postgres:// URL; empty
	// means SQLite at DataDir/latch.db, and sqlite:PATH names a file.
	DatabaseURL string
	// SMTP configures outgoing email; Host empty disables SMTP.
	SMTP SMTP
	// Twilio configures SMS and WhatsApp delivery; AccountSID empty
	// disables it.
	Twilio Twilio
	// DevInbox keeps test projects' email at /dev/inbox when SMTP is not
	// configured, and their text messages when Twilio is not.
	DevInbox bool
	// ErrorDocsURL is the base of the error_url field of error responses.
	ErrorDocsURL string
	// HIBPURL is the base URL of Have I Been Pwned's Pwned Passwords range
	// API, which breach detection of new passwords asks; empty disables
	// breach detection. An empty environment variable reads as unset, so
	// LATCH_HIBP_URL=off (or --hibp-url= or --hibp-url=off) disables it.
	HIBPURL string
	// JWTPublishLead is how long a rotated signing key is published in the
	// JWKS before it signs.
	JWTPublishLead time.Duration
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// CreateTestProject creates and prints a test project on first start
	// with an empty database.
	CreateTestProject bool
	// EncryptionKey is the server key (32 bytes, hex or base64) that seals
	// the secrets Latch must read back (TOTP seeds) and keys the hashes of
	// one-time passcodes. Empty means a key file in DataDir, created on
	// first start, for SQLite; PostgreSQL deployments must set it.
	EncryptionKey string
}

// SMTP is the outgoing mail server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (default), "tls" (implicit, usually port 465) or
	// "none" (plain, for local relays and test servers only).
	TLS  string
	From string
}

// Twilio is the SMS and WhatsApp provider: Twilio's Messages API, or
// anything that speaks it at BaseURL.
type Twilio struct {
	AccountSID string
	AuthToken  string
	// From is the SMS sender number; MessagingServiceSID, if set, picks
	// one from a pool instead.
	From                string
	MessagingServiceSID string
	// WhatsAppFrom is the WhatsApp sender; empty disables WhatsApp.
	WhatsAppFrom string
	// BaseURL replaces https://api.twilio.com (tests, egress proxies).
	BaseURL string
}

// Default returns the configuration Latch runs with when nothing is set.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           defaultDataDir(),
		DevInbox:          true,
		ErrorDocsURL:      "https://stytch.com/docs/api/errors",
		HIBPURL:           "https://api.pwnedpasswords.com",
		JWTPublishLead:    time.Hour,
		LogLevel:          "info",
		CreateTestProject: true,
		SMTP:              SMTP{Port: 587, TLS: "starttls", From: "Latch <no-reply@latch.localhost>"},
	}
}

func defaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "latch")
	}
	return "latch-data"
}

// option ties one setting to its environment variable and its flag, so the
// two can never drift apart: every flag mirrors a variable.
type option struct {
	env, flag, usage string
	secret           bool // also read from $<env>_FILE
	set              func(string) error
	get              func() string
}

func options(c *Config) []option {
	str := func(p *string) (func(string) error, func() string) {
		return func(v string) error { *p = v; return nil }, func() string { return *p }
	}
	opt := func(env, fl, usage string, p *string) option {
		set, get := str(p)
		return option{env: env, flag: fl, usage: usage, set: set, get: get}
	}
	boolean := func(env, fl, usage string, p *bool) option {
		return option{env: env, flag: fl, usage: usage,
			set: func(v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("%s: %w", env, err)
				}
				*p = b
				return nil
			},
			get: func() string { return strconv.FormatBool(*p) }}
	}
	pw := opt("LATCH_SMTP_PASSWORD", "smtp-password", "SMTP password", &c.SMTP.Password)
	pw.secret = true
	twilioToken := opt("LATCH_TWILIO_AUTH_TOKEN", "twilio-auth-token", "Twilio auth token", &c.Twilio.AuthToken)
	twilioToken.secret = true
	key := opt("LATCH_ENCRYPTION_KEY", "encryption-key", "server key sealing stored secrets, 32 bytes as hex or base64 (default: a key file in the data directory, SQLite only)", &c.EncryptionKey)
	key.secret = true
	return []option{
		opt("LATCH_ADDR", "addr", "address to listen on", &c.Addr),
		opt("LATCH_PUBLIC_URL", "public-url", "base URL clients reach Latch at (default http://<addr>)", &c.PublicURL),
		opt("LATCH_DATA_DIR", "data-dir", "directory for the SQLite database", &c.DataDir),
		opt("LATCH_DATABASE_URL", "database-url", "postgres:// URL for PostgreSQL, or sqlite:PATH; empty uses SQLite in the data directory", &c.DatabaseURL),
		opt("LATCH_SMTP_HOST", "smtp-host", "SMTP server host; empty disables SMTP", &c.SMTP.Host),
		{env: "LATCH_SMTP_PORT", flag: "smtp-port", usage: "SMTP server port",
			set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("LATCH_SMTP_PORT: %w", err)
				}
				c.SMTP.Port = n
				return nil
			},
			get: func() string { return strconv.Itoa(c.SMTP.Port) }},
		opt("LATCH_SMTP_USERNAME", "smtp-username", "SMTP username", &c.SMTP.Username),
		pw,
		opt("LATCH_SMTP_TLS", "smtp-tls", "SMTP transport security: starttls, tls or none", &c.SMTP.TLS),
		opt("LATCH_SMTP_FROM", "smtp-from", "From address of outgoing email", &c.SMTP.From),
		opt("LATCH_TWILIO_ACCOUNT_SID", "twilio-account-sid", "Twilio account SID (AC…); empty disables SMS and WhatsApp delivery", &c.Twilio.AccountSID),
		twilioToken,
		opt("LATCH_TWILIO_FROM", "twilio-from", "Twilio number (E.164) passcodes are sent by SMS from", &c.Twilio.From),
		opt("LATCH_TWILIO_MESSAGING_SERVICE_SID", "twilio-messaging-service-sid", "Twilio messaging service (MG…) that picks the SMS sender instead of twilio-from", &c.Twilio.MessagingServiceSID),
		opt("LATCH_TWILIO_WHATSAPP_FROM", "twilio-whatsapp-from", "WhatsApp sender number; empty disables WhatsApp through Twilio", &c.Twilio.WhatsAppFrom),
		opt("LATCH_TWILIO_BASE_URL", "twilio-base-url", "base URL of Twilio's REST API (default https://api.twilio.com)", &c.Twilio.BaseURL),
		boolean("LATCH_DEV_INBOX", "dev-inbox", "keep test projects' email and text messages at /dev/inbox when SMTP or Twilio is not configured", &c.DevInbox),
		opt("LATCH_ERROR_DOCS_URL", "error-docs-url", "base of error_url in error responses", &c.ErrorDocsURL),
		{env: "LATCH_HIBP_URL", flag: "hibp-url", usage: "base URL of the Pwned Passwords range API for password breach detection; off disables it",
			set: func(v string) error {
				if v == "off" {
					v = ""
				}
				c.HIBPURL = v
				return nil
			},
			get: func() string { return c.HIBPURL }},
		{env: "LATCH_JWT_PUBLISH_LEAD", flag: "jwt-publish-lead", usage: "how long a rotated JWT signing key is published before it signs",
			set: func(v string) error {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("LATCH_JWT_PUBLISH_LEAD: %w", err)
				}
				c.JWTPublishLead = d
				return nil
			},
			get: func() string { return c.JWTPublishLead.String() }},
		opt("LATCH_LOG_LEVEL", "log-level", "debug, info, warn or error", &c.LogLevel),
		boolean("LATCH_CREATE_TEST_PROJECT", "create-test-project", "create and print a test project on first start", &c.CreateTestProject),
		key,
	}
}

// Load returns the configuration from getenv, overridden by flags in args
// (arguments after the command name), and the positional arguments left.
// $VAR_FILE is read for secrets. extra, when not nil, registers a
// command's own flags beside the configuration's.
func Load(getenv func(string) string, name string, args []string, extra func(*flag.FlagSet)) (Config, []string, error) {
	c := Default()
	opts := options(&c)
	for _, o := range opts {
		v := getenv(o.env)
		if o.secret && v == "" {
			if path := getenv(o.env + "_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return c, nil, fmt.Errorf("config: %s_FILE: %w", o.env, err)
				}
				v = strings.TrimSpace(string(b))
			}
		}
		if v != "" {
			if err := o.set(v); err != nil {
				return c, nil, fmt.Errorf("config: %w", err)
			}
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, o := range opts {
		fs.Func(o.flag, fmt.Sprintf("%s (env %s, default %q)", o.usage, o.env, redact(o)), o.set)
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return c, fs.Args(), c.Validate()
}

func redact(o option) string {
	if o.secret {
		return ""
	}
	return o.get()
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("addr is empty"))
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("data-dir and database-url are both empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, errors.New("database-url must start with postgres://, postgresql:// or sqlite:"))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("public-url %q is not an http(s) URL", c.PublicURL))
	}
	if c.HIBPURL != "" {
		if u, err := url.Parse(c.HIBPURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("hibp-url %q is not an http(s) URL", c.HIBPURL))
		}
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("smtp-tls %q must be starttls, tls or none", c.SMTP.TLS))
	}
	if c.SMTP.Host != "" && (c.SMTP.Port <= 0 || c.SMTP.Port > 65535) {
		errs = append(errs, fmt.Errorf("smtp-port %d is out of range", c.SMTP.Port))
	}
	if t := c.Twilio; t.AccountSID != "" && (t.AuthToken == "" || (t.From == "" && t.MessagingServiceSID == "" && t.WhatsAppFrom == "")) {
		errs = append(errs, errors.New("twilio-account-sid needs twilio-auth-token and a sender (twilio-from, twilio-messaging-service-sid or twilio-whatsapp-from)"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q must be debug, info, warn or error", c.LogLevel))
	}
	if c.JWTPublishLead < 0 {
		errs = append(errs, errors.New("jwt-publish-lead is negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Database returns the driver ("sqlite" or "postgres") and DSN the
// configuration selects.
func (c Config) Database() (driver, dsn string) {
	switch {
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return "postgres", c.DatabaseURL
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		return "sqlite", strings.TrimPrefix(c.DatabaseURL, "sqlite:")
	default:
		return "sqlite", filepath.Join(c.DataDir, "latch.db")
	}
}
