package api_test

import (
	"regexp"
	"testing"
)

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestPhoneGolden walks a phone login through the API: a passcode by SMS
// creates the user, authenticates, and the phone shows on the user; then
// WhatsApp, the refusals, and deleting the number.
func TestPhoneGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	sent := s.do(t, "POST", "/v1/otps/sms/login_or_create", map[string]any{"phone_number": "+1 202-555-0162"})
	golden(t, "otps_sms_login_or_create/new_user", sent)
	m, ok := s.Mail.Last()
	if !ok || m.Channel != "sms" || m.To != "+12025550162" {
		t.Fatalf("last message = %+v", m)
	}
	golden(t, "otps_authenticate/sms", s.do(t, "POST", "/v1/otps/authenticate", map[string]any{
		"method_id": sent.Body["phone_id"], "code": sixDigits.FindString(m.Text), "session_duration_minutes": 60,
	}))
	golden(t, "otps_whatsapp_send/existing_user", s.do(t, "POST", "/v1/otps/whatsapp/send", map[string]any{"phone_number": "+12025550162"}))
	if m, _ := s.Mail.Last(); m.Channel != "whatsapp" {
		t.Errorf("whatsapp send went by %q", m.Channel)
	}
	golden(t, "otps_sms_send/invalid_phone_number", s.do(t, "POST", "/v1/otps/sms/send", map[string]any{"phone_number": "202-555-0162"}))
	golden(t, "otps_sms_send/unknown_number", s.do(t, "POST", "/v1/otps/sms/send", map[string]any{"phone_number": "+12025550199"}))
	golden(t, "otps_sms_send/sandbox", s.do(t, "POST", "/v1/otps/sms/send", map[string]any{"phone_number": "+10000000000"}))

	golden(t, "users_create/phone_only", s.do(t, "POST", "/v1/users", map[string]any{"phone_number": "+44 7911 123456"}))
	golden(t, "users_create/duplicate_phone_number", s.do(t, "POST", "/v1/users", map[string]any{"phone_number": "+12025550162"}))
	golden(t, "users_search/by_phone", s.do(t, "POST", "/v1/users/search", map[string]any{
		"query": map[string]any{"operator": "AND", "operands": []any{
			map[string]any{"filter_name": "phone_number", "filter_value": []any{"+1 (202) 555-0162"}},
		}},
	}))
	golden(t, "users_delete_phone_number/ok", s.do(t, "DELETE", "/v1/users/phone_numbers/"+sent.Body["phone_id"].(string), nil))
	golden(t, "users_delete_phone_number/not_found", s.do(t, "DELETE", "/v1/users/phone_numbers/"+sent.Body["phone_id"].(string), nil))
}
