package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// orgSearchFixture creates, in p, organizations whose (CreatedAt, ID)
// order is org-test-0 … org-test-3: org-test-1a and org-test-1b share a
// CreatedAt and are ordered by ID.
func orgSearchFixture(t *testing.T, st store.Store, projectID string) {
	t.Helper()
	type member struct {
		address string
		status  auth.MemberStatus
	}
	specs := []struct {
		id, name, slug string
		created        time.Duration
		domains        []string
		members        []member
	}{
		{"org-test-0", "Acme Corp", "acme", 0, []string{"acme.example"}, []member{{"a@example.com", auth.MemberActive}}},
		{"org-test-1a", "Ünïcode GmbH", "uni_code", time.Second, nil,
			[]member{{"gone@example.com", auth.MemberDeleted}, {"B@example.com", auth.MemberPending}}},
		{"org-test-1b", "Beta 100%", "beta", time.Second, []string{"Beta.example", "acme.example"}, nil},
		{"org-test-2", "gamma", "GAMMA-x", 2 * time.Second, nil, []member{{"cxd@example.com", auth.MemberActive}}},
		{"org-test-3", "Delta", "delta", 3 * time.Second, nil, []member{{"c_d@example.com", auth.MemberInvited}}},
	}
	for _, s := range specs {
		o := orgSpec(projectID, s.slug)
		o.ID, o.Name = s.id, s.name
		if s.domains != nil {
			o.EmailAllowedDomains = s.domains
		}
		o.CreatedAt, o.UpdatedAt = at(s.created), at(s.created)
		must(t, st.CreateOrganization(t.Context(), projectID, o))
		for _, m := range s.members {
			ms := memberSpec(projectID, o.ID, m.address)
			ms.Status = m.status
			must(t, st.CreateMember(t.Context(), projectID, ms))
		}
	}
}

