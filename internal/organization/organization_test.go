package organization_test

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
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
)

func ptr[T any](v T) *T { return &v }

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Acme":                   "acme",
		"Acme, Inc.":             "acme-inc.",
		"  Hello   World  ":      "hello-world",
		"Ünïcödé Cörp":           "n-c-d-c-rp",
		"a":                      "org-a",
		"!!!":                    "org",
		"under_score~tilde":      "under_score~tilde",
		"--dash--":               "dash",
		strings.Repeat("x", 200): strings.Repeat("x", 128),
	} {
		got := organization.Slugify(in)
		if got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if !organization.ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q is not a valid slug", in, got)
		}
	}
}

func TestValidDomain(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"acme.com", "eu.acme.co.uk", "xn--bcher-kva.example", "a-b.io", "1password.com"} {
		if !organization.ValidDomain(d) {
			t.Errorf("ValidDomain(%q) = false", d)
		}
	}
	for _, d := range []string{"", "acme", "Acme.com", "acme..com", "-acme.com", "acme-.com", "acme.com.", "10.0.0.1", "acme .com", "ac_me.com", "*.acme.com", "ada@acme.com"} {
		if organization.ValidDomain(d) {
			t.Errorf("ValidDomain(%q) = true", d)
		}
	}
}

func TestCreateDefaults(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		o, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Acme, Inc.", TrustedMetadata: map[string]any{"tier": "gold"}})
		if err != nil {
			t.Fatal(err)
		}
		if !auth.HasKind(o.ID, auth.KindOrganization) || !strings.HasPrefix(o.ID, "organization-test-") {
			t.Errorf("ID = %q", o.ID)
		}
		want := auth.NewOrganizationDefaults()
		want.ID, want.ProjectID, want.Name, want.Slug = o.ID, p.ID, "Acme, Inc.", "acme-inc."
		want.TrustedMetadata = map[string]any{"tier": "gold"}
		want.CreatedAt, want.UpdatedAt = s.Clock.Now(), s.Clock.Now()
		if diff := cmp.Diff(&want, o); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		got, err := s.Organizations.Get(ctx, p.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(o, got); diff != "" {
			t.Errorf("stored (-created +got):\n%s", diff)
		}

		// A derived slug that is taken gets a numeric suffix; an explicit
		// one is refused.
		o2, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "ACME inc."})
		if err != nil || o2.Slug != "acme-inc.-2" {
			t.Errorf("second Acme: slug %q, err %v", o2.Slug, err)
		}
		if _, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Other", Slug: "acme-inc."}); !errors.Is(err, auth.ErrOrganizationSlugAlreadyUsed) {
			t.Errorf("explicit taken slug: err = %v", err)
		}

		// Stytch's email_invites rule: ALL_ALLOWED when no authentication
		// setting is given, NOT_ALLOWED when some other one is.
		o3, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "JIT", Settings: organization.Settings{
			EmailJITProvisioning: ptr(auth.Restricted), EmailAllowedDomains: &[]string{"Jit.example"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if o3.EmailInvites != auth.NotAllowed || !cmp.Equal(o3.EmailAllowedDomains, []string{"jit.example"}) {
			t.Errorf("with JIT settings: email_invites %s, domains %v", o3.EmailInvites, o3.EmailAllowedDomains)
		}
	})
}

