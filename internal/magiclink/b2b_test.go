package magiclink_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// TestLoginOrSignupPolicy is the organization email policy applied by
// login_or_signup, on every database: who may get a link, and who is
// created as a pending member on the way.
func TestLoginOrSignupPolicy(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		for _, tc := range []struct {
			name      string
			settings  func(o *auth.Organization)
			existing  auth.MemberStatus // "" for none
			email     string
			want      *auth.Error
			created   bool
			signupMsg bool
		}{
			{"active member logs in", nil, auth.MemberActive, "ada@acme.com", nil, false, false},
			{"pending member signs up", nil, auth.MemberPending, "ada@acme.com", nil, false, true},
			{"invited member signs up", nil, auth.MemberInvited, "ada@acme.com", nil, false, true},
			{"deleted member refused", nil, auth.MemberDeleted, "ada@acme.com", auth.ErrActionAvailableOnlyForActiveMembers, false, false},
			{"no JIT: stranger refused", nil, "", "ada@acme.com", auth.ErrEmailJITProvisioningNotAllowed, false, false},
			{"restricted: allowed domain joins", func(o *auth.Organization) {
				o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
			}, "", "ada@acme.com", nil, true, true},
			{"restricted: other domain refused", func(o *auth.Organization) {
				o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
			}, "", "eve@evil.com", auth.ErrInvalidEmailForJITProvisioning, false, false},
			{"magic links not allowed", func(o *auth.Organization) {
				o.AuthMethods, o.AllowedAuthMethods = auth.Restricted, []string{"sso"}
			}, auth.MemberActive, "ada@acme.com", auth.ErrOperationRestrictedByAuthMethods, false, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := s.NewOrganization(t, p, "Org "+tc.name, tc.settings)
				if tc.existing != "" {
					s.NewMember(t, o, tc.email, tc.existing)
				}
				sent := len(s.Mail.Sent())
				res, err := s.MagicLinks.LoginOrSignup(ctx, p, magiclink.LoginOrSignupInput{OrganizationID: o.ID, Email: tc.email})
				if tc.want != nil {
					if !errors.Is(err, tc.want) {
						t.Fatalf("err = %v, want %s", err, tc.want.Type)
					}
					if len(s.Mail.Sent()) != sent {
						t.Error("a refused request sent an email")
					}
					if _, err := st.GetMemberByEmail(ctx, p.ID, o.ID, tc.email); tc.existing == "" && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("a refused request created a member: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.Created != tc.created || res.Organization.ID != o.ID || res.Member.EmailAddress != tc.email {
					t.Errorf("LoginOrSignup = created %v, member %+v", res.Created, res.Member)
				}
				if tc.created && res.Member.Status != auth.MemberPending {
					t.Errorf("JIT member status = %s, want pending", res.Member.Status)
				}
				m, _ := s.Mail.Last()
				if got := strings.Contains(m.Subject, "signing up"); got != tc.signupMsg {
					t.Errorf("subject %q: signup = %v, want %v", m.Subject, got, tc.signupMsg)
				}
				if !strings.Contains(m.Subject, o.Name) {
					t.Errorf("subject %q does not name the organization", m.Subject)
				}
				link, _ := s.LastLink(t)
				if !strings.Contains(link, "stytch_token_type=multi_tenant_magic_links&token=") {
					t.Errorf("link = %q", link)
				}
			})
		}
	})
}

// TestInvitePolicy is the organization's email_invites setting, on every
// database.
func TestInvitePolicy(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		for _, tc := range []struct {
			name     string
			invites  string
			existing auth.MemberStatus
			email    string
			want     *auth.Error
		}{
			{"all allowed", auth.AllAllowed, "", "guest@else.com", nil},
			{"restricted, allowed domain", auth.Restricted, "", "ada@acme.com", nil},
			{"restricted, other domain", auth.Restricted, "", "guest@else.com", auth.ErrInvalidEmailForInvites},
			{"not allowed", auth.NotAllowed, "", "ada@acme.com", auth.ErrInvalidEmailForInvites},
			{"re-invite an invited member", auth.AllAllowed, auth.MemberInvited, "ada@acme.com", nil},
			{"active member", auth.AllAllowed, auth.MemberActive, "ada@acme.com", auth.ErrDuplicateMemberEmail},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := s.NewOrganization(t, p, "Org "+tc.name, func(o *auth.Organization) {
					o.EmailInvites, o.EmailAllowedDomains = tc.invites, []string{"acme.com"}
				})
				if tc.existing != "" {
					s.NewMember(t, o, tc.email, tc.existing)
				}
				res, err := s.MagicLinks.InviteMember(ctx, p, magiclink.B2BInviteInput{OrganizationID: o.ID, Email: tc.email, Name: "Guest", Roles: []string{auth.RoleAdmin}})
				if tc.want != nil {
					if !errors.Is(err, tc.want) {
						t.Errorf("err = %v, want %s", err, tc.want.Type)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.Member.Status != auth.MemberInvited {
					t.Errorf("invited member status = %s", res.Member.Status)
				}
				// Accepting the invite activates the member and starts a
				// session of the default length.
				_, tok := s.LastLink(t)
				got, err := s.MagicLinks.AuthenticateMember(ctx, p, magiclink.B2BAuthenticateInput{Token: tok})
				if err != nil {
					t.Fatal(err)
				}
				if got.Member.Status != auth.MemberActive || !got.Member.EmailVerified || got.Session == nil ||
					!got.Session.ExpiresAt.Equal(s.Clock.Now().Add(time.Duration(session.DefaultMemberSessionMinutes)*time.Minute)) {
					t.Errorf("accepted invite: member %+v, session %+v", got.Member, got.Session)
				}
				if tc.existing == "" && !got.Member.HasRole(auth.RoleAdmin) {
					t.Errorf("invited roles lost: %v", got.Member.Roles)
				}
			})
		}
	})
}

