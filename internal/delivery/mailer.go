package delivery

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

// Mailer delivers one email. It is the seam that tests fake: a fake that
// fails simulates an SMTP outage, one that records simulates an inbox.
type Mailer interface {
	// Send delivers m to m.To. An error means the message may not have
	// been delivered and should be retried; Send must be safe to call again
	// with the same message.
	Send(ctx context.Context, m auth.Message) error
}
