package totp_test

import (
	"context"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
)

// The MFA gate (session.AttachMember) seen from the flows that meet it: a
// primary login into an organization requiring MFA stops with an
// intermediate session token bound to the member, and a TOTP code or a
// recovery code completes it.

func requireMFA(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll }

// magicLogin logs address in to o with a B2B email magic link, as an app
// would, and returns the result (which may have stopped for MFA).
func magicLogin(t *testing.T, s *authtest.Services, p *auth.Project, o *auth.Organization, address string, in magiclink.B2BAuthenticateInput) *magiclink.B2BAuthenticateResult {
	t.Helper()
	ctx := context.Background()
	_, err := s.MagicLinks.LoginOrSignup(ctx, p, magiclink.LoginOrSignupInput{OrganizationID: o.ID, Email: address})
	must(t, err)
	_, in.Token = s.LastLink(t)
	res, err := s.MagicLinks.AuthenticateMember(ctx, p, in)
	must(t, err)
	return res
}

// memberSessions counts a member's live sessions.
func memberSessions(t *testing.T, s *authtest.Services, p *auth.Project, o *auth.Organization, m *auth.Member) int {
	t.Helper()
	ss, _, _, err := s.Sessions.ListMember(context.Background(), p, o.ID, m.ID)
	must(t, err)
	return len(ss)
}

func wantStopped(t *testing.T, res *session.MemberResult) {
	t.Helper()
	if res.Authenticated() || res.MFARequired == nil || res.IntermediateSessionToken == "" || res.Session != nil || res.Token != "" || res.JWT != "" {
		t.Fatalf("login: authenticated %v, mfa %+v, ist %q, session %v, token %q; want stopped for MFA",
			res.Authenticated(), res.MFARequired, res.IntermediateSessionToken, res.Session != nil, res.Token)
	}
}

func TestMFARequiredThenTOTP(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		strict := s.NewOrganization(t, p, "Strict", requireMFA)
		open := s.NewOrganization(t, p, "Open", nil)
		m := s.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
		other := s.NewMember(t, open, "ada@acme.com", auth.MemberActive)

		// First login: no second factor enrolled yet, so no options.
		res := magicLogin(t, s, p, strict, "ada@acme.com", magiclink.B2BAuthenticateInput{})
		wantStopped(t, &res.MemberResult)
		if res.MFARequired.HasOptions() {
			t.Errorf("mfa_required = %+v, want no member options before enrollment", res.MFARequired)
		}
		if n := memberSessions(t, s, p, strict, m); n != 0 {
			t.Fatalf("%d sessions after a login that stopped for MFA, want 0", n)
		}
		// The intermediate session token enrolls an authenticator app and
		// completes the login with its first code.
		ist := res.IntermediateSessionToken
		creds := discovery.MemberCredentials{IntermediateSessionToken: ist}
		reg, err := s.TOTPs.CreateMember(ctx, p, totp.MemberCreateInput{OrganizationID: strict.ID, MemberID: m.ID, MemberCredentials: creds})
		must(t, err)
		done, err := s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
			MemberLoginInput: totp.MemberLoginInput{OrganizationID: strict.ID, MemberID: m.ID, MemberCredentials: creds},
			Code:             code(t, reg.Secret, s.Clock.Now()),
		})
		must(t, err)
		if done.Session == nil || done.Token == "" || done.JWT == "" || !done.Authenticated() {
			t.Fatalf("totp authenticate: session %v, token %q; want a session", done.Session != nil, done.Token)
		}
		if got := factorTypes(done.Session); got != "magic_link,totp" {
			t.Errorf("factors = %s, want magic_link,totp", got)
		}
		if !done.Member.MFAEnrolled || done.Member.DefaultMFAMethod != "totp" || done.Member.TOTPRegistrationID != reg.RegistrationID {
			t.Errorf("member mfa_enrolled %v, default %q, totp %q; want enrolled by the required policy, totp",
				done.Member.MFAEnrolled, done.Member.DefaultMFAMethod, done.Member.TOTPRegistrationID)
		}

		// The token is spent: it completes nothing twice.
		s.Clock.Advance(totp.Period)
		_, err = s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
			MemberLoginInput: totp.MemberLoginInput{OrganizationID: strict.ID, MemberID: m.ID, MemberCredentials: creds},
			Code:             code(t, reg.Secret, s.Clock.Now()),
		})
		wantErr(t, err, auth.ErrIntermediateSessionNotFound)

		// The next login offers the registration, and a recovery code
		// completes it as well.
		res = magicLogin(t, s, p, strict, "ada@acme.com", magiclink.B2BAuthenticateInput{})
		wantStopped(t, &res.MemberResult)
		if res.MFARequired.TOTPRegistrationID != reg.RegistrationID || res.MFARequired.PhoneNumber != "" {
			t.Errorf("mfa_required = %+v, want the TOTP registration", res.MFARequired)
		}
		rec, _, err := s.TOTPs.RecoverMember(ctx, p, totp.MemberRecoverInput{
			MemberLoginInput: totp.MemberLoginInput{OrganizationID: strict.ID, MemberID: m.ID,
				MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: res.IntermediateSessionToken}},
			RecoveryCode: reg.RecoveryCodes[0],
		})
		must(t, err)
		if got := factorTypes(rec.Session); got != "magic_link,recovery_codes" {
			t.Errorf("recover factors = %s, want magic_link,recovery_codes", got)
		}

		// The same person logs straight in to an organization that does
		// not require MFA.
		free := magicLogin(t, s, p, open, "ada@acme.com", magiclink.B2BAuthenticateInput{})
		if !free.Authenticated() || free.Session == nil || free.Member.ID != other.ID {
			t.Fatalf("login to the open organization: authenticated %v, session %v", free.Authenticated(), free.Session != nil)
		}
	})
}

