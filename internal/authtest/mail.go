package authtest

import (
	"context"
	"sync"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// Mail captures the email and text messages services send. A message is kept at Enqueue and
// counts as sent only when Deliver is called for it, which services do
// after their transaction commits, so a rolled-back send is never seen.
type Mail struct {
	// RefuseLive makes CanDeliver refuse live projects, like a server with
	// no SMTP configured.
	RefuseLive bool

	mu      sync.Mutex
	pending map[string]auth.Message
	sent    []auth.Message
}

// CanDeliver refuses live projects when RefuseLive is set.
func (m *Mail) CanDeliver(env auth.Env) error {
	return m.CanDeliverOn(env, auth.ChannelEmail)
}

// CanDeliverOn refuses live projects on every channel when RefuseLive is
// set, as a server with neither SMTP nor an SMS provider does.
func (m *Mail) CanDeliverOn(env auth.Env, ch auth.Channel) error {
	if m.RefuseLive && env == auth.EnvLive {
		if ch.Phone() {
			return auth.ErrSMSSettingsNotFound
		}
		return auth.ErrEmailSettingsNotFound
	}
	return nil
}

// Enqueue writes the message to the outbox of tx, as the real outbox does,
// and remembers it.
func (m *Mail) Enqueue(ctx context.Context, tx store.Outbox, projectID string, env auth.Env, msg *auth.Message) error {
	if err := tx.EnqueueMessage(ctx, projectID, msg); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending == nil {
		m.pending = map[string]auth.Message{}
	}
	m.pending[msg.ID] = *msg
	return nil
}

// Deliver marks an enqueued message sent.
func (m *Mail) Deliver(ctx context.Context, projectID, messageID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if msg, ok := m.pending[messageID]; ok {
		delete(m.pending, messageID)
		m.sent = append(m.sent, msg)
	}
}

// Sent returns the messages delivered so far, oldest first.
func (m *Mail) Sent() []auth.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]auth.Message(nil), m.sent...)
}

// Last returns the newest delivered message, and false if there is none.
func (m *Mail) Last() (auth.Message, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		return auth.Message{}, false
	}
	return m.sent[len(m.sent)-1], true
}
