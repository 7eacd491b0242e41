package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/api"
	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/config"
	"github.com/latchauth/latch/internal/delivery"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/oauth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/store/sqlstore"
	"github.com/latchauth/latch/internal/totp"
	"github.com/latchauth/latch/internal/user"
)

// app is Latch wired together: one screen, constructor arguments, no
// container.
type app struct {
	cfg        config.Config
	log        *slog.Logger
	store      *sqlstore.DB
	keys       *jwt.Manager
	projects   *project.Service
	users      *user.Service
	sessions   *session.Service
	magicLinks *magiclink.Service
	discovery  *discovery.Service
	otps       *otp.Service
	b2bOTPs    *otp.B2B
	totps      *totp.Service
	passwords  *passwords.Service
	// oauthProviders holds each project's identity provider settings;
	// oauth runs the logins through them.
	oauthProviders *oauth.Providers
	oauth          *oauth.Service
	// key is the server key: it seals stored secrets and, through subkeys,
	// keys stored hashes of low-entropy codes.
	key []byte
	// B2B organizations and their members.
	organizations *organization.Service
	members       *member.Service
	outbox        *delivery.Outbox
	devInbox      *devInbox // nil when the dev inbox is off
}

func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	now := time.Now
	driver, dsn := cfg.Database()
	if driver == "sqlite" && !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	st, err := sqlstore.Open(ctx, sqlstore.Config{Driver: driver, DSN: dsn})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	key, err := serverKey(cfg, driver)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, key: key}
	var smtp, dev delivery.Mailer
	if cfg.SMTP.Host != "" {
		m, err := delivery.NewSMTPMailer(delivery.SMTPConfig{
			Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, TLS: cfg.SMTP.TLS, From: cfg.SMTP.From,
		})
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("smtp: %w", err)
		}
		smtp = m
	}
	var sms delivery.SMSSender
	if cfg.Twilio.AccountSID != "" {
		t, err := delivery.NewTwilioSender(delivery.TwilioConfig{
			AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken, From: cfg.Twilio.From,
			MessagingServiceSID: cfg.Twilio.MessagingServiceSID, WhatsAppFrom: cfg.Twilio.WhatsAppFrom,
			BaseURL: cfg.Twilio.BaseURL,
		}, log)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("twilio: %w", err)
		}
		sms = t
	}
	// The dev inbox catches what a test project sends on a channel with no
	// provider: email without SMTP, text messages without Twilio.
	if cfg.DevInbox && (smtp == nil || sms == nil) {
		dev = delivery.NewDevInbox(st, now)
		a.devInbox = &devInbox{store: st}
	}
	router := delivery.NewRouter(smtp, dev, sms)
	a.outbox = delivery.NewOutbox(st, router, now, log, delivery.OutboxOptions{})
	a.keys = jwt.NewManager(st, now)
	a.projects = project.NewService(st, a.keys, now)
	a.users = user.NewService(st, now)
	a.sessions = session.NewService(st, a.keys, now)
	a.organizations = organization.NewService(st, now)
	a.members = member.NewService(st, a.organizations, now)
	a.discovery = discovery.NewService(st, a.sessions, a.organizations, now)
	a.magicLinks = magiclink.NewService(st, a.projects, a.users, a.sessions, a.discovery, a.outbox, now)
	a.otps = otp.NewService(st, a.users, a.sessions, a.outbox, subkey(key, "latch/otp-code"), now)
	a.b2bOTPs = otp.NewB2B(a.otps, a.members, a.discovery)
	// A login that stops for MFA texts the member its passcode.
	a.sessions.SetSMSChallenger(a.b2bOTPs)
	box, err := secretbox.New(subkey(key, "latch/totp-secrets"))
	if err != nil {
		st.Close()
		return nil, err
	}
	a.totps = totp.NewService(st, a.sessions, a.discovery, box, now)
	oauthBox, err := secretbox.New(subkey(key, "latch/oauth-secrets"))
	if err != nil {
		st.Close()
		return nil, err
	}
	a.oauthProviders = oauth.NewProviders(st, oauthBox, now)
	a.oauth = oauth.NewService(st, a.oauthProviders, a.projects, a.users, a.sessions, a.discovery, oauthBox, now, oauth.Options{PublicURL: cfg.PublicURL})
	pwOpts := passwords.Options{Log: log}
	if cfg.HIBPURL != "" {
		pwOpts.Breach = &password.HIBPClient{BaseURL: cfg.HIBPURL}
	}
	a.passwords = passwords.NewService(st, a.users, a.members, a.sessions, a.magicLinks, now, pwOpts)
	return a, nil
}

