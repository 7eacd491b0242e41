package api_test

import (
	"regexp"
	"testing"

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
