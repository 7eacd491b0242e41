package auth

import "time"

// Message is an email waiting in, or delivered from, the durable outbox.
// Rows are written in the same transaction as the token they carry, so a
// crash between issuing a token and sending it loses nothing.
type Message struct {
	ID            string
	ProjectID     string
	To            string
	Subject       string
	Text          string
	HTML          string
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
}

// DevMessage is an email kept by the built-in dev inbox instead of being
// sent, for test projects when no SMTP server is configured.
type DevMessage struct {
	ID        string
	ProjectID string
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
}
