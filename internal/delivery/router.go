package delivery

import (
	"context"
	"strings"

	"github.com/latchauth/latch/internal/auth"
)

// Router is the delivery policy, and a Mailer that applies it to every
// channel:
//
//   - with SMTP configured, every project's email goes through SMTP, and
//     with an SMS provider configured, every project's text messages go
//     through it, for each channel the provider supports;
//   - without, a test project's messages on that channel go to the dev
//     inbox;
//   - and a live project's are refused (auth.ErrEmailSettingsNotFound or
//     auth.ErrSMSSettingsNotFound), because a live user must never be told
//     a code was sent when it went nowhere.
type Router struct {
	smtp Mailer
	dev  Mailer
	sms  SMSSender
}

var _ Mailer = (*Router)(nil)

// channelSupporter is implemented by SMS senders that serve only some
// channels, as TwilioSender does (WhatsApp needs its own sender number).
type channelSupporter interface {
	Supports(ch auth.Channel) bool
}

// NewRouter returns the policy for a server whose SMTP mailer is smtp,
// whose SMS provider is sms and whose dev inbox is dev. Pass a nil
// interface (not a nil pointer) for whichever is not configured; with all
// three nil, every project is refused on every channel.
func NewRouter(smtp, dev Mailer, sms SMSSender) *Router {
	return &Router{smtp: smtp, dev: dev, sms: sms}
}

// CanDeliver returns nil if a project in env can receive email, and
// auth.ErrEmailSettingsNotFound if not. Services call it before issuing a
// token, so that nothing is written for a message that cannot be sent.
func (r *Router) CanDeliver(env auth.Env) error {
	return r.CanDeliverOn(env, auth.ChannelEmail)
}

// CanDeliverOn is CanDeliver for any channel: for SMS and WhatsApp it
// returns auth.ErrSMSSettingsNotFound when the policy refuses.
func (r *Router) CanDeliverOn(env auth.Env, ch auth.Channel) error {
	_, err := r.route(env, ch)
	return err
}

// Send delivers m through what the policy picks for its channel and its
// project's environment, which it reads from the message ID
// ("message-test-…"), as Outbox.Enqueue assigns it. An ID without an
// environment is treated as live: the stricter rule.
func (r *Router) Send(ctx context.Context, m auth.Message) error {
	send, err := r.route(messageEnv(m.ID), m.Channel)
	if err != nil {
		return err
	}
	return send(ctx, m)
}

// route picks how a message on ch from a project in env is sent.
func (r *Router) route(env auth.Env, ch auth.Channel) (func(context.Context, auth.Message) error, error) {
	if !ch.Phone() {
		switch {
		case r.smtp != nil:
			return r.smtp.Send, nil
		case env == auth.EnvTest && r.dev != nil:
			return r.dev.Send, nil
		}
		return nil, auth.ErrEmailSettingsNotFound
	}
	switch {
	case r.supports(ch):
		return r.sendSMS, nil
	case env == auth.EnvTest && r.dev != nil:
		return r.dev.Send, nil
	case ch == auth.ChannelWhatsApp:
		return nil, auth.ErrSMSSettingsNotFound.WithMessage("WhatsApp delivery is not configured for this live project. Configure a Twilio WhatsApp sender (LATCH_TWILIO_WHATSAPP_FROM) to send WhatsApp passcodes from live projects.")
	}
	return nil, auth.ErrSMSSettingsNotFound
}

func (r *Router) supports(ch auth.Channel) bool {
	if r.sms == nil {
		return false
	}
	if cs, ok := r.sms.(channelSupporter); ok {
		return cs.Supports(ch)
	}
	return true
}

// sendSMS hands a text message from the outbox to the SMS provider.
func (r *Router) sendSMS(ctx context.Context, m auth.Message) error {
	return r.sms.Send(ctx, SMS{ID: m.ID, ProjectID: m.ProjectID, To: m.To, Body: m.Text, Channel: m.Channel})
}

// messageEnv returns the environment segment of a message ID, or "" if the
// ID has none. IDs carry their project's environment, as Stytch's do, so
// the worker needs no project lookup to apply the policy.
func messageEnv(id string) auth.Env {
	rest, ok := strings.CutPrefix(id, string(auth.KindMessage)+"-")
	if !ok {
		return ""
	}
	env, _, ok := strings.Cut(rest, "-")
	if !ok || !auth.Env(env).Valid() {
		return ""
	}
	return auth.Env(env)
}
