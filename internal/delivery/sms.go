package delivery

import (
	"context"
	"errors"

	"github.com/latchauth/latch/internal/auth"
)

// SMS is one text message to a phone, by SMS or WhatsApp: in practice a
// one-time passcode. It is the phone counterpart of auth.Message, without
// the outbox's delivery state, which the outbox will keep beside it.
type SMS struct {
	// ID identifies the message across retries, as auth.Message.ID does.
	ID        string
	ProjectID string
	// To is the recipient in E.164 form ("+12025550162"), as
	// phone.Normalize returns it, without any "whatsapp:" prefix: the
	// sender adds what its provider needs for Channel.
	To string
	// Body is the text. It holds a passcode, so senders never log it.
	Body string
	// Channel is auth.ChannelSMS or auth.ChannelWhatsApp. There is no
	// default: a WhatsApp code sent as an SMS (or the reverse) is billed
	// differently and may not reach the user, so a zero Channel is refused.
	Channel auth.Channel
}

// SMSSender delivers one text message. It is the seam that tests fake, as
// Mailer is for email: a fake that fails simulates a provider outage, one
// that records simulates the phone.
type SMSSender interface {
	// Send delivers m to m.To on m.Channel. An error means the message may
	// not have been delivered; Retryable(err) says whether another attempt
	// later can help. Send must be safe to call again with the same
	// message. It returns an error matching ErrChannelUnsupported when the
	// sender has no way to reach m.Channel.
	Send(ctx context.Context, m SMS) error
}

// ErrChannelUnsupported is returned (wrapped) by an SMSSender asked to send
// on a channel it has no sender for, such as WhatsApp when no WhatsApp
// number is configured, or on an unknown channel. Retrying cannot help.
var ErrChannelUnsupported error = &permanentError{"delivery: channel not supported by this sender"}

// Retryable reports whether a later attempt to send might succeed where
// the one that returned err failed. The first error in err's tree (as
// errors.As walks it) with a method Retryable() bool decides, as
// *TwilioError and ErrChannelUnsupported have. Any other error counts as
// retryable: most failures that say nothing about themselves are network
// trouble, and the outbox has always retried those. Retryable(nil) is
// false, as there is nothing to retry.
//
// It is meant for the outbox: a message that can never be delivered (an
// invalid number, a recipient who opted out, wrong credentials) should be
// given up at once rather than retried for half a day.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	return true
}

// permanentError is an error that retrying cannot cure.
type permanentError struct{ msg string }

func (e *permanentError) Error() string   { return e.msg }
func (e *permanentError) Retryable() bool { return false }
