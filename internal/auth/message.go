package auth

import "time"

// Channel is how a message reaches its recipient.
type Channel string

// Channels. A message with no channel is an email: that is what every
// message was before phones, and what the outbox assumes.
const (
	ChannelEmail    Channel = "email"
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
)

// Send throttle: at most MaxSends messages carrying a one-time secret (a
// passcode, a magic link, an invite, a password reset link) go to one
// address or number per SendWindow; a send beyond it is
// ErrTooManyRequests. Passcodes are counted from the stored codes and
// links from the stored tokens, separately, so the limit survives
// restarts and holds across Latch processes sharing a database.
const (
	MaxSends   = 5
	SendWindow = 10 * time.Minute
)

// Phone reports whether c delivers to a phone number.
func (c Channel) Phone() bool { return c == ChannelSMS || c == ChannelWhatsApp }

// Message is an email or a text message waiting in, or delivered from,
// the durable outbox. Rows are written in the same transaction as the
// token they carry, so a crash between issuing a token and sending it
// loses nothing.
type Message struct {
	ID        string
	ProjectID string
	Channel   Channel
	// To is an email address, or an E.164 phone number for ChannelSMS and
	// ChannelWhatsApp.
	To string
	// Subject and HTML are empty for text messages, whose body is Text.
	Subject       string
	Text          string
	HTML          string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
}

// DevMessage is a message kept by the built-in dev inbox instead of being
// sent, for test projects when no SMTP server (or, for text messages, no
// SMS provider) is configured.
type DevMessage struct {
	ID        string
	ProjectID string
	Channel   Channel
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
}
