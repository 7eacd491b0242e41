package delivery_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/delivery"
	"github.com/latchauth/latch/internal/store"
)

// TestDevInboxThroughOutbox follows a test project's message from Enqueue
// to the dev inbox, as a service on a server without SMTP sends it.
func TestDevInboxThroughOutbox(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		clock := authtest.NewClock()
		o := delivery.NewOutbox(st, delivery.NewRouter(nil, delivery.NewDevInbox(st, clock.Now), nil), clock.Now, nil, delivery.OutboxOptions{})

		m := &auth.Message{
			To:      "Ada@Example.com",
			Subject: "Your login link",
			Text:    "Log in: https://example.com/?token=abc",
			HTML:    `<a href="https://example.com/?token=abc">Log in</a>`,
		}
		enqueue(t, st, o, p, m)
		o.Deliver(t.Context(), p.ID, m.ID)

		got, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{ProjectID: p.ID})
		if err != nil {
			t.Fatalf("ListDevMessages: %v", err)
		}
		want := []auth.DevMessage{{
			ID:        m.ID,
			ProjectID: p.ID,
			Channel:   auth.ChannelEmail,
			To:        "ada@example.com", // lowercased, as DevMessageFilter.To expects
			Subject:   m.Subject,
			Text:      m.Text,
			HTML:      m.HTML,
			CreatedAt: clock.Now(),
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("dev inbox (-want +got):\n%s", diff)
		}
		byTo, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{To: "ada@example.com"})
		if err != nil {
			t.Fatalf("ListDevMessages: %v", err)
		}
		if len(byTo) != 1 {
			t.Errorf("ListDevMessages by recipient found %d messages, want 1", len(byTo))
		}
		if msgs := pending(t, st, clock.Now()); len(msgs) != 0 {
			t.Errorf("outbox still holds %d messages, want 0 (marked sent)", len(msgs))
		}

		// With no SMS provider, a test project's text messages land in
		// the same inbox, with their channel.
		text := &auth.Message{Channel: auth.ChannelSMS, To: "+12025550162", Text: "Your code is 123456"}
		enqueue(t, st, o, p, text)
		o.Deliver(t.Context(), p.ID, text.ID)
		got, err = st.ListDevMessages(t.Context(), store.DevMessageFilter{To: "+12025550162"})
		if err != nil {
			t.Fatalf("ListDevMessages: %v", err)
		}
		wantText := []auth.DevMessage{{ID: text.ID, ProjectID: p.ID, Channel: auth.ChannelSMS, To: text.To, Text: text.Text, CreatedAt: clock.Now()}}
		if diff := cmp.Diff(wantText, got); diff != "" {
			t.Errorf("dev inbox for the phone (-want +got):\n%s", diff)
		}
	})
}

// TestDevInboxSendTwice checks that a retried message shows once.
func TestDevInboxSendTwice(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		p := seedProject(t, st, auth.EnvTest)
		dev := delivery.NewDevInbox(st, nil)
		m := auth.Message{ID: auth.NewID(auth.KindMessage, auth.EnvTest), ProjectID: p.ID, To: "b@example.com", Subject: "s", Text: "t"}
		for range 2 {
			if err := dev.Send(t.Context(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		got, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{ProjectID: p.ID})
		if err != nil {
			t.Fatalf("ListDevMessages: %v", err)
		}
		if len(got) != 1 {
			t.Errorf("dev inbox holds %d messages, want 1", len(got))
		}
	})
}
