package otp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/store"
)

func newB2B(t *testing.T, e *env) *otp.B2B {
	t.Helper()
	return otp.NewB2B(e.otp, e.Members, e.Discovery)
}

func wantErr(t *testing.T, err error, want *auth.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %s", err, want.Type)
	}
}

func TestB2BEmailLoginOrSignup(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := newB2B(t, e)
		o := e.NewOrganization(t, e.p, "Acme", func(o *auth.Organization) {
			o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
		})
		active := e.NewMember(t, o, "ada@acme.com", auth.MemberActive)

		sent, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.Slug, Email: "Ada@Acme.com"})
		if err != nil {
			t.Fatal(err)
		}
		if sent.Created || sent.Member.ID != active.ID || sent.Organization.ID != o.ID {
			t.Fatalf("login_or_signup = %+v", sent)
		}
		m, _ := e.Mail.Last()
		if m.To != "ada@acme.com" || !strings.Contains(m.Subject, "Acme") {
			t.Errorf("email to %q, subject %q; want the organization named", m.To, m.Subject)
		}
		res, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: o.ID, Email: "ada@acme.com", Code: e.lastCode(t)})
		if err != nil {
			t.Fatal(err)
		}
		if res.MethodID != active.ID || res.Session == nil || res.Token == "" || res.JWT == "" || !res.Authenticated() {
			t.Fatalf("authenticate = method %q, session %v", res.MethodID, res.Session != nil)
		}
		if f := res.Session.AuthenticationFactors; len(f) != 1 || f[0].Type != auth.FactorOTP || f[0].DeliveryMethod != auth.DeliveryEmail ||
			f[0].EmailFactor == nil || f[0].EmailFactor.EmailAddress != "ada@acme.com" {
			t.Errorf("factors = %+v, want one email otp", f)
		}
		if got := res.Session.ExpiresAt.Sub(res.Session.StartedAt); got != 60*time.Minute {
			t.Errorf("session lasts %v, want B2B's default 60 minutes", got)
		}

		// A new address of the domain joins as a pending member, and
		// becomes active and verified with its code.
		joined, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "new@acme.com", SignupMinutes: 15})
		if err != nil {
			t.Fatal(err)
		}
		if !joined.Created || joined.Member.Status != auth.MemberPending {
			t.Fatalf("signup = created %v, status %s", joined.Created, joined.Member.Status)
		}
		res, err = b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: o.ID, Email: "new@acme.com", Code: e.lastCode(t), DurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if res.Member.Status != auth.MemberActive || !res.Member.EmailVerified {
			t.Errorf("member after its first code: %s, verified %v", res.Member.Status, res.Member.EmailVerified)
		}

		// Refusals, each before anything is sent.
		for _, tc := range []struct {
			name string
			in   otp.B2BEmailInput
			want *auth.Error
		}{
			{"other domain", otp.B2BEmailInput{OrganizationID: o.ID, Email: "eve@evil.com"}, auth.ErrInvalidEmailForJITProvisioning},
			{"short lifetime", otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com", LoginMinutes: 1}, auth.ErrInvalidExpirationOTP},
			{"long lifetime", otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com", SignupMinutes: 16}, auth.ErrInvalidExpirationOTP},
			{"locale", otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com", Locale: "xx"}, auth.ErrInvalidLocale},
			{"unknown organization", otp.B2BEmailInput{OrganizationID: "organization-test-00000000-0000-4000-8000-000000000000", Email: "ada@acme.com"}, auth.ErrOrganizationNotFound},
			{"bad address", otp.B2BEmailInput{OrganizationID: o.ID, Email: "nope"}, auth.ErrInvalidEmail},
		} {
			before := len(e.Mail.Sent())
			_, err := b.LoginOrSignupEmail(ctx, e.p, tc.in)
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
			if n := len(e.Mail.Sent()); n != before {
				t.Errorf("%s: sent an email", tc.name)
			}
		}
		closed := e.NewOrganization(t, e.p, "Closed", func(o *auth.Organization) {
			o.AuthMethods, o.AllowedAuthMethods = auth.Restricted, []string{"magic_link"}
		})
		e.NewMember(t, closed, "ada@acme.com", auth.MemberActive)
		_, err = b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: closed.ID, Email: "ada@acme.com"})
		wantErr(t, err, auth.ErrOperationRestrictedByAuthMethods)
	})
}

