package compat

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The Python SDK parses every response into pydantic models: a field that
// is not Optional must be present and non-null, with the right JSON type
// (STYTCH_API.md, Appendix). These tests read the raw JSON, as Python does,
// and check it against the Appendix.

type kind int

const (
	str      kind = iota // a string, possibly empty
	nonEmpty             // a non-empty string
	boolean
	number
	array
	object
)

func (k kind) String() string {
	return [...]string{"string", "non-empty string", "boolean", "number", "array", "object"}[k]
}

// field is a required field: a dotted path where "name[]" steps into every
// element of the array name, and the kind its value must have.
type field struct {
	path string
	kind kind
	// oneOf, when set, lists the allowed values (Python enums).
	oneOf []string
}

var envelopeFields = []field{{"status_code", number, nil}, {"request_id", nonEmpty, nil}}

var userFields = []field{
	{"user_id", nonEmpty, nil},
	{"emails", array, nil},
	{"emails[].email_id", nonEmpty, nil},
	{"emails[].email", nonEmpty, nil},
	{"emails[].verified", boolean, nil},
	{"status", str, []string{"active", "pending"}},
	{"phone_numbers", array, nil},
	{"phone_numbers[].phone_id", nonEmpty, nil},
	{"phone_numbers[].phone_number", nonEmpty, nil},
	{"phone_numbers[].verified", boolean, nil},
	{"webauthn_registrations", array, nil},
	{"providers", array, nil},
	{"totps", array, nil},
	{"crypto_wallets", array, nil},
	{"biometric_registrations", array, nil},
	{"is_locked", boolean, nil},
	{"roles", array, nil},
}

var sessionFields = []field{
	{"session_id", nonEmpty, nil},
	{"user_id", nonEmpty, nil},
	{"authentication_factors", array, nil},
	{"authentication_factors[].type", str, []string{"magic_link", "otp", "oauth", "webauthn", "totp", "crypto", "password", "signature_challenge", "sso", "imported", "recovery_codes", "email_otp", "impersonated", "trusted_auth_token"}},
	{"authentication_factors[].delivery_method", str, []string{"email", "sms", "whatsapp", "embedded", "oauth_google", "oauth_microsoft", "oauth_apple", "webauthn_registration", "authenticator_app", "recovery_code", "crypto_wallet", "knowledge", "impersonation", "trusted_token_exchange"}},
	{"roles", array, nil},
}

var jwkFields = []field{
	{"kty", nonEmpty, []string{"RSA"}},
	{"use", nonEmpty, []string{"sig"}},
	{"key_ops", array, nil},
	{"alg", nonEmpty, []string{"RS256"}},
	{"kid", nonEmpty, nil},
	{"x5c", array, nil},
	{"x5tS256", nonEmpty, nil},
	{"n", nonEmpty, nil},
	{"e", nonEmpty, nil},
}

// under prefixes every path of fs with p.
func under(p string, fs []field) []field {
	out := make([]field, len(fs))
	for i, f := range fs {
		out[i] = field{p + "." + f.path, f.kind, f.oneOf}
	}
	return out
}

func fields(groups ...[]field) []field { return slices.Concat(groups...) }

// checkFields reports every required field of fs that is missing, null or
// of the wrong kind in obj.
func checkFields(tb testing.TB, what string, obj map[string]any, fs []field) {
	tb.Helper()
	for _, f := range fs {
		for _, problem := range lookup(obj, strings.Split(f.path, "."), "", f) {
			tb.Errorf("%s: %s", what, problem)
		}
	}
}

