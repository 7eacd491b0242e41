package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/delivery"
	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/store"
)

// seedProject stores a project in env, which outbox rows reference.
func seedProject(tb testing.TB, st store.Store, env auth.Env) *auth.Project {
	tb.Helper()
	p, _ := authtest.SeedProject(tb, st, env)
	return p
}

// newMessage returns a message ready for Enqueue, with bodies that the log
// tests look for.
func newMessage(to string) *auth.Message {
	return &auth.Message{
		To:      to,
		Subject: "SUBJECT-" + to,
		Text:    "TEXT-BODY secret-link-token",
		HTML:    "<p>HTML-BODY secret-link-token</p>",
	}
}

// enqueue commits m for p in its own transaction, as a service does.
func enqueue(tb testing.TB, st store.Store, o *delivery.Outbox, p *auth.Project, m *auth.Message) {
	tb.Helper()
	err := st.InTx(tb.Context(), func(tx store.Store) error {
		return o.Enqueue(tb.Context(), tx, p.ID, p.Env, m)
	})
	if err != nil {
		tb.Fatalf("Enqueue: %v", err)
	}
}

// pending returns every unsent message, however far in the future its
// next attempt is (short of the parked ones).
func pending(tb testing.TB, st store.Store, now time.Time) []auth.Message {
	tb.Helper()
	msgs, err := st.DueMessages(tb.Context(), now.Add(24*365*time.Hour), 1000)
	if err != nil {
		tb.Fatalf("DueMessages: %v", err)
	}
	return msgs
}

// runWorkers starts one worker (Run) per outbox given, and returns a
// function that stops them all and waits until they have returned.
func runWorkers(tb testing.TB, outboxes ...*delivery.Outbox) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, o := range outboxes {
		wg.Go(func() {
			if err := o.Run(ctx); err != nil {
				tb.Errorf("Run: %v", err)
			}
		})
	}
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	tb.Cleanup(stop)
	return stop
}

// waitSent blocks until mailer has accepted n messages. It fails the test
// after a generous deadline instead of hanging.
func waitSent(tb testing.TB, mailer *captureMailer, n int) {
	tb.Helper()
	deadline := time.After(30 * time.Second)
	for len(mailer.Sent()) < n {
		select {
		case <-mailer.notify:
		case <-deadline:
			tb.Fatalf("mailer accepted %d messages, want %d", len(mailer.Sent()), n)
		}
	}
}

// fastPoll keeps the worker tests quick; everything else stays default.
var fastPoll = delivery.OutboxOptions{PollInterval: 5 * time.Millisecond}

func TestOutboxRolledBackMessageNeverSent(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		clock := authtest.NewClock()
		mailer := &captureMailer{notify: make(chan struct{}, 1)}
		o := delivery.NewOutbox(st, delivery.NewRouter(mailer, nil, nil), clock.Now, nil, fastPoll)

		errRollback := errors.New("token issue failed")
		rolledBack := newMessage("rolled-back@example.com")
		err := st.InTx(t.Context(), func(tx store.Store) error {
			if err := o.Enqueue(t.Context(), tx, p.ID, p.Env, rolledBack); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v, want %v", err, errRollback)
		}
		// A direct attempt finds nothing to claim.
		o.Deliver(t.Context(), p.ID, rolledBack.ID)

		// A committed message after it gives the worker something to finish,
		// so the test knows the worker has looked at the outbox.
		committed := newMessage("committed@example.com")
		enqueue(t, st, o, p, committed)
		stop := runWorkers(t, o)
		waitSent(t, mailer, 1)
		stop()

		var got []string
		for _, m := range mailer.Sent() {
			got = append(got, m.ID)
		}
		if diff := cmp.Diff([]string{committed.ID}, got); diff != "" {
			t.Errorf("sent message IDs (-want +got):\n%s", diff)
		}
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox still holds %d messages, want 0", len(msgs))
		}
	})
}

