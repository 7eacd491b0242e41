package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// DefaultTwilioBaseURL is where TwilioSender reaches Twilio's REST API
// unless TwilioConfig.BaseURL says otherwise.
const DefaultTwilioBaseURL = "https://api.twilio.com"

// twilioTimeout bounds one request to Twilio when TwilioConfig.Timeout is
// zero, so that a stalled connection cannot hold an outbox worker for long.
// Twilio answers a message create in well under a second; the caller's
// context bounds the request as well.
const twilioTimeout = 30 * time.Second

// maxTwilioResponse bounds how much of Twilio's answer is read. A message
// resource or an error is a few hundred bytes; a proxy's error page could
// be anything.
const maxTwilioResponse = 64 << 10

// whatsAppPrefix marks a WhatsApp address in Twilio's To and From.
const whatsAppPrefix = "whatsapp:"

// TwilioConfig says how to reach Twilio's Messages API.
type TwilioConfig struct {
	// AccountSID ("AC…") and AuthToken authenticate every request (HTTP
	// Basic) and name the account in the request path.
	AccountSID string
	AuthToken  string
	// From is the SMS sender: a Twilio number in E.164 form or an
	// alphanumeric sender ID. MessagingServiceSID ("MG…"), if set, is used
	// instead, and From is then not sent: the service picks a number from
	// its pool (geographic match, sticky sender). SMS needs one of the two.
	From                string
	MessagingServiceSID string
	// WhatsAppFrom is the WhatsApp sender, an E.164 number registered with
	// WhatsApp, with or without the "whatsapp:" prefix. Empty disables
	// WhatsApp.
	WhatsAppFrom string
	// BaseURL replaces DefaultTwilioBaseURL, for tests (twiliotest) or an
	// egress proxy. It must be https, except on a loopback host, because
	// every request carries the auth token.
	BaseURL string
	// Timeout bounds one request, from dialing to the end of the answer.
	// Zero means 30 seconds.
	Timeout time.Duration
}

// LogValue implements slog.LogValuer so that logging a configuration never
// prints the auth token.
func (c TwilioConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("account_sid", c.AccountSID),
		slog.Bool("auth_token_set", c.AuthToken != ""),
		slog.String("from", c.From),
		slog.String("messaging_service_sid", c.MessagingServiceSID),
		slog.String("whatsapp_from", c.WhatsAppFrom),
		slog.String("base_url", redactURL(c.BaseURL)),
		slog.Duration("timeout", c.Timeout),
	)
}

// redactURL hides any password in a configured URL, which may be logged
// before NewTwilioSender has had the chance to refuse it.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// TwilioSender sends SMS and WhatsApp messages through Twilio's Messages
// API, one POST per message. It is safe for concurrent use.
//
// Twilio's Messages API has no idempotency key, so a retry after a lost
// answer (the request reached Twilio, the response never came back) sends
// the message twice. For a passcode a rare duplicate is better than none,
// as for the outbox's email.
type TwilioSender struct {
	cfg      TwilioConfig // as given, for LogValue; never logged whole
	client   *http.Client
	endpoint string
	// from is the SMS sender, empty when the messaging service (service)
	// picks it; whatsAppFrom has its "whatsapp:" prefix. Any of the three
	// may be empty; see Supports.
	from, service, whatsAppFrom string
	log                         *slog.Logger
}

var _ SMSSender = (*TwilioSender)(nil)

