package api_test

import (
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func init() {
	scrubbers = append(scrubbers, struct {
		re   *regexp.Regexp
		with string
	}{regexp.MustCompile(`\bpassword-(test|live)-[0-9a-f-]{36}\b`), "<password-id>"})
}

const strongPassword = "correct-Horse-battery-staple-91!"

func TestPasswordsGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	created := s.do(t, "POST", "/v1/passwords", map[string]any{
		"email": "ada@example.com", "password": strongPassword, "session_duration_minutes": 60,
		"name": map[string]any{"first_name": "Ada"}, "trusted_metadata": map[string]any{"plan": "pro"},
	})
	golden(t, "passwords_create/ok", created)
	userID := created.Body["user_id"].(string)
	golden(t, "passwords_create/duplicate_email", s.do(t, "POST", "/v1/passwords", map[string]any{"email": "ada@example.com", "password": strongPassword}))
	golden(t, "passwords_create/weak", s.do(t, "POST", "/v1/passwords", map[string]any{"email": "grace@example.com", "password": "password1"}))
	golden(t, "passwords_create/invalid_email", s.do(t, "POST", "/v1/passwords", map[string]any{"email": "nope", "password": strongPassword}))

	golden(t, "passwords_authenticate/with_session", s.do(t, "POST", "/v1/passwords/authenticate", map[string]any{
		"email": "ada@example.com", "password": strongPassword, "session_duration_minutes": 30,
	}))
	golden(t, "passwords_authenticate/no_session", s.do(t, "POST", "/v1/passwords/authenticate", map[string]any{
		"email": "ada@example.com", "password": strongPassword,
	}))
	wrong := s.do(t, "POST", "/v1/passwords/authenticate", map[string]any{"email": "ada@example.com", "password": "wrong-password"})
	golden(t, "passwords_authenticate/wrong_password", wrong)
	unknown := s.do(t, "POST", "/v1/passwords/authenticate", map[string]any{"email": "nobody@example.com", "password": "wrong-password"})
	if unknown.Body["error_type"] != wrong.Body["error_type"] || unknown.Body["error_message"] != wrong.Body["error_message"] {
		t.Errorf("unknown email answered %s, wrong password %s", unknown.Raw, wrong.Raw)
	}

	golden(t, "passwords_strength_check/strong", s.do(t, "POST", "/v1/passwords/strength_check", map[string]any{"password": strongPassword}))
	golden(t, "passwords_strength_check/weak", s.do(t, "POST", "/v1/passwords/strength_check", map[string]any{"password": "ada1234", "email": "ada@example.com"}))

	h, err := bcrypt.GenerateFromPassword([]byte("old-secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "passwords_migrate/bcrypt_new_user", s.do(t, "POST", "/v1/passwords/migrate", map[string]any{
		"email": "grace@example.com", "hash": string(h), "hash_type": "bcrypt", "set_email_verified": true,
	}))
	golden(t, "passwords_migrate/existing_user", s.do(t, "POST", "/v1/passwords/migrate", map[string]any{
		"email": "ada@example.com", "hash": string(h), "hash_type": "bcrypt",
	}))
	golden(t, "passwords_migrate/invalid_hash_type", s.do(t, "POST", "/v1/passwords/migrate", map[string]any{
		"email": "grace@example.com", "hash": "x", "hash_type": "rot13",
	}))
	golden(t, "passwords_migrate/invalid_scrypt_n", s.do(t, "POST", "/v1/passwords/migrate", map[string]any{
		"email": "grace@example.com", "hash": "aGFzaGhhc2hoYXNoaGFzaA==", "hash_type": "scrypt",
		"scrypt_config": map[string]any{"salt": "c2FsdHNhbHQ=", "n_parameter": 3, "r_parameter": 8, "p_parameter": 1},
	}))

	got := ok(t, s.do(t, "GET", "/v1/users/"+userID, nil))
	golden(t, "users_get/with_password", got)
	pw := got.Body["password"].(map[string]any)["password_id"].(string)
	golden(t, "users_delete_password/ok", s.do(t, "DELETE", "/v1/users/passwords/"+pw, nil))
	golden(t, "users_delete_password/not_found", s.do(t, "DELETE", "/v1/users/passwords/"+pw, nil))
	golden(t, "users_delete_password/invalid_id", s.do(t, "DELETE", "/v1/users/passwords/nope", nil))
}

func TestPasswordResetsGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const newPassword = "Another-long-passphrase-for-ada-42"
	created := ok(t, s.do(t, "POST", "/v1/passwords", map[string]any{
		"email": "ada@example.com", "password": strongPassword, "session_duration_minutes": 60,
	}))

	golden(t, "passwords_email_reset_start/ok", s.do(t, "POST", "/v1/passwords/email/reset/start", map[string]any{
		"email": "ada@example.com", "reset_password_expiration_minutes": 45, "locale": "en", "reset_password_template_id": "ignored",
	}))
	_, tok := s.LastLink(t)
	golden(t, "passwords_email_reset_start/email_not_found", s.do(t, "POST", "/v1/passwords/email/reset/start", map[string]any{"email": "nobody@example.com"}))
	golden(t, "passwords_email_reset_start/unlisted_redirect", s.do(t, "POST", "/v1/passwords/email/reset/start", map[string]any{
		"email": "ada@example.com", "reset_password_redirect_url": "https://evil.example/reset",
	}))
	golden(t, "passwords_email_reset_start/bad_expiration", s.do(t, "POST", "/v1/passwords/email/reset/start", map[string]any{
		"email": "ada@example.com", "reset_password_expiration_minutes": "soon",
	}))

	golden(t, "passwords_email_reset/weak", s.do(t, "POST", "/v1/passwords/email/reset", map[string]any{"token": tok, "password": "password1"}))
	golden(t, "passwords_email_reset/ok", s.do(t, "POST", "/v1/passwords/email/reset", map[string]any{
		"token": tok, "password": newPassword, "session_duration_minutes": 60, "options": map[string]any{"ip_match_required": false},
	}))
	golden(t, "passwords_email_reset/used", s.do(t, "POST", "/v1/passwords/email/reset", map[string]any{"token": tok, "password": newPassword}))
	golden(t, "sessions_authenticate/revoked_by_reset", s.do(t, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": created.Body["session_token"]}))

	golden(t, "passwords_existing_password_reset/wrong_existing", s.do(t, "POST", "/v1/passwords/existing_password/reset", map[string]any{
		"email": "ada@example.com", "existing_password": strongPassword, "new_password": strongPassword,
	}))
	golden(t, "passwords_existing_password_reset/ok", s.do(t, "POST", "/v1/passwords/existing_password/reset", map[string]any{
		"email": "ada@example.com", "existing_password": newPassword, "new_password": strongPassword,
	}))

	login := ok(t, s.do(t, "POST", "/v1/passwords/authenticate", map[string]any{
		"email": "ada@example.com", "password": strongPassword, "session_duration_minutes": 60,
	}))
	golden(t, "passwords_session_reset/ok", s.do(t, "POST", "/v1/passwords/session/reset", map[string]any{
		"password": newPassword, "session_token": login.Body["session_token"], "session_duration_minutes": 30,
	}))
	golden(t, "passwords_session_reset/no_session", s.do(t, "POST", "/v1/passwords/session/reset", map[string]any{"password": newPassword}))
	s.Clock.Advance(6 * time.Minute)
	golden(t, "passwords_session_reset/too_old", s.do(t, "POST", "/v1/passwords/session/reset", map[string]any{
		"password": strongPassword, "session_token": login.Body["session_token"],
	}))
	golden(t, "passwords_session_reset/malformed", s.do(t, "POST", "/v1/passwords/session/reset", `{"password": `))
}
