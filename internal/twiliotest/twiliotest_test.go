package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/twiliotest"
)

// twilioError is Twilio's error JSON.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// post sends a raw message create, as any Twilio client would, and
// returns the status and the decoded JSON answer.
func post(t *testing.T, srv *twiliotest.Server, accountSID, user, pass string, form url.Values) (int, map[string]any) {
	t.Helper()
	u := srv.URL + "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", got)
	}
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	return resp.StatusCode, v
}

// asError re-decodes a JSON answer as Twilio's error shape.
func asError(t *testing.T, v map[string]any) twilioError {
	t.Helper()
	b, _ := json.Marshal(v)
	var e twilioError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStartIsLoopbackWithFreshCredentials(t *testing.T) {
	t.Parallel()
	a, b := twiliotest.Start(t), twiliotest.Start(t)
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Hostname(); got != "127.0.0.1" {
		t.Errorf("host = %q, want 127.0.0.1", got)
	}
	sid := regexp.MustCompile(`^AC[0-9a-f]{32}$`)
	if !sid.MatchString(a.AccountSID) {
		t.Errorf("AccountSID = %q, want AC and 32 hex digits", a.AccountSID)
	}
	if !regexp.MustCompile(`^MG[0-9a-f]{32}$`).MatchString(a.MessagingServiceSID) {
		t.Errorf("MessagingServiceSID = %q, want MG and 32 hex digits", a.MessagingServiceSID)
	}
	if a.AccountSID == b.AccountSID || a.AuthToken == b.AuthToken || a.AuthToken == "" {
		t.Errorf("servers share credentials or have none: %q/%q and %q/%q", a.AccountSID, a.AuthToken, b.AccountSID, b.AuthToken)
	}
}

func TestAcceptsSMS(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	status, v := post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, url.Values{
		"To": {"+12025550162"}, "From": {"+14155238886"}, "Body": {"Your code is 123456"},
	})
	if status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; answer %v", status, v)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("recorded %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(m.SID) {
		t.Errorf("SID = %q, want SM and 32 hex digits", m.SID)
	}
	want := twiliotest.Message{
		SID: m.SID, AccountSID: srv.AccountSID, To: "+12025550162", From: "+14155238886",
		Body: "Your code is 123456", Status: "queued", DateCreated: m.DateCreated,
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("recorded message (-want +got):\n%s", diff)
	}
	if m.WhatsApp() {
		t.Error("WhatsApp() = true for an SMS")
	}
	if d := time.Since(m.DateCreated); d < 0 || d > time.Minute {
		t.Errorf("DateCreated = %v, not just now", m.DateCreated)
	}

	uri := "/2010-04-01/Accounts/" + srv.AccountSID + "/Messages/" + m.SID + ".json"
	date := m.DateCreated.Format(time.RFC1123Z)
	wantJSON := map[string]any{
		"account_sid": srv.AccountSID, "api_version": "2010-04-01", "body": m.Body,
		"date_created": date, "date_sent": nil, "date_updated": date, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": m.From, "messaging_service_sid": nil,
		"num_media": "0", "num_segments": "1", "price": nil, "price_unit": "USD", "sid": m.SID,
		"status": "queued", "to": m.To, "uri": uri,
		"subresource_uris": map[string]any{"media": strings.TrimSuffix(uri, ".json") + "/Media.json"},
	}
	if diff := cmp.Diff(wantJSON, v); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
}

