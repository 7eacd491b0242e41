package totp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
)

// b2bFixture is a project with an organization and one active member,
// ada@acme.com.
type b2bFixture struct {
	s *authtest.Services
	p *auth.Project
	o *auth.Organization
	m *auth.Member
}

func newB2BFixture(t *testing.T, st store.Store) *b2bFixture {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	o := s.NewOrganization(t, p, "Acme", nil)
	return &b2bFixture{s: s, p: p, o: o, m: s.NewMember(t, o, "ada@acme.com", auth.MemberActive)}
}

// ist proves an address with a discovery magic link, as a B2B login's
// primary factor does, and returns the intermediate session token.
func (f *b2bFixture) ist(t *testing.T, address string) string {
	t.Helper()
	ctx := context.Background()
	must(t, f.s.MagicLinks.DiscoverySend(ctx, f.p, magiclink.DiscoverySendInput{Email: address}))
	_, tok := f.s.LastLink(t)
	res, err := f.s.MagicLinks.AuthenticateDiscovery(ctx, f.p, tok, "")
	must(t, err)
	return res.IntermediateSessionToken
}

func (f *b2bFixture) create(t *testing.T) *totp.MemberCreateResult {
	t.Helper()
	res, err := f.s.TOTPs.CreateMember(context.Background(), f.p, totp.MemberCreateInput{OrganizationID: f.o.ID, MemberID: f.m.ID})
	must(t, err)
	return res
}

func (f *b2bFixture) login(creds discovery.MemberCredentials) totp.MemberLoginInput {
	return totp.MemberLoginInput{OrganizationID: f.o.ID, MemberID: f.m.ID, MemberCredentials: creds}
}

func factorTypes(s *auth.Session) string {
	var ts []string
	for _, f := range s.AuthenticationFactors {
		ts = append(ts, string(f.Type))
	}
	return strings.Join(ts, ",")
}

func TestMemberAuthenticateWithIntermediateSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newB2BFixture(t, st)
		ctx := context.Background()
		reg := f.create(t)
		if !auth.HasKind(reg.RegistrationID, auth.KindMemberTOTP) || len(reg.RecoveryCodes) != 10 || reg.Member.ID != f.m.ID {
			t.Fatalf("create = %s, %d codes, member %s", reg.RegistrationID, len(reg.RecoveryCodes), reg.Member.ID)
		}
		ist := f.ist(t, "ada@acme.com")
		res, err := f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: ist}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()), SetMFAEnrollment: totp.EnrollMFA,
		})
		must(t, err)
		if got := factorTypes(res.Session); got != "magic_link,totp" {
			t.Errorf("factors %s, want magic_link,totp", got)
		}
		if res.Session.ExpiresAt.Sub(res.Session.StartedAt).Minutes() != session.DefaultMemberSessionMinutes || res.JWT == "" {
			t.Errorf("session from %v to %v, jwt %q", res.Session.StartedAt, res.Session.ExpiresAt, res.JWT)
		}
		m := res.Member
		if m.TOTPRegistrationID != reg.RegistrationID || !m.MFAEnrolled || m.DefaultMFAMethod != "totp" {
			t.Errorf("member: registration %q, enrolled %v, default %q", m.TOTPRegistrationID, m.MFAEnrolled, m.DefaultMFAMethod)
		}
		stored, err := st.GetMember(ctx, f.p.ID, f.o.ID, f.m.ID)
		must(t, err)
		if stored.TOTPRegistrationID != reg.RegistrationID || !stored.MFAEnrolled || stored.DefaultMFAMethod != "totp" {
			t.Errorf("stored member: registration %q, enrolled %v, default %q", stored.TOTPRegistrationID, stored.MFAEnrolled, stored.DefaultMFAMethod)
		}

		// The intermediate session is spent.
		f.s.Clock.Advance(totp.Period)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: ist}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()),
		})
		wantErr(t, err, auth.ErrIntermediateSessionNotFound)

		// A new one, with the code already used, leaves it unspent.
		ist2 := f.ist(t, "ada@acme.com")
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: ist2}),
			Code:             code(t, reg.Secret, f.s.Clock.Now().Add(-totp.Period)),
		})
		wantErr(t, err, auth.ErrTOTPCodeAlreadyAuthenticated)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: ist2}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()), SetMFAEnrollment: totp.UnenrollMFA,
		})
		must(t, err)
		stored, err = st.GetMember(ctx, f.p.ID, f.o.ID, f.m.ID)
		must(t, err)
		if stored.MFAEnrolled {
			t.Error("unenroll left the member enrolled")
		}

		// Another address's intermediate session cannot complete ada's login.
		f.s.NewMember(t, f.o, "bob@acme.com", auth.MemberActive)
		f.s.Clock.Advance(totp.Period)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: f.ist(t, "bob@acme.com")}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()),
		})
		wantErr(t, err, auth.ErrInvalidISTForOrganization)
	})
}

func TestMemberAuthenticateWithSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newB2BFixture(t, st)
		ctx := context.Background()
		first, err := f.s.Discovery.Exchange(ctx, f.p, discovery.ExchangeInput{IntermediateSessionToken: f.ist(t, "ada@acme.com"), OrganizationID: f.o.ID})
		must(t, err)
		reg, err := f.s.TOTPs.CreateMember(ctx, f.p, totp.MemberCreateInput{
			OrganizationID: f.o.Slug, MemberID: f.m.ID, MemberCredentials: discovery.MemberCredentials{SessionToken: first.Token},
		})
		must(t, err)
		res, err := f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{SessionToken: first.Token}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()), SetDefaultMFA: true,
		})
		must(t, err)
		if res.Session.ID != first.Session.ID || factorTypes(res.Session) != "magic_link,totp" {
			t.Errorf("session %s with %s, want %s with magic_link,totp", res.Session.ID, factorTypes(res.Session), first.Session.ID)
		}

		// Credentials are required, and only one.
		f.s.Clock.Advance(totp.Period)
		c := code(t, reg.Secret, f.s.Clock.Now())
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{MemberLoginInput: f.login(discovery.MemberCredentials{}), Code: c})
		wantErr(t, err, auth.ErrNoSessionArguments)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{SessionToken: first.Token, SessionJWT: first.JWT}), Code: c,
		})
		wantErr(t, err, auth.ErrTooManySessionArguments)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{SessionToken: first.Token}), Code: c, SetMFAEnrollment: "maybe",
		})
		wantErr(t, err, auth.ErrInvalidArgument)

		// A verified registration blocks another create.
		_, err = f.s.TOTPs.CreateMember(ctx, f.p, totp.MemberCreateInput{OrganizationID: f.o.ID, MemberID: f.m.ID})
		wantErr(t, err, auth.ErrActiveTOTPExists)
		// Another member's session cannot create one for ada.
		bob := f.s.NewMember(t, f.o, "bob@acme.com", auth.MemberActive)
		_, err = f.s.TOTPs.CreateMember(ctx, f.p, totp.MemberCreateInput{
			OrganizationID: f.o.ID, MemberID: bob.ID, MemberCredentials: discovery.MemberCredentials{SessionToken: first.Token},
		})
		wantErr(t, err, auth.ErrSessionNotFound)
	})
}