func (a *app) close() { a.store.Close() }

// serverKey returns the server key: LATCH_ENCRYPTION_KEY, or for SQLite a
// key file in the data directory, created on first start. PostgreSQL
// deployments run several processes on several machines, which must share
// one key, so a key file cannot stand in for it.
func serverKey(cfg config.Config, driver string) ([]byte, error) {
	if cfg.EncryptionKey != "" {
		k, err := secretbox.ParseKey(cfg.EncryptionKey)
		if err != nil {
			return nil, fmt.Errorf("LATCH_ENCRYPTION_KEY: %w", err)
		}
		return k, nil
	}
	if driver != "sqlite" {
		return nil, fmt.Errorf("LATCH_ENCRYPTION_KEY is required with PostgreSQL; generate one with: openssl rand -hex 32")
	}
	k, _, err := secretbox.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "encryption.key"))
	if err != nil {
		return nil, fmt.Errorf("server key file: %w", err)
	}
	return k, nil
}

// subkey derives an independent key for one purpose from the server key,
// so no two uses ever share a key.
func subkey(key []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, key, nil, purpose, 32)
	if err != nil {
		// HKDF-SHA256 fails only for outputs over 255*32 bytes.
		panic(err)
	}
	return k
}

func (a *app) handler() http.Handler {
	d := api.Deps{
		Logger: a.log, Projects: a.projects, Users: a.users, Sessions: a.sessions,
		MagicLinks: a.magicLinks, OTPs: a.otps, B2BOTPs: a.b2bOTPs, Passwords: a.passwords, TOTPs: a.totps, Discovery: a.discovery, Keys: a.keys,
		Organizations: a.organizations, Members: a.members, MemberSessions: a.sessions, ErrorDocsURL: a.cfg.ErrorDocsURL,
		OAuth: a.oauth, SecureCookies: strings.HasPrefix(a.cfg.PublicURL, "https://"),
	}
	if a.devInbox != nil {
		d.DevInbox = a.devInbox
	}
	return api.NewHandler(d)
}

// devInbox lists the dev inbox for the API.
type devInbox struct{ store store.DevInbox }

func (d *devInbox) List(ctx context.Context, f store.DevMessageFilter) ([]auth.DevMessage, error) {
	return d.store.ListDevMessages(ctx, f)
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by config
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// serve runs the API until ctx is done.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := config.Load(getenv, "latch serve", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected argument %q", rest[0])
	}
	log := newLogger(cfg.LogLevel, stderr)
	// Listen first: with port 0 the address, and so the default public
	// URL that OAuth callbacks are built on, is known only then.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	if cfg.PublicURL == "http://"+cfg.Addr {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()

	if cfg.CreateTestProject {
		if err := a.firstStart(ctx, stdout); err != nil {
			return err
		}
	}

	srv := &http.Server{
		Handler:           a.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	go a.outbox.Run(workCtx)

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Latch %s listening on %s\n", version(), base)
	if a.devInbox != nil {
		fmt.Fprintf(stdout, "Dev inbox: %s/dev/inbox\n", base)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// API requests take milliseconds, so a short grace suffices. Shutdown
	// alone would wait five seconds for connections that were opened but
	// never sent a request (HTTP clients open spares under load); Close
	// ends those once the grace is over.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return srv.Close()
}

// firstStart creates and prints a test project when the database has none,
// so that a fresh `latch` is usable at once.
func (a *app) firstStart(ctx context.Context, stdout io.Writer) error {
	ps, err := a.projects.List(ctx)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return nil
	}
	creds, err := a.projects.Create(ctx, "Latch test project", auth.EnvTest)
	if err != nil {
		return err
	}
	printCredentials(stdout, creds.Project, creds.Secret)
	return nil
}
