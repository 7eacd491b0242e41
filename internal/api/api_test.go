package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/api"
	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// server is the API over real SQLite with captured mail.
type server struct {
	*authtest.Services
	URL     string
	Project *auth.Project
	Secret  string
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := authtest.NewServices(t, authtest.NewStore(t))
	srv := httptest.NewServer(api.NewHandler(api.Deps{
		Projects: s.Projects, Users: s.Users, Sessions: s.Sessions, MagicLinks: s.MagicLinks,
		Discovery: s.Discovery, Organizations: s.Organizations, Members: s.Members, MemberSessions: s.Sessions,
		TOTPs: s.TOTPs, Passwords: s.Passwords, OTPs: s.OTPs, B2BOTPs: s.B2BOTPs, Keys: s.Keys, DevInbox: devInbox{s.Store}, ErrorDocsURL: "https://stytch.com/docs/api/errors",
	}))
	t.Cleanup(srv.Close)
	p, secret := s.NewProject(t, auth.EnvTest)
	return &server{Services: s, URL: srv.URL, Project: p, Secret: secret}
}

type devInbox struct{ st store.Store }

func (d devInbox) List(ctx context.Context, f store.DevMessageFilter) ([]auth.DevMessage, error) {
	return d.st.ListDevMessages(ctx, f)
}

type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// do sends a request with the project's credentials; body is JSON-encoded
// unless it is already a string or []byte.
func (s *server) do(t *testing.T, method, path string, body any) response {
	t.Helper()
	return s.doAuth(t, method, path, body, s.Project.ID, s.Secret)
}

// doHeader is do with one extra request header.
func (s *server) doHeader(t *testing.T, method, path string, body any, key, value string) response {
	t.Helper()
	return s.doAuth(t, method, path, body, s.Project.ID, s.Secret, key, value)
}

// doAuth sends a request with Basic credentials user:pass (none when user
// is empty) and any extra headers given as key, value pairs.
func (s *server) doAuth(t *testing.T, method, path string, body any, user, pass string, headers ...string) response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if err := json.Unmarshal(raw, &out.Body); err != nil {
		t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, raw)
	}
	if got, ok := out.Body["status_code"].(float64); !ok || int(got) != resp.StatusCode {
		t.Errorf("%s %s: status_code %v, HTTP %d", method, path, out.Body["status_code"], resp.StatusCode)
	}
	if id, _ := out.Body["request_id"].(string); !strings.HasPrefix(id, "request-id-test-") {
		t.Errorf("%s %s: request_id = %q", method, path, id)
	}
	return out
}

// scrubbers replace values that differ between runs, so responses can be
// compared with golden files.
var scrubbers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`), "<jwt>"},
	{regexp.MustCompile(`\b(request-id|member-session|intermediate-session|member|organization|user|email|phone-number|session|project|jwk|public-token|message)-(test|live)-[0-9a-f-]{36}\b`), "<$1-id>"},
	{regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`), `"<time>"`},
	{regexp.MustCompile(`"(session_token|intermediate_session_token)":\s*"[A-Za-z0-9_-]{44}"`), `"$1": "<$1>"`},
	{regexp.MustCompile(`"(n|x5tS256)":\s*"[A-Za-z0-9_-]+"`), `"$1": "<$1>"`},
	{regexp.MustCompile(`"x5c":\s*\[\s*"[A-Za-z0-9+/=]+"\s*\]`), `"x5c": ["<cert>"]`},
}

// golden compares a response body with testdata/<name>.golden.json.
func golden(t *testing.T, name string, r response) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, r.Raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	got := pretty.String()
	for _, s := range scrubbers {
		got = s.re.ReplaceAllString(got, s.with)
	}
	got = fmt.Sprintf("HTTP %d\n%s\n", r.Status, got)
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// loginLink sends a magic link and returns the token from the dev inbox.
func (s *server) loginLink(t *testing.T, email string) string {
	t.Helper()
	r := s.do(t, "POST", "/v1/magic_links/email/login_or_create", map[string]any{"email": email})
	if r.Status != 200 {
		t.Fatalf("login_or_create: %d %s", r.Status, r.Raw)
	}
	_, tok := s.LastLink(t)
	return tok
}

func TestConsumerFlowGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	golden(t, "magic_links_email_login_or_create/new_user",
		s.do(t, "POST", "/v1/magic_links/email/login_or_create", map[string]any{"email": "ada@example.com"}))
	_, tok := s.LastLink(t)

	auth := s.do(t, "POST", "/v1/magic_links/authenticate", map[string]any{"token": tok, "session_duration_minutes": 60})
	golden(t, "magic_links_authenticate/with_session", auth)
	sessionToken := auth.Body["session_token"].(string)
	sessionJWT := auth.Body["session_jwt"].(string)
	userID := auth.Body["user_id"].(string)

	golden(t, "sessions_authenticate/by_token", s.do(t, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": sessionToken}))
	golden(t, "sessions_authenticate/by_jwt", s.do(t, "POST", "/v1/sessions/authenticate", map[string]any{"session_jwt": sessionJWT}))
	golden(t, "sessions_get/one", s.do(t, "GET", "/v1/sessions?user_id="+userID, nil))
	golden(t, "users_get/active", s.do(t, "GET", "/v1/users/"+userID, nil))
	golden(t, "sessions_revoke/by_token", s.do(t, "POST", "/v1/sessions/revoke", map[string]any{"session_token": sessionToken}))
	golden(t, "sessions_authenticate/revoked", s.do(t, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": sessionToken}))
	golden(t, "magic_links_authenticate/reused", s.do(t, "POST", "/v1/magic_links/authenticate", map[string]any{"token": tok}))

	// Without a session duration there is no session, and the fields are
	// empty rather than missing.
	tok2 := s.loginLink(t, "ada@example.com")
	golden(t, "magic_links_authenticate/without_session", s.do(t, "POST", "/v1/magic_links/authenticate", map[string]any{"token": tok2}))
}

func TestJWKSGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	r := s.doAuth(t, "GET", "/v1/sessions/jwks/"+s.Project.ID, nil, "", "")
	golden(t, "sessions_jwks/one_key", r)
	b2b := s.doAuth(t, "GET", "/v1/b2b/sessions/jwks/"+s.Project.ID, nil, "", "")
	if diff := cmp.Diff(r.Body["keys"], b2b.Body["keys"]); diff != "" {
		t.Errorf("B2B JWKS differs:\n%s", diff)
	}
	golden(t, "sessions_jwks/unknown_project", s.doAuth(t, "GET", "/v1/sessions/jwks/project-test-00000000-0000-4000-8000-000000000000", nil, "", ""))
}

func TestUsersGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	created := s.do(t, "POST", "/v1/users", map[string]any{
		"email": "grace@example.com", "name": map[string]any{"first_name": "Grace", "last_name": "Hopper"},
		"trusted_metadata": map[string]any{"plan": "free"}, "external_id": "ext-1",
	})
	golden(t, "users_create/with_name", created)
	id := created.Body["user_id"].(string)
	golden(t, "users_update/metadata", s.do(t, "PUT", "/v1/users/"+id, map[string]any{
		"trusted_metadata": map[string]any{"plan": "pro", "seats": 3}, "untrusted_metadata": map[string]any{"theme": "dark"},
	}))
	golden(t, "users_search/by_email", s.do(t, "POST", "/v1/users/search", map[string]any{
		"limit": 10, "query": map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "email_address", "filter_value": []any{"grace@example.com"}},
		}},
	}))
	golden(t, "users_create/duplicate_email", s.do(t, "POST", "/v1/users", map[string]any{"email": "GRACE@example.com"}))
	golden(t, "users_delete/ok", s.do(t, "DELETE", "/v1/users/"+id, nil))
	golden(t, "users_get/deleted", s.do(t, "GET", "/v1/users/"+id, nil))
}