func TestAcceptsWhatsAppAndMessagingService(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	ok := func(form url.Values) map[string]any {
		t.Helper()
		status, v := post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, form)
		if status != http.StatusCreated {
			t.Fatalf("status = %d, want 201; answer %v", status, v)
		}
		return v
	}
	ok(url.Values{"To": {"whatsapp:+447400123456"}, "From": {"whatsapp:+14155238886"}, "Body": {"code 1"}})
	wa := srv.WaitForMessage(t, "whatsapp:+447400123456", time.Second)
	if !wa.WhatsApp() || wa.From != "whatsapp:+14155238886" {
		t.Errorf("WhatsApp message = %+v", wa)
	}

	// Through a messaging service alone, Twilio answers "accepted": it has
	// not picked a sender yet.
	v := ok(url.Values{"To": {"+33612345678"}, "MessagingServiceSid": {srv.MessagingServiceSID}, "Body": {"code 2"}})
	if v["status"] != "accepted" || v["from"] != nil || v["messaging_service_sid"] != srv.MessagingServiceSID {
		t.Errorf("answer status=%v from=%v messaging_service_sid=%v, want accepted, null, the service", v["status"], v["from"], v["messaging_service_sid"])
	}

	// An alphanumeric sender ID is a valid From.
	ok(url.Values{"To": {"+918123456789"}, "From": {"Latch"}, "Body": {"code 3"}})

	// Long and non-ASCII bodies are counted in segments.
	v = ok(url.Values{"To": {"+12025550162"}, "From": {"+14155238886"}, "Body": {strings.Repeat("é", 71)}})
	if v["num_segments"] != "2" {
		t.Errorf("num_segments = %v for 71 UCS-2 characters, want 2", v["num_segments"])
	}
	if got := len(srv.Messages()); got != 4 {
		t.Errorf("recorded %d messages, want 4", got)
	}
}

// TestRefuses checks each refusal Twilio would make, with its status,
// code and error shape, and that nothing refused is recorded.
func TestRefuses(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	good := func() url.Values {
		return url.Values{"To": {"+12025550162"}, "From": {"+14155238886"}, "Body": {"Your code is 123456"}}
	}
	with := func(key, value string) url.Values {
		f := good()
		if value == "" {
			f.Del(key)
		} else {
			f.Set(key, value)
		}
		return f
	}
	other := twiliotest.Start(t) // another account, for foreign credentials
	tests := []struct {
		name       string
		account    string // path SID; "" means the server's
		user, pass string // "" and "" means the server's credentials
		form       url.Values
		status     int
		code       int
	}{
		{"no credentials", "", "-", "", good(), 401, 20003},
		{"wrong token", "", srv.AccountSID, "wrong", good(), 401, 20003},
		{"another account's credentials", "", other.AccountSID, other.AuthToken, good(), 401, 20003},
		{"another account's path", other.AccountSID, "", "", good(), 404, 20404},
		{"no To", "", "", "", with("To", ""), 400, 21604},
		{"To without plus", "", "", "", with("To", "12025550162"), 400, 21211},
		{"To with spaces", "", "", "", with("To", "+1 202 555 0162"), 400, 21211},
		{"To not a valid number", "", "", "", with("To", "+10005550100"), 400, 21211},
		{"To the Stytch sandbox", "", "", "", with("To", "+10000000000"), 400, 21211},
		{"To letters", "", "", "", with("To", "+1800FLOWERS"), 400, 21211},
		{"no From or service", "", "", "", with("From", ""), 400, 21603},
		{"From malformed", "", "", "", with("From", "+1-415-523"), 400, 21212},
		{"From alphanumeric too long", "", "", "", with("From", "LatchAuthServer"), 400, 21212},
		{"WhatsApp From not a number", "", "", "", url.Values{"To": {"whatsapp:+12025550162"}, "From": {"whatsapp:Latch"}, "Body": {"x"}}, 400, 21212},
		{"WhatsApp To with SMS From", "", "", "", with("To", "whatsapp:+12025550162"), 400, 21910},
		{"SMS To with WhatsApp From", "", "", "", with("From", "whatsapp:+14155238886"), 400, 21910},
		{"WhatsApp To with messaging service only", "", "", "", url.Values{"To": {"whatsapp:+12025550162"}, "MessagingServiceSid": {srv.MessagingServiceSID}, "Body": {"x"}}, 400, 21910},
		{"malformed service SID", "", "", "", url.Values{"To": {"+12025550162"}, "MessagingServiceSid": {"MG123"}, "Body": {"x"}}, 400, 21705},
		{"another service", "", "", "", url.Values{"To": {"+12025550162"}, "MessagingServiceSid": {other.MessagingServiceSID}, "Body": {"x"}}, 400, 21701},
		{"empty body", "", "", "", with("Body", ""), 400, 21602},
		{"body of 1601 characters", "", "", "", with("Body", strings.Repeat("a", 1601)), 400, 21617},
		{"body of 801 emoji", "", "", "", with("Body", strings.Repeat("🔑", 801)), 400, 21617},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			account, user, pass := tt.account, tt.user, tt.pass
			if account == "" {
				account = srv.AccountSID
			}
			if user == "" && pass == "" {
				user, pass = srv.AccountSID, srv.AuthToken
			}
			if user == "-" {
				user = ""
			}
			status, v := post(t, srv, account, user, pass, tt.form)
			e := asError(t, v)
			if status != tt.status || e.Status != tt.status || e.Code != tt.code {
				t.Errorf("status %d, body status %d, code %d; want %d, %d (%v)", status, e.Status, e.Code, tt.status, tt.code, v)
			}
			if e.Message == "" || e.MoreInfo != "https://www.twilio.com/docs/errors/"+strconv.Itoa(tt.code) {
				t.Errorf("message %q, more_info %q", e.Message, e.MoreInfo)
			}
		})
	}
	// Bodies at the limit pass, so the limit is exactly 1600.
	for _, body := range []string{strings.Repeat("a", 1600), strings.Repeat("🔑", 800)} {
		if status, v := post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, with("Body", body)); status != http.StatusCreated {
			t.Errorf("body of %d bytes: status %d, want 201 (%v)", len(body), status, v)
		}
	}
	if got := len(srv.Messages()); got != 2 {
		t.Errorf("recorded %d messages, want only the 2 at the limit", got)
	}
}

