package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/latchauth/latch/internal/auth"
)

// Values of SMTPConfig.TLS.
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses to
	// continue if the server does not offer it. It is the default.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit = "tls"
	// TLSNone never encrypts. Meant for a relay on localhost and for test
	// servers such as Mailpit.
	TLSNone = "none"
)

// smtpTimeout bounds dialing and each SMTP command, so that a server that
// accepts the connection and then stalls cannot hold a worker forever.
// The caller's context bounds the whole exchange as well.
const smtpTimeout = 30 * time.Second

// SMTPConfig says how to reach the outgoing mail server.
type SMTPConfig struct {
	// Host is the server's host name; it is also the name its TLS
	// certificate is checked against.
	Host string
	// Port is the server's port. Zero picks the usual port for TLS: 587
	// for starttls, 465 for tls and 25 for none.
	Port int
	// Username and Password authenticate to the server. An empty Username
	// sends without authenticating.
	Username, Password string
	// TLS is TLSStartTLS (the default when empty), TLSImplicit or TLSNone.
	TLS string
	// From is the sender, either a bare address or "Name <address>".
	From string
	// HelloName is the name sent with EHLO. Empty means the machine's host
	// name, which some relays reject when it does not resolve.
	HelloName string
}

// LogValue implements slog.LogValuer so that logging a configuration never
// prints the password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host),
		slog.Int("port", c.Port),
		slog.String("username", c.Username),
		slog.Bool("password_set", c.Password != ""),
		slog.String("tls", c.TLS),
		slog.String("from", c.From),
		slog.String("hello_name", c.HelloName),
	)
}

// SMTPMailer sends email through an SMTP server. It opens one connection per
// message: Latch sends a handful of transactional messages, not bulk mail,
// and a fresh connection cannot inherit a broken one's state. It is safe
// for concurrent use.
type SMTPMailer struct {
	host       string
	opts       []gomail.Option
	from       string
	fromDomain string
}

var _ Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer checks cfg and returns a mailer for it. It does not connect:
// a mail server that is down at startup must not keep Latch from starting,
// since the outbox retries.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("delivery: smtp: host is empty")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("delivery: smtp: port %d is out of range", cfg.Port)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("delivery: smtp: from address %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")

	opts := []gomail.Option{
		gomail.WithTimeout(smtpTimeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}),
	}
	switch cfg.TLS {
	case TLSStartTLS, "":
		// Mandatory, not opportunistic: a man in the middle who strips the
		// STARTTLS offer must not get the password or the magic links.
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSLPort(false))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("delivery: smtp: tls %q must be %q, %q or %q", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	// After the TLS options, which pick a default port only when none
	// was set.
	if cfg.Port != 0 {
		opts = append(opts, gomail.WithPort(cfg.Port))
	}
	if cfg.Username != "" {
		// Auto-discovery picks the strongest mechanism the server offers,
		// and over an unencrypted connection never PLAIN or LOGIN, so the
		// password is never sent in the clear.
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password),
		)
	}
	if cfg.HelloName != "" {
		opts = append(opts, gomail.WithHELO(cfg.HelloName))
	}
	// Build one client now so that option errors surface at startup, not
	// on the first message.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("delivery: smtp: %w", err)
	}
	return &SMTPMailer{host: cfg.Host, opts: opts, from: cfg.From, fromDomain: domain}, nil
}

// Send delivers m as a multipart/alternative message with a plain-text part
// and, when m.HTML is set, an HTML part. Errors name the message but never
// its body or the server's password.
func (s *SMTPMailer) Send(ctx context.Context, m auth.Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("delivery: smtp: message %s: from: %w", m.ID, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("delivery: smtp: message %s: to: %w", m.ID, err)
	}
	msg.Subject(m.Subject)
	// A Message-ID derived from the outbox ID stays the same across
	// retries, so a receiving server that already accepted the message
	// before a dropped connection can recognise the duplicate.
	if m.ID != "" && s.fromDomain != "" {
		msg.SetMessageIDWithValue(m.ID + "@" + s.fromDomain)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("delivery: smtp: message %s: %w", m.ID, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("delivery: smtp: message %s: %w", m.ID, err)
	}
	return nil
}