// lookup walks segs from v and returns what is wrong at the end of the
// path; arrays on the way are checked element by element.
func lookup(v any, segs []string, at string, f field) []string {
	if len(segs) == 0 {
		return checkKind(v, at, f)
	}
	name, each := strings.CutSuffix(segs[0], "[]")
	here := strings.TrimPrefix(at+"."+name, ".")
	m, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: parent is %T, not an object", here, v)}
	}
	child, present := m[name]
	switch {
	case !present:
		return []string{fmt.Sprintf("%s is missing", here)}
	case child == nil:
		return []string{fmt.Sprintf("%s is null", here)}
	case !each:
		return lookup(child, segs[1:], here, f)
	}
	arr, ok := child.([]any)
	if !ok {
		return []string{fmt.Sprintf("%s is %T, not an array", here, child)}
	}
	var out []string
	for i, el := range arr {
		out = append(out, lookup(el, segs[1:], fmt.Sprintf("%s[%d]", here, i), f)...)
	}
	return out
}

func checkKind(v any, at string, f field) []string {
	ok := false
	switch f.kind {
	case str:
		_, ok = v.(string)
	case nonEmpty:
		s, _ := v.(string)
		ok = s != ""
	case boolean:
		_, ok = v.(bool)
	case number:
		_, ok = v.(float64)
	case array:
		_, ok = v.([]any)
	case object:
		_, ok = v.(map[string]any)
	}
	if !ok {
		return []string{fmt.Sprintf("%s = %#v, want a %s", at, v, f.kind)}
	}
	if s, isStr := v.(string); isStr && f.oneOf != nil && !slices.Contains(f.oneOf, s) {
		return []string{fmt.Sprintf("%s = %q, want one of %v", at, s, f.oneOf)}
	}
	return nil
}

