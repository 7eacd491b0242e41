package compat

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	discoveryorgs "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

// TestB2BDiscovery is the B2B discovery flow an app runs, end to end:
// prove an address by email, list the organizations it may enter, enter
// one (or create one), and use the member session every way the SDK can.
func TestB2BDiscovery(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		t.Run("discover and exchange", func(t *testing.T) {
			t.Parallel()
			discoveryFlow(t, e)
		})
		t.Run("create organization", func(t *testing.T) {
			t.Parallel()
			discoveryCreate(t, e)
		})
	})
}

func discoveryFlow(t *testing.T, e *b2bEnv) {
	c := e.c
	dom := newDomain(t)
	ada := "ada@" + dom

	// A and B: Ada is a member. C: her domain may join by email. D: her
	// domain is allowed, but not to join by email.
	orgA := newOrg(t, e, "Alpha", organizations.CreateParams{})
	orgB := newOrg(t, e, "Beta", organizations.CreateParams{})
	orgC := newOrg(t, e, "Gamma", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})
	orgD := newOrg(t, e, "Delta", organizations.CreateParams{EmailJITProvisioning: notAllowed, EmailInvites: restricted, EmailAllowedDomains: []string{dom}})
	if orgC.EmailJITProvisioning != restricted || !slices.Equal(orgC.EmailAllowedDomains, []string{dom}) {
		t.Errorf("organization C: email_jit_provisioning %q, email_allowed_domains %v", orgC.EmailJITProvisioning, orgC.EmailAllowedDomains)
	}
	memA := newMember(t, e, orgA.OrganizationID, ada, members.CreateParams{Name: "Ada Lovelace"})
	memB := newMember(t, e, orgB.OrganizationID, ada, members.CreateParams{})
	checkMember(t, "members.create in A", memA.Member, wantMember{id: memA.MemberID, orgID: orgA.OrganizationID, addr: ada, status: "active"})
	if memA.Member.Name != "Ada Lovelace" || memA.MemberID == memB.MemberID {
		t.Errorf("members in A and B: name %q, IDs %s and %s", memA.Member.Name, memA.MemberID, memB.MemberID)
	}

	// The discovery email and its link.
	auth := discover(t, e, ada)
	m := waitMessage(t, e.srv, ada, 1)
	if !strings.HasPrefix(m.Subject, "Your login link for ") || !strings.Contains(m.HTML, m.Token) {
		t.Errorf("discovery email: subject %q, HTML with the token: %v", m.Subject, strings.Contains(m.HTML, m.Token))
	}
	want := map[string]string{orgA.OrganizationID: activeMember, orgB.OrganizationID: activeMember, orgC.OrganizationID: eligibleByMail}
	if got := discoveredTypes(t, "discovery.authenticate", auth.DiscoveredOrganizations); !cmp.Equal(got, want) {
		t.Errorf("discovered organizations %v, want A, B active and C eligible by domain %v (D %s must not appear)", got, want, orgD.OrganizationID)
	}
	for _, d := range auth.DiscoveredOrganizations {
		if d.Organization == nil || d.Membership == nil {
			continue
		}
		switch d.Organization.OrganizationID {
		case orgA.OrganizationID, orgB.OrganizationID:
			if d.Membership.Member == nil || d.Membership.Member.EmailAddress != ada {
				t.Errorf("discovered %s: membership.member %v, want Ada's member", d.Organization.OrganizationName, d.Membership.Member)
			}
			// Neither requires MFA or restricts auth methods: the magic link
			// is all she needs, so an app may exchange without a step-up
			// (Stytch: "If the end user selects an organization where
			// member_authenticated is false, you will need to trigger
			// additional MFA or step-up authentication").
			if !d.MemberAuthenticated || d.MFARequired != nil || d.PrimaryRequired != nil {
				t.Errorf("discovered %s: member_authenticated %v, mfa_required %v, primary_required %v; want true, null, null",
					d.Organization.OrganizationName, d.MemberAuthenticated, d.MFARequired, d.PrimaryRequired)
			}
		case orgC.OrganizationID:
			if d.Organization.OrganizationSlug != orgC.OrganizationSlug || d.Organization.EmailJITProvisioning != restricted {
				t.Errorf("discovered C = %+v", *d.Organization)
			}
		}
	}

	// Listing with the intermediate session does not consume it.
	for range 2 {
		list, err := c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: auth.IntermediateSessionToken})
		if err != nil {
			t.Fatalf("discovery.organizations.list: %v", err)
		}
		if got := discoveredTypes(t, "discovery.organizations.list", list.DiscoveredOrganizations); list.EmailAddress != ada || !cmp.Equal(got, want) {
			t.Errorf("discovery.organizations.list = %s %v, want %s %v", list.EmailAddress, got, ada, want)
		}
	}

	// Enter the second organization, B.
	start := time.Now()
	ex, err := c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
		IntermediateSessionToken: auth.IntermediateSessionToken, OrganizationID: orgB.OrganizationID,
	})
	if err != nil {
		t.Fatalf("intermediate_sessions.exchange into B: %v", err)
	}
	if ex.StatusCode != 200 || ex.MemberID != memB.MemberID || ex.Organization.OrganizationID != orgB.OrganizationID ||
		!ex.MemberAuthenticated || ex.IntermediateSessionToken != "" {
		t.Errorf("exchange = status %d, member %q, organization %q, member_authenticated %v, intermediate_session_token %q; want 200, %s, %s, true, \"\"",
			ex.StatusCode, ex.MemberID, ex.Organization.OrganizationID, ex.MemberAuthenticated, ex.IntermediateSessionToken, memB.MemberID, orgB.OrganizationID)
	}
	if len(ex.SessionToken) != 44 || strings.Count(ex.SessionJWT, ".") != 2 {
		t.Errorf("exchange: session_token %q, session_jwt %q; want a 44-character token and a JWT", ex.SessionToken, ex.SessionJWT)
	}
	// The login verified her address.
	checkMember(t, "exchanged member", ex.Member, wantMember{id: memB.MemberID, orgID: orgB.OrganizationID, addr: ada, status: "active", verified: true})
	if ex.MemberSession == nil {
		t.Fatal("exchange returned no member_session")
	}
	sess := *ex.MemberSession
	checkMemberSession(t, "exchange", sess, memB.MemberID, orgB, ada, 60)
	if !near(*sess.StartedAt, start, time.Minute) {
		t.Errorf("session started %v, want about %v", sess.StartedAt, start)
	}

	// sessions.authenticate, remotely by token and by JWT.
	byToken, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: ex.SessionToken})
	if err != nil {
		t.Fatalf("b2b sessions.authenticate by token: %v", err)
	}
	if byToken.MemberSession.MemberSessionID != sess.MemberSessionID || byToken.SessionToken != ex.SessionToken ||
		byToken.Member.MemberID != memB.MemberID || byToken.Organization.OrganizationID != orgB.OrganizationID ||
		byToken.Organization.OrganizationSlug != orgB.OrganizationSlug || strings.Count(byToken.SessionJWT, ".") != 2 {
		t.Errorf("sessions.authenticate by token = session %q, token %q, member %q, organization %q (%q)",
			byToken.MemberSession.MemberSessionID, byToken.SessionToken, byToken.Member.MemberID, byToken.Organization.OrganizationID, byToken.Organization.OrganizationSlug)
	}
	checkMemberSession(t, "sessions.authenticate by token", byToken.MemberSession, memB.MemberID, orgB, ada, 60)
	byJWT, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionJWT: ex.SessionJWT})
	if err != nil {
		t.Fatalf("b2b sessions.authenticate by JWT: %v", err)
	}
	if byJWT.MemberSession.MemberSessionID != sess.MemberSessionID || byJWT.Member.MemberID != memB.MemberID ||
		byJWT.Organization.OrganizationID != orgB.OrganizationID || byJWT.RequestID == "" {
		t.Errorf("sessions.authenticate by JWT = session %q, member %q, organization %q", byJWT.MemberSession.MemberSessionID, byJWT.Member.MemberID, byJWT.Organization.OrganizationID)
	}
	checkMemberSession(t, "sessions.authenticate by JWT", byJWT.MemberSession, memB.MemberID, orgB, ada, 60)

	// The JWT carries the B2B claims, and the SDK verifies it locally.
	checkMemberJWT(t, e, ex.SessionJWT, memB.MemberID, orgB)
	local, err := c.Sessions.AuthenticateJWTLocal(ctx, ex.SessionJWT, time.Minute, nil)
	if err != nil {
		t.Fatalf("b2b sessions.AuthenticateJWTLocal: %v", err)
	}
	if local.MemberSessionID != sess.MemberSessionID || local.MemberID != memB.MemberID || local.OrganizationID != orgB.OrganizationID ||
		local.OrganizationSlug != orgB.OrganizationSlug || !slices.Contains(local.Roles, roleMember) ||
		!local.StartedAt.Equal(sess.StartedAt.Truncate(time.Second)) || !local.ExpiresAt.Equal(sess.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("AuthenticateJWTLocal = %+v; want session %s of %s in %s (%s), started %v, expires %v",
			*local, sess.MemberSessionID, memB.MemberID, orgB.OrganizationID, orgB.OrganizationSlug, sess.StartedAt, sess.ExpiresAt)
	}
	checkMemberSession(t, "AuthenticateJWTLocal", *local, memB.MemberID, orgB, ada, 0)
	viaJWT, err := c.Sessions.AuthenticateJWT(ctx, &b2bsessions.AuthenticateJWTParams{
		MaxTokenAge: time.Minute, Body: &b2bsessions.AuthenticateParams{SessionJWT: ex.SessionJWT},
	})
	if err != nil {
		t.Fatalf("b2b sessions.AuthenticateJWT: %v", err)
	}
	if viaJWT.RequestID != "" || viaJWT.MemberSession.MemberSessionID != sess.MemberSessionID {
		t.Errorf("AuthenticateJWT went to the server (request_id %q) or returned session %q: the JWT did not verify locally", viaJWT.RequestID, viaJWT.MemberSession.MemberSessionID)
	}
	if _, err := c.Sessions.AuthenticateJWTLocal(ctx, tamper(ex.SessionJWT), time.Minute, nil); err == nil {
		t.Errorf("AuthenticateJWTLocal accepted a JWT with a tampered signature")
	}

	// sessions.get lists it; B's member is now verified, A's is not.
	list, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: orgB.OrganizationID, MemberID: memB.MemberID})
	if err != nil {
		t.Fatalf("b2b sessions.get: %v", err)
	}
	if len(list.MemberSessions) != 1 || list.MemberSessions[0].MemberSessionID != sess.MemberSessionID {
		t.Errorf("b2b sessions.get = %s, want the one session %s", describe(list.MemberSessions), sess.MemberSessionID)
	}
	if got, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, MemberID: memA.MemberID}); err != nil || got.Member.EmailAddressVerified {
		t.Errorf("member in A after logging in to B: %+v, %v; want unverified", got, err)
	}

	// The intermediate session was used up by its exchange.
	_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
		IntermediateSessionToken: auth.IntermediateSessionToken, OrganizationID: orgA.OrganizationID,
	})
	wantError(t, err, 404, "intermediate_session_not_found")
	_, err = c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: auth.IntermediateSessionToken})
	wantError(t, err, 404, "intermediate_session_not_found")

	// A fresh one: D refuses her, and a refusal leaves it usable; C lets
	// her join just in time.
	fresh := discover(t, e, ada)
	_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
		IntermediateSessionToken: fresh.IntermediateSessionToken, OrganizationID: orgD.OrganizationID,
	})
	wantErrorType(t, err, "email_jit_provisioning_not_allowed")
	if res, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: orgD.OrganizationID, EmailAddress: ada}); err == nil {
		t.Errorf("a refused exchange made a member of D: %+v", res.Member)
	}
	joined, err := c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
		IntermediateSessionToken: fresh.IntermediateSessionToken, OrganizationID: orgC.OrganizationID, SessionDurationMinutes: 30,
	})
	if err != nil {
		t.Fatalf("exchange into C (JIT by email domain): %v", err)
	}
	checkMember(t, "JIT member of C", joined.Member, wantMember{orgID: orgC.OrganizationID, addr: ada, status: "active", verified: true})
	if joined.MemberID != joined.Member.MemberID || joined.MemberID == memA.MemberID || joined.MemberID == memB.MemberID || joined.MemberSession == nil {
		t.Fatalf("exchange into C = member_id %q, member_session %v", joined.MemberID, joined.MemberSession)
	}
	checkMemberSession(t, "JIT session in C", *joined.MemberSession, joined.MemberID, orgC, ada, 30)
	got, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: orgC.OrganizationID, EmailAddress: ada})
	if err != nil || got.MemberID != joined.MemberID || got.Member.Status != "active" {
		t.Errorf("members.get in C by email = %+v, %v; want the active JIT member %s", got, err, joined.MemberID)
	}
	// Now Ada is an active member of C, as the discovery list shows.
	now, err := c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{SessionToken: joined.SessionToken})
	if err != nil {
		t.Fatalf("discovery.organizations.list by session token: %v", err)
	}
	want[orgC.OrganizationID] = activeMember
	if got := discoveredTypes(t, "list by session", now.DiscoveredOrganizations); now.EmailAddress != ada || !cmp.Equal(got, want) {
		t.Errorf("discovery.organizations.list by session = %s %v, want %v", now.EmailAddress, got, want)
	}
}

