package twiliotest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/latchauth/latch/internal/phone"
)

// apiVersion is the version segment of every Messages API path.
const apiVersion = "2010-04-01"

// maxBody is Twilio's limit on a message body, in characters; see
// bodyLength for how they are counted.
const maxBody = 1600

// maxRequest bounds a request body. A maximal message, URL-encoded, is
// well under it.
const maxRequest = 64 << 10

// whatsAppPrefix marks a WhatsApp address in To and From.
const whatsAppPrefix = "whatsapp:"

// Server is a running stand-in for Twilio's Messages API, owned by one
// test. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to use as delivery.TwilioConfig.BaseURL, for
	// example "http://127.0.0.1:41234", without a trailing slash.
	URL string
	// AccountSID ("AC" and 32 hex digits) and AuthToken are the only
	// credentials the server accepts. Each server has its own.
	AccountSID string
	AuthToken  string
	// MessagingServiceSID ("MG…") is the one messaging service of the
	// account; any other MessagingServiceSid is refused as Twilio refuses
	// a service that does not exist.
	MessagingServiceSID string

	mu       sync.Mutex
	msgs     []Message
	requests int
	// arrived is closed, and replaced, whenever a message is recorded,
	// so that WaitForMessage wakes without polling.
	arrived    chan struct{}
	failLeft   int
	failStatus int
}

// Message is one message the server accepted, as Twilio would store it.
type Message struct {
	// SID is the message's identifier, "SM" and 32 hex digits.
	SID        string
	AccountSID string
	// To and From are as received, with the "whatsapp:" prefix for
	// WhatsApp. From is empty when the message named only a messaging
	// service.
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	// Status is "queued", or "accepted" when only a messaging service was
	// named (Twilio picks the sender later), as in Twilio's answer.
	Status      string
	DateCreated time.Time
}

// WhatsApp reports whether m was sent on WhatsApp.
func (m Message) WhatsApp() bool { return strings.HasPrefix(m.To, whatsAppPrefix) }

// Start starts a server on a free loopback port with fresh credentials and
// closes it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		AccountSID:          newSID("AC"),
		AuthToken:           randomHex(),
		MessagingServiceSID: newSID("MG"),
		arrived:             make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+apiVersion+"/Accounts/{AccountSid}/Messages.json", s.createMessage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})

	// Bound explicitly to 127.0.0.1 rather than trusting httptest's
	// default: the server holds credentials and must never be reachable
	// from another machine.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("twiliotest: listen: %v", err)
	}
	hs := httptest.NewUnstartedServer(mux)
	hs.Listener.Close()
	hs.Listener = l
	hs.Start()
	tb.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Messages returns a copy of the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Requests returns how many requests to the Messages endpoint the server
// has received, accepted or not, including those failed by FailNext.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// WaitForMessage returns the newest accepted message whose To is exactly
// to ("+12025550162" for SMS, "whatsapp:+12025550162" for WhatsApp),
// waiting up to timeout for one to arrive. It fails the test if none does.
func (s *Server) WaitForMessage(tb testing.TB, to string, timeout time.Duration) Message {
	tb.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		arrived := s.arrived
		for i := len(s.msgs) - 1; i >= 0; i-- {
			if s.msgs[i].To == to {
				m := s.msgs[i]
				s.mu.Unlock()
				return m
			}
		}
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-timer.C:
			tb.Fatalf("twiliotest: no message to %s within %v", to, timeout)
			return Message{}
		case <-tb.Context().Done():
			tb.Fatalf("twiliotest: test ended while waiting for a message to %s", to)
			return Message{}
		}
	}
}

// FailNext makes the next n requests to the Messages endpoint fail with
// HTTP status, before any other check, in Twilio's error format: 429
// (code 20429, Twilio's rate limit), 500 (20500) and 503 (20503) are what
// Twilio sends; any other status gets code 0. Nothing is recorded for a
// failed request. A later call replaces an earlier one's remainder.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failStatus = n, status
}

// createMessage answers POST …/Accounts/{AccountSid}/Messages.json.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	fail, status := s.failLeft > 0, s.failStatus
	if fail {
		s.failLeft--
	}
	s.mu.Unlock()
	if fail {
		code := map[int]int{429: 20429, 500: 20500, 503: 20503}[status]
		writeError(w, status, code, http.StatusText(status))
		return
	}

	user, pass, ok := r.BasicAuth()
	if !ok || !equal(user, s.AccountSID) || !equal(pass, s.AuthToken) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	// Twilio serves an account's resources only under its own SID: valid
	// credentials for one account find nothing under another's path.
	if r.PathValue("AccountSid") != s.AccountSID {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, maxRequest)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 0, "Invalid request body: "+err.Error())
		return
	}
	// PostForm only: Twilio takes parameters from a form body, and a JSON
	// body or query string leaves them unset (hence 21604 for JSON).
	f := r.PostForm
	to, from, service, body := f.Get("To"), f.Get("From"), f.Get("MessagingServiceSid"), f.Get("Body")

	if code, msg := s.check(to, from, service, body); code != 0 {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}

	m := Message{
		SID:                 newSID("SM"),
		AccountSID:          s.AccountSID,
		To:                  to,
		From:                from,
		MessagingServiceSID: service,
		Body:                body,
		Status:              "queued",
		DateCreated:         time.Now().UTC().Truncate(time.Second),
	}
	if from == "" {
		m.Status = "accepted"
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()

	writeJSON(w, http.StatusCreated, resource(m))
}