func TestRefusesJSONAndUnknownPaths(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	// Twilio reads a form; a JSON body leaves To unset.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost,
		srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID+"/Messages.json",
		strings.NewReader(`{"To":"+12025550162","From":"+14155238886","Body":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(srv.AccountSID, srv.AuthToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e twilioError
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 400 || e.Code != 21604 {
		t.Errorf("JSON body: status %d code %d, want 400 21604", resp.StatusCode, e.Code)
	}

	resp, err = http.Get(srv.URL + "/2010-04-01/Accounts/" + srv.AccountSID + "/Calls.json")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 404 || e.Code != 20404 {
		t.Errorf("unknown path: status %d code %d, want 404 20404", resp.StatusCode, e.Code)
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	form := url.Values{"To": {"+12025550162"}, "From": {"+14155238886"}, "Body": {"x"}}
	srv.FailNext(2, http.StatusTooManyRequests)
	for i := range 2 {
		status, v := post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, form)
		if e := asError(t, v); status != 429 || e.Code != 20429 || e.Status != 429 {
			t.Errorf("request %d: status %d code %d, want 429 20429", i, status, e.Code)
		}
	}
	srv.FailNext(1, http.StatusInternalServerError)
	// Injected failures come before every other check, as an outage would.
	status, v := post(t, srv, srv.AccountSID, "", "", form)
	if e := asError(t, v); status != 500 || e.Code != 20500 {
		t.Errorf("status %d code %d, want 500 20500", status, e.Code)
	}
	if status, v := post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, form); status != 201 {
		t.Errorf("after the failures: status %d, want 201 (%v)", status, v)
	}
	if got, want := srv.Requests(), 4; got != want {
		t.Errorf("Requests() = %d, want %d", got, want)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("recorded %d messages, want 1", got)
	}
}

// TestWaitForMessage checks that a waiter wakes for a message that
// arrives after it started waiting, and gets the newest one.
func TestWaitForMessage(t *testing.T) {
	t.Parallel()
	srv := twiliotest.Start(t)
	form := func(body string) url.Values {
		return url.Values{"To": {"+12025550162"}, "From": {"+14155238886"}, "Body": {body}}
	}
	post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, form("first"))
	go func() {
		time.Sleep(50 * time.Millisecond)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/2010-04-01/Accounts/"+srv.AccountSID+"/Messages.json",
			strings.NewReader(url.Values{"To": {"+447400123456"}, "From": {"+14155238886"}, "Body": {"later"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(srv.AccountSID, srv.AuthToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	if m := srv.WaitForMessage(t, "+447400123456", 10*time.Second); m.Body != "later" {
		t.Errorf("Body = %q, want later", m.Body)
	}
	post(t, srv, srv.AccountSID, srv.AccountSID, srv.AuthToken, form("second"))
	if m := srv.WaitForMessage(t, "+12025550162", time.Second); m.Body != "second" {
		t.Errorf("Body = %q, want the newest, second", m.Body)
	}
}