// NewTwilioSender checks cfg and returns a sender for it. It does not
// contact Twilio: a provider that is unreachable at startup must not keep
// Latch from starting, since the outbox retries. log receives one line per
// accepted message, with Twilio's message SID and never the body or the
// recipient; nil discards it.
func NewTwilioSender(cfg TwilioConfig, log *slog.Logger) (*TwilioSender, error) {
	if cfg.AccountSID == "" || strings.ContainsAny(cfg.AccountSID, "/?#% ") {
		return nil, fmt.Errorf("delivery: twilio: account SID %q is empty or malformed", cfg.AccountSID)
	}
	if cfg.AuthToken == "" {
		return nil, errors.New("delivery: twilio: auth token is empty")
	}
	if strings.HasPrefix(cfg.From, whatsAppPrefix) {
		return nil, errors.New("delivery: twilio: from is a WhatsApp address; set it as the WhatsApp sender instead")
	}
	whatsAppFrom := ""
	if cfg.WhatsAppFrom != "" {
		n := strings.TrimPrefix(cfg.WhatsAppFrom, whatsAppPrefix)
		if !isE164(n) {
			return nil, fmt.Errorf("delivery: twilio: WhatsApp sender %q is not an E.164 number", cfg.WhatsAppFrom)
		}
		whatsAppFrom = whatsAppPrefix + n
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" && whatsAppFrom == "" {
		return nil, errors.New("delivery: twilio: no sender: set a from number, a messaging service or a WhatsApp sender")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("delivery: twilio: timeout %v is negative", cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = twilioTimeout
	}
	base, err := twilioBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	from := cfg.From
	if cfg.MessagingServiceSID != "" {
		from = ""
	}
	return &TwilioSender{
		cfg: cfg,
		client: &http.Client{
			Timeout: timeout,
			// A redirect would mean a misconfigured BaseURL; following
			// it would resend the credentials, and turn the POST into a
			// GET. The 3xx surfaces as a non-retryable TwilioError.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		endpoint:     base + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json",
		from:         from,
		service:      cfg.MessagingServiceSID,
		whatsAppFrom: whatsAppFrom,
		log:          log,
	}, nil
}

// twilioBaseURL checks a configured base URL and returns it without a
// trailing slash; "" means DefaultTwilioBaseURL.
func twilioBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultTwilioBaseURL, nil
	}
	// Errors show the URL redacted: someone may have put credentials in it.
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the raw URL
		}
		return "", fmt.Errorf("delivery: twilio: base URL: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("delivery: twilio: base URL %q must be scheme://host[:port][/path] with no user, query or fragment", u.Redacted())
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		// A local stand-in or sidecar: the token never leaves the host.
	default:
		return "", fmt.Errorf("delivery: twilio: base URL %q must use https (plain http only on a loopback host): every request carries the auth token", u.Redacted())
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isE164 reports whether s is "+" and 2 to 15 digits, the first not 0.
// It checks the form only; phone.Normalize checks numbering plans, and
// the configuration is the operator's own number.
func isE164(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	if !ok || len(d) < 2 || len(d) > 15 || d[0] == '0' {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// LogValue implements slog.LogValuer: logging the sender logs its
// configuration, without the auth token.
func (s *TwilioSender) LogValue() slog.Value { return s.cfg.LogValue() }

// Supports reports whether s is configured to send on ch: SMS needs a from
// number or a messaging service, WhatsApp a WhatsApp sender. The SMS
// delivery policy asks before a passcode is issued, as Router.CanDeliver
// does for email, so that a code is never stored for a channel that cannot
// carry it.
func (s *TwilioSender) Supports(ch auth.Channel) bool {
	switch ch {
	case auth.ChannelSMS:
		return s.from != "" || s.service != ""
	case auth.ChannelWhatsApp:
		return s.whatsAppFrom != ""
	default:
		return false
	}
}

// Send asks Twilio to deliver m. It returns nil once Twilio has accepted
// the message (201 Created, status queued or accepted); delivery to the
// handset happens later and is not tracked. Otherwise it returns:
//
//   - an error matching ErrChannelUnsupported if s cannot send on
//     m.Channel, without contacting Twilio;
//   - a *TwilioError (wrapped) if Twilio answered with an error, which
//     says through Retryable whether trying again can help;
//   - the transport's error (wrapped) if no answer came: a refused
//     connection, a timeout, ctx ending. These are retryable.
//
// Errors name the message ID, never the body or the auth token. Twilio's
// own error messages may quote the recipient's number.
func (s *TwilioSender) Send(ctx context.Context, m SMS) error {
	if !s.Supports(m.Channel) {
		return fmt.Errorf("delivery: twilio: message %s: channel %q: %w", m.ID, m.Channel, ErrChannelUnsupported)
	}
	form := url.Values{"Body": {m.Body}}
	switch {
	case m.Channel == auth.ChannelWhatsApp:
		form.Set("To", whatsAppPrefix+m.To)
		form.Set("From", s.whatsAppFrom)
	case s.service != "":
		form.Set("To", m.To)
		form.Set("MessagingServiceSid", s.service)
	default:
		form.Set("To", m.To)
		form.Set("From", s.from)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("delivery: twilio: message %s: %w", m.ID, err)
	}
	req.SetBasicAuth(s.cfg.AccountSID, s.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "latch")

	resp, err := s.client.Do(req)
	if err != nil {
		// *url.Error names the method and URL (account SID, no
		// credentials) and the cause; the request body is not in it.
		return fmt.Errorf("delivery: twilio: message %s: %w", m.ID, err)
	}
	defer resp.Body.Close()
	// A failure to read the rest of the answer is ignored: the status
	// already says what happened, and the body only adds detail.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxTwilioResponse))

	if resp.StatusCode/100 == 2 {
		// Accepted. The answer is only logged, so a malformed one
		// (which Twilio does not send) does not turn success into a
		// retry that would send the message twice.
		var res struct {
			SID    string `json:"sid"`
			Status string `json:"status"`
		}
		_ = json.Unmarshal(body, &res)
		s.log.InfoContext(ctx, "delivery: twilio: message accepted",
			"message_id", m.ID, "project_id", m.ProjectID, "channel", string(m.Channel),
			"twilio_sid", res.SID, "twilio_status", res.Status)
		return nil
	}
	return fmt.Errorf("delivery: twilio: message %s: %w", m.ID, parseTwilioError(resp.StatusCode, body))
}

// TwilioError is an error answer from Twilio's REST API, such as
// {"code": 21211, "message": "Invalid 'To' Phone Number: +1202555…",
// "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}.
type TwilioError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is Twilio's error code (https://www.twilio.com/docs/errors),
	// or 0 if the answer was not Twilio's error JSON, as from a proxy.
	Code int
	// Message is Twilio's message, or the HTTP status text.
	Message string
	// MoreInfo is the URL of the error's documentation, if Twilio gave one.
	MoreInfo string
}

// Error implements the error interface.
func (e *TwilioError) Error() string {
	var b strings.Builder
	b.WriteString("twilio: ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != 0 {
		b.WriteString(" error ")
		b.WriteString(strconv.Itoa(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.MoreInfo != "" {
		b.WriteString(" (")
		b.WriteString(e.MoreInfo)
		b.WriteString(")")
	}
	return b.String()
}

// Retryable reports whether sending again later can help: yes for 429
// (Twilio's rate limit, which lifts) and for any 5xx (trouble on Twilio's
// side or on the way there); no for every other status. A 4xx is about
// the request itself, and sending it again gets the same answer: an
// invalid or unsubscribed number (21211, 21610), a missing sender, or
// wrong credentials (20003), which need an operator, not a retry. A 3xx
// means BaseURL points somewhere other than the API.
func (e *TwilioError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// parseTwilioError builds a TwilioError from an answer's status and body.
// The HTTP status is used, not the body's "status" field: it is what the
// client saw, and a proxy's error page has no such field.
func parseTwilioError(status int, body []byte) *TwilioError {
	e := &TwilioError{Status: status}
	var j struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		MoreInfo string `json:"more_info"`
	}
	if json.Unmarshal(body, &j) == nil {
		e.Code, e.Message, e.MoreInfo = j.Code, j.Message, j.MoreInfo
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}
