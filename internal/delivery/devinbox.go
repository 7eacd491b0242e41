package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// DevInbox is a Mailer that keeps each message in the database instead of
// sending it, so a developer can run test projects and read their magic
// links and passcodes without any mail server or SMS provider. The Router
// uses it only for test projects, on the channels with nothing configured.
type DevInbox struct {
	st  store.DevInbox
	now func() time.Time
}

var _ Mailer = (*DevInbox)(nil)

// NewDevInbox returns a dev inbox writing to st. now stamps each message;
// nil means time.Now.
func NewDevInbox(st store.DevInbox, now func() time.Time) *DevInbox {
	if now == nil {
		now = time.Now
	}
	return &DevInbox{st: st, now: now}
}

// Send stores m in the dev inbox under m's own ID. Storing a message that
// is already there succeeds: the outbox may retry a message whose earlier
// attempt stored it but could not record the success, and the inbox should
// then show it once.
func (d *DevInbox) Send(ctx context.Context, m auth.Message) error {
	dm := &auth.DevMessage{
		ID:        m.ID,
		ProjectID: m.ProjectID,
		Channel:   m.Channel,
		// Lowercased because store.DevMessageFilter matches recipients in
		// lowercase: "Ada@Example.com" must be found as ada@example.com.
		To:        strings.ToLower(m.To),
		Subject:   m.Subject,
		Text:      m.Text,
		HTML:      m.HTML,
		CreatedAt: d.now().UTC(),
	}
	if err := d.st.AddDevMessage(ctx, m.ProjectID, dm); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil
		}
		return fmt.Errorf("delivery: dev inbox: message %s: %w", m.ID, err)
	}
	return nil
}