// discoveryCreate creates an organization from an intermediate session:
// its creator becomes its first member and admin, logged in.
func discoveryCreate(t *testing.T, e *b2bEnv) {
	c := e.c
	addr := "founder@" + newDomain(t)
	auth := discover(t, e, addr)
	if len(auth.DiscoveredOrganizations) != 0 {
		t.Errorf("a new address discovered %s", describe(auth.DiscoveredOrganizations))
	}
	name, slug := "Founders "+randHex(t, 4), "founders-"+randHex(t, 4)
	cr, err := c.Discovery.Organizations.Create(ctx, &discoveryorgs.CreateParams{
		IntermediateSessionToken: auth.IntermediateSessionToken,
		OrganizationName:         name,
		OrganizationSlug:         slug,
		SessionDurationMinutes:   90,
	})
	if err != nil {
		t.Fatalf("discovery.organizations.create: %v", err)
	}
	if cr.Organization == nil {
		t.Fatal("discovery.organizations.create returned no organization")
	}
	o := *cr.Organization
	if !strings.HasPrefix(o.OrganizationID, "organization-test-") || o.OrganizationName != name || o.OrganizationSlug != slug {
		t.Errorf("created organization %q %q %q, want %s %s", o.OrganizationID, o.OrganizationName, o.OrganizationSlug, name, slug)
	}
	checkMember(t, "creator", cr.Member, wantMember{id: cr.MemberID, orgID: o.OrganizationID, addr: addr, status: "active", verified: true, admin: true})
	if !cr.MemberAuthenticated || cr.IntermediateSessionToken != "" || len(cr.SessionToken) != 44 || strings.Count(cr.SessionJWT, ".") != 2 || cr.MemberSession == nil {
		t.Fatalf("discovery.organizations.create = member_authenticated %v, intermediate_session_token %q, session_token %q, session_jwt %q, member_session %v",
			cr.MemberAuthenticated, cr.IntermediateSessionToken, cr.SessionToken, cr.SessionJWT, cr.MemberSession)
	}
	checkMemberSession(t, "creator's session", *cr.MemberSession, cr.MemberID, o, addr, 90)
	if !slices.Contains(cr.MemberSession.Roles, roleAdmin) {
		t.Errorf("creator's session roles %v, want %s", cr.MemberSession.Roles, roleAdmin)
	}
	for _, r := range cr.Member.Roles {
		if r.RoleID == roleAdmin && !slices.ContainsFunc(r.Sources, func(s organizations.MemberRoleSource) bool { return s.Type == "direct_assignment" }) {
			t.Errorf("creator's %s role sources %+v, want direct_assignment", roleAdmin, r.Sources)
		}
	}

	sa, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: cr.SessionToken})
	if err != nil {
		t.Fatalf("sessions.authenticate creator: %v", err)
	}
	if sa.Organization.OrganizationID != o.OrganizationID || !sa.Member.IsAdmin || !slices.Contains(sa.MemberSession.Roles, roleAdmin) {
		t.Errorf("sessions.authenticate creator = organization %q, is_admin %v, roles %v", sa.Organization.OrganizationID, sa.Member.IsAdmin, sa.MemberSession.Roles)
	}
	checkMemberJWT(t, e, cr.SessionJWT, cr.MemberID, o)
	local, err := c.Sessions.AuthenticateJWTLocal(ctx, cr.SessionJWT, time.Minute, nil)
	if err != nil || !slices.Contains(local.Roles, roleAdmin) || local.OrganizationID != o.OrganizationID {
		t.Errorf("AuthenticateJWTLocal(creator) = %s, %v; want roles with %s in %s", describe(local), err, roleAdmin, o.OrganizationID)
	}
	got, err := c.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: o.OrganizationID})
	if err != nil || got.Organization.OrganizationSlug != slug {
		t.Errorf("organizations.get created = %+v, %v", got, err)
	}

	// The intermediate session was used up.
	_, err = c.Discovery.Organizations.Create(ctx, &discoveryorgs.CreateParams{IntermediateSessionToken: auth.IntermediateSessionToken, OrganizationName: "Again " + randHex(t, 4)})
	wantError(t, err, 404, "intermediate_session_not_found")
	// A taken slug is refused, and the refusal leaves a fresh one usable.
	again := discover(t, e, addr)
	_, err = c.Discovery.Organizations.Create(ctx, &discoveryorgs.CreateParams{IntermediateSessionToken: again.IntermediateSessionToken, OrganizationName: "Copy", OrganizationSlug: slug})
	wantError(t, err, 400, "organization_slug_already_used")
	list, err := c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: again.IntermediateSessionToken})
	if err != nil {
		t.Fatalf("discovery.organizations.list after a refused create: %v", err)
	}
	if got := discoveredTypes(t, "list", list.DiscoveredOrganizations); !cmp.Equal(got, map[string]string{o.OrganizationID: activeMember}) {
		t.Errorf("discovered after creating %s: %v", o.OrganizationID, got)
	}
}

