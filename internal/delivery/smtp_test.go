package delivery_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/delivery"
	"github.com/latchauth/latch/internal/mailpittest"
)

// TestSMTPMailerMailpit sends through a real SMTP server and reads the
// message back from its API.
func TestSMTPMailerMailpit(t *testing.T) {
	t.Parallel()
	srv := mailpittest.Start(t)
	mailer, err := delivery.NewSMTPMailer(delivery.SMTPConfig{
		Host:      srv.SMTPHost,
		Port:      srv.SMTPPort,
		TLS:       delivery.TLSNone,
		From:      "Latch <no-reply@latch.example>",
		HelloName: "latch.example",
	})
	if err != nil {
		t.Fatalf("NewSMTPMailer: %v", err)
	}

	m := auth.Message{
		ID:        auth.NewID(auth.KindMessage, auth.EnvTest),
		ProjectID: "project-test-1",
		To:        "ada@example.com",
		Subject:   "Your login link ✓",
		Text:      "Log in: https://example.com/authenticate?token=abc",
		HTML:      `<p>Log in: <a href="https://example.com/authenticate?token=abc">here</a></p>`,
	}
	if err := mailer.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.WaitForMessage(t, m.To, 30*time.Second)
	want := mailpittest.Message{
		ID:        got.ID, // Mailpit's own
		MessageID: m.ID + "@latch.example",
		From:      mailpittest.Address{Name: "Latch", Address: "no-reply@latch.example"},
		To:        []mailpittest.Address{{Address: m.To}},
		Subject:   m.Subject,
		Text:      m.Text,
		HTML:      m.HTML,
	}
	// Mailpit returns the bodies with their final CRLF.
	trim := cmp.Transformer("TrimSpace", strings.TrimSpace)
	if diff := cmp.Diff(want, got, trim); diff != "" {
		t.Errorf("received message (-want +got):\n%s", diff)
	}
}

// TestSMTPMailerTextOnly checks that a message without HTML goes out as
// plain text alone.
func TestSMTPMailerTextOnly(t *testing.T) {
	t.Parallel()
	srv := mailpittest.Start(t)
	mailer, err := delivery.NewSMTPMailer(delivery.SMTPConfig{
		Host: srv.SMTPHost, Port: srv.SMTPPort, TLS: delivery.TLSNone, From: "no-reply@latch.example",
	})
	if err != nil {
		t.Fatalf("NewSMTPMailer: %v", err)
	}
	m := auth.Message{ID: auth.NewID(auth.KindMessage, auth.EnvLive), To: "bob@example.com", Subject: "Code", Text: "123456"}
	if err := mailer.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessage(t, m.To, 30*time.Second)
	if got, want := strings.TrimSpace(got.Text), m.Text; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got.HTML != "" {
		t.Errorf("HTML = %q, want none", got.HTML)
	}
}

// TestSMTPMailerRefusesInsecure checks the two refusals that keep secrets
// off an unencrypted connection: starttls is mandatory, not opportunistic,
// and credentials are never sent in the clear. Mailpit here offers neither
// STARTTLS nor any mechanism but PLAIN and LOGIN, so both sends must fail
// and nothing may arrive.
func TestSMTPMailerRefusesInsecure(t *testing.T) {
	t.Parallel()
	srv := mailpittest.Start(t)
	const password = "hunter2-do-not-leak"
	tests := []struct {
		name string
		cfg  delivery.SMTPConfig
	}{
		{"starttls without server support", delivery.SMTPConfig{TLS: delivery.TLSStartTLS}},
		{"password over plain connection", delivery.SMTPConfig{TLS: delivery.TLSNone, Username: "latch", Password: password}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Host, cfg.Port, cfg.From = srv.SMTPHost, srv.SMTPPort, "no-reply@latch.example"
			mailer, err := delivery.NewSMTPMailer(cfg)
			if err != nil {
				t.Fatalf("NewSMTPMailer: %v", err)
			}
			m := auth.Message{ID: auth.NewID(auth.KindMessage, auth.EnvTest), To: "eve@example.com", Subject: "s", Text: "t"}
			err = mailer.Send(t.Context(), m)
			if err == nil {
				t.Fatal("Send succeeded, want a refusal")
			}
			t.Logf("refused: %v", err)
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
			if !strings.Contains(err.Error(), m.ID) {
				t.Errorf("error %q does not name the message", err)
			}
		})
	}
	msgs, err := srv.Messages(t.Context())
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if len(msgs) != 0 {
		t.Errorf("Mailpit received %d messages, want 0", len(msgs))
	}
}

func TestNewSMTPMailerInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  delivery.SMTPConfig
	}{
		{"no host", delivery.SMTPConfig{From: "a@example.com"}},
		{"bad port", delivery.SMTPConfig{Host: "mail.example.com", Port: 70000, From: "a@example.com"}},
		{"bad tls", delivery.SMTPConfig{Host: "mail.example.com", TLS: "maybe", From: "a@example.com"}},
		{"bad from", delivery.SMTPConfig{Host: "mail.example.com", From: "not an address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := delivery.NewSMTPMailer(tt.cfg); err == nil {
				t.Errorf("NewSMTPMailer(%+v) succeeded, want an error", tt.cfg)
			}
		})
	}
}

func TestSMTPConfigLogValueHidesPassword(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("smtp", "config", delivery.SMTPConfig{Host: "mail.example.com", Username: "u", Password: "s3cret"})
	if strings.Contains(buf.String(), "s3cret") {
		t.Errorf("log line %q contains the password", buf.String())
	}
	if !strings.Contains(buf.String(), "password_set=true") {
		t.Errorf("log line %q does not say a password is set", buf.String())
	}
}
