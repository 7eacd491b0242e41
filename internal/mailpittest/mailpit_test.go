package mailpittest_test

import (
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchauth/latch/internal/mailpittest"
)

// TestStart sends a hand-written message with the standard library's SMTP
// client, so that a failure here points at the helper, not at Latch's
// mailer, and reads it back through the API.
func TestStart(t *testing.T) {
	t.Parallel()
	srv := mailpittest.Start(t)

	if got, want := srv.SMTPHost, "127.0.0.1"; got != want {
		t.Errorf("SMTPHost = %q, want %q", got, want)
	}
	if !strings.HasPrefix(srv.APIURL, "http://127.0.0.1:") {
		t.Errorf("APIURL = %q, want a loopback URL", srv.APIURL)
	}

	raw := strings.Join([]string{
		"From: Latch <from@example.com>",
		"To: Ada <ada@example.com>",
		"Subject: Hello from the helper",
		"Message-ID: <hello-1@example.com>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b"`,
		"",
		"--b",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"plain body",
		"--b",
		"Content-Type: text/html; charset=utf-8",
		"",
		"<p>html body</p>",
		"--b--",
		"",
	}, "\r\n")
	addr := net.JoinHostPort(srv.SMTPHost, strconv.Itoa(srv.SMTPPort))
	if err := smtp.SendMail(addr, nil, "from@example.com", []string{"ada@example.com"}, []byte(raw)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}

	got := srv.WaitForMessage(t, "ADA@example.com", 30*time.Second)
	want := mailpittest.Message{
		ID:        got.ID, // assigned by Mailpit
		MessageID: "hello-1@example.com",
		From:      mailpittest.Address{Name: "Latch", Address: "from@example.com"},
		To:        []mailpittest.Address{{Name: "Ada", Address: "ada@example.com"}},
		Subject:   "Hello from the helper",
		Text:      "plain body",
		HTML:      "<p>html body</p>",
	}
	trim := cmp.Transformer("TrimSpace", strings.TrimSpace)
	if diff := cmp.Diff(want, got, trim); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}

	msgs, err := srv.Messages(t.Context())
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if got, want := len(msgs), 1; got != want {
		t.Errorf("len(Messages) = %d, want %d", got, want)
	}
}

// TestStartIsolated checks that two servers never share messages, which
// parallel tests rely on.
func TestStartIsolated(t *testing.T) {
	t.Parallel()
	a, b := mailpittest.Start(t), mailpittest.Start(t)
	if a.SMTPPort == b.SMTPPort || a.APIURL == b.APIURL {
		t.Fatalf("servers share ports: %+v, %+v", a, b)
	}
	addr := net.JoinHostPort(a.SMTPHost, strconv.Itoa(a.SMTPPort))
	msg := "From: x@example.com\r\nTo: y@example.com\r\nSubject: only a\r\n\r\nbody\r\n"
	if err := smtp.SendMail(addr, nil, "x@example.com", []string{"y@example.com"}, []byte(msg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	a.WaitForMessage(t, "y@example.com", 30*time.Second)
	msgs, err := b.Messages(t.Context())
	if err != nil {
		t.Fatalf("Messages: %v", err)
	}
	if len(msgs) != 0 {
		t.Errorf("second server holds %d messages, want 0", len(msgs))
	}
}
