package member_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

func ptr[T any](v T) *T { return &v }

// fixture is a project with one organization.
type fixture struct {
	*authtest.Services
	ctx context.Context
	p   *auth.Project
	org *auth.Organization
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	o, err := s.Organizations.Create(context.Background(), p, organization.CreateInput{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Services: s, ctx: context.Background(), p: p, org: o}
}

func (f *fixture) create(t *testing.T, in member.CreateInput) *auth.Member {
	t.Helper()
	m, _, err := f.Members.Create(f.ctx, f.p, f.org.ID, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Email, err)
	}
	return m
}

func TestCreate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		m, o, err := f.Members.Create(f.ctx, f.p, f.org.Slug, member.CreateInput{
			Email: "Ada@Acme.com", Name: "Ada", ExternalID: "ext-1", IsBreakglass: true,
			Roles:           []string{auth.RoleAdmin, auth.RoleMember, auth.RoleAdmin},
			TrustedMetadata: map[string]any{"plan": "pro"}, MFAPhoneNumber: "+12025550162", MFAEnrolled: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		want := &auth.Member{
			ID: m.ID, ProjectID: f.p.ID, OrganizationID: f.org.ID, EmailAddress: "ada@acme.com", Name: "Ada",
			Status: auth.MemberActive, IsBreakglass: true, ExternalID: "ext-1",
			TrustedMetadata: map[string]any{"plan": "pro"}, UntrustedMetadata: map[string]any{},
			Roles: []string{auth.RoleAdmin}, MFAEnrolled: true, MFAPhoneNumber: "+12025550162",
			OAuthRegistrations: []auth.ProviderLink{}, CreatedAt: f.Clock.Now(), UpdatedAt: f.Clock.Now(),
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		if o.ID != f.org.ID || !strings.HasPrefix(m.ID, "member-test-") {
			t.Errorf("organization %s, member ID %s", o.ID, m.ID)
		}
		got, _, err := f.Members.Get(f.ctx, f.p.ID, f.org.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("stored (-created +got):\n%s", diff)
		}

		pending := f.create(t, member.CreateInput{Email: "pending@acme.com", Status: auth.MemberPending})
		if pending.Status != auth.MemberPending || len(pending.Roles) != 0 || pending.Roles == nil {
			t.Errorf("pending member: %+v", pending)
		}

		for _, tc := range []struct {
			name string
			org  string
			in   member.CreateInput
			want *auth.Error
		}{
			{"duplicate email", f.org.ID, member.CreateInput{Email: "ADA@acme.com"}, auth.ErrDuplicateMemberEmail},
			{"duplicate external id", f.org.ID, member.CreateInput{Email: "bob@acme.com", ExternalID: "ext-1"}, auth.ErrDuplicateMemberExternalID},
			{"invalid email", f.org.ID, member.CreateInput{Email: "bob"}, auth.ErrInvalidEmail},
			{"unknown role", f.org.ID, member.CreateInput{Email: "bob@acme.com", Roles: []string{"owner"}}, auth.ErrInvalidRBACRoleID},
			{"bad phone", f.org.ID, member.CreateInput{Email: "bob@acme.com", MFAPhoneNumber: "555-0162"}, auth.ErrInvalidPhoneNumber},
			{"long name", f.org.ID, member.CreateInput{Email: "bob@acme.com", Name: strings.Repeat("n", 257)}, auth.ErrInvalidArgument},
			{"bad external id", f.org.ID, member.CreateInput{Email: "bob@acme.com", ExternalID: "a b"}, auth.ErrInvalidArgument},
			{"huge metadata", f.org.ID, member.CreateInput{Email: "bob@acme.com", UntrustedMetadata: map[string]any{"x": strings.Repeat("x", 5000)}}, auth.ErrMetadataTooLarge},
			{"unknown organization", "organization-test-00000000-0000-4000-8000-000000000000", member.CreateInput{Email: "bob@acme.com"}, auth.ErrOrganizationNotFound},
		} {
			if _, _, err := f.Members.Create(f.ctx, f.p, tc.org, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}

		// The same address may be a member of another organization.
		other, err := f.Organizations.Create(f.ctx, f.p, organization.CreateInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Members.Create(f.ctx, f.p, other.ID, member.CreateInput{Email: "ada@acme.com", ExternalID: "ext-1"}); err != nil {
			t.Errorf("same address and external ID in another organization: %v", err)
		}
	})
}

func TestGet(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		m := f.create(t, member.CreateInput{Email: "ada@acme.com"})
		if got, _, err := f.Members.GetByEmail(f.ctx, f.p.ID, f.org.ID, "ADA@acme.com"); err != nil || got.ID != m.ID {
			t.Errorf("GetByEmail = %v, %v", got, err)
		}
		if got, o, err := f.Members.DangerouslyGet(f.ctx, f.p.ID, m.ID, false); err != nil || got.ID != m.ID || o.ID != f.org.ID {
			t.Errorf("DangerouslyGet = %v, %v, %v", got, o, err)
		}
		other, err := f.Organizations.Create(f.ctx, f.p, organization.CreateInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			org    string
			member string
			want   *auth.Error
		}{
			{"unknown member", f.org.ID, "member-test-00000000-0000-4000-8000-000000000000", auth.ErrMemberNotFound},
			{"not a member ID", f.org.ID, "ada@acme.com", auth.ErrMemberNotFound},
			{"member of another organization", other.ID, m.ID, auth.ErrMemberNotFound},
			{"unknown organization", "no-such-org", m.ID, auth.ErrOrganizationNotFound},
		} {
			if _, _, err := f.Members.Get(f.ctx, f.p.ID, tc.org, tc.member); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}
		if _, _, err := f.Members.GetByEmail(f.ctx, f.p.ID, other.ID, "ada@acme.com"); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("GetByEmail in another organization: err = %v", err)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		m := f.create(t, member.CreateInput{Email: "ada@acme.com"})
		q, _ := f.NewProject(t, auth.EnvTest)
		// Another project reaches neither the organization nor its member,
		// by any path.
		if _, _, err := f.Members.Get(f.ctx, q.ID, f.org.ID, m.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Get: err = %v", err)
		}
		if _, _, err := f.Members.DangerouslyGet(f.ctx, q.ID, m.ID, true); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("DangerouslyGet: err = %v", err)
		}
		if _, _, err := f.Members.Create(f.ctx, q, f.org.ID, member.CreateInput{Email: "eve@evil.com"}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Create: err = %v", err)
		}
		if _, _, err := f.Members.Update(f.ctx, q, f.org.ID, m.ID, member.UpdateInput{Name: ptr("Eve")}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Update: err = %v", err)
		}
		if _, err := f.Members.Delete(f.ctx, q.ID, f.org.ID, m.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Delete: err = %v", err)
		}
		if _, err := f.Members.Search(f.ctx, q.ID, member.SearchInput{OrganizationIDs: []string{f.org.ID}}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Search: err = %v", err)
		}
		if got, _, err := f.Members.Get(f.ctx, f.p.ID, f.org.ID, m.ID); err != nil || got.Name != "" || got.Status != auth.MemberActive {
			t.Errorf("member after another project's attempts: %+v, %v", got, err)
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		m := f.create(t, member.CreateInput{Email: "ada@acme.com", EmailVerified: true,
			TrustedMetadata: map[string]any{"a": "1", "b": "2"}, UntrustedMetadata: map[string]any{"theme": "dark"}})
		f.create(t, member.CreateInput{Email: "bob@acme.com", ExternalID: "bob"})
		f.Clock.Advance(time.Minute)

		up, _, err := f.Members.Update(f.ctx, f.p, f.org.ID, m.ID, member.UpdateInput{
			Name: ptr("Ada Lovelace"), ExternalID: ptr("ada"), IsBreakglass: ptr(true),
			TrustedMetadata:   map[string]any{"b": nil, "c": "3"},
			UntrustedMetadata: map[string]any{"lang": "en"},
			Roles:             &[]string{auth.RoleAdmin},
			MFAPhoneNumber:    ptr("+442071838750"), MFAEnrolled: ptr(true), DefaultMFAMethod: ptr("sms_otp"),
		})
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.Name, want.ExternalID, want.IsBreakglass = "Ada Lovelace", "ada", true
		want.TrustedMetadata = map[string]any{"a": "1", "c": "3"}
		want.UntrustedMetadata = map[string]any{"theme": "dark", "lang": "en"}
		want.Roles = []string{auth.RoleAdmin}
		want.MFAPhoneNumber, want.MFAEnrolled, want.DefaultMFAMethod = "+442071838750", true, "sms_otp"
		want.UpdatedAt = f.Clock.Now()
		if diff := cmp.Diff(&want, up); diff != "" {
			t.Errorf("updated (-want +got):\n%s", diff)
		}

		// A new address starts unverified; roles given replace the roles.
		up, _, err = f.Members.Update(f.ctx, f.p, f.org.ID, m.ID, member.UpdateInput{EmailAddress: ptr("Ada@Lovelace.org"), Roles: &[]string{}})
		if err != nil {
			t.Fatal(err)
		}
		if up.EmailAddress != "ada@lovelace.org" || up.EmailVerified || len(up.Roles) != 0 {
			t.Errorf("after address change: %+v", up)
		}

		for _, tc := range []struct {
			name string
			in   member.UpdateInput
			want *auth.Error
		}{
			{"taken address", member.UpdateInput{EmailAddress: ptr("bob@acme.com")}, auth.ErrDuplicateMemberEmail},
			{"taken external id", member.UpdateInput{ExternalID: ptr("bob")}, auth.ErrDuplicateMemberExternalID},
			{"unknown role", member.UpdateInput{Roles: &[]string{"owner"}}, auth.ErrInvalidRBACRoleID},
			{"unknown mfa method", member.UpdateInput{DefaultMFAMethod: ptr("email_otp")}, auth.ErrInvalidMFADefaultMethod},
			{"bad phone", member.UpdateInput{MFAPhoneNumber: ptr("+0123")}, auth.ErrInvalidPhoneNumber},
			{"bad email", member.UpdateInput{EmailAddress: ptr("ada")}, auth.ErrInvalidEmail},
		} {
			if _, _, err := f.Members.Update(f.ctx, f.p, f.org.ID, m.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}
	})
}

func TestDeleteRevokesSessionsAndReactivate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		m := f.create(t, member.CreateInput{Email: "ada@acme.com"})
		keep := f.create(t, member.CreateInput{Email: "bob@acme.com"})
		login := func(m *auth.Member) *session.MemberResult {
			t.Helper()
			var res *session.MemberResult
			err := f.Store.InTx(f.ctx, func(tx store.Store) error {
				var err error
				res, err = f.Sessions.AttachMember(f.ctx, tx, f.p, session.AttachMemberInput{Member: m, Organization: f.org})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		s1, s2, other := login(m), login(m), login(keep)

		id, err := f.Members.Delete(f.ctx, f.p.ID, f.org.ID, m.ID)
		if err != nil || id != m.ID {
			t.Fatalf("Delete = %q, %v", id, err)
		}
		for _, s := range []*session.MemberResult{s1, s2} {
			if _, _, _, err := f.Sessions.AuthenticateMember(f.ctx, f.p, s.Token, ""); err == nil {
				t.Errorf("session %s survived its member's deletion", s.Session.ID)
			}
		}
		if _, _, _, err := f.Sessions.AuthenticateMember(f.ctx, f.p, other.Token, ""); err != nil {
			t.Errorf("another member's session: %v", err)
		}

		// Deleted members are hidden from Get, shown by DangerouslyGet on
		// request, and keep their address taken.
		if _, _, err := f.Members.Get(f.ctx, f.p.ID, f.org.ID, m.ID); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("Get deleted: err = %v", err)
		}
		if _, _, err := f.Members.DangerouslyGet(f.ctx, f.p.ID, m.ID, false); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("DangerouslyGet deleted: err = %v", err)
		}
		if got, _, err := f.Members.DangerouslyGet(f.ctx, f.p.ID, m.ID, true); err != nil || got.Status != auth.MemberDeleted {
			t.Errorf("DangerouslyGet include_deleted: %+v, %v", got, err)
		}
		if _, _, err := f.Members.Create(f.ctx, f.p, f.org.ID, member.CreateInput{Email: "ada@acme.com"}); !errors.Is(err, auth.ErrDuplicateMemberEmail) {
			t.Errorf("create over a deleted member: err = %v", err)
		}
		if _, err := f.Members.Delete(f.ctx, f.p.ID, f.org.ID, m.ID); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("delete twice: err = %v", err)
		}
		if _, _, err := f.Members.Update(f.ctx, f.p, f.org.ID, m.ID, member.UpdateInput{Name: ptr("x")}); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("update deleted: err = %v", err)
		}

		re, _, err := f.Members.Reactivate(f.ctx, f.p.ID, f.org.ID, m.ID)
		if err != nil || re.Status != auth.MemberActive {
			t.Fatalf("Reactivate = %+v, %v", re, err)
		}
		if _, _, err := f.Members.Reactivate(f.ctx, f.p.ID, f.org.ID, m.ID); !errors.Is(err, auth.ErrNoDeletedMemberForReactivation) {
			t.Errorf("reactivate an active member: err = %v", err)
		}
		if _, _, err := f.Members.Reactivate(f.ctx, f.p.ID, f.org.ID, "member-test-00000000-0000-4000-8000-000000000000"); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("reactivate unknown: err = %v", err)
		}
	})
}