// check applies Twilio's checks to a message create and returns Twilio's
// error code and message for the first that fails, or 0.
func (s *Server) check(to, from, service, body string) (code int, msg string) {
	if to == "" {
		return 21604, "A 'To' phone number is required."
	}
	if from == "" && service == "" {
		return 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."
	}
	if service != "" {
		if !isSID("MG", service) {
			return 21705, "The Messaging Service Sid " + service + " is invalid."
		}
		if service != s.MessagingServiceSID {
			return 21701, "The Messaging Service " + service + " does not exist"
		}
	}
	toWA := strings.HasPrefix(to, whatsAppPrefix)
	if !validNumber(strings.TrimPrefix(to, whatsAppPrefix)) {
		return 21211, "Invalid 'To' Phone Number: " + to
	}
	fromWA := strings.HasPrefix(from, whatsAppPrefix)
	if from != "" {
		n := strings.TrimPrefix(from, whatsAppPrefix)
		if !validNumber(n) && (fromWA || !isAlphanumericSender(n)) {
			return 21212, "Invalid 'From' Phone Number: " + from
		}
	}
	// A WhatsApp recipient needs a WhatsApp sender, and the reverse; a
	// messaging service alone counts as an SMS sender.
	if toWA != fromWA {
		return 21910, "Invalid 'From' and 'To' pair. 'From' and 'To' should be of the same channel"
	}
	if body == "" {
		return 21602, "Message body is required."
	}
	if bodyLength(body) > maxBody {
		return 21617, "The concatenated message body exceeds the 1600 character limit."
	}
	return 0, ""
}

// validNumber reports whether n is a number Twilio would send to: E.164
// as written, and assigned under its country's numbering plan. Stytch's
// sandbox number is not, and Twilio refuses it: Latch must answer it
// without sending.
func validNumber(n string) bool {
	e164, err := phone.Normalize(n)
	return err == nil && e164 == n && !phone.IsSandbox(n)
}

// isAlphanumericSender reports whether s can be an alphanumeric sender
// ID: 1 to 11 ASCII letters, digits and spaces, at least one a letter.
func isAlphanumericSender(s string) bool {
	if len(s) == 0 || len(s) > 11 {
		return false
	}
	letter := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9', r == ' ':
		default:
			return false
		}
	}
	return letter
}

// bodyLength counts a body's characters as Twilio's 1,600 limit does:
// in UTF-16 code units, so that an emoji counts twice.
func bodyLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// segments estimates how many SMS segments a body takes: 160 characters in
// one segment or 153 per segment for plain ASCII (close to GSM-7), 70 or
// 67 otherwise (UCS-2). It is only for num_segments in the answer.
func segments(s string) int {
	n, single, multi := bodyLength(s), 160, 153
	for _, r := range s {
		if r > 0x7e || (r < 0x20 && r != '\n' && r != '\r') {
			single, multi = 70, 67
			break
		}
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// resource is m as Twilio's Messages API returns it.
func resource(m Message) map[string]any {
	uri := "/" + apiVersion + "/Accounts/" + m.AccountSID + "/Messages/" + m.SID + ".json"
	date := m.DateCreated.Format(time.RFC1123Z) // Twilio's dates are RFC 2822.
	return map[string]any{
		"account_sid":           m.AccountSID,
		"api_version":           apiVersion,
		"body":                  m.Body,
		"date_created":          date,
		"date_sent":             nil,
		"date_updated":          date,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  nullIfEmpty(m.From),
		"messaging_service_sid": nullIfEmpty(m.MessagingServiceSID),
		"num_media":             "0",
		"num_segments":          strconv.Itoa(segments(m.Body)),
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   m.SID,
		"status":                m.Status,
		"subresource_uris":      map[string]string{"media": strings.TrimSuffix(uri, ".json") + "/Media.json"},
		"to":                    m.To,
		"uri":                   uri,
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeError writes Twilio's error JSON.
func writeError(w http.ResponseWriter, status, code int, message string) {
	e := map[string]any{"code": code, "message": message, "more_info": "", "status": status}
	if code != 0 {
		e["more_info"] = "https://www.twilio.com/docs/errors/" + strconv.Itoa(code)
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// equal compares a credential in constant time, as a real server must;
// here it costs nothing and keeps the pattern uniform.
func equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// isSID reports whether s is prefix followed by 32 lowercase hex digits,
// the shape of every Twilio SID.
func isSID(prefix, s string) bool {
	h, ok := strings.CutPrefix(s, prefix)
	if !ok || len(h) != 32 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// newSID returns a random SID with the given two-letter prefix.
func newSID(prefix string) string { return prefix + randomHex() }

// randomHex returns 32 random lowercase hex digits.
func randomHex() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}
