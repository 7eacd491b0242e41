package password_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/hibptest"
	"github.com/latchauth/latch/internal/password"
)

const strong = "correct horse battery staple"

func TestHIBPClientBreached(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t, "password", strong)
	c := &password.HIBPClient{BaseURL: srv.URL}
	ctx := context.Background()
	for pw, want := range map[string]bool{"password": true, strong: true, "Password": false, "a quokka in a tuxedo": false} {
		got, err := c.Breached(ctx, pw)
		if err != nil || got != want {
			t.Errorf("Breached(%q) = %v, %v; want %v, nil", pw, got, err, want)
		}
	}
	// k-anonymity: only five uppercase hex characters of SHA-1 were sent.
	for _, prefix := range srv.Requests() {
		if len(prefix) != 5 || strings.ToUpper(prefix) != prefix {
			t.Errorf("request for prefix %q", prefix)
		}
	}
	if got := srv.Requests(); !slices.Contains(got, "5BAA6") {
		t.Errorf("prefixes %q lack 5BAA6, the SHA-1 prefix of \"password\"", got)
	}
}

func TestHIBPClientIgnoresPaddingLines(t *testing.T) {
	t.Parallel()
	sum := sha1.Sum([]byte(strong))
	hash := strings.ToUpper(hex.EncodeToString(sum[:]))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Add-Padding") != "true" {
			t.Errorf("Add-Padding = %q, want true", r.Header.Get("Add-Padding"))
		}
		// The suffix appears, lowercased, but only as a padding line.
		fmt.Fprintf(w, "%s:0\r\n0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n", strings.ToLower(hash[5:]))
	}))
	t.Cleanup(srv.Close)
	got, err := (&password.HIBPClient{BaseURL: srv.URL + "/"}).Breached(context.Background(), strong)
	if err != nil || got {
		t.Errorf("Breached = %v, %v; want false, nil", got, err)
	}
}

func TestHIBPClientErrors(t *testing.T) {
	t.Parallel()
	respond := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name, url string
	}{
		{"server error", respond(http.StatusServiceUnavailable, "")},
		{"rate limited", respond(http.StatusTooManyRequests, "")},
		{"not the range format", respond(http.StatusOK, "<html>captive portal</html>\n")},
		{"bad count", respond(http.StatusOK, "0018A45C4D1DEF81644B54AB7F969B88D65:many\r\n")},
		{"too large", respond(http.StatusOK, strings.Repeat("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n", 30000))},
		{"unreachable", closed.URL},
		{"bad URL", "http://[::1"},
	}
	for _, tt := range tests {
		got, err := (&password.HIBPClient{BaseURL: tt.url}).Breached(context.Background(), "password")
		if !errors.Is(err, password.ErrBreachCheck) || got {
			t.Errorf("%s: Breached = %v, %v; want false and ErrBreachCheck", tt.name, got, err)
		}
		if err != nil && strings.Contains(err.Error(), "5BAA6") {
			t.Errorf("%s: the error %q reveals the hash prefix", tt.name, err)
		}
	}
}

func TestHIBPClientTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := (&password.HIBPClient{BaseURL: srv.URL, HTTP: &http.Client{}}).Breached(ctx, "password")
	if !errors.Is(err, password.ErrBreachCheck) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrBreachCheck and context.DeadlineExceeded", err)
	}
	if strings.Contains(err.Error(), "5BAA6") {
		t.Errorf("the error %q reveals the hash prefix", err)
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t, strong, "Abcdefg1")
	hibp := &password.HIBPClient{BaseURL: srv.URL}
	ctx := context.Background()

	s, err := password.Evaluate(ctx, strong, "a@example.com", password.Policy{}, hibp)
	if err != nil || !s.BreachDetectionOnCreate || !s.BreachedPassword || s.ValidPassword || s.Score != 4 {
		t.Errorf("breached strong password: %+v, %v; want detection on, breached, invalid, score 4", s, err)
	}
	s, err = password.Evaluate(ctx, "Abcdefg1", "a@example.com", password.Policy{Kind: "luds"}, hibp)
	if err != nil || !s.BreachedPassword || s.ValidPassword {
		t.Errorf("breached LUDS password: %+v, %v; want breached, invalid", s, err)
	}
	s, err = password.Evaluate(ctx, "EntropyIsInformation", "a@example.com", password.Policy{}, hibp)
	if err != nil || !s.BreachDetectionOnCreate || s.BreachedPassword || !s.ValidPassword {
		t.Errorf("unbreached password: %+v, %v; want detection on, valid", s, err)
	}

	// Without an email, as in Stytch's strength_check, no lookup is made.
	before := len(srv.Requests())
	s, err = password.Evaluate(ctx, strong, "", password.Policy{}, hibp)
	if err != nil || !s.BreachDetectionOnCreate || s.BreachedPassword || !s.ValidPassword {
		t.Errorf("no email: %+v, %v; want detection on, not breached, valid", s, err)
	}
	if len(srv.Requests()) != before {
		t.Error("a lookup was made without an email")
	}

	// Detection off.
	s, err = password.Evaluate(ctx, strong, "a@example.com", password.Policy{}, nil)
	if err != nil || s.BreachDetectionOnCreate || s.BreachedPassword || !s.ValidPassword {
		t.Errorf("nil checker: %+v, %v; want detection off, valid", s, err)
	}
}

func TestEvaluateFailsOpen(t *testing.T) {
	t.Parallel()
	srv := hibptest.Start(t, strong)
	srv.Fail(http.StatusServiceUnavailable)
	s, err := password.Evaluate(context.Background(), strong, "a@example.com", password.Policy{}, &password.HIBPClient{BaseURL: srv.URL})
	if !errors.Is(err, password.ErrBreachCheck) {
		t.Fatalf("err = %v, want ErrBreachCheck", err)
	}
	want := password.Check(strong, "a@example.com", password.Policy{})
	want.BreachDetectionOnCreate = true
	if s.ValidPassword != want.ValidPassword || s.Score != want.Score || s.BreachedPassword || !s.BreachDetectionOnCreate {
		t.Errorf("during an outage: %+v; want the policy's verdict %+v without breach information", s, want)
	}
}
