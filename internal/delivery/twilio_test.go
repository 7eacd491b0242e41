package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/delivery"
	"github.com/latchauth/latch/internal/twiliotest"
)

// Numbers valid under their numbering plans, as the stand-in requires.
const (
	toUS        = "+12025550162"
	toUK        = "+447400123456"
	twilioFrom  = "+14155238886"
	secretBody  = "Your Latch code is 492817"
	waitForSend = 5 * time.Second
)

// newSender returns a TwilioSender for srv with the given changes to a
// configuration that sends SMS from twilioFrom and WhatsApp from the same
// number. It fails the test if the configuration is refused.
func newSender(t *testing.T, srv *twiliotest.Server, log *slog.Logger, change func(*delivery.TwilioConfig)) *delivery.TwilioSender {
	t.Helper()
	cfg := delivery.TwilioConfig{
		AccountSID:   srv.AccountSID,
		AuthToken:    srv.AuthToken,
		From:         twilioFrom,
		WhatsAppFrom: twilioFrom,
		BaseURL:      srv.URL,
	}
	if change != nil {
		change(&cfg)
	}
	s, err := delivery.NewTwilioSender(cfg, log)
	if err != nil {
		t.Fatalf("NewTwilioSender: %v", err)
	}
	return s
}

func sms(channel auth.Channel, to string) delivery.SMS {
	return delivery.SMS{
		ID:        auth.NewID(auth.KindMessage, auth.EnvTest),
		ProjectID: "project-test-1",
		To:        to,
		Body:      secretBody,
		Channel:   channel,
	}
}

// twilioErr returns the *TwilioError in err, failing the test if there is
// none.
func twilioErr(t *testing.T, err error) *delivery.TwilioError {
	t.Helper()
	var te *delivery.TwilioError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) holds no *TwilioError", err, err)
	}
	return te
}