func TestB2BEmailAuthenticateRefusals(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := newB2B(t, e)
		o := e.NewOrganization(t, e.p, "Acme", nil)
		other := e.NewOrganization(t, e.p, "Other", nil)
		e.NewMember(t, o, "ada@acme.com", auth.MemberActive)
		e.NewMember(t, other, "ada@acme.com", auth.MemberActive)
		authenticate := func(orgID, code string) error {
			_, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: orgID, Email: "ada@acme.com", Code: code})
			return err
		}
		_, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com"})
		if err != nil {
			t.Fatal(err)
		}
		code := e.lastCode(t)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		// The code is the member's in one organization only.
		wantErr(t, authenticate(other.ID, code), auth.ErrOTPCodeNotFound)
		// Five wrong guesses void it.
		for range auth.OTPMaxAttempts {
			wantErr(t, authenticate(o.ID, wrong), auth.ErrUnableToAuthOTPCode)
		}
		wantErr(t, authenticate(o.ID, code), auth.ErrOTPCodeNotFound)
		// A fresh code works once, and not after it expired.
		if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		code = e.lastCode(t)
		if err := authenticate(o.ID, code); err != nil {
			t.Fatal(err)
		}
		wantErr(t, authenticate(o.ID, code), auth.ErrOTPCodeNotFound)
		if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com", LoginMinutes: 2}); err != nil {
			t.Fatal(err)
		}
		code = e.lastCode(t)
		e.Clock.Advance(2*time.Minute + time.Second)
		wantErr(t, authenticate(o.ID, code), auth.ErrOTPCodeNotFound)
		wantErr(t, authenticate(o.ID, ""), auth.ErrInvalidArgument)
		_, err = b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: o.ID, Email: "bob@acme.com", Code: code})
		wantErr(t, err, auth.ErrMemberNotFound)
		// The send throttle is the consumer one, per address.
		e.Clock.Advance(auth.SendWindow)
		for range auth.MaxSends {
			if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: other.ID, Email: "ada@acme.com"})
		wantErr(t, err, auth.ErrTooManyRequests)
	})
}

func TestB2BEmailMFAAndDiscovery(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := newB2B(t, e)
		strict := e.NewOrganization(t, e.p, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
		open := e.NewOrganization(t, e.p, "Open", nil)
		m := e.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
		e.NewMember(t, open, "ada@acme.com", auth.MemberActive)

		// An email code is a primary factor: the organization requiring MFA
		// stops the login.
		if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: strict.ID, Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		res, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: strict.ID, Email: "ada@acme.com", Code: e.lastCode(t)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Authenticated() || res.IntermediateSessionToken == "" || res.Session != nil || res.MethodID != m.ID {
			t.Fatalf("authenticate into the strict organization: authenticated %v, ist %q, session %v", res.Authenticated(), res.IntermediateSessionToken, res.Session != nil)
		}

		// Discovery by email code.
		if err := b.SendDiscoveryEmail(ctx, e.p, otp.DiscoveryEmailInput{Email: "Ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		msg, _ := e.Mail.Last()
		if !strings.Contains(msg.Subject, "Test") {
			t.Errorf("discovery email subject %q, want the project named", msg.Subject)
		}
		code := e.lastCode(t)
		_, err = b.AuthenticateDiscoveryEmail(ctx, e.p, "bob@acme.com", code)
		wantErr(t, err, auth.ErrOTPCodeNotFound)
		disc, err := b.AuthenticateDiscoveryEmail(ctx, e.p, "ada@acme.com", code)
		if err != nil {
			t.Fatal(err)
		}
		if disc.EmailAddress != "ada@acme.com" || disc.IntermediateSessionToken == "" || len(disc.Discovered) != 2 {
			t.Fatalf("discovery authenticate = %q, %d organizations", disc.EmailAddress, len(disc.Discovered))
		}
		for _, d := range disc.Discovered {
			if want := d.Organization.ID == open.ID; d.Authenticated() != want {
				t.Errorf("discovered %s: authenticated %v, want %v", d.Organization.Name, d.Authenticated(), want)
			}
		}
		_, err = b.AuthenticateDiscoveryEmail(ctx, e.p, "ada@acme.com", code)
		wantErr(t, err, auth.ErrOTPCodeNotFound)
		ex, err := e.Discovery.Exchange(ctx, e.p, discovery.ExchangeInput{IntermediateSessionToken: disc.IntermediateSessionToken, OrganizationID: open.ID})
		if err != nil {
			t.Fatal(err)
		}
		if ex.Session == nil || ex.Session.AuthenticationFactors[0].Type != auth.FactorOTP {
			t.Fatalf("exchange: session %v", ex.Session)
		}
		err = b.SendDiscoveryEmail(ctx, e.p, otp.DiscoveryEmailInput{Email: "ada@acme.com", Minutes: 20})
		wantErr(t, err, auth.ErrInvalidExpirationOTP)
	})
}

func TestB2BEmailAuthenticateWithIntermediateSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := newB2B(t, e)
		o := e.NewOrganization(t, e.p, "Acme", nil)
		m := e.NewMember(t, o, "ada@acme.com", auth.MemberPending)

		if err := b.SendDiscoveryEmail(ctx, e.p, otp.DiscoveryEmailInput{Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		disc, err := b.AuthenticateDiscoveryEmail(ctx, e.p, "ada@acme.com", e.lastCode(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		res, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{
			OrganizationID: o.ID, Email: "ada@acme.com", Code: e.lastCode(t), IntermediateSessionToken: disc.IntermediateSessionToken,
		})
		if err != nil {
			t.Fatal(err)
		}
		// The member the intermediate session entered is the one logged in.
		if !res.Authenticated() || res.Member.ID != m.ID || res.Member.Status != auth.MemberActive || !res.Member.EmailVerified {
			t.Fatalf("authenticate with an intermediate session: authenticated %v, member %+v", res.Authenticated(), res.Member)
		}
		got, err := st.GetMember(ctx, e.p.ID, o.ID, m.ID)
		if err != nil || got.Status != auth.MemberActive || !got.EmailVerified {
			t.Errorf("stored member = %+v, %v; want active and verified", got, err)
		}
		_, err = b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{
			OrganizationID: o.ID, Email: "ada@acme.com", Code: "000000", IntermediateSessionToken: disc.IntermediateSessionToken,
		})
		if err == nil {
			t.Error("a consumed intermediate session was accepted again")
		}
	})
}

