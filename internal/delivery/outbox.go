package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// OutboxOptions tunes the outbox. Zero fields take the defaults listed.
type OutboxOptions struct {
	// PollInterval is how long Run sleeps between looks at the outbox when
	// nothing wakes it. Default 5s.
	PollInterval time.Duration
	// Lease is how long a claimed message is reserved for the worker that
	// claimed it. If that worker dies mid-send, another may send the
	// message once the lease ends. Default 2m.
	Lease time.Duration
	// SendTimeout bounds one send. It is kept below Lease so that a send
	// still in flight is never raced by a second worker. Default 1m.
	SendTimeout time.Duration
	// BaseBackoff is the wait after the first failed attempt; it doubles
	// with each further failure up to MaxBackoff. Defaults 5s and 1h.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// MaxAttempts is how many attempts a message gets before the outbox
	// stops retrying it and logs an error. Default 20: with the default
	// backoff, retries span about twelve hours, enough to ride out an
	// overnight mail server outage.
	MaxAttempts int
	// BatchSize is how many due messages Run reads at a time. Default 50.
	BatchSize int
}

func (o OutboxOptions) withDefaults() OutboxOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollInterval, 5*time.Second)
	def(&o.Lease, 2*time.Minute)
	def(&o.SendTimeout, time.Minute)
	def(&o.BaseBackoff, 5*time.Second)
	def(&o.MaxBackoff, time.Hour)
	if o.SendTimeout >= o.Lease {
		o.SendTimeout = o.Lease / 2
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 20
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 50
	}
	return o
}

// parkedUntil is the retry time of a message the outbox gave up on. The
// store has no "dead" state, and a retry time no clock reaches keeps the
// row (and its LastError) for an operator without it ever being due again.
var parkedUntil = time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)

// textMessageTTL is how long a text message is worth sending. Text
// messages carry passcodes, which live at most auth.OTPMaxMinutes: one
// still unsent after that would cost provider credit and tell the user a
// code that no longer works.
const textMessageTTL = auth.OTPMaxMinutes * time.Minute

// maxReasonLen bounds the failure reason stored with a message; SMTP
// servers can answer with long multi-line errors.
const maxReasonLen = 500

// Outbox delivers email durably. A message is first written to the store
// in the caller's transaction (Enqueue), then sent, either at once
// (Deliver) or by the background worker (Run), which retries failures.
//
// Each attempt claims the message with a lease first, so concurrent
// workers never send a message twice at once, and records the outcome
// afterwards. If the process dies between a successful send and recording
// it, the message is sent again after the lease: a rare duplicate is
// preferred to a lost magic link.
type Outbox struct {
	st     store.Outbox
	router *Router
	now    func() time.Time
	log    *slog.Logger
	opts   OutboxOptions
	// wake carries at most one pending signal: any number of signals
	// while the worker is busy collapse into one more look at the outbox.
	wake chan struct{}
}

// NewOutbox returns an outbox that reads and updates messages in st and
// sends them through router. now is the clock for due times and backoff
// (nil means time.Now); log receives failures (nil discards them).
func NewOutbox(st store.Outbox, router *Router, now func() time.Time, log *slog.Logger, opts OutboxOptions) *Outbox {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{
		st:     st,
		router: router,
		now:    now,
		log:    log,
		opts:   opts.withDefaults(),
		wake:   make(chan struct{}, 1),
	}
}

// CanDeliver returns nil if a project in env can receive email, and
// auth.ErrEmailSettingsNotFound if not; see Router.CanDeliver. It is here so
// that a service needs only the Outbox.
func (o *Outbox) CanDeliver(env auth.Env) error {
	return o.router.CanDeliver(env)
}

// CanDeliverOn is CanDeliver for any channel; see Router.CanDeliverOn.
func (o *Outbox) CanDeliverOn(env auth.Env, ch auth.Channel) error {
	return o.router.CanDeliverOn(env, ch)
}

// Enqueue writes m to the outbox through st. Services pass the store of
// their own transaction, so the message commits or rolls back together
// with the token it carries.
//
// The caller fills Channel (empty means email), To, and Subject, Text and
// HTML (only Text for a text message). Enqueue sets m.ProjectID,
// resets the delivery state (Attempts, SentAt, LastError), and fills what
// the caller left zero: m.ID with a new message ID in env, m.CreatedAt, and
// m.NextAttemptAt (now, so the message is due at once). A caller-chosen ID
// must be a message ID of env, because the worker applies the delivery
// policy by the environment in the ID. It returns
// auth.ErrEmailSettingsNotFound (or auth.ErrSMSSettingsNotFound) if the
// policy refuses env, which CanDeliverOn should already have caught before
// any token was issued.
//
// After the transaction commits, call Deliver with m.ID to send at once.
// Without that, the worker is woken and sends it shortly.
func (o *Outbox) Enqueue(ctx context.Context, st store.Outbox, projectID string, env auth.Env, m *auth.Message) error {
	if !env.Valid() {
		return fmt.Errorf("delivery: enqueue: invalid environment %q", env)
	}
	if m.Channel == "" {
		m.Channel = auth.ChannelEmail
	}
	if err := o.router.CanDeliverOn(env, m.Channel); err != nil {
		return err
	}
	if m.To == "" {
		return errors.New("delivery: enqueue: message has no recipient")
	}
	if m.ID == "" {
		m.ID = auth.NewID(auth.KindMessage, env)
	} else if messageEnv(m.ID) != env {
		return fmt.Errorf("delivery: enqueue: %q is not a message ID of a %s project", m.ID, env)
	}
	now := o.now().UTC()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	m.ProjectID = projectID
	m.Attempts = 0
	m.SentAt = nil
	m.LastError = ""
	if err := st.EnqueueMessage(ctx, projectID, m); err != nil {
		return fmt.Errorf("delivery: enqueue: %w", err)
	}
	// If st is a transaction that has not committed yet, the worker may
	// look too early and miss the message; the next poll then finds it.
	o.signal()
	return nil
}