func TestErrorEnvelopes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	big := `{"email":"` + strings.Repeat("a", 1<<20) + `@example.com"}`
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		user   string
		pass   string
	}{
		{"unauthorized/no_credentials", "POST", "/v1/users", `{}`, "", ""},
		{"unauthorized/wrong_secret", "POST", "/v1/users", `{}`, s.Project.ID, "secret-test-wrong"},
		{"unauthorized/unknown_project", "POST", "/v1/users", `{}`, "project-test-00000000-0000-4000-8000-000000000000", s.Secret},
		{"bad_request/malformed_json", "POST", "/v1/magic_links/email/login_or_create", `{"email": `, s.Project.ID, s.Secret},
		{"bad_request/wrong_type", "POST", "/v1/magic_links/email/login_or_create", `{"email": 42}`, s.Project.ID, s.Secret},
		{"bad_request/trailing_data", "POST", "/v1/magic_links/email/login_or_create", `{"email":"a@example.com"} {}`, s.Project.ID, s.Secret},
		{"bad_request/too_large", "POST", "/v1/magic_links/email/login_or_create", big, s.Project.ID, s.Secret},
		{"bad_request/quoted_number", "POST", "/v1/sessions/authenticate", `{"session_token":"x","session_duration_minutes":"60"}`, s.Project.ID, s.Secret},
		{"bad_request/fractional_number", "POST", "/v1/users/search", `{"limit":2.5}`, s.Project.ID, s.Secret},
		{"bad_request/negative_duration", "POST", "/v1/sessions/authenticate", `{"session_token":"x","session_duration_minutes":-5}`, s.Project.ID, s.Secret},
		{"invalid_argument/missing_email", "POST", "/v1/magic_links/email/login_or_create", `{}`, s.Project.ID, s.Secret},
		{"invalid_email", "POST", "/v1/magic_links/email/login_or_create", `{"email":"not-an-email"}`, s.Project.ID, s.Secret},
		{"no_match_for_provided_magic_link_url", "POST", "/v1/magic_links/email/login_or_create", `{"email":"a@example.com","login_magic_link_url":"https://evil.example.com/"}`, s.Project.ID, s.Secret},
		{"magic_link_not_found", "POST", "/v1/magic_links/authenticate", `{"token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`, s.Project.ID, s.Secret},
		{"too_many_session_arguments", "POST", "/v1/sessions/authenticate", `{"session_token":"a","session_jwt":"b"}`, s.Project.ID, s.Secret},
		{"no_session_arguments", "POST", "/v1/sessions/authenticate", `{}`, s.Project.ID, s.Secret},
		{"user_not_found", "GET", "/v1/users/user-test-00000000-0000-4000-8000-000000000000", nil, s.Project.ID, s.Secret},
		{"invalid_user_id", "GET", "/v1/users/nope", nil, s.Project.ID, s.Secret},
		{"route_not_found", "GET", "/v1/nope", nil, s.Project.ID, s.Secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.doAuth(t, tc.method, tc.path, tc.body, tc.user, tc.pass)
			for _, f := range []string{"status_code", "request_id", "error_type", "error_message", "error_url", "error_details"} {
				if _, ok := r.Body[f]; !ok {
					t.Errorf("error response lacks %s: %s", f, r.Raw)
				}
			}
			if r.Status >= 500 {
				t.Errorf("HTTP %d for bad input", r.Status)
			}
			golden(t, "errors/"+tc.name, r)
		})
	}
}

func TestDevInbox(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	// The captured mailer of authtest does not write the dev inbox; write
	// one message as the dev inbox mailer would.
	if err := s.Store.AddDevMessage(context.Background(), s.Project.ID, &auth.DevMessage{
		ID: auth.NewID(auth.KindMessage, auth.EnvTest), ProjectID: s.Project.ID, To: "dev@example.com",
		Subject: "Hello", Text: "Open http://localhost:3000/authenticate?stytch_token_type=magic_links&token=abc now",
		HTML: "<p>hi</p>", CreatedAt: s.Clock.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL + "/dev/inbox/messages?to=DEV@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Messages []map[string]string `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got.Messages) != 1 || got.Messages[0]["subject"] != "Hello" || got.Messages[0]["html"] != "<p>hi</p>" || got.Messages[0]["channel"] != "email" {
		t.Fatalf("messages = %+v", got.Messages)
	}

	// A text message, found by its number even when the "+" of the query
	// string is not escaped.
	if err := s.Store.AddDevMessage(context.Background(), s.Project.ID, &auth.DevMessage{
		ID: auth.NewID(auth.KindMessage, auth.EnvTest), ProjectID: s.Project.ID, Channel: auth.ChannelWhatsApp,
		To: "+12025550162", Text: "123456 is your code", CreatedAt: s.Clock.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(s.URL + "/dev/inbox/messages?to=+12025550162")
	if err != nil {
		t.Fatal(err)
	}
	got.Messages = nil
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(got.Messages) != 1 || got.Messages[0]["channel"] != "whatsapp" || got.Messages[0]["text"] != "123456 is your code" {
		t.Fatalf("messages for the phone = %+v", got.Messages)
	}
	page, err := http.Get(s.URL + "/dev/inbox")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), `<a class="link" href="http://localhost:3000/authenticate?stytch_token_type=magic_links&amp;token=abc">`) {
		t.Errorf("page has no clickable link:\n%s", body)
	}
	if !strings.Contains(string(body), "whatsapp to &#43;12025550162") { // html/template escapes "+"
		t.Errorf("page does not show the WhatsApp message's channel:\n%s", body)
	}
}