func TestMFAIntermediateSessionRefusals(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		strict := s.NewOrganization(t, p, "Strict", requireMFA)
		second := s.NewOrganization(t, p, "Second", requireMFA)
		ada := s.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
		bob := s.NewMember(t, strict, "bob@acme.com", auth.MemberActive)
		ada2 := s.NewMember(t, second, "ada@acme.com", auth.MemberActive)
		secrets := map[string]string{}
		for _, m := range []*auth.Member{ada, bob, ada2} {
			reg, err := s.TOTPs.CreateMember(ctx, p, totp.MemberCreateInput{OrganizationID: m.OrganizationID, MemberID: m.ID})
			must(t, err)
			secrets[m.ID] = reg.Secret
		}
		authenticate := func(m *auth.Member, ist string) error {
			_, err := s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
				MemberLoginInput: totp.MemberLoginInput{OrganizationID: m.OrganizationID, MemberID: m.ID,
					MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: ist}},
				Code: code(t, secrets[m.ID], s.Clock.Now()),
			})
			return err
		}
		ist := magicLogin(t, s, p, strict, "ada@acme.com", magiclink.B2BAuthenticateInput{}).IntermediateSessionToken

		// Another member of the organization, and the same address's
		// member of another organization, cannot use Ada's token.
		wantErr(t, authenticate(bob, ist), auth.ErrInvalidISTForOrganization)
		wantErr(t, authenticate(ada2, ist), auth.ErrInvalidISTForOrganization)
		// A token that was never issued.
		wantErr(t, authenticate(ada, "not-a-token-"+ist), auth.ErrIntermediateSessionNotFound)
		// An expired one: tokens live ten minutes.
		s.Clock.Advance(auth.IntermediateSessionLifetime + time.Second)
		wantErr(t, authenticate(ada, ist), auth.ErrIntermediateSessionNotFound)
		if n := memberSessions(t, s, p, strict, ada); n != 0 {
			t.Fatalf("%d sessions after refused completions, want 0", n)
		}
		// A fresh one works, once.
		ist = magicLogin(t, s, p, strict, "ada@acme.com", magiclink.B2BAuthenticateInput{}).IntermediateSessionToken
		must(t, authenticate(ada, ist))
		s.Clock.Advance(totp.Period)
		wantErr(t, authenticate(ada, ist), auth.ErrIntermediateSessionNotFound)
	})
}