func TestB2BAuthenticateRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	other, _ := s.NewProject(t, auth.EnvTest)
	o := s.NewOrganization(t, p, "Acme", nil)
	s.NewMember(t, o, "ada@acme.com", auth.MemberActive)
	send := func() string {
		t.Helper()
		if _, err := s.MagicLinks.LoginOrSignup(ctx, p, magiclink.LoginOrSignupInput{OrganizationID: o.ID, Email: "ada@acme.com"}); err != nil {
			t.Fatal(err)
		}
		_, tok := s.LastLink(t)
		return tok
	}
	used := send()
	if _, err := s.MagicLinks.AuthenticateMember(ctx, p, magiclink.B2BAuthenticateInput{Token: used}); err != nil {
		t.Fatal(err)
	}
	expired := send()
	fresh := send()
	// A consumer magic link never authenticates as a B2B one, nor the
	// reverse.
	if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: fresh}); !errors.Is(err, auth.ErrMagicLinkNotFound) {
		t.Errorf("B2B token at the consumer endpoint: err = %v", err)
	}
	if _, err := s.MagicLinks.AuthenticateMember(ctx, other, magiclink.B2BAuthenticateInput{Token: fresh}); !errors.Is(err, auth.ErrMagicLinkNotFound) {
		t.Errorf("token in another project: err = %v", err)
	}
	if _, err := s.MagicLinks.AuthenticateDiscovery(ctx, p, fresh, ""); !errors.Is(err, auth.ErrMagicLinkNotFound) {
		t.Errorf("organization token at the discovery endpoint: err = %v", err)
	}
	s.Clock.Advance(61 * time.Minute)
	for name, tc := range map[string]struct {
		tok  string
		want *auth.Error
	}{
		"reused":  {used, auth.ErrUnableToAuthMagicLink},
		"expired": {expired, auth.ErrUnableToAuthMagicLink},
		"unknown": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", auth.ErrMagicLinkNotFound},
	} {
		if _, err := s.MagicLinks.AuthenticateMember(ctx, p, magiclink.B2BAuthenticateInput{Token: tc.tok}); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %s", name, err, tc.want.Type)
		}
	}
}

func TestB2BSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	res, err := s.MagicLinks.LoginOrSignup(ctx, p, magiclink.LoginOrSignupInput{OrganizationID: auth.SandboxOrganizationID, Email: auth.SandboxEmail})
	if err != nil || res.Member.ID != auth.SandboxMemberID || res.Organization.ID != auth.SandboxOrganizationID {
		t.Errorf("sandbox login_or_signup = %+v, %v", res, err)
	}
	if _, err := s.MagicLinks.InviteMember(ctx, p, magiclink.B2BInviteInput{OrganizationID: auth.SandboxOrganizationID, Email: auth.SandboxEmail}); err != nil {
		t.Errorf("sandbox invite: %v", err)
	}
	if err := s.MagicLinks.DiscoverySend(ctx, p, magiclink.DiscoverySendInput{Email: auth.SandboxEmail}); err != nil {
		t.Errorf("sandbox discovery send: %v", err)
	}
	if n := len(s.Mail.Sent()); n != 0 {
		t.Errorf("%d sandbox emails sent", n)
	}
	got, err := s.MagicLinks.AuthenticateMember(ctx, p, magiclink.B2BAuthenticateInput{Token: auth.SandboxMagicLinkToken})
	if err != nil || got.Member.ID != auth.SandboxMemberID {
		t.Errorf("sandbox authenticate = %+v, %v", got, err)
	}
	for tok, want := range map[string]*auth.Error{auth.SandboxMagicLinkUsed: auth.ErrUnableToAuthMagicLink, auth.SandboxMagicLinkNotFound: auth.ErrMagicLinkNotFound} {
		if _, err := s.MagicLinks.AuthenticateMember(ctx, p, magiclink.B2BAuthenticateInput{Token: tok}); !errors.Is(err, want) {
			t.Errorf("%s: err = %v", tok, err)
		}
		if _, err := s.MagicLinks.AuthenticateDiscovery(ctx, p, tok, ""); !errors.Is(err, want) {
			t.Errorf("discovery %s: err = %v", tok, err)
		}
	}
	d, err := s.MagicLinks.AuthenticateDiscovery(ctx, p, auth.SandboxMagicLinkToken, "")
	if err != nil || d.EmailAddress != auth.SandboxEmail || d.IntermediateSessionToken == "" {
		t.Errorf("sandbox discovery authenticate = %+v, %v", d, err)
	}
}
