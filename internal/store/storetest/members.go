package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// fullMember returns a member of organizationID with every field set to a
// value other than its zero.
func fullMember(projectID, organizationID string) *auth.Member {
	return &auth.Member{
		ID:                 auth.NewID(auth.KindMember, auth.EnvTest),
		ProjectID:          projectID,
		OrganizationID:     organizationID,
		EmailAddress:       "ada@acme.example",
		EmailVerified:      true,
		Name:               "Ada Lovelace",
		Status:             auth.MemberInvited,
		IsBreakglass:       true,
		ExternalID:         "ada-ext",
		TrustedMetadata:    map[string]any{"plan": "pro", "seats": 3.0, "nested": map[string]any{"k": []any{"v", nil}}},
		UntrustedMetadata:  map[string]any{"theme": "dark"},
		Roles:              []string{auth.RoleAdmin, "editor"},
		OAuthRegistrations: []auth.ProviderLink{},
		MFAEnrolled:        true,
		MFAPhoneNumber:     "+15555550100",
		MFAPhoneVerified:   true,
		DefaultMFAMethod:   "totp",
		CreatedAt:          t0,
		UpdatedAt:          at(time.Second),
	}
}

var memberTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := fullMember(p.ID, o.ID)
		must(t, st.CreateMember(t.Context(), p.ID, m))
		got, err := st.GetMember(t.Context(), p.ID, o.ID, m.ID)
		must(t, err)
		diff(t, "GetMember", got, m)
		got, err = st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberByID", got, m)
		got, err = st.GetMemberByEmail(t.Context(), p.ID, o.ID, "Ada@ACME.example")
		must(t, err)
		diff(t, "GetMemberByEmail", got, m)
		got, err = st.GetMemberByExternalID(t.Context(), p.ID, o.ID, m.ExternalID)
		must(t, err)
		diff(t, "GetMemberByExternalID", got, m)
		other := newOrg(t, st, p.ID, "other")
		_, err = st.GetMemberByExternalID(t.Context(), p.ID, other.ID, m.ExternalID)
		wantNotFound(t, "GetMemberByExternalID in another organization", err)
		_, err = st.GetMemberByExternalID(t.Context(), p.ID, o.ID, "")
		wantNotFound(t, "GetMemberByExternalID of an empty external ID", err)
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := &auth.Member{ID: auth.NewID(auth.KindMember, auth.EnvTest), OrganizationID: o.ID, EmailAddress: "ada@example.com",
			Status: auth.MemberPending, CreatedAt: t0, UpdatedAt: t0}
		must(t, st.CreateMember(t.Context(), p.ID, m))
		got, err := st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		want := *m
		want.ProjectID = p.ID
		want.TrustedMetadata, want.UntrustedMetadata, want.Roles = map[string]any{}, map[string]any{}, []string{}
		want.OAuthRegistrations = []auth.ProviderLink{}
		diff(t, "GetMemberByID", got, &want)
	}},
	{"AddressesAreStoredLowercased", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "Ada@Example.COM")
		got, err := st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		if got.EmailAddress != "ada@example.com" {
			t.Errorf("EmailAddress = %q, want it lowercased", got.EmailAddress)
		}
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		other := newOrg(t, st, p.ID, "other")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		_, err := st.GetMember(t.Context(), p.ID, o.ID, "member-test-missing")
		wantNotFound(t, "GetMember", err)
		_, err = st.GetMember(t.Context(), p.ID, other.ID, m.ID)
		wantNotFound(t, "GetMember in another organization", err)
		_, err = st.GetMemberByID(t.Context(), p.ID, "member-test-missing")
		wantNotFound(t, "GetMemberByID", err)
		_, err = st.GetMemberByEmail(t.Context(), p.ID, o.ID, "nobody@example.com")
		wantNotFound(t, "GetMemberByEmail", err)
		_, err = st.GetMemberByEmail(t.Context(), p.ID, other.ID, "ada@example.com")
		wantNotFound(t, "GetMemberByEmail in another organization", err)
		wantNotFound(t, "UpdateMember", st.UpdateMember(t.Context(), p.ID, memberSpec(p.ID, o.ID, "x@example.com")))
		moved := *m
		moved.OrganizationID = other.ID
		wantNotFound(t, "UpdateMember into another organization", st.UpdateMember(t.Context(), p.ID, &moved))
		wantNotFound(t, "CreateMember in a missing organization",
			st.CreateMember(t.Context(), p.ID, memberSpec(p.ID, "organization-test-missing", "x@example.com")))
		ms, err := st.ListMembersByEmail(t.Context(), p.ID, "nobody@example.com")
		must(t, err)
		diff(t, "ListMembersByEmail", ms, []auth.Member{})
	}},
	{"CreateConflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		other := newOrg(t, st, p.ID, "other")
		m := memberSpec(p.ID, o.ID, "ada@example.com")
		m.ExternalID = "ext-1"
		m.Roles = []string{"editor"}
		must(t, st.CreateMember(t.Context(), p.ID, m))
		deleted := memberSpec(p.ID, o.ID, "gone@example.com")
		deleted.Status = auth.MemberDeleted
		must(t, st.CreateMember(t.Context(), p.ID, deleted))

		sameID := memberSpec(p.ID, o.ID, "new@example.com")
		sameID.ID = m.ID
		sameAddress := memberSpec(p.ID, o.ID, "ADA@example.com")
		deletedAddress := memberSpec(p.ID, o.ID, "gone@example.com")
		sameExt := memberSpec(p.ID, o.ID, "ext@example.com")
		sameExt.ExternalID = "ext-1"
		for name, dup := range map[string]*auth.Member{
			"id": sameID, "address": sameAddress, "deleted member's address": deletedAddress, "external id": sameExt,
		} {
			dup.Roles = []string{"dup-role"} // the refused member's roles must not be written either
			wantErr(t, st.CreateMember(t.Context(), p.ID, dup), store.ErrConflict)
			if name != "id" {
				_, err := st.GetMemberByID(t.Context(), p.ID, dup.ID)
				wantNotFound(t, "GetMemberByID after a refused "+name, err)
			}
		}
		got, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}, Roles: []string{"dup-role"}, Limit: 10})
		must(t, err)
		diff(t, "members holding the refused role", memberIDs(got), []string{})
		gotM, err := st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberByID after refused duplicates", gotM, m)

		// The same address and external ID are free in another organization,
		// and empty external IDs never conflict.
		again := memberSpec(p.ID, other.ID, "ada@example.com")
		again.ExternalID = "ext-1"
		must(t, st.CreateMember(t.Context(), p.ID, again))
		newMember(t, st, p.ID, o.ID, "b@example.com")
		newMember(t, st, p.ID, o.ID, "c@example.com")
	}},
	{"Update", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "before@example.com")
		upd := fullMember(p.ID, o.ID)
		upd.ID = m.ID
		upd.EmailAddress = "After@Example.com"
		upd.CreatedAt = at(time.Hour) // ignored: CreatedAt is not written
		upd.UpdatedAt = at(2 * time.Hour)
		must(t, st.UpdateMember(t.Context(), p.ID, upd))
		got, err := st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		want := *upd
		want.CreatedAt, want.EmailAddress = m.CreatedAt, "after@example.com"
		diff(t, "GetMemberByID after UpdateMember", got, &want)
		_, err = st.GetMemberByEmail(t.Context(), p.ID, o.ID, "before@example.com")
		wantNotFound(t, "GetMemberByEmail of the old address", err)

		// Roles are replaced, not added to.
		upd.Roles = []string{"viewer", "viewer"}
		must(t, st.UpdateMember(t.Context(), p.ID, upd))
		for role, want := range map[string][]string{"editor": {}, auth.RoleAdmin: {}, "viewer": {m.ID}} {
			got, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}, Roles: []string{role}, Limit: 10})
			must(t, err)
			diff(t, "members holding "+role, memberIDs(got), want)
		}
		upd.Roles = nil
		must(t, st.UpdateMember(t.Context(), p.ID, upd))
		got, err = st.GetMemberByID(t.Context(), p.ID, m.ID)
		must(t, err)
		diff(t, "Roles after clearing them", got.Roles, []string{})
	}},
	{"UpdateConflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		a := memberSpec(p.ID, o.ID, "a@example.com")
		a.ExternalID = "ext-a"
		must(t, st.CreateMember(t.Context(), p.ID, a))
		b := memberSpec(p.ID, o.ID, "b@example.com")
		b.Roles = []string{"editor"}
		must(t, st.CreateMember(t.Context(), p.ID, b))
		for name, change := range map[string]func(m *auth.Member){
			"address":     func(m *auth.Member) { m.EmailAddress = "A@example.com" },
			"external id": func(m *auth.Member) { m.ExternalID = "ext-a" },
		} {
			upd := *b
			change(&upd)
			upd.Roles = []string{"changed"}
			wantErr(t, st.UpdateMember(t.Context(), p.ID, &upd), store.ErrConflict)
			got, err := st.GetMemberByID(t.Context(), p.ID, b.ID)
			must(t, err)
			diff(t, "GetMemberByID after a refused "+name+" update", got, b)
			ms, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}, Roles: []string{"editor"}, Limit: 10})
			must(t, err)
			diff(t, "members holding editor after a refused "+name+" update", memberIDs(ms), []string{b.ID})
		}
		a.Status = auth.MemberDeleted // keeping its own address and external ID is no conflict
		must(t, st.UpdateMember(t.Context(), p.ID, a))
	}},
	{"ListByEmail", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o1, o2, o3 := newOrg(t, st, p.ID, "o1"), newOrg(t, st, p.ID, "o2"), newOrg(t, st, p.ID, "o3")
		newer := memberSpec(p.ID, o1.ID, "ada@example.com")
		newer.CreatedAt = at(time.Minute)
		must(t, st.CreateMember(t.Context(), p.ID, newer))
		deleted := memberSpec(p.ID, o2.ID, "ADA@example.com")
		deleted.Status = auth.MemberDeleted
		must(t, st.CreateMember(t.Context(), p.ID, deleted))
		newMember(t, st, p.ID, o3.ID, "someone@example.com")
		got, err := st.ListMembersByEmail(t.Context(), p.ID, "Ada@Example.com")
		must(t, err)
		deleted.EmailAddress = "ada@example.com"
		diff(t, "ListMembersByEmail", got, []auth.Member{*deleted, *newer})
	}},
}