var orgSearchTests = []subtest{
	{"Filters", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		orgSearchFixture(t, st, p.ID)
		// Organizations of another project match every filter but never show.
		q := newProject(t, st)
		orgSearchFixture(t, st, q.ID)

		all := []string{"org-test-0", "org-test-1a", "org-test-1b", "org-test-2", "org-test-3"}
		for _, tc := range []struct {
			name string
			f    store.OrganizationFilter
			want []string
		}{
			{"none", store.OrganizationFilter{}, all},
			{"none or", store.OrganizationFilter{Or: true}, all},
			{"ids", store.OrganizationFilter{OrganizationIDs: []string{"org-test-3", "org-test-0", "org-test-missing"}}, []string{"org-test-0", "org-test-3"}},
			{"slugs", store.OrganizationFilter{Slugs: []string{"GAMMA-x", "acme", "missing"}}, []string{"org-test-0", "org-test-2"}},
			{"slugs match exactly", store.OrganizationFilter{Slugs: []string{"gamma-x", "ACME"}}, []string{}},
			{"name fuzzy, any case", store.OrganizationFilter{NameFuzzy: "CORP"}, []string{"org-test-0"}},
			{"name fuzzy folds Unicode", store.OrganizationFilter{NameFuzzy: "üNÏ"}, []string{"org-test-1a"}},
			{"name fuzzy escapes %", store.OrganizationFilter{NameFuzzy: "0%"}, []string{"org-test-1b"}},
			{"name fuzzy escapes _", store.OrganizationFilter{NameFuzzy: "_"}, []string{}},
			{"slug fuzzy escapes _", store.OrganizationFilter{SlugFuzzy: "_"}, []string{"org-test-1a"}},
			{"slug fuzzy, any case", store.OrganizationFilter{SlugFuzzy: "mma-X"}, []string{"org-test-2"}},
			{"member emails, any case", store.OrganizationFilter{MemberEmails: []string{"A@example.com"}}, []string{"org-test-0"}},
			{"member emails skip deleted members", store.OrganizationFilter{MemberEmails: []string{"gone@example.com"}}, []string{}},
			{"member emails", store.OrganizationFilter{MemberEmails: []string{"cxd@example.com", "b@example.com"}}, []string{"org-test-1a", "org-test-2"}},
			{"member email fuzzy escapes _", store.OrganizationFilter{MemberEmailFuzzy: "C_D"}, []string{"org-test-3"}},
			{"member email fuzzy skips deleted members", store.OrganizationFilter{MemberEmailFuzzy: "gone"}, []string{}},
			{"member email fuzzy", store.OrganizationFilter{MemberEmailFuzzy: "@EXAMPLE"}, []string{"org-test-0", "org-test-1a", "org-test-2", "org-test-3"}},
			{"allowed domains, any case", store.OrganizationFilter{AllowedDomains: []string{"ACME.example"}}, []string{"org-test-0", "org-test-1b"}},
			{"allowed domains", store.OrganizationFilter{AllowedDomains: []string{"beta.example", "nope.example"}}, []string{"org-test-1b"}},
			{"and", store.OrganizationFilter{AllowedDomains: []string{"acme.example"}, NameFuzzy: "beta"}, []string{"org-test-1b"}},
			{"and none", store.OrganizationFilter{MemberEmails: []string{"a@example.com"}, Slugs: []string{"beta"}}, []string{}},
			{"or", store.OrganizationFilter{Or: true, Slugs: []string{"delta"}, MemberEmails: []string{"a@example.com"}}, []string{"org-test-0", "org-test-3"}},
			{"or fuzzy domains", store.OrganizationFilter{Or: true, NameFuzzy: "gamma", AllowedDomains: []string{"beta.example"}}, []string{"org-test-1b", "org-test-2"}},
		} {
			tc.f.Limit = 100
			got, total, err := st.SearchOrganizations(t.Context(), p.ID, tc.f)
			must(t, err)
			diff(t, tc.name, orgIDs(got), tc.want)
			if total != len(tc.want) {
				t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
			}
		}
	}},
	{"ReturnsFullOrganizations", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := fullOrg(p.ID)
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		got, _, err := st.SearchOrganizations(t.Context(), p.ID, store.OrganizationFilter{Limit: 10})
		must(t, err)
		diff(t, "SearchOrganizations", got, []auth.Organization{*o})
	}},
	{"Pages", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		orgSearchFixture(t, st, p.ID)
		for _, tc := range []struct {
			name  string
			f     store.OrganizationFilter
			pages [][]string
		}{
			{"all by 2", store.OrganizationFilter{Limit: 2}, [][]string{{"org-test-0", "org-test-1a"}, {"org-test-1b", "org-test-2"}, {"org-test-3"}}},
			{"all by 5", store.OrganizationFilter{Limit: 5}, [][]string{{"org-test-0", "org-test-1a", "org-test-1b", "org-test-2", "org-test-3"}}},
			{"with members by 1", store.OrganizationFilter{Limit: 1, MemberEmailFuzzy: "@"}, [][]string{{"org-test-0"}, {"org-test-1a"}, {"org-test-2"}, {"org-test-3"}}},
			{"or by 1", store.OrganizationFilter{Limit: 1, Or: true, AllowedDomains: []string{"acme.example"}, Slugs: []string{"uni_code"}},
				[][]string{{"org-test-0"}, {"org-test-1a"}, {"org-test-1b"}}},
		} {
			checkPages(t, tc.name, tc.pages, func(after *store.Cursor) page {
				f := tc.f
				f.After = after
				got, total, err := st.SearchOrganizations(t.Context(), p.ID, f)
				must(t, err)
				pg := page{ids: orgIDs(got), total: total}
				if len(got) > 0 {
					last := got[len(got)-1]
					pg.last = &store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
				}
				return pg
			})
		}
	}},
	{"LimitMustBePositive", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		if _, _, err := st.SearchOrganizations(t.Context(), p.ID, store.OrganizationFilter{}); err == nil {
			t.Error("SearchOrganizations with Limit 0 succeeded, want an error")
		}
	}},
}