// TestPythonStrictFields fetches the main responses with plain HTTP and
// checks every field the Python SDK requires.
func TestPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		addr := newEmail(t, "strict")
		ok := func(r rawResponse, what string, want int) map[string]any {
			t.Helper()
			if r.Status != want {
				t.Fatalf("%s: HTTP %d, want %d\n%s", what, r.Status, want, r.Body)
			}
			if r.JSON["status_code"] != float64(want) {
				t.Errorf("%s: status_code %v, want %d", what, r.JSON["status_code"], want)
			}
			return r.JSON
		}

		loc := ok(rawJSON(t, e.srv, "POST", "/v1/magic_links/email/login_or_create", map[string]any{"email": addr}), "login_or_create", 200)
		checkFields(t, "login_or_create", loc, fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"email_id", nonEmpty, nil}, {"user_created", boolean, nil},
		}))

		authFields := fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"method_id", nonEmpty, nil}, {"session_token", str, nil},
			{"session_jwt", str, nil}, {"user", object, nil}, {"reset_sessions", boolean, nil},
		}, under("user", userFields))

		// Without a session: session_token and session_jwt are "" and
		// still present; session is Optional.
		m := waitMessage(t, e.srv, addr, 1)
		noSess := ok(rawJSON(t, e.srv, "POST", "/v1/magic_links/authenticate", map[string]any{"token": m.Token}), "magic_links.authenticate without session", 200)
		checkFields(t, "magic_links.authenticate without session", noSess, authFields)
		if noSess["session_token"] != "" || noSess["session_jwt"] != "" {
			t.Errorf("authenticate without session: session_token %#v, session_jwt %#v; want \"\"", noSess["session_token"], noSess["session_jwt"])
		}

		ok(rawJSON(t, e.srv, "POST", "/v1/magic_links/email/login_or_create", map[string]any{"email": addr}), "login_or_create again", 200)
		m = waitMessage(t, e.srv, addr, 2)
		withSess := ok(rawJSON(t, e.srv, "POST", "/v1/magic_links/authenticate", map[string]any{"token": m.Token, "session_duration_minutes": 60}), "magic_links.authenticate", 200)
		checkFields(t, "magic_links.authenticate", withSess, fields(authFields, []field{{"session", object, nil}}, under("session", sessionFields)))
		token, _ := withSess["session_token"].(string)
		userID, _ := withSess["user_id"].(string)

		sa := ok(rawJSON(t, e.srv, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": token}), "sessions.authenticate", 200)
		checkFields(t, "sessions.authenticate", sa, fields(envelopeFields, []field{
			{"session", object, nil}, {"session_token", nonEmpty, nil}, {"session_jwt", nonEmpty, nil}, {"user", object, nil},
		}, under("session", sessionFields), under("user", userFields)))
		jwt, _ := sa["session_jwt"].(string)
		saj := ok(rawJSON(t, e.srv, "POST", "/v1/sessions/authenticate", map[string]any{"session_jwt": jwt}), "sessions.authenticate by JWT", 200)
		checkFields(t, "sessions.authenticate by JWT", saj, fields(envelopeFields, []field{
			{"session", object, nil}, {"session_token", str, nil}, {"session_jwt", nonEmpty, nil}, {"user", object, nil},
		}, under("session", sessionFields), under("user", userFields)))

		checkJWT(t, jwt, e.srv.ProjectID, userID, jwksKids(t, e))

		ug := ok(raw(t, e.srv, "GET", "/v1/users/"+url.PathEscape(userID), true, nil), "users.get", 200)
		checkFields(t, "users.get", ug, fields(envelopeFields, userFields))

		sg := ok(raw(t, e.srv, "GET", "/v1/sessions?user_id="+url.QueryEscape(userID), true, nil), "sessions.get", 200)
		checkFields(t, "sessions.get", sg, fields(envelopeFields, []field{{"sessions", array, nil}}, under("sessions[]", sessionFields)))
		if list, _ := sg["sessions"].([]any); len(list) != 1 {
			t.Errorf("sessions.get: %d sessions, want 1", len(list))
		}

		us := ok(rawJSON(t, e.srv, "POST", "/v1/users/search", map[string]any{}), "users.search", 200)
		checkFields(t, "users.search", us, fields(envelopeFields, []field{
			{"results", array, nil}, {"results_metadata", object, nil}, {"results_metadata.total", number, nil},
		}, under("results[]", userFields)))

		uc := ok(rawJSON(t, e.srv, "POST", "/v1/users", map[string]any{"email": newEmail(t, "strictcreate")}), "users.create", 201)
		checkFields(t, "users.create", uc, fields(envelopeFields, []field{
			{"user_id", nonEmpty, nil}, {"email_id", nonEmpty, nil}, {"status", nonEmpty, nil}, {"user", object, nil},
		}, under("user", userFields)))

		rv := ok(rawJSON(t, e.srv, "POST", "/v1/sessions/revoke", map[string]any{"session_token": token}), "sessions.revoke", 200)
		checkFields(t, "sessions.revoke", rv, envelopeFields)

		// Both JWKS paths, fetched without credentials as the SDKs do.
		for _, path := range []string{"/v1/sessions/jwks/", "/v1/b2b/sessions/jwks/"} {
			jw := ok(raw(t, e.srv, "GET", path+e.srv.ProjectID, false, nil), path, 200)
			checkFields(t, path, jw, fields(envelopeFields, []field{{"keys", array, nil}}, under("keys[]", jwkFields)))
			keys, _ := jw["keys"].([]any)
			if len(keys) == 0 {
				t.Errorf("%s: no keys", path)
			}
			for i, k := range keys {
				k, _ := k.(map[string]any)
				if ops, _ := k["key_ops"].([]any); !slices.Equal(ops, []any{"verify"}) {
					t.Errorf("%s: key %d key_ops %v, want [verify]", path, i, k["key_ops"])
				}
			}
		}
	})
}

// jwksKids returns the key IDs the project's JWKS publishes.
func jwksKids(tb testing.TB, e *env) []string {
	tb.Helper()
	r := raw(tb, e.srv, "GET", "/v1/sessions/jwks/"+e.srv.ProjectID, false, nil)
	keys, _ := r.JSON["keys"].([]any)
	var kids []string
	for _, k := range keys {
		if k, ok := k.(map[string]any); ok {
			kid, _ := k["kid"].(string)
			kids = append(kids, kid)
		}
	}
	return kids
}