// TestB2BConcurrentExchange races many exchanges of one intermediate
// session: exactly one may win.
func TestB2BConcurrentExchange(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		const n = 50
		addr := "racer@" + newDomain(t)
		org := newOrg(t, e, "Race", organizations.CreateParams{})
		mem := newMember(t, e, org.OrganizationID, addr, members.CreateParams{})
		auth := discover(t, e, addr)
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
			wins  = make([]*intermediatesessions.ExchangeResponse, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				wins[i], errs[i] = e.c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
					IntermediateSessionToken: auth.IntermediateSessionToken, OrganizationID: org.OrganizationID,
				})
			})
		}
		close(start)
		wg.Wait()
		ok, refused := 0, 0
		for i, err := range errs {
			if err == nil {
				ok++
				if wins[i].MemberID != mem.MemberID || wins[i].MemberSession == nil {
					t.Errorf("winning exchange: member %q session %v", wins[i].MemberID, wins[i].MemberSession)
				}
				continue
			}
			var se stytcherror.Error
			if errors.As(err, &se) && se.StatusCode == 404 && se.ErrorType == "intermediate_session_not_found" {
				refused++
				continue
			}
			t.Errorf("exchange %d: %v", i, err)
		}
		if ok != 1 || refused != n-1 {
			t.Errorf("%d concurrent exchanges: %d succeeded, %d intermediate_session_not_found; want 1 and %d", n, ok, refused, n-1)
		}
		list, err := e.c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: org.OrganizationID, MemberID: mem.MemberID})
		if err != nil || len(list.MemberSessions) != 1 {
			t.Errorf("sessions.get after the race = %s, %v; want exactly one session", describe(list), err)
		}
	})
}