// Deliver makes one attempt to send the message right away. Services call
// it after their transaction commits, so that in the common case the
// message reaches the mail server (or dev inbox) before the API call
// returns.
//
// Deliver reports nothing: the token is already committed, so a failed
// send must not fail the request. A failure is logged and the message
// stays in the outbox for Run to retry; a message already sent, or being
// sent by a worker, is left alone.
func (o *Outbox) Deliver(ctx context.Context, projectID, messageID string) {
	o.attempt(ctx, projectID, messageID)
}

// Run is the background worker. It sends due messages, retries failures
// with exponential backoff, and sleeps PollInterval between rounds unless
// Enqueue wakes it (or Deliver, when the store failed it). Run returns once
// ctx is done, after finishing the send in flight; its error is always nil
// and exists so that Run fits errgroup-style runners. Several workers may
// run at once, in one process or many, against the same store.
func (o *Outbox) Run(ctx context.Context) error {
	for {
		more := o.deliverDue(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if more {
			continue
		}
		t := time.NewTimer(o.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-o.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// deliverDue attempts one batch of due messages and reports whether
// another batch may be waiting. It says no when no message of a full
// batch could be claimed (all leased by other workers), so that the loop
// sleeps instead of spinning on the same leased rows.
func (o *Outbox) deliverDue(ctx context.Context) (more bool) {
	msgs, err := o.st.DueMessages(ctx, o.now().UTC(), o.opts.BatchSize)
	if err != nil {
		if ctx.Err() == nil {
			o.log.ErrorContext(ctx, "delivery: list due messages", "err", err)
		}
		return false
	}
	claimed := 0
	for _, m := range msgs {
		if ctx.Err() != nil {
			return false
		}
		if o.attempt(ctx, m.ProjectID, m.ID) {
			claimed++
		}
	}
	return len(msgs) == o.opts.BatchSize && claimed > 0
}

// attempt claims, sends and records one message, and reports whether it
// got the claim. It ignores cancellation of ctx once it has the claim: a
// request that ends, or a worker shutting down, must not abandon a send
// halfway, which would leave the outcome unrecorded until the lease ends.
// SendTimeout still bounds it.
func (o *Outbox) attempt(ctx context.Context, projectID, messageID string) (claimed bool) {
	ctx = context.WithoutCancel(ctx)
	log := o.log.With("message_id", messageID, "project_id", projectID)

	now := o.now().UTC()
	m, err := o.st.ClaimMessage(ctx, projectID, messageID, now, now.Add(o.opts.Lease))
	if errors.Is(err, store.ErrNotFound) {
		// Sent already, not due yet, or leased by another worker.
		return false
	}
	if err != nil {
		log.ErrorContext(ctx, "delivery: claim message", "err", err)
		// The store hiccupped, say a busy database; let the worker retry
		// soon rather than wait for its next poll.
		o.signal()
		return false
	}

	if m.Attempts > o.opts.MaxAttempts {
		// Earlier attempts died with their lease (a crashing worker or a
		// send that never returns); stop before trying yet again.
		o.park(ctx, log, m, errors.New("too many interrupted attempts"))
		return true
	}
	if m.Channel.Phone() && now.Sub(m.CreatedAt) > textMessageTTL {
		o.park(ctx, log, m, errors.New("the passcode in this text message has expired"))
		return true
	}

	sendCtx, cancel := context.WithTimeout(ctx, o.opts.SendTimeout)
	err = o.router.Send(sendCtx, *m)
	cancel()
	if err == nil {
		if err := o.st.MarkMessageSent(ctx, projectID, messageID, o.now().UTC()); err != nil {
			log.ErrorContext(ctx, "delivery: message sent but not recorded; it may be sent again", "err", err)
		}
		return true
	}

	if m.Attempts >= o.opts.MaxAttempts || !Retryable(err) {
		// A message the provider refused for good (an invalid number,
		// wrong credentials) would fail the same way for twelve hours.
		o.park(ctx, log, m, err)
		return true
	}
	retryAt := o.now().UTC().Add(o.backoff(m.Attempts))
	log.WarnContext(ctx, "delivery: send failed; will retry",
		"attempt", m.Attempts, "retry_at", retryAt, "err", err)
	if err := o.st.MarkMessageFailed(ctx, projectID, messageID, reason(err), retryAt); err != nil {
		log.ErrorContext(ctx, "delivery: record failed attempt", "err", err)
	}
	return true
}

// park records the final failure of a message and stops retrying it.
func (o *Outbox) park(ctx context.Context, log *slog.Logger, m *auth.Message, cause error) {
	log.ErrorContext(ctx, "delivery: giving up on message",
		"attempts", m.Attempts, "err", cause)
	if err := o.st.MarkMessageFailed(ctx, m.ProjectID, m.ID, reason(cause), parkedUntil); err != nil {
		log.ErrorContext(ctx, "delivery: record final failure", "err", err)
	}
}

// backoff returns the wait after the given number of failed attempts:
// BaseBackoff doubled attempts-1 times, capped at MaxBackoff. Doubling in
// a loop that stops at the cap cannot overflow.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.opts.BaseBackoff
	for i := 1; i < attempts && d < o.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.opts.MaxBackoff)
}

// signal wakes Run without blocking.
func (o *Outbox) signal() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// reason is the failure text stored with a message: the error, trimmed to
// maxReasonLen bytes of valid UTF-8.
func reason(err error) string {
	s := err.Error()
	if len(s) <= maxReasonLen {
		return s
	}
	s = s[:maxReasonLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s)
}