// memberSearchFixture creates, in an organization of p, members whose
// (CreatedAt, ID) order is the returned one: the second and third share a
// CreatedAt and are ordered by ID. A second organization of p has a
// member matching every filter, which searches scoped to the first
// organization must never show.
func memberSearchFixture(t *testing.T, st store.Store, projectID string) (org, other *auth.Organization) {
	t.Helper()
	org, other = newOrg(t, st, projectID, "acme"), newOrg(t, st, projectID, "other")
	specs := []struct {
		id         string
		status     auth.MemberStatus
		created    time.Duration
		address    string
		breakglass bool
		roles      []string
	}{
		{"member-test-0", auth.MemberActive, 0, "a@example.com", false, []string{"editor"}},
		{"member-test-1a", auth.MemberActive, time.Second, "c_d@example.com", true, nil},
		{"member-test-1b", auth.MemberInvited, time.Second, "B@Example.com", false, []string{"viewer", "editor"}},
		{"member-test-2", auth.MemberDeleted, 2 * time.Second, "gone@example.com", false, []string{"viewer"}},
		{"member-test-3", auth.MemberPending, 3 * time.Second, "cxd@example.com", true, []string{auth.RoleAdmin}},
	}
	for _, s := range specs {
		m := memberSpec(projectID, org.ID, s.address)
		m.ID, m.Status, m.IsBreakglass, m.Roles = s.id, s.status, s.breakglass, s.roles
		m.CreatedAt, m.UpdatedAt = at(s.created), at(s.created)
		must(t, st.CreateMember(t.Context(), projectID, m))
	}
	o := memberSpec(projectID, other.ID, "a@example.com")
	o.ID, o.IsBreakglass, o.Roles = "member-test-other", true, []string{"editor", "viewer", auth.RoleAdmin}
	must(t, st.CreateMember(t.Context(), projectID, o))
	return org, other
}