func TestTwilioSenderSMS(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	var logs bytes.Buffer
	s := newSender(t, srv, slog.New(slog.NewJSONHandler(&logs, nil)), nil)

	m := sms(auth.ChannelSMS, toUS)
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessage(t, toUS, waitForSend)
	if got.From != twilioFrom || got.Body != secretBody || got.MessagingServiceSID != "" || got.Status != "queued" {
		t.Errorf("Twilio received %+v", got)
	}

	// One log line naming the message and Twilio's SID, and nothing a
	// reader of the logs should not see.
	line := logs.String()
	for _, want := range []string{m.ID, got.SID, `"channel":"sms"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %s lacks %q", line, want)
		}
	}
	for _, secret := range []string{srv.AuthToken, "492817", toUS} {
		if strings.Contains(line, secret) {
			t.Errorf("log %s contains %q", line, secret)
		}
	}
}

func TestTwilioSenderMessagingService(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	// With a messaging service set, From is not sent: the service picks.
	s := newSender(t, srv, nil, func(c *delivery.TwilioConfig) { c.MessagingServiceSID = srv.MessagingServiceSID })
	if err := s.Send(t.Context(), sms(auth.ChannelSMS, toUK)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.WaitForMessage(t, toUK, waitForSend)
	if got.MessagingServiceSID != srv.MessagingServiceSID || got.From != "" || got.Status != "accepted" {
		t.Errorf("Twilio received %+v", got)
	}
}

func TestTwilioSenderWhatsApp(t *testing.T) {
	t.Parallel()
	// The WhatsApp sender may be configured with or without its prefix.
	for _, waFrom := range []string{twilioFrom, "whatsapp:" + twilioFrom} {
		srv := twiliotest.Start(t)
		s := newSender(t, srv, nil, func(c *delivery.TwilioConfig) {
			c.From = ""
			c.MessagingServiceSID = srv.MessagingServiceSID
			c.WhatsAppFrom = waFrom
		})
		if err := s.Send(t.Context(), sms(auth.ChannelWhatsApp, toUK)); err != nil {
			t.Fatalf("WhatsAppFrom %q: Send: %v", waFrom, err)
		}
		// WhatsApp always goes from the WhatsApp number, never through
		// the SMS messaging service.
		got := srv.WaitForMessage(t, "whatsapp:"+toUK, waitForSend)
		if got.From != "whatsapp:"+twilioFrom || got.MessagingServiceSID != "" || got.Body != secretBody || !got.WhatsApp() {
			t.Errorf("WhatsAppFrom %q: Twilio received %+v", waFrom, got)
		}
	}
}

func TestTwilioSenderSupports(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	tests := []struct {
		name           string
		change         func(*delivery.TwilioConfig)
		sms, whatsApp  bool
		unknownChannel bool
	}{
		{"from and WhatsApp", nil, true, true, false},
		{"from only", func(c *delivery.TwilioConfig) { c.WhatsAppFrom = "" }, true, false, false},
		{"service only", func(c *delivery.TwilioConfig) {
			c.From, c.WhatsAppFrom, c.MessagingServiceSID = "", "", srv.MessagingServiceSID
		}, true, false, false},
		{"WhatsApp only", func(c *delivery.TwilioConfig) { c.From = "" }, false, true, false},
	}
	for _, tt := range tests {
		s := newSender(t, srv, nil, tt.change)
		if got := s.Supports(auth.ChannelSMS); got != tt.sms {
			t.Errorf("%s: Supports(sms) = %v, want %v", tt.name, got, tt.sms)
		}
		if got := s.Supports(auth.ChannelWhatsApp); got != tt.whatsApp {
			t.Errorf("%s: Supports(whatsapp) = %v, want %v", tt.name, got, tt.whatsApp)
		}
		for _, ch := range []auth.Channel{"", "voice", "SMS"} {
			if s.Supports(ch) {
				t.Errorf("%s: Supports(%q) = true", tt.name, ch)
			}
		}
	}
}

// TestTwilioSenderChannelUnsupported checks that a message for a channel
// the sender cannot reach fails for good, without a request to Twilio.
func TestTwilioSenderChannelUnsupported(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	smsOnly := newSender(t, srv, nil, func(c *delivery.TwilioConfig) { c.WhatsAppFrom = "" })
	waOnly := newSender(t, srv, nil, func(c *delivery.TwilioConfig) { c.From = "" })
	for _, tc := range []struct {
		s  *delivery.TwilioSender
		ch auth.Channel
	}{{smsOnly, auth.ChannelWhatsApp}, {waOnly, auth.ChannelSMS}, {smsOnly, ""}, {smsOnly, "voice"}} {
		err := tc.s.Send(t.Context(), sms(tc.ch, toUS))
		if !errors.Is(err, delivery.ErrChannelUnsupported) {
			t.Errorf("channel %q: Send = %v, want ErrChannelUnsupported", tc.ch, err)
		}
		if delivery.Retryable(err) {
			t.Errorf("channel %q: Retryable(%v) = true", tc.ch, err)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("Twilio received %d requests, want 0", n)
	}
}

func TestTwilioSenderAuthFailure(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	const wrongToken = "0123456789abcdef0123456789abcdef"
	s := newSender(t, srv, nil, func(c *delivery.TwilioConfig) { c.AuthToken = wrongToken })
	m := sms(auth.ChannelSMS, toUS)
	err := s.Send(t.Context(), m)
	te := twilioErr(t, err)
	if te.Status != http.StatusUnauthorized || te.Code != 20003 || te.MoreInfo != "https://www.twilio.com/docs/errors/20003" {
		t.Errorf("TwilioError = %+v, want 401 with code 20003", te)
	}
	// Wrong credentials need an operator; retrying would only repeat the
	// 401 until the outbox gives up.
	if delivery.Retryable(err) {
		t.Errorf("Retryable(%v) = true", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, m.ID) {
		t.Errorf("error %q does not name message %s", msg, m.ID)
	}
	for _, secret := range []string{wrongToken, srv.AuthToken, "492817"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q contains %q", msg, secret)
		}
	}

	// Another account's SID with its own valid token: Twilio finds nothing
	// under this account's path for it.
	other := twiliotest.Start(t)
	s = newSender(t, srv, nil, func(c *delivery.TwilioConfig) { c.AccountSID, c.AuthToken = other.AccountSID, other.AuthToken })
	err = s.Send(t.Context(), m)
	if te := twilioErr(t, err); te.Status != http.StatusUnauthorized || delivery.Retryable(err) {
		t.Errorf("foreign credentials: %+v, retryable %v; want a permanent 401", te, delivery.Retryable(err))
	}
	if n := len(srv.Messages()) + len(other.Messages()); n != 0 {
		t.Errorf("%d messages accepted, want 0", n)
	}
}

// TestTwilioSenderInvalidNumber checks Twilio's refusals of the message
// itself: errors that no retry can cure.
func TestTwilioSenderInvalidNumber(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	s := newSender(t, srv, nil, nil)
	tests := []struct {
		name string
		m    delivery.SMS
		code int
	}{
		{"not E.164", sms(auth.ChannelSMS, "2025550162"), 21211},
		{"not a valid number", sms(auth.ChannelSMS, "+10005550100"), 21211},
		// Latch must answer the sandbox number without sending; if it
		// ever reached Twilio, Twilio would refuse it.
		{"Stytch sandbox", sms(auth.ChannelSMS, "+10000000000"), 21211},
		{"WhatsApp to an invalid number", sms(auth.ChannelWhatsApp, "+1202"), 21211},
		{"empty body", func() delivery.SMS { m := sms(auth.ChannelSMS, toUS); m.Body = ""; return m }(), 21602},
		{"body too long", func() delivery.SMS { m := sms(auth.ChannelSMS, toUS); m.Body = strings.Repeat("9", 1601); return m }(), 21617},
	}
	for _, tt := range tests {
		err := s.Send(t.Context(), tt.m)
		te := twilioErr(t, err)
		if te.Status != http.StatusBadRequest || te.Code != tt.code || te.Message == "" {
			t.Errorf("%s: TwilioError = %+v, want 400 with code %d", tt.name, te, tt.code)
		}
		if delivery.Retryable(err) {
			t.Errorf("%s: Retryable(%v) = true", tt.name, err)
		}
		if strings.Contains(err.Error(), "492817") {
			t.Errorf("%s: error %q contains the body", tt.name, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted, want 0", n)
	}
}

// TestTwilioSenderOutage checks that Twilio's 5xx and 429 answers are
// retryable, and that a retry after the outage delivers.
func TestTwilioSenderOutage(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		srv := twiliotest.Start(t)
		s := newSender(t, srv, nil, nil)
		m := sms(auth.ChannelSMS, toUS)
		srv.FailNext(2, status)
		for attempt := 1; attempt <= 2; attempt++ {
			err := s.Send(t.Context(), m)
			if te := twilioErr(t, err); te.Status != status || te.Code != 20000+status {
				t.Errorf("%d, attempt %d: TwilioError = %+v", status, attempt, te)
			}
			if !delivery.Retryable(err) {
				t.Errorf("%d, attempt %d: Retryable(%v) = false", status, attempt, err)
			}
		}
		if err := s.Send(t.Context(), m); err != nil {
			t.Fatalf("%d: third attempt: %v", status, err)
		}
		if got := srv.WaitForMessage(t, toUS, waitForSend); got.Body != m.Body {
			t.Errorf("%d: delivered %+v", status, got)
		}
		if n := srv.Requests(); n != 3 {
			t.Errorf("%d: %d requests, want 3", status, n)
		}
	}
}

// fakeTwilio starts a loopback server that answers every request with h,
// for answers the stand-in never gives.
func fakeTwilio(t *testing.T, h http.HandlerFunc) *delivery.TwilioSender {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s, err := delivery.NewTwilioSender(delivery.TwilioConfig{
		AccountSID: "AC00000000000000000000000000000000", AuthToken: "token", From: twilioFrom, BaseURL: srv.URL + "/",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTwilioSenderUnexpectedAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		message   string
		retryable bool
	}{
		{"proxy error page", http.StatusBadGateway, "<html>bad gateway</html>", "Bad Gateway", true},
		{"empty 500", http.StatusInternalServerError, "", "Internal Server Error", true},
		{"redirect, not followed", http.StatusTemporaryRedirect, "", "Temporary Redirect", false},
		{"unknown 4xx", http.StatusTeapot, `{"message":"short and stout"}`, "short and stout", false},
	}
	for _, tt := range tests {
		s := fakeTwilio(t, func(w http.ResponseWriter, r *http.Request) {
			if tt.status/100 == 3 {
				w.Header().Set("Location", "http://example.invalid/")
			}
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		})
		err := s.Send(t.Context(), sms(auth.ChannelSMS, toUS))
		te := twilioErr(t, err)
		if te.Status != tt.status || te.Code != 0 || te.Message != tt.message {
			t.Errorf("%s: TwilioError = %+v, want status %d, code 0, message %q", tt.name, te, tt.status, tt.message)
		}
		if got := delivery.Retryable(err); got != tt.retryable {
			t.Errorf("%s: Retryable = %v, want %v", tt.name, got, tt.retryable)
		}
	}

	// A 201 whose body is not JSON still means Twilio accepted the
	// message: treating it as a failure would send it twice.
	s := fakeTwilio(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json" {
			t.Errorf("path = %q", r.URL.Path)
		}
		w.WriteHeader(http.StatusCreated)
	})
	if err := s.Send(t.Context(), sms(auth.ChannelSMS, toUS)); err != nil {
		t.Errorf("Send after a bare 201: %v", err)
	}
}

// TestTwilioSenderTimeout checks that a Twilio that never answers costs at
// most the caller's deadline or the configured timeout, and that the
// failure is retryable.
func TestTwilioSenderTimeout(t *testing.T) {
	t.Parallel()
	// The body is read first: only then does the server watch the
	// connection and cancel r.Context() when the client gives up. The
	// timer keeps a broken client from hanging the test's cleanup.
	stall := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}

	s := fakeTwilio(t, stall)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, sms(auth.ChannelSMS, toUS))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send with a deadline = %v, want context.DeadlineExceeded", err)
	}
	if !delivery.Retryable(err) {
		t.Errorf("Retryable(%v) = false", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send returned after %v", d)
	}

	srv := httptest.NewServer(http.HandlerFunc(stall))
	t.Cleanup(srv.Close)
	s, err = delivery.NewTwilioSender(delivery.TwilioConfig{
		AccountSID: "AC00000000000000000000000000000000", AuthToken: "token", From: twilioFrom,
		BaseURL: srv.URL, Timeout: 100 * time.Millisecond,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	err = s.Send(t.Context(), sms(auth.ChannelSMS, toUS))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Send with a configured timeout = %v, want a timeout", err)
	}
	if !delivery.Retryable(err) {
		t.Errorf("Retryable(%v) = false", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send returned after %v", d)
	}
}

func TestTwilioSenderUnreachable(t *testing.T) {
	t.Parallel()
	// A port that was free a moment ago: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, err := delivery.NewTwilioSender(delivery.TwilioConfig{
		AccountSID: "AC00000000000000000000000000000000", AuthToken: "token", From: twilioFrom, BaseURL: "http://" + addr,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(t.Context(), sms(auth.ChannelSMS, toUS))
	if err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
	if !delivery.Retryable(err) {
		t.Errorf("Retryable(%v) = false", err)
	}
}

func TestTwilioErrorRetryable(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{
		301: false, 307: false, 400: false, 401: false, 403: false, 404: false, 409: false, 413: false,
		429: true, 500: true, 502: true, 503: true, 504: true,
	} {
		if got := (&delivery.TwilioError{Status: status}).Retryable(); got != want {
			t.Errorf("TwilioError{Status: %d}.Retryable() = %v, want %v", status, got, want)
		}
	}
	e := &delivery.TwilioError{Status: 400, Code: 21211, Message: "Invalid 'To' Phone Number: +1202", MoreInfo: "https://www.twilio.com/docs/errors/21211"}
	if got, want := e.Error(), "twilio: 400 error 21211: Invalid 'To' Phone Number: +1202 (https://www.twilio.com/docs/errors/21211)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&delivery.TwilioError{Status: 502, Message: "Bad Gateway"}).Error(), "twilio: 502: Bad Gateway"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNewTwilioSenderRefuses(t *testing.T) {
	t.Parallel()
	good := delivery.TwilioConfig{AccountSID: "AC00000000000000000000000000000000", AuthToken: "token", From: twilioFrom}
	tests := []struct {
		name   string
		change func(*delivery.TwilioConfig)
	}{
		{"no account SID", func(c *delivery.TwilioConfig) { c.AccountSID = "" }},
		{"account SID with a slash", func(c *delivery.TwilioConfig) { c.AccountSID = "AC1/../x" }},
		{"no auth token", func(c *delivery.TwilioConfig) { c.AuthToken = "" }},
		{"no sender", func(c *delivery.TwilioConfig) { c.From = "" }},
		{"WhatsApp address as From", func(c *delivery.TwilioConfig) { c.From = "whatsapp:" + twilioFrom }},
		{"WhatsApp sender not E.164", func(c *delivery.TwilioConfig) { c.WhatsAppFrom = "14155238886" }},
		{"WhatsApp sender with spaces", func(c *delivery.TwilioConfig) { c.WhatsAppFrom = "+1 415 523 8886" }},
		{"negative timeout", func(c *delivery.TwilioConfig) { c.Timeout = -time.Second }},
		{"plain http to a remote host", func(c *delivery.TwilioConfig) { c.BaseURL = "http://api.twilio.com" }},
		{"credentials in the base URL", func(c *delivery.TwilioConfig) { c.BaseURL = "https://AC0:token@api.twilio.com" }},
		{"query in the base URL", func(c *delivery.TwilioConfig) { c.BaseURL = "https://api.twilio.com?x=1" }},
		{"credentials in an unparsable base URL", func(c *delivery.TwilioConfig) { c.BaseURL = "https://AC0:token@api.twilio.com:port" }},
		{"base URL without host", func(c *delivery.TwilioConfig) { c.BaseURL = "api.twilio.com" }},
		{"other scheme", func(c *delivery.TwilioConfig) { c.BaseURL = "ftp://127.0.0.1" }},
	}
	for _, tt := range tests {
		cfg := good
		tt.change(&cfg)
		if _, err := delivery.NewTwilioSender(cfg, nil); err == nil {
			t.Errorf("%s: NewTwilioSender(%+v) succeeded", tt.name, cfg)
		} else if strings.Contains(err.Error(), ":token") {
			t.Errorf("%s: error %q repeats the credentials", tt.name, err)
		}
	}
	for _, base := range []string{"", "https://api.twilio.com", "https://egress.internal:8443/twilio/", "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"} {
		cfg := good
		cfg.BaseURL = base
		if _, err := delivery.NewTwilioSender(cfg, nil); err != nil {
			t.Errorf("BaseURL %q: %v", base, err)
		}
	}
}

// TestTwilioConfigLogValue checks that logging the configuration, or the
// sender, never prints the auth token.
func TestTwilioConfigLogValue(t *testing.T) {
	t.Parallel()
	const token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	cfg := delivery.TwilioConfig{AccountSID: "AC00000000000000000000000000000000", AuthToken: token, From: twilioFrom, WhatsAppFrom: twilioFrom}
	s, err := delivery.NewTwilioSender(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("config", "twilio", cfg, "sender", s)
	// A configuration is logged before it is checked, so even a token
	// misplaced in the base URL must not show.
	bad := cfg
	bad.BaseURL = "https://AC0:" + token + "@api.twilio.com"
	log.Info("config", "twilio", bad)
	out := buf.String()
	if strings.Contains(out, token) {
		t.Errorf("log %s contains the auth token", out)
	}
	for _, want := range []string{`"account_sid":"AC00000000000000000000000000000000"`, `"auth_token_set":true`, `"from":"+14155238886"`} {
		if strings.Count(out, want) != 3 {
			t.Errorf("log %s does not show %s for each config and the sender", out, want)
		}
	}
}
