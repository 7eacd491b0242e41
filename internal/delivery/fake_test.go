package delivery_test

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/delivery"
)

// errOutage is what captureMailer returns while it is down.
var errOutage = errors.New("smtp: 421 service not available")

// captureMailer records every message it accepts and, while down, refuses
// every message, as an unreachable SMTP server would. It stands in for the
// mail server; the store behind the outbox is always real SQLite.
type captureMailer struct {
	mu       sync.Mutex
	down     bool
	sent     []auth.Message
	attempts int
	// notify, if set, receives a value after each accepted message.
	notify chan struct{}
}

func (c *captureMailer) Send(_ context.Context, m auth.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempts++
	if c.down {
		return errOutage
	}
	c.sent = append(c.sent, m)
	if c.notify != nil {
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *captureMailer) setDown(down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = down
}

// Sent returns a copy of the accepted messages, in order.
func (c *captureMailer) Sent() []auth.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]auth.Message(nil), c.sent...)
}

// Attempts returns how many times Send was called.
func (c *captureMailer) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

// captureSMS is an SMS provider that records what it accepts, answers
// with err while err is set, and supports only the channels in channels
// (every channel when nil), as a Twilio account without a WhatsApp sender
// does.
type captureSMS struct {
	mu       sync.Mutex
	channels []auth.Channel
	err      error
	sent     []delivery.SMS
}

func (c *captureSMS) Send(_ context.Context, m delivery.SMS) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.sent = append(c.sent, m)
	return nil
}

func (c *captureSMS) Supports(ch auth.Channel) bool {
	return c.channels == nil || slices.Contains(c.channels, ch)
}

// Sent returns a copy of the accepted messages, in order.
func (c *captureSMS) Sent() []delivery.SMS {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]delivery.SMS(nil), c.sent...)
}
