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
			r := delivery.NewRouter(smtpM, devM, nil)

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

// TestRouterPhoneChannels checks the policy for text messages: the SMS
// provider for the channels it supports, the dev inbox for test projects
// otherwise, and a refusal for live ones, whatever email has configured.
func TestRouterPhoneChannels(t *testing.T) {
	t.Parallel()
	const (
		viaProvider = "provider"
		viaDev      = "dev"
		refused     = "refused"
	)
	smsOnly := []auth.Channel{auth.ChannelSMS}
	tests := []struct {
		name     string
		provider bool
		channels []auth.Channel // what the provider supports; nil means all
		devOn    bool
		env      auth.Env
		ch       auth.Channel
		want     string
	}{
		{name: "provider serves live SMS", provider: true, devOn: true, env: auth.EnvLive, ch: auth.ChannelSMS, want: viaProvider},
		{name: "provider serves test SMS", provider: true, devOn: true, env: auth.EnvTest, ch: auth.ChannelSMS, want: viaProvider},
		{name: "provider serves WhatsApp", provider: true, env: auth.EnvLive, ch: auth.ChannelWhatsApp, want: viaProvider},
		{name: "WhatsApp unsupported goes to the dev inbox for tests", provider: true, channels: smsOnly, devOn: true, env: auth.EnvTest, ch: auth.ChannelWhatsApp, want: viaDev},
		{name: "WhatsApp unsupported refused for live", provider: true, channels: smsOnly, devOn: true, env: auth.EnvLive, ch: auth.ChannelWhatsApp, want: refused},
		{name: "dev inbox serves test SMS", devOn: true, env: auth.EnvTest, ch: auth.ChannelSMS, want: viaDev},
		{name: "live SMS without provider refused", devOn: true, env: auth.EnvLive, ch: auth.ChannelSMS, want: refused},
		{name: "nothing configured", env: auth.EnvTest, ch: auth.ChannelSMS, want: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// SMTP is configured throughout: it must never carry a text.
			smtp, dev, sms := &captureMailer{}, &captureMailer{}, &captureSMS{channels: tt.channels}
			var (
				devM delivery.Mailer
				smsS delivery.SMSSender
			)
			if tt.devOn {
				devM = dev
			}
			if tt.provider {
				smsS = sms
			}
			r := delivery.NewRouter(smtp, devM, smsS)
			err := r.CanDeliverOn(tt.env, tt.ch)
			if (err != nil) != (tt.want == refused) {
				t.Errorf("CanDeliverOn(%q, %q) = %v, want refused=%v", tt.env, tt.ch, err, tt.want == refused)
			}
			if err != nil && !errors.Is(err, auth.ErrSMSSettingsNotFound) {
				t.Errorf("CanDeliverOn = %v, want auth.ErrSMSSettingsNotFound", err)
			}

			m := auth.Message{ID: auth.NewID(auth.KindMessage, tt.env), ProjectID: "project-x", Channel: tt.ch, To: "+12025550162", Text: "Your code is 123456"}
			err = r.Send(t.Context(), m)
			got := refused
			switch {
			case err != nil:
				if !errors.Is(err, auth.ErrSMSSettingsNotFound) {
					t.Errorf("Send = %v, want auth.ErrSMSSettingsNotFound", err)
				}
			case len(sms.Sent()) == 1 && len(dev.Sent()) == 0:
				got = viaProvider
				want := delivery.SMS{ID: m.ID, ProjectID: m.ProjectID, To: m.To, Body: m.Text, Channel: tt.ch}
				if s := sms.Sent()[0]; s != want {
					t.Errorf("provider got %+v, want %+v", s, want)
				}
			case len(dev.Sent()) == 1 && len(sms.Sent()) == 0:
				got = viaDev
			default:
				t.Fatalf("Send reached the provider %d times and dev %d times", len(sms.Sent()), len(dev.Sent()))
			}
			if got != tt.want {
				t.Errorf("message went %s, want %s", got, tt.want)
			}
			if n := len(smtp.Sent()); n != 0 {
				t.Errorf("SMTP carried %d text messages", n)
			}
		})
	}
}