// TestMFAPolicies covers who MFA applies to and what satisfies it.
func TestMFAPolicies(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		t.Run("an enrolled member of an optional organization", func(t *testing.T) {
			o := s.NewOrganization(t, p, "Optional", nil)
			m := s.NewMember(t, o, "eve@acme.com", auth.MemberActive)
			m.MFAEnrolled = true
			must(t, st.UpdateMember(ctx, p.ID, m))
			wantStopped(t, &magicLogin(t, s, p, o, "eve@acme.com", magiclink.B2BAuthenticateInput{}).MemberResult)
		})

		t.Run("a session that passed MFA counts; one that did not, does not", func(t *testing.T) {
			o := s.NewOrganization(t, p, "Session", requireMFA)
			m := s.NewMember(t, o, "sam@acme.com", auth.MemberActive)
			reg, err := s.TOTPs.CreateMember(ctx, p, totp.MemberCreateInput{OrganizationID: o.ID, MemberID: m.ID})
			must(t, err)
			ist := magicLogin(t, s, p, o, "sam@acme.com", magiclink.B2BAuthenticateInput{}).IntermediateSessionToken
			full, err := s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
				MemberLoginInput: totp.MemberLoginInput{OrganizationID: o.ID, MemberID: m.ID, MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: ist}},
				Code:             code(t, reg.Secret, s.Clock.Now()),
			})
			must(t, err)
			again := magicLogin(t, s, p, o, "sam@acme.com", magiclink.B2BAuthenticateInput{SessionToken: full.Token})
			if !again.Authenticated() || again.Session == nil || again.Session.ID != full.Session.ID {
				t.Fatalf("login with an MFA session: authenticated %v; want the same session", again.Authenticated())
			}
			// The organization starts requiring MFA of a member whose
			// session never passed it: the session does not count.
			o2 := s.NewOrganization(t, p, "Later", nil)
			m2 := s.NewMember(t, o2, "sam@acme.com", auth.MemberActive)
			plain := magicLogin(t, s, p, o2, "sam@acme.com", magiclink.B2BAuthenticateInput{})
			o2.MFAPolicy = auth.MFAPolicyRequiredForAll
			must(t, st.UpdateOrganization(ctx, p.ID, o2))
			stopped := magicLogin(t, s, p, o2, "sam@acme.com", magiclink.B2BAuthenticateInput{SessionToken: plain.Token})
			wantStopped(t, &stopped.MemberResult)
			if got := memberSessions(t, s, p, o2, m2); got != 1 {
				t.Errorf("%d sessions, want the one from before", got)
			}
		})

		t.Run("allowed MFA methods", func(t *testing.T) {
			o := s.NewOrganization(t, p, "SMS only", func(o *auth.Organization) {
				requireMFA(o)
				o.MFAMethods, o.AllowedMFAMethods = auth.Restricted, []string{"sms_otp"}
			})
			m := s.NewMember(t, o, "tom@acme.com", auth.MemberActive)
			reg, err := s.TOTPs.CreateMember(ctx, p, totp.MemberCreateInput{OrganizationID: o.ID, MemberID: m.ID})
			must(t, err)
			res := magicLogin(t, s, p, o, "tom@acme.com", magiclink.B2BAuthenticateInput{})
			wantStopped(t, &res.MemberResult)
			if res.MFARequired.TOTPRegistrationID != "" {
				t.Errorf("mfa_required offers TOTP, which the organization does not allow: %+v", res.MFARequired)
			}
			_, err = s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
				MemberLoginInput: totp.MemberLoginInput{OrganizationID: o.ID, MemberID: m.ID,
					MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: res.IntermediateSessionToken}},
				Code: code(t, reg.Secret, s.Clock.Now()),
			})
			wantErr(t, err, auth.ErrOperationRestrictedByMFAMethods)
		})
	})
}