func TestMemberRecoveryCodes(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newB2BFixture(t, st)
		ctx := context.Background()
		_, err := f.s.TOTPs.MemberRecoveryCodes(ctx, f.p, f.o.ID, f.m.ID)
		wantErr(t, err, auth.ErrTOTPNotFound)
		reg := f.create(t)
		got, err := f.s.TOTPs.MemberRecoveryCodes(ctx, f.p, f.o.ID, f.m.ID)
		must(t, err)
		if strings.Join(got.RecoveryCodes, ",") != strings.Join(reg.RecoveryCodes, ",") {
			t.Errorf("get = %v, want the created codes", got.RecoveryCodes)
		}
		recover := func(c, ist string) (*session.MemberResult, int, error) {
			return f.s.TOTPs.RecoverMember(ctx, f.p, totp.MemberRecoverInput{
				MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: ist}), RecoveryCode: c,
			})
		}
		// Not before the registration is verified.
		_, _, err = recover(reg.RecoveryCodes[0], f.ist(t, "ada@acme.com"))
		wantErr(t, err, auth.ErrTOTPNotFound)
		_, err = f.s.TOTPs.AuthenticateMember(ctx, f.p, totp.MemberAuthenticateInput{
			MemberLoginInput: f.login(discovery.MemberCredentials{IntermediateSessionToken: f.ist(t, "ada@acme.com")}),
			Code:             code(t, reg.Secret, f.s.Clock.Now()),
		})
		must(t, err)

		res, remaining, err := recover(reg.RecoveryCodes[0], f.ist(t, "ada@acme.com"))
		must(t, err)
		if remaining != 9 || factorTypes(res.Session) != "magic_link,recovery_codes" {
			t.Errorf("recover: %d remaining, factors %s", remaining, factorTypes(res.Session))
		}
		_, _, err = recover(reg.RecoveryCodes[0], f.ist(t, "ada@acme.com"))
		wantErr(t, err, auth.ErrUnableToAuthRecoveryCode)
		// Four logins so far; the email send throttle allows two more only
		// once the window has passed.
		f.s.Clock.Advance(auth.SendWindow + time.Second)

		rotated, err := f.s.TOTPs.RotateMemberRecoveryCodes(ctx, f.p, f.o.ID, f.m.ID)
		must(t, err)
		if len(rotated.RecoveryCodes) != 10 || rotated.RecoveryCodes[0] == reg.RecoveryCodes[0] {
			t.Fatalf("rotate = %v", rotated.RecoveryCodes)
		}
		_, _, err = recover(reg.RecoveryCodes[1], f.ist(t, "ada@acme.com"))
		wantErr(t, err, auth.ErrUnableToAuthRecoveryCode)
		_, remaining, err = recover(rotated.RecoveryCodes[1], f.ist(t, "ada@acme.com"))
		must(t, err)
		if remaining != 9 {
			t.Errorf("%d remaining after one of the rotated codes, want 9", remaining)
		}
		got, err = f.s.TOTPs.MemberRecoveryCodes(ctx, f.p, f.o.ID, f.m.ID)
		must(t, err)
		if len(got.RecoveryCodes) != 9 {
			t.Errorf("get after use = %d codes, want 9", len(got.RecoveryCodes))
		}

		// Deleting the registration lets the member register again.
		m, _, err := f.s.TOTPs.DeleteMember(ctx, f.p, f.o.ID, f.m.ID)
		must(t, err)
		if m.TOTPRegistrationID != "" {
			t.Errorf("member TOTPRegistrationID = %q after delete", m.TOTPRegistrationID)
		}
		_, _, err = f.s.TOTPs.DeleteMember(ctx, f.p, f.o.ID, f.m.ID)
		wantErr(t, err, auth.ErrTOTPNotFound)
		_, err = f.s.TOTPs.MemberRecoveryCodes(ctx, f.p, f.o.ID, f.m.ID)
		wantErr(t, err, auth.ErrTOTPNotFound)
		f.create(t)

		// Other projects and deleted members are not found.
		other, _ := f.s.NewProject(t, auth.EnvTest)
		_, err = f.s.TOTPs.MemberRecoveryCodes(ctx, other, f.o.ID, f.m.ID)
		wantErr(t, err, auth.ErrOrganizationNotFound)
		gone := f.s.NewMember(t, f.o, "gone@acme.com", auth.MemberDeleted)
		_, err = f.s.TOTPs.CreateMember(ctx, f.p, totp.MemberCreateInput{OrganizationID: f.o.ID, MemberID: gone.ID})
		wantErr(t, err, auth.ErrMemberNotFound)
	})
}
