package delivery_test

import (
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/delivery"
)

func TestRouter(t *testing.T) {
	t.Parallel()
	const (
		viaSMTP = "smtp"
		viaDev  = "dev"
		refused = "refused"
	)
	tests := []struct {
		name          string
		smtp, devOn   bool
		env           auth.Env
		want          string
		idOverrideEnv string // when set, the message ID carries this segment instead of env
	}{
		{name: "smtp serves test projects", smtp: true, devOn: true, env: auth.EnvTest, want: viaSMTP},
		{name: "smtp serves live projects", smtp: true, devOn: true, env: auth.EnvLive, want: viaSMTP},
		{name: "smtp without dev inbox", smtp: true, env: auth.EnvLive, want: viaSMTP},
		{name: "dev inbox serves test projects", devOn: true, env: auth.EnvTest, want: viaDev},
		{name: "live project without smtp refused", devOn: true, env: auth.EnvLive, want: refused},
		{name: "nothing configured", env: auth.EnvTest, want: refused},
		{name: "unknown environment treated as live", devOn: true, env: auth.EnvTest, idOverrideEnv: "staging", want: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			smtp, dev := &captureMailer{}, &captureMailer{}
			var smtpM, devM delivery.Mailer
			if tt.smtp {
				smtpM = smtp
			}
			if tt.devOn {
				devM = dev
			}
			r := delivery.NewRouter(smtpM, devM)

			id := auth.NewID(auth.KindMessage, tt.env)
			if tt.idOverrideEnv != "" {
				id = "message-" + tt.idOverrideEnv + "-0000"
			} else {
				// CanDeliver answers for the environment alone.
				err := r.CanDeliver(tt.env)
				if got := err != nil; got != (tt.want == refused) {
					t.Errorf("CanDeliver(%q) = %v, want refused=%v", tt.env, err, tt.want == refused)
				}
				if err != nil && !errors.Is(err, auth.ErrEmailSettingsNotFound) {
					t.Errorf("CanDeliver(%q) = %v, want auth.ErrEmailSettingsNotFound", tt.env, err)
				}
			}

			err := r.Send(t.Context(), auth.Message{ID: id, To: "a@example.com"})
			got := refused
			switch {
			case err != nil:
				if !errors.Is(err, auth.ErrEmailSettingsNotFound) {
					t.Errorf("Send = %v, want auth.ErrEmailSettingsNotFound", err)
				}
			case len(smtp.Sent()) == 1 && len(dev.Sent()) == 0:
				got = viaSMTP
			case len(dev.Sent()) == 1 && len(smtp.Sent()) == 0:
				got = viaDev
			default:
				t.Fatalf("Send reached smtp %d times and dev %d times", len(smtp.Sent()), len(dev.Sent()))
			}
			if got != tt.want {
				t.Errorf("message went %s, want %s", got, tt.want)
			}
		})
	}
}
