package delivery

import (
	"context"
	"strings"

	"github.com/latchauth/latch/internal/auth"
)

// Router is the delivery policy, and a Mailer that applies it:
//
//   - with SMTP configured, every project's email goes through SMTP;
//   - without, test projects' email goes to the dev inbox;
//   - and live projects' email is refused with
//     auth.ErrEmailSettingsNotFound, because a live user must never be
//     told a link was sent when it went nowhere.
type Router struct {
	smtp Mailer
	dev  Mailer
}

var _ Mailer = (*Router)(nil)

// NewRouter returns the policy for a server whose SMTP mailer is smtp and
// whose dev inbox is dev. Pass a nil interface (not a nil *SMTPMailer) for
// smtp when no SMTP server is configured, and for dev when the dev inbox is
// disabled; with both nil, every project is refused.
func NewRouter(smtp, dev Mailer) *Router {
	return &Router{smtp: smtp, dev: dev}
}

// CanDeliver returns nil if a project in env can receive email, and
// auth.ErrEmailSettingsNotFound if not. Services call it before issuing a
// token, so that nothing is written for a message that cannot be sent.
func (r *Router) CanDeliver(env auth.Env) error {
	_, err := r.mailerFor(env)
	return err
}

// Send delivers m through the mailer the policy picks for its project's
// environment, which it reads from the message ID ("message-test-…"), as
// Outbox.Enqueue assigns it. An ID without an environment is treated as
// live: the stricter rule. Returns auth.ErrEmailSettingsNotFound when the
// policy refuses.
func (r *Router) Send(ctx context.Context, m auth.Message) error {
	mailer, err := r.mailerFor(messageEnv(m.ID))
	if err != nil {
		return err
	}
	return mailer.Send(ctx, m)
}

func (r *Router) mailerFor(env auth.Env) (Mailer, error) {
	switch {
	case r.smtp != nil:
		return r.smtp, nil
	case env == auth.EnvTest && r.dev != nil:
		return r.dev, nil
	default:
		return nil, auth.ErrEmailSettingsNotFound
	}
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
