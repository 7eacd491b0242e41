package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/config"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// The HTTP benchmarks run Latch wired exactly as `latch serve` wires it
// (openApp: the real store, outbox and dev inbox) behind a real TCP
// listener, and drive it with keep-alive clients from parallel goroutines.
// BenchmarkBaselineJSON serves a trivial JSON handler the same way, so the
// ratio of the two req/s figures is comparable across machines. See
// BENCHMARKS.md.

type benchServer struct {
	url, projectID, secret string
	client                 *http.Client
}

func newBenchServer(b *testing.B, h http.Handler) *benchServer {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	b.Cleanup(tr.CloseIdleConnections)
	return &benchServer{url: srv.URL, client: &http.Client{Transport: tr}}
}

// latchServer starts Latch on SQLite in a temporary directory, or on
// PostgreSQL when LATCH_BENCH_POSTGRES is set with LATCH_TEST_POSTGRES_URL.
func latchServer(b *testing.B) *benchServer {
	b.Helper()
	s, _ := latchServerApp(b)
	return s
}

// latchServerApp is latchServer, also returning the wiring for setup.
func latchServerApp(b *testing.B) (*benchServer, *app) {
	b.Helper()
	// Breach detection is off: a benchmark must not reach the internet.
	env := map[string]string{"LATCH_DATA_DIR": b.TempDir(), "LATCH_LOG_LEVEL": "error", "LATCH_HIBP_URL": "off"}
	if os.Getenv("LATCH_BENCH_POSTGRES") != "" {
		env["LATCH_DATABASE_URL"] = authtest.PostgresURL(b)
		env["LATCH_ENCRYPTION_KEY"] = strings.Repeat("ab", 32)
	}
	cfg, _, err := config.Load(func(k string) string { return env[k] }, "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfg, newLogger("error", io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.close)
	creds, err := a.projects.Create(ctx, "bench", auth.EnvTest)
	if err != nil {
		b.Fatal(err)
	}
	s := newBenchServer(b, a.handler())
	s.projectID, s.secret = creds.Project.ID, creds.Secret
	return s, a
}

// hit sends a request and reads the response without decoding it: the
// client shares the machine with the server, and decoding a large response
// in the client would charge the server for the client's work.
func (s *benchServer) hit(path string, body []byte) error {
	req, err := http.NewRequest("POST", s.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.projectID, s.secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
	}
	return nil
}

// post sends a request and decodes its response, for setup.
func (s *benchServer) post(path string, body []byte) (map[string]any, error) {
	req, err := http.NewRequest("POST", s.url+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(s.projectID, s.secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("HTTP %d: %v", resp.StatusCode, out)
	}
	return out, nil
}

// login returns a session token and JWT for a fresh user.
func (s *benchServer) login(b *testing.B) (token, jwt string) {
	b.Helper()
	if _, err := s.post("/v1/magic_links/email/login_or_create", []byte(`{"email":"bench@example.com"}`)); err != nil {
		b.Fatal(err)
	}
	resp, err := s.client.Get(s.url + "/dev/inbox/messages?to=bench@example.com")
	if err != nil {
		b.Fatal(err)
	}
	var inbox struct{ Messages []struct{ Text string } }
	json.NewDecoder(resp.Body).Decode(&inbox)
	resp.Body.Close()
	if len(inbox.Messages) == 0 {
		b.Fatal("no magic link in the dev inbox")
	}
	tok := regexp.MustCompile(`token=(\S+)`).FindStringSubmatch(inbox.Messages[0].Text)[1]
	out, err := s.post("/v1/magic_links/authenticate", []byte(`{"token":"`+tok+`","session_duration_minutes":600}`))
	if err != nil {
		b.Fatal(err)
	}
	return out["session_token"].(string), out["session_jwt"].(string)
}

// run4 drives op from parallel clients and reports requests per second.
func run4(b *testing.B, op func() error) {
	b.Helper()
	b.SetParallelism(4) // 4 clients per core keep the server busy
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var failed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				if failed.Add(1) == 1 {
					b.Error(err)
				}
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func BenchmarkBaselineJSON(b *testing.B) {
	s := newBenchServer(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status_code": 200, "request_id": "request-id-test-0"})
	}))
	body := []byte(`{"session_token":"x"}`)
	run4(b, func() error { return s.hit("/", body) })
}

func BenchmarkSessionsAuthenticateToken(b *testing.B) {
	s := latchServer(b)
	tok, _ := s.login(b)
	body := []byte(`{"session_token":"` + tok + `"}`)
	run4(b, func() error { return s.hit("/v1/sessions/authenticate", body) })
}

func BenchmarkSessionsAuthenticateJWT(b *testing.B) {
	s := latchServer(b)
	_, jwt := s.login(b)
	body := []byte(`{"session_jwt":"` + jwt + `"}`)
	run4(b, func() error { return s.hit("/v1/sessions/authenticate", body) })
}

func BenchmarkMagicLinksLoginOrCreate(b *testing.B) {
	s := latchServer(b)
	var n atomic.Int64
	run4(b, func() error {
		body := fmt.Appendf(nil, `{"email":"user%d@example.com"}`, n.Add(1))
		return s.hit("/v1/magic_links/email/login_or_create", body)
	})
}

// memberSession starts a member session in a new organization, through the
// services (organization and member setup is not what is measured).
func memberSession(b *testing.B, a *app, projectID string) string {
	b.Helper()
	ctx := context.Background()
	p, err := a.projects.Get(ctx, projectID)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	o := auth.NewOrganizationDefaults()
	o.ID, o.ProjectID, o.Name, o.Slug, o.CreatedAt, o.UpdatedAt = auth.NewID(auth.KindOrganization, p.Env), p.ID, "Bench", "bench", now, now
	m := &auth.Member{
		ID: auth.NewID(auth.KindMember, p.Env), ProjectID: p.ID, OrganizationID: o.ID, EmailAddress: "bench@example.com",
		EmailVerified: true, Status: auth.MemberActive, Roles: []string{},
		TrustedMetadata: map[string]any{}, UntrustedMetadata: map[string]any{}, CreatedAt: now, UpdatedAt: now,
	}
	var res *session.MemberResult
	err = a.store.InTx(ctx, func(tx store.Store) error {
		if err := tx.CreateOrganization(ctx, p.ID, &o); err != nil {
			return err
		}
		if err := tx.CreateMember(ctx, p.ID, m); err != nil {
			return err
		}
		res, err = a.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: &o, DurationMinutes: 600,
			Factors: []auth.AuthenticationFactor{{Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
				LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now}},
		})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return res.Token
}

func BenchmarkB2BSessionsAuthenticateToken(b *testing.B) {
	s, a := latchServerApp(b)
	body := []byte(`{"session_token":"` + memberSession(b, a, s.projectID) + `"}`)
	run4(b, func() error { return s.hit("/v1/b2b/sessions/authenticate", body) })
}

// BenchmarkOTPsAuthenticate authenticates fresh email passcodes, one per
// request. The codes are stored before the timer starts, directly in the
// store with otp.Hash, as a send would store them.
func BenchmarkOTPsAuthenticate(b *testing.B) {
	s, a := latchServerApp(b)
	ctx := context.Background()
	p, err := a.projects.Get(ctx, s.projectID)
	if err != nil {
		b.Fatal(err)
	}
	key := subkey(a.key, "latch/otp-code")
	now := time.Now().UTC()
	bodies := make([][]byte, b.N)
	err = a.store.InTx(ctx, func(tx store.Store) error {
		for i := range bodies {
			u, err := a.users.CreateTx(ctx, tx, p, user.CreateInput{Email: fmt.Sprintf("otp%d-%d@example.com", b.N, i)})
			if err != nil {
				return err
			}
			m := u.Emails[0]
			o := &auth.OTP{
				ID: auth.NewID(auth.KindOTP, p.Env), ProjectID: p.ID, MethodID: m.ID, UserID: u.ID,
				Delivery: auth.DeliveryEmail, Address: m.Address, CodeHash: otp.Hash(key, m.ID, "123456"),
				CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
			}
			if err := tx.CreateOTP(ctx, p.ID, o); err != nil {
				return err
			}
			bodies[i] = fmt.Appendf(nil, `{"method_id":%q,"code":"123456"}`, m.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	run4(b, func() error { return s.hit("/v1/otps/authenticate", bodies[n.Add(1)-1]) })
}

// BenchmarkPasswordsAuthenticate logs one user in by password over and
// over, without a session: every request pays one argon2id verification,
// so this is the cost of password hashing as an app sees it.
func BenchmarkPasswordsAuthenticate(b *testing.B) {
	s, a := latchServerApp(b)
	ctx := context.Background()
	p, err := a.projects.Get(ctx, s.projectID)
	if err != nil {
		b.Fatal(err)
	}
	const pw = "correct horse battery staple 42"
	if _, err := a.passwords.Create(ctx, p, passwords.CreateInput{Email: "bench-pw@example.com", Password: pw}); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"email":"bench-pw@example.com","password":"` + pw + `"}`)
	run4(b, func() error { return s.hit("/v1/passwords/authenticate", body) })
}