func TestOutboxOutageThenRecovery(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvLive)
		clock := authtest.NewClock()
		mailer := &captureMailer{notify: make(chan struct{}, 1), down: true}
		var logs latchtest.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		o := delivery.NewOutbox(st, delivery.NewRouter(mailer, nil, nil), clock.Now, log, fastPoll)

		m := newMessage("ada@example.com")
		enqueue(t, st, o, p, m)
		o.Deliver(t.Context(), p.ID, m.ID)

		// The failed attempt keeps the message, due again after the first
		// backoff step, with the reason recorded.
		msgs := pending(t, st, clock.Now())
		if len(msgs) != 1 {
			t.Fatalf("outbox holds %d messages after a failed send, want 1", len(msgs))
		}
		if got, want := msgs[0].Attempts, 1; got != want {
			t.Errorf("Attempts = %d, want %d", got, want)
		}
		if got, want := msgs[0].NextAttemptAt, clock.Now().Add(5*time.Second); !got.Equal(want) {
			t.Errorf("NextAttemptAt = %v, want %v", got, want)
		}
		if !strings.Contains(msgs[0].LastError, errOutage.Error()) {
			t.Errorf("LastError = %q, want it to contain %q", msgs[0].LastError, errOutage)
		}
		// Before the backoff ends, another attempt does not reach the mailer.
		o.Deliver(t.Context(), p.ID, m.ID)
		if got, want := mailer.Attempts(), 1; got != want {
			t.Errorf("mailer attempts before the backoff ended = %d, want %d", got, want)
		}

		// The failure is logged with the IDs, never with the body.
		out := logs.String()
		for _, want := range []string{m.ID, p.ID, errOutage.Error()} {
			if !strings.Contains(out, want) {
				t.Errorf("log %q does not contain %q", out, want)
			}
		}
		for _, secret := range []string{"TEXT-BODY", "HTML-BODY", "secret-link-token"} {
			if strings.Contains(out, secret) {
				t.Errorf("log %q contains the message body (%q)", out, secret)
			}
		}

		// The server comes back; once the backoff has passed, the worker
		// delivers the message.
		mailer.setDown(false)
		clock.Advance(5 * time.Second)
		stop := runWorkers(t, o)
		waitSent(t, mailer, 1)
		stop()

		sent := mailer.Sent()
		if len(sent) != 1 {
			t.Fatalf("mailer accepted %d messages, want exactly 1", len(sent))
		}
		want := auth.Message{ID: m.ID, ProjectID: p.ID, Channel: auth.ChannelEmail, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
		opts := cmp.FilterPath(func(p cmp.Path) bool {
			switch p.Last().String() {
			case ".CreatedAt", ".NextAttemptAt", ".Attempts", ".LastError":
				return true
			}
			return false
		}, cmp.Ignore())
		if diff := cmp.Diff(want, sent[0], opts); diff != "" {
			t.Errorf("delivered message (-want +got):\n%s", diff)
		}
		// Marked sent: nothing is left to send again, ever.
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox still holds %d messages after delivery, want 0", len(msgs))
		}
		o.Deliver(t.Context(), p.ID, m.ID)
		if got := len(mailer.Sent()); got != 1 {
			t.Errorf("mailer accepted %d messages after a repeated Deliver, want 1", got)
		}
	})
}

func TestOutboxBackoffAndGiveUp(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		clock := authtest.NewClock()
		mailer := &captureMailer{down: true}
		var logs latchtest.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		o := delivery.NewOutbox(st, delivery.NewRouter(mailer, nil, nil), clock.Now, log, delivery.OutboxOptions{
			BaseBackoff: 5 * time.Second,
			MaxBackoff:  15 * time.Second,
			MaxAttempts: 4,
		})
		m := newMessage("grace@example.com")
		enqueue(t, st, o, p, m)

		// 5s, then doubled, then capped.
		for i, wantWait := range []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second} {
			o.Deliver(t.Context(), p.ID, m.ID)
			msgs := pending(t, st, clock.Now())
			if len(msgs) != 1 {
				t.Fatalf("attempt %d: outbox holds %d messages, want 1", i+1, len(msgs))
			}
			if got, want := msgs[0].NextAttemptAt, clock.Now().Add(wantWait); !got.Equal(want) {
				t.Errorf("attempt %d: NextAttemptAt = now+%v, want now+%v", i+1, got.Sub(clock.Now()), wantWait)
			}
			clock.Advance(wantWait)
		}

		// The last allowed attempt fails too: the message is parked.
		o.Deliver(t.Context(), p.ID, m.ID)
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox still schedules %d messages after the last attempt, want 0", len(msgs))
		}
		clock.Advance(100 * 24 * time.Hour)
		o.Deliver(t.Context(), p.ID, m.ID)
		if got, want := mailer.Attempts(), 4; got != want {
			t.Errorf("mailer attempts = %d, want %d (MaxAttempts)", got, want)
		}
		if out := logs.String(); !strings.Contains(out, "giving up") || !strings.Contains(out, m.ID) {
			t.Errorf("log %q does not report giving up on %s", out, m.ID)
		}
	})
}

