package compat

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	discoveryorgs "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/organizations"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/methodoptions"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

// TestB2BAuthorization covers who may do what: requests acting with a
// member session (the SDK's X-Stytch-Member-Session headers) under
// Stytch's default RBAC policy, and the walls between organizations,
// between projects, and between consumer and member sessions.
func TestB2BAuthorization(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		dom := newDomain(t)
		orgA := newOrg(t, e, "Tenant", organizations.CreateParams{})
		orgB := newOrg(t, e, "Neighbour", organizations.CreateParams{})
		plainAddr, adminAddr := "pia@"+dom, "ari@"+dom
		plain := newMember(t, e, orgA.OrganizationID, plainAddr, members.CreateParams{})
		admin := newMember(t, e, orgA.OrganizationID, adminAddr, members.CreateParams{Roles: []string{roleAdmin}})
		checkMember(t, "admin", admin.Member, wantMember{id: admin.MemberID, orgID: orgA.OrganizationID, addr: adminAddr, status: "active", admin: true})
		plainLogin := memberLogin(t, e, orgA.OrganizationID, plainAddr)
		adminLogin := memberLogin(t, e, orgA.OrganizationID, adminAddr)
		if !slices.Contains(adminLogin.MemberSession.Roles, roleAdmin) || slices.Contains(plainLogin.MemberSession.Roles, roleAdmin) {
			t.Errorf("session roles: admin %v, member %v", adminLogin.MemberSession.Roles, plainLogin.MemberSession.Roles)
		}
		asToken := func(tok string) *organizations.UpdateRequestOptions {
			return &organizations.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: tok}}
		}
		asJWT := func(jwt string) *organizations.UpdateRequestOptions {
			return &organizations.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionJWT: jwt}}
		}
		orgName := func(id string) string {
			t.Helper()
			res, err := c.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: id})
			if err != nil {
				t.Fatalf("organizations.get %s: %v", id, err)
			}
			return res.Organization.OrganizationName
		}

		t.Run("rbac", func(t *testing.T) {
			// A stytch_member may not change the organization, by token or
			// JWT header.
			_, err := c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: "Hijacked"}, asToken(plainLogin.SessionToken))
			wantError(t, err, 403, "session_authorization_error")
			_, err = c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: "Hijacked"}, asJWT(plainLogin.SessionJWT))
			wantError(t, err, 403, "session_authorization_error")
			_, err = c.Organizations.Delete(ctx, &organizations.DeleteParams{OrganizationID: orgA.OrganizationID},
				&organizations.DeleteRequestOptions{Authorization: methodoptions.Authorization{SessionToken: plainLogin.SessionToken}})
			wantError(t, err, 403, "session_authorization_error")
			_, err = c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: orgA.OrganizationID, EmailAddress: "guest@" + dom},
				&mlemail.InviteRequestOptions{Authorization: methodoptions.Authorization{SessionToken: plainLogin.SessionToken}})
			wantError(t, err, 403, "session_authorization_error")
			noMail(t, e.srv, "guest@"+dom, "an unauthorized invite")
			if got := orgName(orgA.OrganizationID); got != orgA.OrganizationName {
				t.Errorf("refused updates renamed the organization to %q", got)
			}

			// stytch.self: a member may rename itself, not another member.
			self, err := c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: orgA.OrganizationID, MemberID: plain.MemberID, Name: "Pia Self"},
				&members.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: plainLogin.SessionToken}})
			if err != nil || self.Member.Name != "Pia Self" {
				t.Errorf("member renaming itself = %s, %v", describe(self), err)
			}
			_, err = c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: orgA.OrganizationID, MemberID: admin.MemberID, Name: "Renamed by Pia"},
				&members.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: plainLogin.SessionToken}})
			wantError(t, err, 403, "session_authorization_error")
			_, err = c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: orgA.OrganizationID, MemberID: plain.MemberID, Roles: &[]string{roleAdmin}},
				&members.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: plainLogin.SessionToken}})
			wantError(t, err, 403, "session_authorization_error")

			// A stytch_admin may, by token and by JWT header.
			res, err := c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: orgA.OrganizationName + " (admin)"}, asToken(adminLogin.SessionToken))
			if err != nil || res.Organization.OrganizationName != orgA.OrganizationName+" (admin)" {
				t.Errorf("admin updating the organization by session token = %s, %v", describe(res), err)
			}
			res, err = c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: orgA.OrganizationName}, asJWT(adminLogin.SessionJWT))
			if err != nil || res.Organization.OrganizationName != orgA.OrganizationName {
				t.Errorf("admin updating the organization by session JWT = %s, %v", describe(res), err)
			}
			up, err := c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: orgA.OrganizationID, MemberID: plain.MemberID, Name: "Pia by Ari"},
				&members.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: adminLogin.SessionToken}})
			if err != nil || up.Member.Name != "Pia by Ari" {
				t.Errorf("admin renaming a member = %s, %v", describe(up), err)
			}
		})

		t.Run("tenancy", func(t *testing.T) {
			// A session of A acts on A only, whatever its roles.
			for _, tok := range []string{plainLogin.SessionToken, adminLogin.SessionToken} {
				_, err := c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgB.OrganizationID, OrganizationName: "Taken over"}, asToken(tok))
				wantError(t, err, 403, "session_authorization_tenancy_error")
				_, err = c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: orgB.OrganizationID, MemberID: plain.MemberID, Name: "Across"},
					&members.UpdateRequestOptions{Authorization: methodoptions.Authorization{SessionToken: tok}})
				wantError(t, err, 403, "session_authorization_tenancy_error")
			}
			if got := orgName(orgB.OrganizationID); got != orgB.OrganizationName {
				t.Errorf("refused updates renamed B to %q", got)
			}
		})

		t.Run("authorization_check", func(t *testing.T) {
			// sessions.authenticate checks a permission when asked to
			// (b2b/sessions/types.go AuthorizationCheck).
			check := func(orgID string) *b2bsessions.AuthorizationCheck {
				return &b2bsessions.AuthorizationCheck{OrganizationID: orgID, ResourceID: "stytch.organization", Action: "update.info.name"}
			}
			_, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: plainLogin.SessionToken, AuthorizationCheck: check(orgA.OrganizationID)})
			wantError(t, err, 403, "session_authorization_error")
			for _, tok := range []string{plainLogin.SessionToken, adminLogin.SessionToken} {
				_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: tok, AuthorizationCheck: check(orgB.OrganizationID)})
				wantError(t, err, 403, "session_authorization_tenancy_error")
			}
			ok, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: adminLogin.SessionToken, AuthorizationCheck: check(orgA.OrganizationID)})
			if err != nil {
				t.Fatalf("sessions.authenticate with an authorization_check the admin passes: %v", err)
			}
			if ok.Verdict == nil || !ok.Verdict.Authorized || !slices.Contains(ok.Verdict.GrantingRoles, roleAdmin) {
				t.Errorf("verdict = %+v, want authorized by %s", ok.Verdict, roleAdmin)
			}
		})

		t.Run("other project", func(t *testing.T) {
			otherID, other := e.otherProject(t)
			if otherID == e.srv.ProjectID {
				t.Fatal("project create returned the same project")
			}
			_, err := other.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: orgA.OrganizationID})
			wantError(t, err, 404, "organization_not_found")
			_, err = other.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: orgA.OrganizationSlug})
			wantError(t, err, 404, "organization_not_found")
			res, err := other.Organizations.Search(ctx, &organizations.SearchParams{})
			if err != nil || len(res.Organizations) != 0 || res.ResultsMetadata.Total != 0 {
				t.Errorf("other project's organizations.search = %s, %v; want none", describe(res), err)
			}
			_, err = other.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: "Stolen"})
			wantError(t, err, 404, "organization_not_found")
			_, err = other.Organizations.Delete(ctx, &organizations.DeleteParams{OrganizationID: orgA.OrganizationID})
			wantError(t, err, 404, "organization_not_found")
			_, err = other.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, MemberID: plain.MemberID})
			wantError(t, err, 404, "organization_not_found")
			_, err = other.Organizations.Members.DangerouslyGet(ctx, &members.DangerouslyGetParams{MemberID: plain.MemberID})
			wantError(t, err, 404, "member_not_found")
			ms, err := other.Organizations.Members.Search(ctx, &members.SearchParams{OrganizationIds: []string{orgA.OrganizationID}})
			if err == nil && (len(ms.Members) != 0 || ms.ResultsMetadata.Total != 0) {
				t.Errorf("other project's members.search over A = %s; want nothing", describe(ms))
			} else if err != nil {
				wantError(t, err, 404, "organization_not_found")
			}
			_, err = other.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: orgA.OrganizationID, EmailAddress: plainAddr})
			wantError(t, err, 404, "organization_not_found")

			// Sessions of the first project are unknown to the second.
			_, err = other.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: plainLogin.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = other.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: plainLogin.SessionJWT})
			var se stytcherror.Error
			if !errors.As(err, &se) || (se.ErrorType != "session_not_found" && se.ErrorType != "unable_to_parse_session_jwt") {
				t.Errorf("other project authenticating the first's JWT: %v; want session_not_found or unable_to_parse_session_jwt", err)
			}
			if _, err := other.Sessions.AuthenticateJWTLocal(ctx, plainLogin.SessionJWT, time.Minute, nil); err == nil {
				t.Errorf("the other project's SDK verified the first project's member JWT locally")
			}
			_, err = other.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{SessionToken: plainLogin.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = other.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{MemberID: plain.MemberID})
			wantError(t, err, 404, "member_not_found")
			if _, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: plainLogin.SessionToken}); err != nil {
				t.Errorf("the other project's revoke attempts ended the session: %v", err)
			}

			// An intermediate session is the project's own: the other one
			// cannot list with it or use it up.
			addr := "wanderer@" + dom
			newMember(t, e, orgA.OrganizationID, addr, members.CreateParams{})
			ist := discover(t, e, addr)
			_, err = other.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: ist.IntermediateSessionToken})
			wantError(t, err, 404, "intermediate_session_not_found")
			_, err = other.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: ist.IntermediateSessionToken, OrganizationID: orgA.OrganizationID})
			if !errors.As(err, &se) || se.StatusCode != 404 {
				t.Errorf("other project exchanging the first's intermediate session into its organization: %v; want a 404", err)
			}
			if _, err := c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: ist.IntermediateSessionToken, OrganizationID: orgA.OrganizationID}); err != nil {
				t.Errorf("exchange after the other project's attempts: %v", err)
			}

			// The other project may reuse the slug, and sees only its own.
			mine, err := other.Organizations.Create(ctx, &organizations.CreateParams{OrganizationName: "Mine", OrganizationSlug: orgA.OrganizationSlug})
			if err != nil {
				t.Errorf("other project creating an organization with A's slug: %v", err)
			} else if all, err := other.Organizations.Search(ctx, &organizations.SearchParams{}); err != nil || !slices.Equal(idsOf(all.Organizations), []string{mine.Organization.OrganizationID}) {
				t.Errorf("other project's organizations.search = %s, %v; want only %s", describe(all), err, mine.Organization.OrganizationID)
			}
			if got := orgName(orgA.OrganizationID); got != orgA.OrganizationName {
				t.Errorf("A renamed to %q", got)
			}
		})

		t.Run("consumer and member sessions", func(t *testing.T) {
			consumer := newClient(t, e.srv)
			addr := "both@" + dom
			newMember(t, e, orgA.OrganizationID, addr, members.CreateParams{})
			m := sendAndRead(t, e.srv, addr, func() {
				if _, err := consumer.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr}); err != nil {
					t.Fatalf("consumer login_or_create: %v", err)
				}
			})
			user, err := consumer.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: m.Token, SessionDurationMinutes: 60})
			if err != nil || user.SessionToken == "" {
				t.Fatalf("consumer magic_links.authenticate = %s, %v", describe(user), err)
			}
			member := memberLogin(t, e, orgA.OrganizationID, addr)

			// A consumer session is no member session, and the reverse.
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: user.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: user.SessionJWT})
			wantError(t, err, 404, "session_not_found")
			_, err = c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: orgA.OrganizationID, OrganizationName: "By a user"}, asToken(user.SessionToken))
			wantError(t, err, 404, "session_not_found")
			_, err = consumer.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: member.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = consumer.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: member.SessionJWT})
			wantError(t, err, 404, "session_not_found")
			if _, err := consumer.Sessions.Revoke(ctx, &sessions.RevokeParams{SessionToken: member.SessionToken}); err == nil {
				t.Errorf("consumer sessions.revoke accepted a member session token")
			}
			// Both still work where they belong.
			if _, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: member.SessionToken}); err != nil {
				t.Errorf("member session after the cross checks: %v", err)
			}
			if _, err := consumer.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: user.SessionToken}); err != nil {
				t.Errorf("consumer session after the cross checks: %v", err)
			}
		})
	})
}