func TestActivate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		for _, status := range []auth.MemberStatus{auth.MemberPending, auth.MemberInvited, auth.MemberActive} {
			m := f.create(t, member.CreateInput{Email: string(status) + "@acme.com", Status: status})
			if err := f.Store.InTx(f.ctx, func(tx store.Store) error { return f.Members.Activate(f.ctx, tx, m) }); err != nil {
				t.Fatalf("%s: %v", status, err)
			}
			got, _, err := f.Members.Get(f.ctx, f.p.ID, f.org.ID, m.ID)
			if err != nil || got.Status != auth.MemberActive || !got.EmailVerified {
				t.Errorf("%s after Activate: %+v, %v", status, got, err)
			}
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		f := newFixture(t, st)
		other, err := f.Organizations.Create(f.ctx, f.p, organization.CreateInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(o *auth.Organization, email string, in member.CreateInput) *auth.Member {
			in.Email = email
			m, _, err := f.Members.Create(f.ctx, f.p, o.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			f.Clock.Advance(time.Second)
			return m
		}
		ada := mk(f.org, "ada@acme.com", member.CreateInput{Roles: []string{auth.RoleAdmin}})
		bob := mk(f.org, "bob@acme.com", member.CreateInput{Status: auth.MemberPending, IsBreakglass: true})
		cy := mk(f.org, "cy@acme.com", member.CreateInput{})
		mk(other, "dee@other.com", member.CreateInput{})
		if _, err := f.Members.Delete(f.ctx, f.p.ID, f.org.ID, cy.ID); err != nil {
			t.Fatal(err)
		}

		emails := func(ms []auth.Member) string {
			var es []string
			for _, m := range ms {
				es = append(es, strings.Split(m.EmailAddress, "@")[0])
			}
			return strings.Join(es, ",")
		}
		acme := []string{f.org.ID}
		for _, tc := range []struct {
			name     string
			orgs     []string
			operator string
			operands []organization.Operand
			want     string
		}{
			{"everyone but the deleted", acme, "", nil, "ada,bob"},
			{"two organizations, one by slug", []string{f.org.ID, other.Slug}, "", nil, "ada,bob,dee"},
			{"member ids", acme, "", []organization.Operand{{FilterName: "member_ids", FilterValue: []any{bob.ID, ada.ID}}}, "ada,bob"},
			{"emails", acme, "", []organization.Operand{{FilterName: "member_emails", FilterValue: []any{"BOB@acme.com"}}}, "bob"},
			{"email fuzzy", acme, "", []organization.Operand{{FilterName: "member_email_fuzzy", FilterValue: "ADA@"}}, "ada"},
			{"statuses", acme, "", []organization.Operand{{FilterName: "statuses", FilterValue: []any{"deleted", "pending"}}}, "bob,cy"},
			{"breakglass", acme, "", []organization.Operand{{FilterName: "member_is_breakglass", FilterValue: true}}, "bob"},
			{"not breakglass", acme, "", []organization.Operand{{FilterName: "member_is_breakglass", FilterValue: false}}, "ada"},
			{"admins", acme, "", []organization.Operand{{FilterName: "member_roles", FilterValue: []any{auth.RoleAdmin}}}, "ada"},
			{"stytch_member is everyone", acme, "", []organization.Operand{{FilterName: "member_roles", FilterValue: []any{auth.RoleMember}}}, "ada,bob"},
			{"AND", acme, "AND", []organization.Operand{{FilterName: "member_email_fuzzy", FilterValue: "acme"}, {FilterName: "member_is_breakglass", FilterValue: true}}, "bob"},
			{"OR", acme, "OR", []organization.Operand{{FilterName: "member_roles", FilterValue: []any{auth.RoleAdmin}}, {FilterName: "member_is_breakglass", FilterValue: true}}, "ada,bob"},
			{"OR with stytch_member", acme, "OR", []organization.Operand{{FilterName: "member_roles", FilterValue: []any{auth.RoleMember}}, {FilterName: "member_ids", FilterValue: []any{ada.ID}}}, "ada,bob"},
		} {
			res, err := f.Members.Search(f.ctx, f.p.ID, member.SearchInput{OrganizationIDs: tc.orgs, Operator: tc.operator, Operands: tc.operands})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := emails(res.Members); got != tc.want || res.Total != len(res.Members) || res.NextCursor != "" {
				t.Errorf("%s: got %q (total %d, cursor %q), want %q", tc.name, got, res.Total, res.NextCursor, tc.want)
			}
			if len(res.Organizations) != len(tc.orgs) {
				t.Errorf("%s: organizations %v", tc.name, res.Organizations)
			}
		}

		for _, tc := range []struct {
			name string
			in   member.SearchInput
			want *auth.Error
		}{
			{"no organizations", member.SearchInput{}, auth.ErrMemberSearchOrganizationIDsEmpty},
			{"unknown organization", member.SearchInput{OrganizationIDs: []string{"organization-test-00000000-0000-4000-8000-000000000000"}}, auth.ErrOrganizationNotFound},
			{"unknown filter", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_phone", FilterValue: "x"}}}, auth.ErrMemberSearchFilterNotRecognized},
			{"ids not an array", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_ids", FilterValue: ada.ID}}}, auth.ErrMemberSearchExpectedArray},
			{"breakglass not a bool", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_is_breakglass", FilterValue: "true"}}}, auth.ErrMemberSearchExpectedBoolean},
			{"fuzzy not a string", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_email_fuzzy", FilterValue: 1.0}}}, auth.ErrMemberSearchExpectedString},
			{"fuzzy too short", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_email_fuzzy", FilterValue: "ad"}}}, auth.ErrMemberSearchEmailFuzzyTooShort},
			{"unknown status", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "statuses", FilterValue: []any{"gone"}}}}, auth.ErrSearchInvalidStatusFilter},
			{"unknown role", member.SearchInput{OrganizationIDs: acme, Operands: []organization.Operand{{FilterName: "member_roles", FilterValue: []any{"owner"}}}}, auth.ErrInvalidRBACRoleID},
			{"limit", member.SearchInput{OrganizationIDs: acme, Limit: 5000}, auth.ErrSearchInvalidLimit},
			{"cursor", member.SearchInput{OrganizationIDs: acme, Cursor: "!!"}, auth.ErrSearchInvalidCursor},
			{"operator", member.SearchInput{OrganizationIDs: acme, Operator: "NOT"}, auth.ErrInvalidArgument},
		} {
			if _, err := f.Members.Search(f.ctx, f.p.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}

		// Pagination across both organizations, one member a page.
		var pages []string
		in := member.SearchInput{OrganizationIDs: []string{f.org.ID, other.ID}, Limit: 1}
		for {
			res, err := f.Members.Search(f.ctx, f.p.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 3 {
				t.Errorf("total %d", res.Total)
			}
			pages = append(pages, emails(res.Members))
			if res.NextCursor == "" {
				break
			}
			in.Cursor = res.NextCursor
		}
		if got := fmt.Sprint(pages); got != "[ada bob dee]" {
			t.Errorf("pages = %s", got)
		}
	})
}

func TestSandboxMFAPhoneOnlyInTestProjects(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		for _, env := range []auth.Env{auth.EnvTest, auth.EnvLive} {
			p, _ := s.NewProject(t, env)
			o, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := s.Members.Create(ctx, p, o.ID, member.CreateInput{Email: "ada@acme.com", MFAPhoneNumber: auth.SandboxPhoneNumber})
			if env == auth.EnvTest {
				if err != nil || m.MFAPhoneNumber != auth.SandboxPhoneNumber {
					t.Errorf("test project: create with the sandbox number = %+v, %v", m, err)
				}
				continue
			}
			if !errors.Is(err, auth.ErrInvalidPhoneNumber) {
				t.Errorf("live project: create with the sandbox number: err = %v, want invalid_phone_number", err)
			}
			m, _, err = s.Members.Create(ctx, p, o.ID, member.CreateInput{Email: "ada@acme.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Members.Update(ctx, p, o.ID, m.ID, member.UpdateInput{MFAPhoneNumber: ptr(auth.SandboxPhoneNumber)}); !errors.Is(err, auth.ErrInvalidPhoneNumber) {
				t.Errorf("live project: update to the sandbox number: err = %v, want invalid_phone_number", err)
			}
		}
	})
}
