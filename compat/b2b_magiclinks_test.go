package compat

import (
	"strings"
	"testing"
	"time"

	b2bmagiclinks "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// TestB2BMagicLinks covers the organization-scoped email magic links:
// login_or_signup with just-in-time provisioning, invites, and the
// organization policies that refuse them.
func TestB2BMagicLinks(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c

		t.Run("login_or_signup with JIT", func(t *testing.T) {
			t.Parallel()
			dom := newDomain(t)
			org := newOrg(t, e, "Jit", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})
			grace := "grace@" + dom

			// A new address of the allowed domain: a pending member and a
			// signup email.
			var los *mlemail.LoginOrSignupResponse
			signup := sendAndRead(t, e.srv, grace, func() {
				var err error
				los, err = c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: grace})
				if err != nil {
					t.Fatalf("login_or_signup (JIT): %v", err)
				}
			})
			if los.StatusCode != 200 || !los.MemberCreated || los.MemberID != los.Member.MemberID || los.Organization.OrganizationID != org.OrganizationID {
				t.Errorf("login_or_signup (JIT) = status %d, member_created %v, member_id %q, organization %q", los.StatusCode, los.MemberCreated, los.MemberID, los.Organization.OrganizationID)
			}
			checkMember(t, "JIT member", los.Member, wantMember{id: los.MemberID, orgID: org.OrganizationID, addr: grace, status: "pending"})
			if want := "Finish signing up for " + org.OrganizationName; signup.Subject != want {
				t.Errorf("signup email subject %q, want %q", signup.Subject, want)
			}
			tok := checkB2BLink(t, signup.Link, appURL, tokenTypeMultiTenant)

			// Addresses the organization does not take: nothing is created
			// or sent.
			other := "eve@" + newDomain(t)
			_, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: other})
			wantErrorType(t, err, "invalid_email_for_jit_provisioning")
			noMail(t, e.srv, other, "a refused login_or_signup")
			closed := newOrg(t, e, "Closed", organizations.CreateParams{})
			if closed.EmailJITProvisioning != notAllowed {
				t.Errorf("default email_jit_provisioning %q, want %s", closed.EmailJITProvisioning, notAllowed)
			}
			_, err = c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: closed.OrganizationID, EmailAddress: grace})
			wantErrorType(t, err, "email_jit_provisioning_not_allowed")
			if _, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: closed.OrganizationID, EmailAddress: grace}); err == nil {
				t.Errorf("a refused login_or_signup created a member")
			} else {
				wantError(t, err, 404, "member_not_found")
			}

			// The link logs her in: active, verified, a 60-minute session.
			start := time.Now()
			auth, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok})
			if err != nil {
				t.Fatalf("b2b magic_links.authenticate: %v", err)
			}
			if auth.StatusCode != 200 || auth.MemberID != los.MemberID || auth.OrganizationID != org.OrganizationID ||
				auth.Organization.OrganizationID != org.OrganizationID || auth.MethodID == "" || auth.ResetSessions ||
				!auth.MemberAuthenticated || auth.IntermediateSessionToken != "" {
				t.Errorf("b2b magic_links.authenticate = status %d, member %q, organization %q/%q, method_id %q, reset_sessions %v, member_authenticated %v, intermediate_session_token %q",
					auth.StatusCode, auth.MemberID, auth.OrganizationID, auth.Organization.OrganizationID, auth.MethodID, auth.ResetSessions, auth.MemberAuthenticated, auth.IntermediateSessionToken)
			}
			checkMember(t, "authenticated JIT member", auth.Member, wantMember{id: los.MemberID, orgID: org.OrganizationID, addr: grace, status: "active", verified: true})
			if len(auth.SessionToken) != 44 || strings.Count(auth.SessionJWT, ".") != 2 || auth.MemberSession == nil {
				t.Fatalf("authenticate: session_token %q, session_jwt %q, member_session %v; want a default session", auth.SessionToken, auth.SessionJWT, auth.MemberSession)
			}
			checkMemberSession(t, "login_or_signup session", *auth.MemberSession, los.MemberID, org, grace, 60)
			if !near(*auth.MemberSession.StartedAt, start, time.Minute) {
				t.Errorf("session started %v, want about %v", auth.MemberSession.StartedAt, start)
			}
			checkMemberJWT(t, e, auth.SessionJWT, los.MemberID, org)
			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok})
			wantError(t, err, 401, "unable_to_auth_magic_link")

			// Again: an active member gets a login email, and the link
			// names a session duration this time.
			var again *mlemail.LoginOrSignupResponse
			login := sendAndRead(t, e.srv, grace, func() {
				again, err = c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: grace})
				if err != nil {
					t.Fatalf("login_or_signup existing member: %v", err)
				}
			})
			if again.MemberCreated || again.MemberID != los.MemberID || again.Member.Status != "active" {
				t.Errorf("login_or_signup existing member = member_created %v, member %q, status %q", again.MemberCreated, again.MemberID, again.Member.Status)
			}
			if want := "Your login link for " + org.OrganizationName; login.Subject != want {
				t.Errorf("login email subject %q, want %q", login.Subject, want)
			}
			second, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{
				MagicLinksToken: checkB2BLink(t, login.Link, appURL, tokenTypeMultiTenant), SessionDurationMinutes: 15,
			})
			if err != nil {
				t.Fatalf("authenticate login link: %v", err)
			}
			if second.MemberSession == nil || second.MemberSession.MemberSessionID == auth.MemberSession.MemberSessionID {
				t.Fatalf("second login: member_session %v, want a new session", second.MemberSession)
			}
			checkMemberSession(t, "second login", *second.MemberSession, los.MemberID, org, grace, 15)
			list, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: org.OrganizationID, MemberID: los.MemberID})
			if err != nil || len(list.MemberSessions) != 2 {
				t.Errorf("sessions.get = %s, %v; want both sessions", describe(list), err)
			}
		})

		t.Run("pending member created by the API", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Pending", organizations.CreateParams{})
			addr := "pat@" + newDomain(t)
			created := newMember(t, e, org.OrganizationID, addr, members.CreateParams{CreateMemberAsPending: true})
			checkMember(t, "pending member", created.Member, wantMember{id: created.MemberID, orgID: org.OrganizationID, addr: addr, status: "pending"})
			// A pending member keeps getting signup emails.
			m := sendAndRead(t, e.srv, addr, func() {
				res, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: addr})
				if err != nil || res.MemberCreated || res.MemberID != created.MemberID {
					t.Fatalf("login_or_signup pending member = %s, %v", describe(res), err)
				}
			})
			if !strings.HasPrefix(m.Subject, "Finish signing up for ") {
				t.Errorf("pending member's email subject %q, want a signup email", m.Subject)
			}
			auth, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: checkB2BLink(t, m.Link, appURL, tokenTypeMultiTenant)})
			if err != nil {
				t.Fatalf("authenticate pending member: %v", err)
			}
			checkMember(t, "pending member after login", auth.Member, wantMember{id: created.MemberID, orgID: org.OrganizationID, addr: addr, status: "active", verified: true})
		})

		t.Run("invite", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Invites", organizations.CreateParams{})
			if org.EmailInvites != allAllowed {
				t.Errorf("default email_invites %q, want %s", org.EmailInvites, allAllowed)
			}
			addr := "ivy@" + newDomain(t)
			var inv *mlemail.InviteResponse
			m := sendAndRead(t, e.srv, addr, func() {
				var err error
				inv, err = c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{
					OrganizationID:    org.OrganizationID,
					EmailAddress:      addr,
					Name:              "Ivy Invitee",
					Roles:             []string{roleAdmin},
					TrustedMetadata:   map[string]any{"invited_by": "ops"},
					UntrustedMetadata: map[string]any{"theme": "dark"},
				})
				if err != nil {
					t.Fatalf("magic_links.email.invite: %v", err)
				}
			})
			if inv.StatusCode != 200 || inv.MemberID != inv.Member.MemberID || inv.Organization.OrganizationID != org.OrganizationID {
				t.Errorf("invite = status %d, member_id %q, organization %q", inv.StatusCode, inv.MemberID, inv.Organization.OrganizationID)
			}
			checkMember(t, "invited member", inv.Member, wantMember{id: inv.MemberID, orgID: org.OrganizationID, addr: addr, status: "invited", admin: true})
			if inv.Member.Name != "Ivy Invitee" || inv.Member.TrustedMetadata["invited_by"] != "ops" || inv.Member.UntrustedMetadata["theme"] != "dark" {
				t.Errorf("invited member: name %q, trusted_metadata %v, untrusted_metadata %v", inv.Member.Name, inv.Member.TrustedMetadata, inv.Member.UntrustedMetadata)
			}
			if want := "You have been invited to " + org.OrganizationName; m.Subject != want {
				t.Errorf("invite subject %q, want %q", m.Subject, want)
			}
			auth, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: checkB2BLink(t, m.Link, appURL, tokenTypeMultiTenant)})
			if err != nil {
				t.Fatalf("authenticate invite: %v", err)
			}
			checkMember(t, "member who accepted the invite", auth.Member, wantMember{id: inv.MemberID, orgID: org.OrganizationID, addr: addr, status: "active", verified: true, admin: true})
			if auth.MemberSession == nil {
				t.Fatal("accepting an invite started no session")
			}
			checkMemberSession(t, "invite session", *auth.MemberSession, inv.MemberID, org, addr, 60)
		})

		t.Run("invites restricted to a domain", func(t *testing.T) {
			t.Parallel()
			dom := newDomain(t)
			org := newOrg(t, e, "Restricted", organizations.CreateParams{EmailInvites: restricted, EmailAllowedDomains: []string{dom}})
			if org.EmailInvites != restricted {
				t.Errorf("email_invites %q, want %s", org.EmailInvites, restricted)
			}
			other := "mallory@" + newDomain(t)
			_, err := c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: org.OrganizationID, EmailAddress: other})
			wantErrorType(t, err, "invalid_email_for_invites")
			noMail(t, e.srv, other, "a refused invite")
			ok := "olivia@" + dom
			sendAndRead(t, e.srv, ok, func() {
				res, err := c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: org.OrganizationID, EmailAddress: ok})
				if err != nil || res.Member.Status != "invited" {
					t.Fatalf("invite to an allowed domain = %s, %v", describe(res), err)
				}
			})
		})

		t.Run("invites not allowed", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "NoInvites", organizations.CreateParams{EmailInvites: notAllowed})
			if org.EmailInvites != notAllowed {
				t.Errorf("email_invites %q, want %s", org.EmailInvites, notAllowed)
			}
			addr := "nina@" + newDomain(t)
			_, err := c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: org.OrganizationID, EmailAddress: addr})
			wantErrorType(t, err, "invalid_email_for_invites")
			noMail(t, e.srv, addr, "a refused invite")
		})
	})
}
