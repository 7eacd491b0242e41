package compat

import (
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// TestB2BSessions moves a member session between organizations, lists,
// extends and revokes member sessions every way the SDK can.
func TestB2BSessions(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		dom := newDomain(t)
		ada := "ada@" + dom
		orgA := newOrg(t, e, "Home", organizations.CreateParams{})
		orgB := newOrg(t, e, "Away", organizations.CreateParams{})
		// She may join C by her domain, but exchanging a session never
		// provisions.
		orgC := newOrg(t, e, "Elsewhere", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})
		memA := newMember(t, e, orgA.OrganizationID, ada, members.CreateParams{})
		memB := newMember(t, e, orgB.OrganizationID, ada, members.CreateParams{CreateMemberAsPending: true})

		t.Run("exchange", func(t *testing.T) {
			login := memberLogin(t, e, orgA.OrganizationID, ada)
			ex, err := c.Sessions.Exchange(ctx, &b2bsessions.ExchangeParams{OrganizationID: orgB.OrganizationID, SessionToken: login.SessionToken})
			if err != nil {
				t.Fatalf("b2b sessions.exchange to B: %v", err)
			}
			if ex.StatusCode != 200 || ex.MemberID != memB.MemberID || ex.Organization.OrganizationID != orgB.OrganizationID ||
				!ex.MemberAuthenticated || ex.IntermediateSessionToken != "" || len(ex.SessionToken) != 44 ||
				ex.SessionToken == login.SessionToken || strings.Count(ex.SessionJWT, ".") != 2 || ex.MemberSession == nil {
				t.Fatalf("sessions.exchange = status %d, member %q, organization %q, member_authenticated %v, intermediate_session_token %q, session_token %q, member_session %v",
					ex.StatusCode, ex.MemberID, ex.Organization.OrganizationID, ex.MemberAuthenticated, ex.IntermediateSessionToken, ex.SessionToken, ex.MemberSession)
			}
			// The pending member in B became active by proving her address.
			checkMember(t, "exchanged member", ex.Member, wantMember{id: memB.MemberID, orgID: orgB.OrganizationID, addr: ada, status: "active", verified: true})
			checkMemberSession(t, "exchanged session", *ex.MemberSession, memB.MemberID, orgB, ada, 60)
			if ex.MemberSession.MemberSessionID == login.MemberSession.MemberSessionID {
				t.Errorf("exchange kept the session ID %s", ex.MemberSession.MemberSessionID)
			}
			sa, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: ex.SessionJWT})
			if err != nil || sa.Organization.OrganizationID != orgB.OrganizationID || sa.Member.MemberID != memB.MemberID {
				t.Errorf("sessions.authenticate exchanged JWT = %s, %v", describe(sa), err)
			}
			checkMemberJWT(t, e, ex.SessionJWT, memB.MemberID, orgB)

			// By JWT, back to A.
			back, err := c.Sessions.Exchange(ctx, &b2bsessions.ExchangeParams{OrganizationID: orgA.OrganizationID, SessionJWT: ex.SessionJWT, SessionDurationMinutes: 20})
			if err != nil {
				t.Fatalf("b2b sessions.exchange back to A by JWT: %v", err)
			}
			if back.MemberID != memA.MemberID || back.MemberSession == nil {
				t.Fatalf("exchange back = member %q, session %v", back.MemberID, back.MemberSession)
			}
			checkMemberSession(t, "exchanged back", *back.MemberSession, memA.MemberID, orgA, ada, 20)

			// Not a member of C: refused, and nothing is created there.
			_, err = c.Sessions.Exchange(ctx, &b2bsessions.ExchangeParams{OrganizationID: orgC.OrganizationID, SessionToken: login.SessionToken})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: orgC.OrganizationID, EmailAddress: ada})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Sessions.Exchange(ctx, &b2bsessions.ExchangeParams{OrganizationID: unknownOrganizationID, SessionToken: login.SessionToken})
			wantError(t, err, 404, "organization_not_found")
		})

		t.Run("get and extend", func(t *testing.T) {
			before, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgA.OrganizationID, MemberID: memA.MemberID})
			if err != nil {
				t.Fatalf("b2b sessions.get: %v", err)
			}
			login := memberLogin(t, e, orgA.OrganizationID, ada)
			after, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgA.OrganizationID, MemberID: memA.MemberID})
			if err != nil {
				t.Fatalf("b2b sessions.get: %v", err)
			}
			if len(after.MemberSessions) != len(before.MemberSessions)+1 {
				t.Fatalf("sessions.get: %d sessions after a login, want %d", len(after.MemberSessions), len(before.MemberSessions)+1)
			}
			found := false
			for _, s := range after.MemberSessions {
				if s.MemberSessionID == login.MemberSession.MemberSessionID {
					found = true
					checkMemberSession(t, "listed session", s, memA.MemberID, orgA, ada, 60)
				}
				if s.MemberID != memA.MemberID || s.OrganizationID != orgA.OrganizationID {
					t.Errorf("sessions.get listed %s of %s in %s", s.MemberSessionID, s.MemberID, s.OrganizationID)
				}
			}
			if !found {
				t.Errorf("sessions.get does not list %s", login.MemberSession.MemberSessionID)
			}
			_, err = c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgA.OrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")

			// Extend it and set custom claims; they travel in the JWT.
			ext, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{
				SessionToken: login.SessionToken, SessionDurationMinutes: 120, SessionCustomClaims: map[string]any{"plan": "team"},
			})
			if err != nil {
				t.Fatalf("sessions.authenticate extend: %v", err)
			}
			if !near(*ext.MemberSession.ExpiresAt, time.Now().Add(120*time.Minute), time.Minute) || ext.MemberSession.CustomClaims["plan"] != "team" {
				t.Errorf("extended session expires %v, custom_claims %v", ext.MemberSession.ExpiresAt, ext.MemberSession.CustomClaims)
			}
			claims := map[string]any{}
			local, err := c.Sessions.AuthenticateJWTWithClaims(ctx, time.Minute, &b2bsessions.AuthenticateParams{SessionJWT: ext.SessionJWT}, claims)
			if err != nil {
				t.Fatalf("AuthenticateJWTWithClaims: %v", err)
			}
			if local.RequestID != "" || claims["plan"] != "team" || !local.MemberSession.ExpiresAt.Equal(ext.MemberSession.ExpiresAt.Truncate(time.Second)) {
				t.Errorf("AuthenticateJWTWithClaims = request_id %q, claims %v, expires %v; want local, plan=team, %v", local.RequestID, claims, local.MemberSession.ExpiresAt, ext.MemberSession.ExpiresAt)
			}
		})

		t.Run("revoke", func(t *testing.T) {
			// Grace's logins revoke one session at a time, so that Ada's
			// logins stay under the email send throttle (five per address
			// in ten minutes).
			grace := "grace@" + dom
			newMember(t, e, orgA.OrganizationID, grace, members.CreateParams{})
			// By token.
			s1 := memberLogin(t, e, orgA.OrganizationID, grace)
			rv, err := c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{SessionToken: s1.SessionToken})
			if err != nil || rv.StatusCode != 200 || !strings.HasPrefix(rv.RequestID, "request-id-test-") {
				t.Fatalf("b2b sessions.revoke by token = %s, %v", describe(rv), err)
			}
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: s1.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: s1.SessionJWT})
			wantError(t, err, 404, "session_not_found")
			// AuthenticateJWT with a max age of zero always asks the server.
			_, err = c.Sessions.AuthenticateJWT(ctx, &b2bsessions.AuthenticateJWTParams{Body: &b2bsessions.AuthenticateParams{SessionJWT: s1.SessionJWT}})
			wantError(t, err, 404, "session_not_found")

			// By member_session_id.
			s2 := memberLogin(t, e, orgA.OrganizationID, grace)
			if _, err := c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{MemberSessionID: s2.MemberSession.MemberSessionID}); err != nil {
				t.Fatalf("b2b sessions.revoke by member_session_id: %v", err)
			}
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: s2.SessionToken})
			wantError(t, err, 404, "session_not_found")
			_, err = c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{MemberSessionID: s2.MemberSession.MemberSessionID})
			wantError(t, err, 404, "session_not_found")

			// By JWT.
			s3 := memberLogin(t, e, orgA.OrganizationID, grace)
			if _, err := c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{SessionJWT: s3.SessionJWT}); err != nil {
				t.Fatalf("b2b sessions.revoke by JWT: %v", err)
			}
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: s3.SessionToken})
			wantError(t, err, 404, "session_not_found")

			// By member_id: every session of the member goes.
			s4 := memberLogin(t, e, orgA.OrganizationID, ada)
			s5 := memberLogin(t, e, orgA.OrganizationID, ada)
			if _, err := c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{MemberID: memA.MemberID}); err != nil {
				t.Fatalf("b2b sessions.revoke by member_id: %v", err)
			}
			for _, s := range []string{s4.SessionToken, s5.SessionToken} {
				_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: s})
				wantError(t, err, 404, "session_not_found")
			}
			list, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgA.OrganizationID, MemberID: memA.MemberID})
			if err != nil || len(list.MemberSessions) != 0 {
				t.Errorf("sessions.get after revoking by member_id = %s, %v; want none", describe(list), err)
			}
			// Her session in B is another member's, and lives on.
			if b, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgB.OrganizationID, MemberID: memB.MemberID}); err != nil || len(b.MemberSessions) == 0 {
				t.Errorf("sessions.get in B after revoking A's member = %s, %v; want B's session kept", describe(b), err)
			}
			_, err = c.Sessions.Revoke(ctx, &b2bsessions.RevokeParams{MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
		})
	})
}
