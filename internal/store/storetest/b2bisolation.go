package storetest

import (
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// b2bTenant is a project with one of each B2B row, and a second project
// with an organization and member of its own at the same address.
type b2bTenant struct {
	p        *auth.Project
	org      *auth.Organization
	m        *auth.Member
	s        *auth.Session
	is       *auth.IntermediateSession
	tok      *auth.OneTimeToken
	intruder *auth.Project
}

func newB2BTenant(t *testing.T, st store.Store) b2bTenant {
	t.Helper()
	ctx := t.Context()
	var tn b2bTenant
	tn.p = newProject(t, st)
	tn.org = fullOrg(tn.p.ID)
	must(t, st.CreateOrganization(ctx, tn.p.ID, tn.org))
	tn.m = fullMember(tn.p.ID, tn.org.ID)
	must(t, st.CreateMember(ctx, tn.p.ID, tn.m))
	tn.s = newMemberSession(t, st, tn.p.ID, tn.m)
	tn.is = intermediateSpec(tn.p.ID)
	tn.is.OrganizationID, tn.is.MemberID = tn.org.ID, tn.m.ID
	must(t, st.CreateIntermediateSession(ctx, tn.p.ID, tn.is))
	tn.tok = tokenSpec(tn.p.ID, nil, auth.TokenB2BMagicLink)
	tn.tok.OrganizationID, tn.tok.MemberID, tn.tok.EmailAddress = tn.org.ID, tn.m.ID, tn.m.EmailAddress
	must(t, st.CreateToken(ctx, tn.p.ID, tn.tok))
	tn.intruder = newProject(t, st)
	newMember(t, st, tn.intruder.ID, newOrg(t, st, tn.intruder.ID, "intruder").ID, tn.m.EmailAddress)
	return tn
}

// intact checks that the tenant's rows are unchanged in their own project.
func (tn b2bTenant) intact(t *testing.T, st store.Store) {
	t.Helper()
	ctx := t.Context()
	o, err := st.GetOrganization(ctx, tn.p.ID, tn.org.ID)
	must(t, err)
	diff(t, "GetOrganization in its own project", o, tn.org)
	wantMemberSession(t, st, tn.p.ID, tn.s, tn.m, tn.org)
	is, err := st.GetIntermediateSession(ctx, tn.p.ID, tn.is.TokenHash, t0)
	must(t, err)
	diff(t, "GetIntermediateSession in its own project", is, tn.is)
	tok, err := st.ConsumeToken(ctx, tn.p.ID, tn.tok.TokenHash, []auth.TokenKind{tn.tok.Kind}, t0)
	must(t, err)
	if tok.OrganizationID != tn.org.ID || tok.MemberID != tn.m.ID {
		t.Errorf("ConsumeToken in its own project = %+v, want organization %s and member %s", tok, tn.org.ID, tn.m.ID)
	}
}

var b2bIsolationTests = []subtest{
	{"Organizations", func(t *testing.T, st store.Store) {
		tn := newB2BTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.GetOrganization(ctx, b, tn.org.ID)
		wantNotFound(t, "GetOrganization", err)
		_, err = st.GetOrganizationBySlug(ctx, b, tn.org.Slug)
		wantNotFound(t, "GetOrganizationBySlug", err)
		_, err = st.GetOrganizationByExternalID(ctx, b, tn.org.ExternalID)
		wantNotFound(t, "GetOrganizationByExternalID", err)
		wantNotFound(t, "UpdateOrganization", st.UpdateOrganization(ctx, b, tn.org))
		wantNotFound(t, "DeleteOrganization", st.DeleteOrganization(ctx, b, tn.org.ID))
		got, total, err := st.SearchOrganizations(ctx, b, store.OrganizationFilter{
			Or: true, OrganizationIDs: []string{tn.org.ID}, Slugs: []string{tn.org.Slug}, NameFuzzy: tn.org.Name,
			SlugFuzzy: tn.org.Slug, AllowedDomains: tn.org.EmailAllowedDomains, Limit: 10,
		})
		must(t, err)
		if len(got) != 0 || total != 0 {
			t.Errorf("SearchOrganizations = %v, total %d; want none", orgIDs(got), total)
		}
		wantOrgsByDomain(t, st, b, tn.org.EmailAllowedDomains[0])

		// The same ID, slug, external ID and domains are free in another
		// project, and deleting the intruder's twin there leaves the
		// tenant's organization, members, sessions and tokens alone.
		twin := fullOrg(b)
		twin.ID = tn.org.ID
		must(t, st.CreateOrganization(ctx, b, twin))
		wantOrgsByDomain(t, st, b, tn.org.EmailAllowedDomains[0], twin.ID)
		twinMember := fullMember(b, twin.ID)
		twinMember.ID = tn.m.ID
		must(t, st.CreateMember(ctx, b, twinMember))
		must(t, st.DeleteOrganization(ctx, b, twin.ID))
		tn.intact(t, st)
	}},
	{"Members", func(t *testing.T, st store.Store) {
		tn := newB2BTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.GetMember(ctx, b, tn.org.ID, tn.m.ID)
		wantNotFound(t, "GetMember", err)
		_, err = st.GetMemberByEmail(ctx, b, tn.org.ID, tn.m.EmailAddress)
		wantNotFound(t, "GetMemberByEmail", err)
		_, err = st.GetMemberByID(ctx, b, tn.m.ID)
		wantNotFound(t, "GetMemberByID", err)
		wantNotFound(t, "UpdateMember", st.UpdateMember(ctx, b, tn.m))
		wantNotFound(t, "CreateMember in another project's organization", st.CreateMember(ctx, b, memberSpec(b, tn.org.ID, "new@example.com")))
		ms, err := st.ListMembersByEmail(ctx, b, tn.m.EmailAddress)
		must(t, err)
		for _, m := range ms {
			if m.ID == tn.m.ID || m.OrganizationID == tn.org.ID {
				t.Errorf("ListMembersByEmail in another project returned %+v", m)
			}
		}
		if len(ms) != 1 {
			t.Errorf("ListMembersByEmail = %d members, want the intruder's own 1", len(ms))
		}
		got, total, err := st.SearchMembers(ctx, b, store.MemberFilter{
			OrganizationIDs: []string{tn.org.ID}, Or: true, MemberIDs: []string{tn.m.ID},
			EmailAddresses: []string{tn.m.EmailAddress}, EmailFuzzy: "@", Roles: tn.m.Roles, Limit: 10,
		})
		must(t, err)
		if len(got) != 0 || total != 0 {
			t.Errorf("SearchMembers = %v, total %d; want none", memberIDs(got), total)
		}
		got, _, err = st.SearchMembers(ctx, tn.p.ID, store.MemberFilter{OrganizationIDs: []string{tn.org.ID}, Limit: 10})
		must(t, err)
		diff(t, "SearchMembers in its own project", got, []auth.Member{*tn.m})
		tn.intact(t, st)
	}},
	{"MemberSessions", func(t *testing.T, st store.Store) {
		tn := newB2BTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, _, _, err := st.GetMemberSessionByTokenHash(ctx, b, tn.s.TokenHash)
		wantNotFound(t, "GetMemberSessionByTokenHash", err)
		_, _, _, err = st.GetMemberSession(ctx, b, tn.s.ID)
		wantNotFound(t, "GetMemberSession", err)
		ss, err := st.ListMemberSessions(ctx, b, tn.m.ID, t0)
		must(t, err)
		diff(t, "ListMemberSessions", ss, []auth.Session{})
		wantNotFound(t, "UpdateMemberSession", st.UpdateMemberSession(ctx, b, tn.s))
		wantNotFound(t, "DeleteMemberSession", st.DeleteMemberSession(ctx, b, tn.s.ID))
		n, err := st.DeleteMemberSessions(ctx, b, tn.m.ID)
		must(t, err)
		if n != 0 {
			t.Errorf("DeleteMemberSessions = %d, want 0", n)
		}
		wantNotFound(t, "CreateMemberSession for another project's member", st.CreateMemberSession(ctx, b, memberSessionSpec(b, tn.m)))
		tn.intact(t, st)
	}},
	{"IntermediateSessionsAndTokens", func(t *testing.T, st store.Store) {
		tn := newB2BTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.GetIntermediateSession(ctx, b, tn.is.TokenHash, t0)
		wantNotFound(t, "GetIntermediateSession", err)
		_, err = st.ConsumeIntermediateSession(ctx, b, tn.is.TokenHash, t0)
		wantNotFound(t, "ConsumeIntermediateSession", err)
		into := intermediateSpec(b)
		into.OrganizationID = tn.org.ID
		wantNotFound(t, "CreateIntermediateSession into another project's organization", st.CreateIntermediateSession(ctx, b, into))
		_, err = st.ConsumeToken(ctx, b, tn.tok.TokenHash, []auth.TokenKind{tn.tok.Kind}, t0)
		wantNotFound(t, "ConsumeToken", err)
		tn.intact(t, st)
	}},
}