func TestOutboxConcurrentWorkersDeliverOnce(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		projects := []*auth.Project{seedProject(t, st, auth.EnvTest), seedProject(t, st, auth.EnvLive)}
		clock := authtest.NewClock()
		mailer := &captureMailer{notify: make(chan struct{}, 1)}
		router := delivery.NewRouter(mailer, nil, nil)
		// Small batches make the workers contend for the same rows often.
		opts := delivery.OutboxOptions{PollInterval: 5 * time.Millisecond, BatchSize: 3}
		a := delivery.NewOutbox(st, router, clock.Now, nil, opts)
		b := delivery.NewOutbox(st, router, clock.Now, nil, opts)

		const n = 40
		want := map[string]int{}
		for i := range n {
			m := newMessage("user@example.com")
			enqueue(t, st, a, projects[i%len(projects)], m)
			want[m.ID] = 1
		}
		stop := runWorkers(t, a, b, a, b)
		waitSent(t, mailer, n)
		stop()

		got := map[string]int{}
		for _, m := range mailer.Sent() {
			got[m.ID]++
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deliveries per message ID (-want +got):\n%s", diff)
		}
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox still holds %d messages, want 0", len(msgs))
		}
	})
}

// TestOutboxEnqueueWakesWorker checks that a committed Enqueue does not
// wait for the worker's next poll: the poll interval here is longer than
// the test's deadline, so only the wake-up can deliver the message.
func TestOutboxEnqueueWakesWorker(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		clock := authtest.NewClock()
		mailer := &captureMailer{notify: make(chan struct{}, 1)}
		o := delivery.NewOutbox(st, delivery.NewRouter(mailer, nil, nil), clock.Now, nil,
			delivery.OutboxOptions{PollInterval: time.Hour})
		stop := runWorkers(t, o)

		// The root store commits at once, as for a message that no
		// service transaction carries. Once the first message is out, the
		// worker has fetched its batch and can only be asleep or about to
		// sleep for an hour; the second message needs the wake-up.
		var want []string
		for i := range 2 {
			m := newMessage("wake@example.com")
			if err := o.Enqueue(t.Context(), st, p.ID, p.Env, m); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			want = append(want, m.ID)
			waitSent(t, mailer, i+1)
		}
		stop()
		var got []string
		for _, m := range mailer.Sent() {
			got = append(got, m.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sent message IDs (-want +got):\n%s", diff)
		}
	})
}

func TestOutboxLiveProjectWithoutSMTPRefused(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvLive)
		clock := authtest.NewClock()
		dev := delivery.NewDevInbox(st, clock.Now)
		o := delivery.NewOutbox(st, delivery.NewRouter(nil, dev, nil), clock.Now, nil, delivery.OutboxOptions{})

		if err := o.CanDeliver(auth.EnvLive); !errors.Is(err, auth.ErrEmailSettingsNotFound) {
			t.Errorf("CanDeliver(live) = %v, want auth.ErrEmailSettingsNotFound", err)
		}
		if err := o.CanDeliver(auth.EnvTest); err != nil {
			t.Errorf("CanDeliver(test) = %v, want nil", err)
		}
		err := st.InTx(t.Context(), func(tx store.Store) error {
			return o.Enqueue(t.Context(), tx, p.ID, p.Env, newMessage("live@example.com"))
		})
		if !errors.Is(err, auth.ErrEmailSettingsNotFound) {
			t.Errorf("Enqueue(live) = %v, want auth.ErrEmailSettingsNotFound", err)
		}
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox holds %d messages, want 0", len(msgs))
		}
		inbox, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{ProjectID: p.ID})
		if err != nil {
			t.Fatalf("ListDevMessages: %v", err)
		}
		if len(inbox) != 0 {
			t.Errorf("dev inbox holds %d messages for a live project, want 0", len(inbox))
		}
	})
}