var memberSearchTests = []subtest{
	{"Filters", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		org, _ := memberSearchFixture(t, st, p.ID)
		// A member of another project matches every filter but never shows.
		q := newProject(t, st)
		qo := orgSpec(q.ID, "acme")
		qo.ID = org.ID
		must(t, st.CreateOrganization(t.Context(), q.ID, qo))
		qm := memberSpec(q.ID, org.ID, "a@example.com")
		qm.ID, qm.IsBreakglass, qm.Roles = "member-test-0", true, []string{"editor", "viewer"}
		must(t, st.CreateMember(t.Context(), q.ID, qm))

		all := []string{"member-test-0", "member-test-1a", "member-test-1b", "member-test-2", "member-test-3"}
		for _, tc := range []struct {
			name string
			f    store.MemberFilter
			want []string
		}{
			{"none", store.MemberFilter{}, all},
			{"none or", store.MemberFilter{Or: true}, all},
			{"ids", store.MemberFilter{MemberIDs: []string{"member-test-3", "member-test-0", "member-test-other"}}, []string{"member-test-0", "member-test-3"}},
			{"addresses", store.MemberFilter{EmailAddresses: []string{"b@example.com", "A@EXAMPLE.com"}}, []string{"member-test-0", "member-test-1b"}},
			{"fuzzy escapes _", store.MemberFilter{EmailFuzzy: "c_d"}, []string{"member-test-1a"}},
			{"fuzzy escapes %", store.MemberFilter{EmailFuzzy: "%"}, []string{}},
			{"fuzzy substring, any case", store.MemberFilter{EmailFuzzy: "D@EXAMPLE"}, []string{"member-test-1a", "member-test-3"}},
			{"statuses", store.MemberFilter{Statuses: []auth.MemberStatus{auth.MemberDeleted, auth.MemberInvited}}, []string{"member-test-1b", "member-test-2"}},
			{"breakglass", store.MemberFilter{IsBreakglass: ptr(true)}, []string{"member-test-1a", "member-test-3"}},
			{"not breakglass", store.MemberFilter{IsBreakglass: ptr(false)}, []string{"member-test-0", "member-test-1b", "member-test-2"}},
			{"roles", store.MemberFilter{Roles: []string{"editor", "viewer"}}, []string{"member-test-0", "member-test-1b", "member-test-2"}},
			{"implicit role is not held directly", store.MemberFilter{Roles: []string{auth.RoleMember}}, []string{}},
			{"and", store.MemberFilter{Roles: []string{"editor"}, Statuses: []auth.MemberStatus{auth.MemberInvited}}, []string{"member-test-1b"}},
			{"and none", store.MemberFilter{EmailFuzzy: "cxd", IsBreakglass: ptr(false)}, []string{}},
			{"or", store.MemberFilter{Or: true, MemberIDs: []string{"member-test-2"}, EmailAddresses: []string{"a@example.com"}}, []string{"member-test-0", "member-test-2"}},
			{"or breakglass role", store.MemberFilter{Or: true, IsBreakglass: ptr(true), Roles: []string{"viewer"}}, []string{"member-test-1a", "member-test-1b", "member-test-2", "member-test-3"}},
		} {
			tc.f.OrganizationIDs = []string{org.ID}
			tc.f.Limit = 100
			got, total, err := st.SearchMembers(t.Context(), p.ID, tc.f)
			must(t, err)
			diff(t, tc.name, memberIDs(got), tc.want)
			if total != len(tc.want) {
				t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
			}
		}
	}},
	{"SeveralOrganizations", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		org, other := memberSearchFixture(t, st, p.ID)
		got, total, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{
			OrganizationIDs: []string{org.ID, other.ID, "organization-test-missing"}, Or: true,
			EmailAddresses: []string{"a@example.com"}, Statuses: []auth.MemberStatus{auth.MemberPending}, Limit: 10,
		})
		must(t, err)
		// The organizations scope the OR: it is ANDed with it, not joined into it.
		diff(t, "SearchMembers", memberIDs(got), []string{"member-test-0", "member-test-other", "member-test-3"})
		if total != 3 {
			t.Errorf("total = %d, want 3", total)
		}
	}},
	{"ReturnsFullMembers", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := fullMember(p.ID, o.ID)
		must(t, st.CreateMember(t.Context(), p.ID, m))
		got, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}, Limit: 10})
		must(t, err)
		diff(t, "SearchMembers", got, []auth.Member{*m})
	}},
	{"Pages", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		org, _ := memberSearchFixture(t, st, p.ID)
		for _, tc := range []struct {
			name  string
			f     store.MemberFilter
			pages [][]string
		}{
			{"all by 2", store.MemberFilter{Limit: 2}, [][]string{{"member-test-0", "member-test-1a"}, {"member-test-1b", "member-test-2"}, {"member-test-3"}}},
			{"all by 5", store.MemberFilter{Limit: 5}, [][]string{{"member-test-0", "member-test-1a", "member-test-1b", "member-test-2", "member-test-3"}}},
			{"not deleted by 1", store.MemberFilter{Limit: 1, Statuses: []auth.MemberStatus{auth.MemberActive, auth.MemberInvited, auth.MemberPending}},
				[][]string{{"member-test-0"}, {"member-test-1a"}, {"member-test-1b"}, {"member-test-3"}}},
		} {
			checkPages(t, tc.name, tc.pages, func(after *store.Cursor) page {
				f := tc.f
				f.OrganizationIDs = []string{org.ID}
				f.After = after
				got, total, err := st.SearchMembers(t.Context(), p.ID, f)
				must(t, err)
				pg := page{ids: memberIDs(got), total: total}
				if len(got) > 0 {
					last := got[len(got)-1]
					pg.last = &store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
				}
				return pg
			})
		}
	}},
	{"RequiresOrganizationIDs", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		memberSearchFixture(t, st, p.ID)
		for _, ids := range [][]string{nil, {}} {
			got, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: ids, Limit: 10})
			if err == nil {
				t.Errorf("SearchMembers with OrganizationIDs %#v = %d members, want an error", ids, len(got))
			}
		}
	}},
	{"LimitMustBePositive", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		if _, _, err := st.SearchMembers(t.Context(), p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}}); err == nil {
			t.Error("SearchMembers with Limit 0 succeeded, want an error")
		}
	}},
}