func TestCreateSettingsValidation(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		for _, tc := range []struct {
			name string
			in   organization.CreateInput
			want *auth.Error // nil: accepted
		}{
			{"no name", organization.CreateInput{}, auth.ErrInvalidOrganizationName},
			{"long name", organization.CreateInput{Name: strings.Repeat("n", 129)}, auth.ErrInvalidOrganizationName},
			{"short slug", organization.CreateInput{Name: "A", Slug: "a"}, auth.ErrInvalidOrganizationSlug},
			{"slug with space", organization.CreateInput{Name: "A", Slug: "a b"}, auth.ErrInvalidOrganizationSlug},
			{"slug of reserved characters", organization.CreateInput{Name: "Reserved", Slug: "a-b.c_d~E"}, nil},
			{"bad external id", organization.CreateInput{Name: "A", ExternalID: "a b"}, auth.ErrInvalidArgument},
			{"huge metadata", organization.CreateInput{Name: "A", TrustedMetadata: map[string]any{"x": strings.Repeat("x", 5000)}}, auth.ErrMetadataTooLarge},
			{"unknown auth_methods", organization.CreateInput{Name: "A", Settings: organization.Settings{AuthMethods: ptr("SOME")}}, auth.ErrInvalidOrganizationAuthMethodSettings},
			{"restricted without methods", organization.CreateInput{Name: "A", Settings: organization.Settings{AuthMethods: ptr(auth.Restricted)}}, auth.ErrAllowedAuthMethodsRequired},
			{"restricted with methods", organization.CreateInput{Name: "Restricted", Settings: organization.Settings{AuthMethods: ptr(auth.Restricted), AllowedAuthMethods: &[]string{"magic_link", "sso"}}}, nil},
			{"unknown auth method", organization.CreateInput{Name: "A", Settings: organization.Settings{AllowedAuthMethods: &[]string{"carrier_pigeon"}}}, auth.ErrInvalidOrganizationAllowedAuthMethods},
			{"unknown mfa method", organization.CreateInput{Name: "A", Settings: organization.Settings{AllowedMFAMethods: &[]string{"email_otp"}}}, auth.ErrInvalidOrganizationAllowedMFAMethods},
			{"mfa restricted without methods", organization.CreateInput{Name: "A", Settings: organization.Settings{MFAMethods: ptr(auth.Restricted)}}, auth.ErrAllowedMFAMethodsRequired},
			{"unknown mfa_policy", organization.CreateInput{Name: "A", Settings: organization.Settings{MFAPolicy: ptr("ALWAYS")}}, auth.ErrInvalidOrganizationMFAPolicy},
			{"email_jit ALL_ALLOWED", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailJITProvisioning: ptr(auth.AllAllowed)}}, auth.ErrInvalidSettingValue},
			{"email_invites lowercase", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailInvites: ptr("all_allowed")}}, auth.ErrInvalidSettingValue},
			{"jit restricted without domains", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailJITProvisioning: ptr(auth.Restricted)}}, auth.ErrInvalidRestrictedEmailSetting},
			{"invites restricted without domains", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailInvites: ptr(auth.Restricted)}}, auth.ErrInvalidRestrictedEmailSetting},
			{"invalid domain", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailAllowedDomains: &[]string{"not a domain"}}}, auth.ErrOrganizationSettingsInvalidDomain},
			{"duplicate domain", organization.CreateInput{Name: "A", Settings: organization.Settings{EmailAllowedDomains: &[]string{"acme.com", "ACME.com"}}}, auth.ErrOrganizationSettingsDuplicateDomain},
			{"nothing lets members join", organization.CreateInput{Name: "A", Settings: organization.Settings{SSOJITProvisioning: ptr(auth.NotAllowed)}}, auth.ErrTooRestrictiveOrganizationSettings},
			{"implicit role of unknown role", organization.CreateInput{Name: "A", Settings: organization.Settings{RBACEmailImplicitRoleAssignments: &[]auth.EmailImplicitRoleAssignment{{Domain: "acme.com", RoleID: "owner"}}}}, auth.ErrInvalidRBACRoleID},
			{"implicit role of bad domain", organization.CreateInput{Name: "A", Settings: organization.Settings{RBACEmailImplicitRoleAssignments: &[]auth.EmailImplicitRoleAssignment{{Domain: "acme", RoleID: auth.RoleAdmin}}}}, auth.ErrOrganizationSettingsInvalidDomain},
			{"connected apps type", organization.CreateInput{Name: "A", Settings: organization.Settings{FirstPartyConnectedAppsAllowedType: ptr("SOME")}}, auth.ErrInvalidSettingValue},
		} {
			o, err := s.Organizations.Create(ctx, p, tc.in)
			switch {
			case tc.want == nil && err != nil:
				t.Errorf("%s: err = %v", tc.name, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			case tc.want != nil && o != nil:
				t.Errorf("%s: created %+v", tc.name, o)
			}
		}
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		o, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Acme", TrustedMetadata: map[string]any{"a": 1.0, "b": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(time.Minute)

		// Only the fields given change; trusted metadata merges.
		up, err := s.Organizations.Update(ctx, p.ID, o.Slug, organization.UpdateInput{
			Name:            ptr("Acme Corp"),
			TrustedMetadata: map[string]any{"b": nil, "c": true},
			Settings: organization.Settings{
				EmailAllowedDomains: &[]string{"acme.com"}, EmailJITProvisioning: ptr(auth.Restricted),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := *o
		want.Name, want.TrustedMetadata = "Acme Corp", map[string]any{"a": 1.0, "c": true}
		want.EmailAllowedDomains, want.EmailJITProvisioning = []string{"acme.com"}, auth.Restricted
		want.UpdatedAt = s.Clock.Now()
		if diff := cmp.Diff(&want, up); diff != "" {
			t.Errorf("updated (-want +got):\n%s", diff)
		}

		for _, tc := range []struct {
			name string
			in   organization.UpdateInput
			want *auth.Error
		}{
			// The domains are in use by the RESTRICTED JIT setting.
			{"emptying domains", organization.UpdateInput{Settings: organization.Settings{EmailAllowedDomains: &[]string{}}}, auth.ErrInvalidRestrictedEmailSetting},
			{"slug of another", organization.UpdateInput{Slug: ptr(other.Slug)}, auth.ErrOrganizationSlugAlreadyUsed},
			{"empty slug", organization.UpdateInput{Slug: ptr("")}, auth.ErrInvalidOrganizationSlug},
			{"empty name", organization.UpdateInput{Name: ptr("")}, auth.ErrInvalidOrganizationName},
			{"bad mfa policy", organization.UpdateInput{Settings: organization.Settings{MFAPolicy: ptr("x")}}, auth.ErrInvalidOrganizationMFAPolicy},
		} {
			if _, err := s.Organizations.Update(ctx, p.ID, o.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}
		got, err := s.Organizations.Get(ctx, p.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(up, got); diff != "" {
			t.Errorf("refused updates changed the organization (-want +got):\n%s", diff)
		}

		// Its own slug may be given again.
		if _, err := s.Organizations.Update(ctx, p.ID, o.ID, organization.UpdateInput{Slug: ptr(o.Slug)}); err != nil {
			t.Errorf("same slug: %v", err)
		}
		if _, err := s.Organizations.Update(ctx, p.ID, "organization-test-00000000-0000-4000-8000-000000000000", organization.UpdateInput{}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("unknown organization: err = %v", err)
		}
	})
}

func TestDeleteAndTenancy(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		q, _ := s.NewProject(t, auth.EnvTest)
		o, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		// Another project reaches the organization neither by ID nor by
		// slug, and may use the same slug itself.
		if _, err := s.Organizations.Get(ctx, q.ID, o.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("other project get by ID: err = %v", err)
		}
		if _, err := s.Organizations.Get(ctx, q.ID, o.Slug); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("other project get by slug: err = %v", err)
		}
		if _, err := s.Organizations.Update(ctx, q.ID, o.ID, organization.UpdateInput{Name: ptr("Mine")}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("other project update: err = %v", err)
		}
		if _, err := s.Organizations.Delete(ctx, q.ID, o.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("other project delete: err = %v", err)
		}
		if res, err := s.Organizations.Search(ctx, q.ID, organization.SearchInput{}); err != nil || res.Total != 0 {
			t.Errorf("other project search: %+v, %v", res, err)
		}
		if _, err := s.Organizations.Create(ctx, q, organization.CreateInput{Name: "Acme", Slug: o.Slug}); err != nil {
			t.Errorf("same slug in another project: %v", err)
		}

		id, err := s.Organizations.Delete(ctx, p.ID, o.Slug)
		if err != nil || id != o.ID {
			t.Fatalf("delete = %q, %v", id, err)
		}
		if _, err := s.Organizations.Get(ctx, p.ID, o.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("get deleted: err = %v", err)
		}
		if _, err := s.Organizations.Delete(ctx, p.ID, o.ID); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("delete twice: err = %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		mk := func(name string, domains ...string) *auth.Organization {
			in := organization.CreateInput{Name: name}
			if domains != nil {
				in.EmailAllowedDomains = &domains
			}
			o, err := s.Organizations.Create(ctx, p, in)
			if err != nil {
				t.Fatal(err)
			}
			s.Clock.Advance(time.Second)
			return o
		}
		acme := mk("Acme Rockets", "acme.com")
		globex := mk("Globex", "globex.com", "acme.com")
		initech := mk("Initech")
		s.NewMember(t, initech, "ada@initech.com", auth.MemberActive)
		s.NewMember(t, globex, "gone@globex.com", auth.MemberDeleted)

		names := func(orgs []auth.Organization) string {
			var ns []string
			for _, o := range orgs {
				ns = append(ns, o.Name)
			}
			return strings.Join(ns, ",")
		}
		for _, tc := range []struct {
			name     string
			operator string
			operands []organization.Operand
			want     string
		}{
			{"everything", "", nil, "Acme Rockets,Globex,Initech"},
			{"ids", "", []organization.Operand{{"organization_ids", []any{acme.ID, initech.ID}}}, "Acme Rockets,Initech"},
			{"slugs", "", []organization.Operand{{"organization_slugs", []any{globex.Slug}}}, "Globex"},
			{"name fuzzy, any case", "", []organization.Operand{{"organization_name_fuzzy", "ROCK"}}, "Acme Rockets"},
			{"slug fuzzy", "", []organization.Operand{{"organization_slug_fuzzy", "obe"}}, "Globex"},
			{"member emails", "", []organization.Operand{{"member_emails", []any{"ADA@initech.com"}}}, "Initech"},
			{"deleted members do not count", "", []organization.Operand{{"member_emails", []any{"gone@globex.com"}}}, ""},
			{"member email fuzzy", "", []organization.Operand{{"member_email_fuzzy", "initech"}}, "Initech"},
			{"allowed domains", "", []organization.Operand{{"allowed_domains", []any{"acme.com"}}}, "Acme Rockets,Globex"},
			{"AND", "AND", []organization.Operand{{"allowed_domains", []any{"acme.com"}}, {"organization_name_fuzzy", "glob"}}, "Globex"},
			{"OR", "or", []organization.Operand{{"organization_ids", []any{acme.ID}}, {"organization_name_fuzzy", "tech"}}, "Acme Rockets,Initech"},
		} {
			res, err := s.Organizations.Search(ctx, p.ID, organization.SearchInput{Operator: tc.operator, Operands: tc.operands})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := names(res.Organizations); got != tc.want || res.Total != len(res.Organizations) || res.NextCursor != "" {
				t.Errorf("%s: got %q (total %d, cursor %q), want %q", tc.name, got, res.Total, res.NextCursor, tc.want)
			}
		}

		for _, tc := range []struct {
			name string
			in   organization.SearchInput
			want *auth.Error
		}{
			{"unknown filter", organization.SearchInput{Operands: []organization.Operand{{"organization_colour", "red"}}}, auth.ErrOrganizationSearchFilterNotRecognized},
			{"ids not an array", organization.SearchInput{Operands: []organization.Operand{{"organization_ids", acme.ID}}}, auth.ErrOrganizationSearchExpectedArray},
			{"empty array", organization.SearchInput{Operands: []organization.Operand{{"member_emails", []any{}}}}, auth.ErrOrganizationSearchExpectedArray},
			{"array of numbers", organization.SearchInput{Operands: []organization.Operand{{"allowed_domains", []any{1.0}}}}, auth.ErrOrganizationSearchExpectedArray},
			{"fuzzy not a string", organization.SearchInput{Operands: []organization.Operand{{"organization_name_fuzzy", []any{"acme"}}}}, auth.ErrOrganizationSearchExpectedString},
			{"name fuzzy too short", organization.SearchInput{Operands: []organization.Operand{{"organization_name_fuzzy", "ac"}}}, auth.ErrOrganizationSearchNameFuzzyTooShort},
			{"slug fuzzy too short", organization.SearchInput{Operands: []organization.Operand{{"organization_slug_fuzzy", "a"}}}, auth.ErrOrganizationSearchSlugFuzzyTooShort},
			{"member fuzzy too short", organization.SearchInput{Operands: []organization.Operand{{"member_email_fuzzy", "@"}}}, auth.ErrOrganizationSearchMemberEmailFuzzyTooShort},
			{"operator", organization.SearchInput{Operator: "XOR"}, auth.ErrInvalidArgument},
			{"limit", organization.SearchInput{Limit: 1001}, auth.ErrSearchInvalidLimit},
			{"negative limit", organization.SearchInput{Limit: -1}, auth.ErrSearchInvalidLimit},
			{"cursor", organization.SearchInput{Cursor: "not-a-cursor"}, auth.ErrSearchInvalidCursor},
		} {
			if _, err := s.Organizations.Search(ctx, p.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}

		// Pagination: pages of two, in creation order, until no cursor.
		var seen []string
		in := organization.SearchInput{Limit: 2}
		for page := 0; ; page++ {
			res, err := s.Organizations.Search(ctx, p.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 3 {
				t.Errorf("page %d: total %d", page, res.Total)
			}
			seen = append(seen, names(res.Organizations))
			if res.NextCursor == "" {
				break
			}
			in.Cursor = res.NextCursor
		}
		if got := fmt.Sprint(seen); got != "[Acme Rockets,Globex Initech]" {
			t.Errorf("pages = %s", got)
		}
	})
}

// TestPolicyOnStoredSettings applies the policy rules to organizations as
// the service stores them, so that what an update accepts (domains in any
// case, RESTRICTED lists) is what invites, JIT provisioning and the auth
// method checks then enforce.
func TestPolicyOnStoredSettings(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		for _, tc := range []struct {
			name     string
			settings organization.Settings
			address  string
			invite   *auth.Error
			jit      *auth.Error
			method   string
			methodOK bool
		}{
			{"defaults", organization.Settings{}, "ada@acme.com", nil, auth.ErrEmailJITProvisioningNotAllowed, "magic_link", true},
			{"invites not allowed", organization.Settings{EmailInvites: ptr(auth.NotAllowed), EmailJITProvisioning: ptr(auth.Restricted), EmailAllowedDomains: &[]string{"acme.com"}},
				"ada@acme.com", auth.ErrInvalidEmailForInvites, nil, "magic_link", true},
			{"restricted to domains given in upper case", organization.Settings{EmailInvites: ptr(auth.Restricted), EmailJITProvisioning: ptr(auth.Restricted), EmailAllowedDomains: &[]string{"ACME.com"}},
				"ada@Acme.COM", nil, nil, "magic_link", true},
			{"other domain", organization.Settings{EmailInvites: ptr(auth.Restricted), EmailJITProvisioning: ptr(auth.Restricted), EmailAllowedDomains: &[]string{"acme.com"}},
				"eve@evil.com", auth.ErrInvalidEmailForInvites, auth.ErrInvalidEmailForJITProvisioning, "magic_link", true},
			{"sso only", organization.Settings{AuthMethods: ptr(auth.Restricted), AllowedAuthMethods: &[]string{"sso"}},
				"ada@acme.com", nil, auth.ErrEmailJITProvisioningNotAllowed, "magic_link", false},
		} {
			o, err := s.Organizations.Create(ctx, p, organization.CreateInput{Name: tc.name})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Organizations.Update(ctx, p.ID, o.ID, organization.UpdateInput{Settings: tc.settings}); err != nil {
				t.Fatalf("%s: update: %v", tc.name, err)
			}
			o, err = s.Organizations.Get(ctx, p.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			check := func(rule string, err error, want *auth.Error) {
				if want == nil && err != nil || want != nil && !errors.Is(err, want) {
					t.Errorf("%s: %s: err = %v, want %v", tc.name, rule, err, want)
				}
			}
			check("CanInvite", organization.CanInvite(o, tc.address), tc.invite)
			check("CanJITProvision", organization.CanJITProvision(o, tc.address), tc.jit)
			if err := organization.AllowsAuthMethod(o, tc.method); (err == nil) != tc.methodOK {
				t.Errorf("%s: AllowsAuthMethod(%s) = %v", tc.name, tc.method, err)
			}
		}
	})
}