func TestOutboxEnqueueValidates(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		o := delivery.NewOutbox(st, delivery.NewRouter(&captureMailer{}, nil, nil), nil, nil, delivery.OutboxOptions{})
		tests := []struct {
			name string
			env  auth.Env
			m    *auth.Message
		}{
			{"no recipient", auth.EnvTest, &auth.Message{Subject: "s"}},
			{"invalid environment", "staging", newMessage("a@example.com")},
			{"ID of the other environment", auth.EnvTest, &auth.Message{ID: auth.NewID(auth.KindMessage, auth.EnvLive), To: "a@example.com"}},
			{"ID of another kind", auth.EnvTest, &auth.Message{ID: auth.NewID(auth.KindUser, auth.EnvTest), To: "a@example.com"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := o.Enqueue(t.Context(), st, p.ID, tt.env, tt.m); err == nil {
					t.Errorf("Enqueue succeeded, want an error")
				}
			})
		}
		if msgs := pending(t, st, time.Now()); len(msgs) != 0 {
			t.Errorf("outbox holds %d messages, want 0", len(msgs))
		}
	})
}

// TestOutboxTextMessages checks that text messages ride the same durable
// outbox as email: delivered to the SMS provider with their channel,
// retried after a transient failure, and given up at once when the
// provider refuses them for good.
func TestOutboxTextMessages(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvLive)
		clock := authtest.NewClock()
		sms := &captureSMS{}
		o := delivery.NewOutbox(st, delivery.NewRouter(&captureMailer{}, nil, sms), clock.Now, nil, delivery.OutboxOptions{BaseBackoff: 5 * time.Second})
		text := func(ch auth.Channel) *auth.Message {
			return &auth.Message{Channel: ch, To: "+12025550162", Text: "Your code is 123456"}
		}

		wa := text(auth.ChannelWhatsApp)
		enqueue(t, st, o, p, wa)
		o.Deliver(t.Context(), p.ID, wa.ID)
		if got := sms.Sent(); len(got) != 1 || got[0].Channel != auth.ChannelWhatsApp || got[0].Body != wa.Text || got[0].To != wa.To {
			t.Fatalf("provider got %+v, want the WhatsApp message", got)
		}

		sms.mu.Lock()
		sms.err = errors.New("connection reset by peer")
		sms.mu.Unlock()
		retried := text(auth.ChannelSMS)
		enqueue(t, st, o, p, retried)
		o.Deliver(t.Context(), p.ID, retried.ID)
		msgs := pending(t, st, clock.Now())
		if len(msgs) != 1 || !msgs[0].NextAttemptAt.Equal(clock.Now().Add(5*time.Second)) {
			t.Fatalf("after a transient failure the outbox holds %+v, want one message due in 5s", msgs)
		}

		sms.mu.Lock()
		sms.err = fmt.Errorf("twilio said no: %w", delivery.ErrChannelUnsupported)
		sms.mu.Unlock()
		clock.Advance(5 * time.Second)
		o.Deliver(t.Context(), p.ID, retried.ID)
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("a permanently refused message is still scheduled: %+v", msgs)
		}

		// A text whose passcode has expired is given up unsent, even once
		// the provider is back.
		late := text(auth.ChannelSMS)
		enqueue(t, st, o, p, late)
		sms.mu.Lock()
		sms.err = errors.New("connection reset by peer")
		sms.mu.Unlock()
		o.Deliver(t.Context(), p.ID, late.ID)
		sms.mu.Lock()
		sms.err = nil
		sms.mu.Unlock()
		clock.Advance(auth.OTPMaxMinutes*time.Minute + time.Second)
		o.Deliver(t.Context(), p.ID, late.ID)
		if got := sms.Sent(); len(got) != 1 {
			t.Errorf("provider got %d messages, want only the first (the expired one is not sent)", len(got))
		}
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("an expired text is still scheduled: %+v", msgs)
		}
	})
}