// sessionClaimFields are what the SDKs read from the session claim of a
// JWT when they verify it locally (STYTCH_API.md §4): Go parses the times,
// Python indexes roles.
var sessionClaimFields = []field{
	{"id", nonEmpty, nil},
	{"started_at", nonEmpty, nil},
	{"last_accessed_at", nonEmpty, nil},
	{"expires_at", nonEmpty, nil},
	{"attributes", object, nil},
	{"attributes.user_agent", str, nil},
	{"attributes.ip_address", str, nil},
	{"authentication_factors", array, nil},
	{"authentication_factors[].type", nonEmpty, nil},
	{"authentication_factors[].delivery_method", nonEmpty, nil},
	{"roles", array, nil},
}

// checkJWT decodes a session JWT and checks what the three SDKs need to
// verify it locally: an RS256 header with typ and a published kid, the
// fixed issuer, the project as audience, the registered claims and a
// complete session claim.
func checkJWT(tb testing.TB, jwt, projectID, userID string, kids []string) {
	tb.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		tb.Fatalf("session_jwt %q is not a JWS compact serialization", jwt)
	}
	decode := func(what, part string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil {
			tb.Fatalf("JWT %s: %v", what, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			tb.Fatalf("JWT %s: %v", what, err)
		}
		return m
	}
	h, p := decode("header", parts[0]), decode("payload", parts[1])
	if h["alg"] != "RS256" || h["typ"] != "JWT" || !slices.Contains(kids, fmt.Sprint(h["kid"])) {
		tb.Errorf("JWT header %v, want alg RS256, typ JWT and a kid of the JWKS %v", h, kids)
	}
	if p["iss"] != "stytch.com/"+projectID || p["sub"] != userID {
		tb.Errorf("JWT iss %v, sub %v; want stytch.com/%s, %s", p["iss"], p["sub"], projectID, userID)
	}
	if aud, _ := p["aud"].([]any); !slices.Equal(aud, []any{projectID}) {
		tb.Errorf("JWT aud %v, want [%s]", p["aud"], projectID)
	}
	checkFields(tb, "JWT payload", p, []field{{"iat", number, nil}, {"nbf", number, nil}, {"exp", number, nil}})
	iat, _ := p["iat"].(float64)
	if exp, _ := p["exp"].(float64); exp-iat != 300 {
		tb.Errorf("JWT lives %v seconds, want 300", exp-iat)
	}
	claim, ok := p["https://stytch.com/session"].(map[string]any)
	if !ok {
		tb.Fatalf("JWT has no https://stytch.com/session claim: %v", p)
	}
	checkFields(tb, "JWT session claim", claim, sessionClaimFields)
}

// TestCheckFields makes sure the checker itself finds what Python would
// reject, so that a passing TestPythonStrictFields means something.
func TestCheckFields(t *testing.T) {
	t.Parallel()
	fs := []field{
		{"a", nonEmpty, nil},
		{"list", array, nil},
		{"list[].x", boolean, nil},
		{"obj.kind", str, []string{"one", "two"}},
	}
	cases := []struct {
		name, json string
		problems   int
	}{
		{"complete", `{"a":"v","list":[{"x":true},{"x":false}],"obj":{"kind":"one"}}`, 0},
		{"empty array", `{"a":"v","list":[],"obj":{"kind":"two"}}`, 0},
		{"missing", `{"list":[],"obj":{"kind":"one"}}`, 1},
		{"null", `{"a":null,"list":null,"obj":{"kind":"one"}}`, 3},
		{"empty string", `{"a":"","list":[],"obj":{"kind":"one"}}`, 1},
		{"element missing a field", `{"a":"v","list":[{"x":true},{}],"obj":{"kind":"one"}}`, 1},
		{"wrong kind", `{"a":"v","list":[{"x":"true"}],"obj":{"kind":1}}`, 2},
		{"not in enum", `{"a":"v","list":[],"obj":{"kind":"three"}}`, 1},
	}
	for _, c := range cases {
		var m map[string]any
		if err := json.Unmarshal([]byte(c.json), &m); err != nil {
			t.Fatal(err)
		}
		var n int
		for _, f := range fs {
			n += len(lookup(m, strings.Split(f.path, "."), "", f))
		}
		if n != c.problems {
			t.Errorf("%s: %d problems, want %d", c.name, n, c.problems)
		}
	}
}