func TestConsumerAuthenticateRefusesB2BCodes(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := newB2B(t, e)
		o := e.NewOrganization(t, e.p, "Acme", nil)
		m := e.NewMember(t, o, "ada@acme.com", auth.MemberActive)
		// consumer tries a B2B code, right and wrong, on the consumer
		// endpoint: it does not exist there, and stays good.
		consumer := func(methodID, code string) {
			t.Helper()
			for _, c := range []string{code, "000000"} {
				_, err := e.otp.Authenticate(ctx, e.p, otp.AuthenticateInput{MethodID: methodID, Code: c})
				wantErr(t, err, auth.ErrOTPCodeNotFound)
			}
		}

		// A member's email code, kept under the member ID.
		if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		code := e.lastCode(t)
		consumer(m.ID, code)
		login, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: o.ID, Email: "ada@acme.com", Code: code})
		if err != nil {
			t.Fatalf("the member's email code after the consumer tries: %v", err)
		}

		// A member's SMS code, kept under "sms:<member>".
		if _, err := b.SendSMS(ctx, e.p, otp.B2BSMSSendInput{OrganizationID: o.ID, MemberID: m.ID, MFAPhoneNumber: adaPhone}); err != nil {
			t.Fatal(err)
		}
		code = lastText(t, e, adaPhone)
		consumer("sms:"+m.ID, code)
		if _, err := b.AuthenticateSMS(ctx, e.p, otp.B2BSMSAuthenticateInput{
			OrganizationID: o.ID, MemberID: m.ID, Code: code, MemberCredentials: discovery.MemberCredentials{SessionToken: login.Token},
		}); err != nil {
			t.Fatalf("the member's SMS code after the consumer tries: %v", err)
		}

		// A discovery code, kept under "discovery:<address>".
		if err := b.SendDiscoveryEmail(ctx, e.p, otp.DiscoveryEmailInput{Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		code = e.lastCode(t)
		consumer("discovery:ada@acme.com", code)
		if _, err := b.AuthenticateDiscoveryEmail(ctx, e.p, "ada@acme.com", code); err != nil {
			t.Fatalf("the discovery code after the consumer tries: %v", err)
		}
	})
}
