package compat

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"
)

// TestErrors checks refusals that do not depend on a flow: credentials,
// request bodies, argument conflicts and routes. Every error carries the
// full Stytch envelope, request_id included.
func TestErrors(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		t.Run("wrong secret", func(t *testing.T) {
			t.Parallel()
			// The JWKS is public, so the client builds; every call is refused.
			bad, err := stytchapi.NewClient(e.srv.ProjectID, "secret-test-"+strings.Repeat("x", 36), stytchapi.WithBaseURI(e.srv.URL))
			if err != nil {
				t.Fatalf("NewClient with a wrong secret: %v", err)
			}
			_, err = bad.Users.Search(ctx, &users.SearchParams{})
			wantError(t, err, 401, "unauthorized_credentials")
			_, err = bad.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: newEmail(t, "wrongsecret")})
			wantError(t, err, 401, "unauthorized_credentials")
		})

		t.Run("unknown project", func(t *testing.T) {
			t.Parallel()
			const unknown = "project-test-00000000-0000-4000-8000-000000000000"
			if _, err := stytchapi.NewClient(unknown, e.srv.Secret, stytchapi.WithBaseURI(e.srv.URL)); err == nil {
				t.Errorf("NewClient for an unknown project fetched a JWKS; want an error")
			}
			bad, err := stytchapi.NewClient(unknown, e.srv.Secret, stytchapi.WithBaseURI(e.srv.URL), stytchapi.WithSkipJWKSInitialization())
			if err != nil {
				t.Fatalf("NewClient with WithSkipJWKSInitialization: %v", err)
			}
			_, err = bad.Users.Search(ctx, &users.SearchParams{})
			wantError(t, err, 401, "unauthorized_credentials")
		})

		t.Run("no credentials", func(t *testing.T) {
			t.Parallel()
			wantRawError(t, raw(t, e.srv, "POST", "/v1/users/search", false, []byte(`{}`)), 401, "unauthorized_credentials")
		})

		t.Run("malformed JSON", func(t *testing.T) {
			t.Parallel()
			for _, body := range []string{`{"email": "a@example.com"`, `{"email": }`, `not json`, `{"email":"a@example.com"} {}`} {
				r := raw(t, e.srv, "POST", "/v1/magic_links/email/login_or_create", true, []byte(body))
				wantRawError(t, r, 400, "bad_request")
			}
		})

		t.Run("body over 1 MiB", func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			b.WriteString(`{"cursor":"`)
			b.Write(bytes.Repeat([]byte("a"), 1<<20))
			b.WriteString(`"}`)
			wantRawError(t, raw(t, e.srv, "POST", "/v1/users/search", true, b.Bytes()), 400, "bad_request")
		})

		t.Run("wrong field type", func(t *testing.T) {
			t.Parallel()
			cases := []struct{ path, body, field string }{
				{"/v1/magic_links/email/login_or_create", `{"email": 42}`, "email"},
				{"/v1/users", `{"email": "typed@example.com", "create_user_as_pending": "yes"}`, "create_user_as_pending"},
				{"/v1/users", `{"email": "typed@example.com", "name": "Ada"}`, "name"},
				{"/v1/sessions/authenticate", `{"session_token": ["a"]}`, "session_token"},
			}
			for _, c := range cases {
				r := raw(t, e.srv, "POST", c.path, true, []byte(c.body))
				wantRawError(t, r, 400, "bad_request")
				if msg, _ := r.JSON["error_message"].(string); !strings.Contains(msg, c.field) {
					t.Errorf("POST %s %s: error_message %q does not name %s", c.path, c.body, msg, c.field)
				}
			}
		})

		t.Run("too many session arguments", func(t *testing.T) {
			t.Parallel()
			_, err := e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY", SessionJWT: "a.b.c"})
			wantError(t, err, 400, "too_many_session_arguments")
			_, err = e.client.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{})
			wantError(t, err, 400, "no_session_arguments")
		})

		t.Run("unknown route", func(t *testing.T) {
			t.Parallel()
			wantRawError(t, raw(t, e.srv, "GET", "/v1/does-not-exist", true, nil), 404, "route_not_found")
			wantRawError(t, raw(t, e.srv, "POST", "/v1/users/search/extra", true, []byte(`{}`)), 404, "route_not_found")
		})
	})
}