// TestMFADiscovery covers the discovery flows: listing reports MFA,
// exchanging and creating stop for it, and a session exchange does not
// carry one organization's authenticator app into another.
func TestMFADiscovery(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		strict := s.NewOrganization(t, p, "Strict", requireMFA)
		open := s.NewOrganization(t, p, "Open", nil)
		m := s.NewMember(t, strict, "ada@acme.com", auth.MemberActive)
		s.NewMember(t, open, "ada@acme.com", auth.MemberActive)
		reg, err := s.TOTPs.CreateMember(ctx, p, totp.MemberCreateInput{OrganizationID: strict.ID, MemberID: m.ID})
		must(t, err)

		f := &b2bFixture{s: s, p: p, o: strict, m: m}
		ist := f.ist(t, "ada@acme.com")
		_, ds, err := s.Discovery.ListOrganizations(ctx, p, discovery.ListInput{IntermediateSessionToken: ist})
		must(t, err)
		got := map[string]bool{}
		for _, d := range ds {
			got[d.Organization.ID] = d.Authenticated()
			if d.Organization.ID == strict.ID && (d.MFARequired == nil || d.MFARequired.SecondaryAuthInitiated != "") {
				t.Errorf("discovered %s: mfa_required %+v, want set, nothing sent", d.Organization.Name, d.MFARequired)
			}
		}
		if got[strict.ID] || !got[open.ID] {
			t.Errorf("member_authenticated = %v, want false for Strict, true for Open", got)
		}

		// Exchanging into the strict organization stops; a code completes it.
		ex, err := s.Discovery.Exchange(ctx, p, discovery.ExchangeInput{IntermediateSessionToken: ist, OrganizationID: strict.ID})
		must(t, err)
		wantStopped(t, ex)
		done, err := s.TOTPs.AuthenticateMember(ctx, p, totp.MemberAuthenticateInput{
			MemberLoginInput: totp.MemberLoginInput{OrganizationID: strict.ID, MemberID: m.ID,
				MemberCredentials: discovery.MemberCredentials{IntermediateSessionToken: ex.IntermediateSessionToken}},
			Code: code(t, reg.Secret, s.Clock.Now()),
		})
		must(t, err)
		// Its authenticator app does not follow the member into another
		// organization that requires MFA.
		strict2 := s.NewOrganization(t, p, "Strict two", requireMFA)
		s.NewMember(t, strict2, "ada@acme.com", auth.MemberActive)
		moved, err := s.Discovery.ExchangeSession(ctx, p, discovery.SessionExchangeInput{SessionToken: done.Token, OrganizationID: strict2.ID})
		must(t, err)
		wantStopped(t, moved)
		// Into the open organization, it moves straight.
		moved, err = s.Discovery.ExchangeSession(ctx, p, discovery.SessionExchangeInput{SessionToken: done.Token, OrganizationID: open.ID})
		must(t, err)
		if !moved.Authenticated() || moved.Session == nil {
			t.Fatal("session exchange into the open organization did not log in")
		}

		// Creating an organization that requires MFA stops too.
		created, err := s.Discovery.CreateOrganization(ctx, p, discovery.CreateInput{
			IntermediateSessionToken: f.ist(t, "ada@acme.com"),
			Organization:             organization.CreateInput{Name: "Fresh", Settings: organization.Settings{MFAPolicy: ptr(auth.MFAPolicyRequiredForAll)}},
		})
		must(t, err)
		wantStopped(t, created)
		if created.Member.OrganizationID != created.Organization.ID {
			t.Fatalf("created member %s in %s", created.Member.OrganizationID, created.Organization.ID)
		}
	})
}

func ptr[T any](v T) *T { return &v }
