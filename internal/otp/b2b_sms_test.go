package otp_test

import (
	"context"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
)

const adaPhone = "+14155550100"

// emailLogin logs address in to o with an email passcode (the primary
// factor) and returns the result, which may have stopped for MFA.
func emailLogin(t *testing.T, e *env, b *otp.B2B, o *auth.Organization, address string) *otp.B2BAuthenticateResult {
	t.Helper()
	ctx := context.Background()
	if _, err := b.LoginOrSignupEmail(ctx, e.p, otp.B2BEmailInput{OrganizationID: o.ID, Email: address}); err != nil {
		t.Fatal(err)
	}
	res, err := b.AuthenticateEmail(ctx, e.p, otp.B2BEmailAuthenticateInput{OrganizationID: o.ID, Email: address, Code: e.lastCode(t)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// withPhone gives a member an (unverified) MFA phone number.
func withPhone(t *testing.T, st store.Store, m *auth.Member, number string) {
	t.Helper()
	m.MFAPhoneNumber = number
	if err := st.UpdateMember(context.Background(), m.ProjectID, m); err != nil {
		t.Fatal(err)
	}
}

// lastText returns the newest message, which must be a text to number.
func lastText(t *testing.T, e *env, number string) string {
	t.Helper()
	m, _ := e.Mail.Last()
	if m.Channel != auth.ChannelSMS || m.To != number {
		t.Fatalf("last message: %s to %s, want an SMS to %s", m.Channel, m.To, number)
	}
	return e.lastCode(t)
}

func TestB2BSMSCompletesMFA(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := e.B2BOTPs
		strict := e.NewOrganization(t, e.p, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
		open := e.NewOrganization(t, e.p, "Open", nil)
		m := e.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
		withPhone(t, st, m, adaPhone)
		e.NewMember(t, open, "ada@acme.com", auth.MemberActive)

		// The login stops, and texts the member a passcode at once.
		stopped := emailLogin(t, e, b, strict, "ada@acme.com")
		if stopped.Authenticated() || stopped.MFARequired.SecondaryAuthInitiated != "sms_otp" || stopped.MFARequired.PhoneNumber != adaPhone {
			t.Fatalf("login: authenticated %v, mfa_required %+v; want stopped with sms_otp initiated", stopped.Authenticated(), stopped.MFARequired)
		}
		code := lastText(t, e, adaPhone)
		in := otp.B2BSMSAuthenticateInput{OrganizationID: strict.ID, MemberID: m.ID, Code: code,
			MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: stopped.IntermediateSessionToken}}

		// Another member's token, no credentials, a wrong code: refused.
		bob := e.NewMember(t, strict, "bob@acme.com", auth.MemberActive)
		withPhone(t, st, bob, "+14155550101")
		bobIST := emailLogin(t, e, b, strict, "bob@acme.com").IntermediateSessionToken
		bad := in
		bad.IntermediateSessionToken = bobIST
		_, err := b.AuthenticateSMS(ctx, e.p, bad)
		wantErr(t, err, auth.ErrInvalidISTForOrganization)
		bad.IntermediateSessionToken = ""
		_, err = b.AuthenticateSMS(ctx, e.p, bad)
		wantErr(t, err, auth.ErrNoSessionArguments)

		res, err := b.AuthenticateSMS(ctx, e.p, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Session == nil || !res.Authenticated() || factorKinds(res.Session) != "otp/email,otp/sms" {
			t.Fatalf("sms authenticate: session %v, factors %s", res.Session != nil, factorKinds(res.Session))
		}
		if !res.Member.MFAPhoneVerified || !res.Member.MFAEnrolled || res.Member.DefaultMFAMethod != "sms_otp" {
			t.Errorf("member: phone verified %v, enrolled %v, default %q", res.Member.MFAPhoneVerified, res.Member.MFAEnrolled, res.Member.DefaultMFAMethod)
		}
		// The token and the code are both spent.
		_, err = b.AuthenticateSMS(ctx, e.p, in)
		wantErr(t, err, auth.ErrIntermediateSessionNotFound)
		again := in
		again.IntermediateSessionToken, again.SessionToken = "", res.Token
		_, err = b.AuthenticateSMS(ctx, e.p, again)
		wantErr(t, err, auth.ErrOTPCodeNotFound)

		// Only that organization: the same person logs straight in to
		// another, with no text sent.
		sent := len(e.Mail.Sent())
		free := emailLogin(t, e, b, open, "ada@acme.com")
		if !free.Authenticated() || free.Session == nil || len(e.Mail.Sent()) != sent+1 {
			t.Fatalf("login to the open organization: authenticated %v, %d messages (want only the email)", free.Authenticated(), len(e.Mail.Sent())-sent)
		}

		// A session exchange carries the SMS factor into another
		// organization requiring MFA only for a member with the same
		// verified phone.
		same := e.NewOrganization(t, e.p, "Same phone", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
		sameMember := e.NewMember(t, same, "ada@acme.com", auth.MemberActive)
		sameMember.MFAPhoneVerified = true
		withPhone(t, st, sameMember, adaPhone)
		other := e.NewOrganization(t, e.p, "Other phone", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
		otherMember := e.NewMember(t, other, "ada@acme.com", auth.MemberActive)
		otherMember.MFAPhoneVerified = true
		withPhone(t, st, otherMember, "+14155550199")
		moved, err := e.Discovery.ExchangeSession(ctx, e.p, discovery.SessionExchangeInput{SessionToken: res.Token, OrganizationID: same.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !moved.Authenticated() {
			t.Errorf("exchange to a member with the same verified phone stopped for MFA")
		}
		moved, err = e.Discovery.ExchangeSession(ctx, e.p, discovery.SessionExchangeInput{SessionToken: res.Token, OrganizationID: other.ID})
		if err != nil {
			t.Fatal(err)
		}
		if moved.Authenticated() {
			t.Errorf("exchange to a member with another phone passed MFA")
		}
	})
}

func factorKinds(s *auth.Session) string {
	if s == nil {
		return ""
	}
	out := ""
	for i, f := range s.AuthenticationFactors {
		if i > 0 {
			out += ","
		}
		out += string(f.Type) + "/" + string(f.DeliveryMethod)
	}
	return out
}

func TestB2BSMSSend(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := e.B2BOTPs
		o := e.NewOrganization(t, e.p, "Acme", nil)
		m := e.NewMember(t, o, "ada@acme.com", auth.MemberActive)
		send := func(number string, creds discovery.MemberCredentials) (*otp.MemberSendResult, error) {
			return b.SendSMS(ctx, e.p, otp.B2BSMSSendInput{OrganizationID: o.ID, MemberID: m.ID, MFAPhoneNumber: number, MemberCredentials: creds})
		}
		_, err := send("", discovery.MemberCredentials{})
		wantErr(t, err, auth.ErrMemberPhoneNumberNotFound)
		_, err = send("555", discovery.MemberCredentials{})
		wantErr(t, err, auth.ErrInvalidPhoneNumber)

		// The first number becomes the member's MFA phone, unverified.
		res, err := send("+1 415 555 0100", discovery.MemberCredentials{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Member.MFAPhoneNumber != adaPhone || res.Member.MFAPhoneVerified {
			t.Fatalf("member phone %q verified %v", res.Member.MFAPhoneNumber, res.Member.MFAPhoneVerified)
		}
		lastText(t, e, adaPhone)
		_, err = send("+14155550199", discovery.MemberCredentials{})
		wantErr(t, err, auth.ErrDuplicateMemberPhoneNumberForMember)

		// A step-up with the member's session adds the SMS factor to it.
		login := emailLogin(t, e, b, o, "ada@acme.com")
		if _, err := send("", discovery.MemberCredentials{SessionToken: login.Token}); err != nil {
			t.Fatal(err)
		}
		stepped, err := b.AuthenticateSMS(ctx, e.p, otp.B2BSMSAuthenticateInput{
			OrganizationID: o.ID, MemberID: m.ID, Code: lastText(t, e, adaPhone),
			MemberCredentials: discovery.MemberCredentials{SessionToken: login.Token}, SetMFAEnrollment: "enroll",
		})
		if err != nil {
			t.Fatal(err)
		}
		if stepped.Session.ID != login.Session.ID || factorKinds(stepped.Session) != "otp/email,otp/sms" || !stepped.Member.MFAEnrolled {
			t.Errorf("step-up: session %s (want %s), factors %s, enrolled %v", stepped.Session.ID, login.Session.ID, factorKinds(stepped.Session), stepped.Member.MFAEnrolled)
		}

		// Five wrong guesses void the code.
		if _, err := send("", discovery.MemberCredentials{}); err != nil {
			t.Fatal(err)
		}
		code := lastText(t, e, adaPhone)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		auth1 := func(c string) error {
			_, err := b.AuthenticateSMS(ctx, e.p, otp.B2BSMSAuthenticateInput{OrganizationID: o.ID, MemberID: m.ID, Code: c,
				MemberCredentials: discovery.MemberCredentials{SessionToken: login.Token}})
			return err
		}
		for range auth.OTPMaxAttempts {
			wantErr(t, auth1(wrong), auth.ErrUnableToAuthOTPCode)
		}
		wantErr(t, auth1(code), auth.ErrOTPCodeNotFound)

		// Another member's session is not this member's.
		e.NewMember(t, o, "bob@acme.com", auth.MemberActive)
		bobLogin := emailLogin(t, e, b, o, "bob@acme.com")
		_, err = send("", discovery.MemberCredentials{SessionToken: bobLogin.Token})
		wantErr(t, err, auth.ErrSessionNotFound)

		// An organization that allows only TOTP takes no SMS.
		totpOnly := e.NewOrganization(t, e.p, "TOTP only", func(o *auth.Organization) {
			o.MFAMethods, o.AllowedMFAMethods = auth.Restricted, []string{"totp"}
		})
		tm := e.NewMember(t, totpOnly, "ada@acme.com", auth.MemberActive)
		_, err = b.SendSMS(ctx, e.p, otp.B2BSMSSendInput{OrganizationID: totpOnly.ID, MemberID: tm.ID, MFAPhoneNumber: adaPhone})
		wantErr(t, err, auth.ErrOperationRestrictedByMFAMethods)
	})
}

func TestB2BSMSSandboxAndTOTPPreference(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st)
		b := e.B2BOTPs
		strict := e.NewOrganization(t, e.p, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })

		// The sandbox number is texted nothing and takes 000000.
		m := e.NewMember(t, strict, "sandbox-member@acme.com", auth.MemberActive)
		withPhone(t, st, m, auth.SandboxPhoneNumber)
		stopped := emailLogin(t, e, b, strict, "sandbox-member@acme.com")
		if stopped.MFARequired.SecondaryAuthInitiated != "sms_otp" {
			t.Errorf("sandbox: secondary_auth_initiated %q", stopped.MFARequired.SecondaryAuthInitiated)
		}
		if last, _ := e.Mail.Last(); last.Channel == auth.ChannelSMS {
			t.Errorf("sandbox number was texted")
		}
		in := otp.B2BSMSAuthenticateInput{OrganizationID: strict.ID, MemberID: m.ID, Code: "123456",
			MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: stopped.IntermediateSessionToken}}
		_, err := b.AuthenticateSMS(ctx, e.p, in)
		wantErr(t, err, auth.ErrUnableToAuthOTPCode)
		in.Code = otp.SandboxCode
		if res, err := b.AuthenticateSMS(ctx, e.p, in); err != nil || res.Session == nil {
			t.Fatalf("sandbox code: %v", err)
		}

		// A member who prefers its authenticator app is not texted.
		pref := e.NewMember(t, strict, "pref@acme.com", auth.MemberActive)
		pref.DefaultMFAMethod = "totp"
		withPhone(t, st, pref, adaPhone)
		if _, err := e.TOTPs.CreateMember(ctx, e.p, totp.MemberCreateInput{OrganizationID: strict.ID, MemberID: pref.ID}); err != nil {
			t.Fatal(err)
		}
		// Verify the registration so that the member has it.
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		reg, err := st.GetMemberTOTP(ctx, e.p.ID, pref.ID)
		must(err)
		_, err = st.AcceptTOTPStep(ctx, e.p.ID, reg.ID, 1, e.Clock.Now())
		must(err)
		stopped = emailLogin(t, e, b, strict, "pref@acme.com")
		if stopped.MFARequired.SecondaryAuthInitiated != "" || stopped.MFARequired.TOTPRegistrationID == "" || stopped.MFARequired.PhoneNumber != adaPhone {
			t.Errorf("member preferring TOTP: mfa_required %+v; want both options, nothing sent", stopped.MFARequired)
		}
	})
}
