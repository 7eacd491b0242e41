package compat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// TestB2BOrganizations runs the organizations and members endpoints:
// create with every setting, get, update, search, delete; members create,
// get, update, delete, reactivate, search and dangerously_get.
func TestB2BOrganizations(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		t.Run("organizations", func(t *testing.T) {
			t.Parallel()
			organizationsCRUD(t, e)
		})
		t.Run("search", func(t *testing.T) {
			t.Parallel()
			organizationsSearch(t, e)
		})
		t.Run("members", func(t *testing.T) {
			t.Parallel()
			membersCRUD(t, e)
		})
		t.Run("slugs and external IDs as identifiers", func(t *testing.T) {
			t.Parallel()
			identifiers(t, e)
		})
	})
}

// identifiers checks what the SDK documents for every organization_id
// and member_id parameter: "You may also use the organization_slug or
// organization_external_id here as a convenience", and "You may use an
// external_id here if one is set for the member" (b2b/organizations/types.go,
// b2b/organizations/members/types.go, b2b/sessions/types.go).
func identifiers(t *testing.T, e *b2bEnv) {
	c := e.c
	suffix := randHex(t, 4)
	o := newOrg(t, e, "Ident", organizations.CreateParams{OrganizationExternalID: "ext-org-" + suffix})
	addr := "ida@" + newDomain(t)
	m := newMember(t, e, o.OrganizationID, addr, members.CreateParams{ExternalID: "ext-member-" + suffix})
	if o.OrganizationExternalID != "ext-org-"+suffix || m.Member.ExternalID != "ext-member-"+suffix {
		t.Fatalf("external IDs: organization %q, member %q", o.OrganizationExternalID, m.Member.ExternalID)
	}
	for _, ref := range []struct{ what, id string }{{"slug", o.OrganizationSlug}, {"external ID", o.OrganizationExternalID}} {
		if got, err := c.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: ref.id}); err != nil || got.Organization.OrganizationID != o.OrganizationID {
			t.Errorf("organizations.get by %s %q = %s; want %s", ref.what, ref.id, outcome(got, err), o.OrganizationID)
		}
		if got, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: ref.id, MemberID: m.MemberID}); err != nil || got.MemberID != m.MemberID {
			t.Errorf("members.get in organization by %s %q = %s; want %s", ref.what, ref.id, outcome(got, err), m.MemberID)
		}
	}
	if got, err := c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: o.OrganizationSlug, OrganizationLogoURL: "https://example.com/ident.png"}); err != nil || got.Organization.OrganizationID != o.OrganizationID {
		t.Errorf("organizations.update by slug = %s", outcome(got, err))
	}
	if got, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: o.OrganizationID, MemberID: m.Member.ExternalID}); err != nil || got.MemberID != m.MemberID {
		t.Errorf("members.get by member external_id = %s; want %s", outcome(got, err), m.MemberID)
	}
	if got, err := c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: o.OrganizationID, MemberID: m.Member.ExternalID, Name: "Ida"}); err != nil || got.MemberID != m.MemberID || got.Member.Name != "Ida" {
		t.Errorf("members.update by member external_id = %s", outcome(got, err))
	}
	if got, err := c.Organizations.Members.Create(ctx, &members.CreateParams{OrganizationID: o.OrganizationSlug, EmailAddress: "second-" + addr}); err != nil || got.Member.OrganizationID != o.OrganizationID {
		t.Errorf("members.create in organization by slug = %s", outcome(got, err))
	}
	login := memberLogin(t, e, o.OrganizationID, addr)
	if got, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: o.OrganizationSlug, MemberID: m.MemberID}); err != nil || len(got.MemberSessions) != 1 {
		t.Errorf("b2b sessions.get in organization by slug = %s; want the one session", outcome(got, err))
	}
	if got, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: o.OrganizationID, MemberID: m.Member.ExternalID}); err != nil || len(got.MemberSessions) != 1 {
		t.Errorf("b2b sessions.get by member external_id = %s; want the one session", outcome(got, err))
	}
	if got, err := c.Sessions.Exchange(ctx, &b2bsessions.ExchangeParams{OrganizationID: o.OrganizationSlug, SessionToken: login.SessionToken}); err != nil || got.Organization.OrganizationID != o.OrganizationID {
		t.Errorf("b2b sessions.exchange into organization by slug = %s", outcome(got, err))
	}
}

// orgSettingsOpts compares organizations on what a test set, leaving out
// the times and the settings Latch reports but no test chose.
var orgSettingsOpts = []cmp.Option{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(organizations.Organization{}, "CreatedAt", "UpdatedAt", "SSOActiveConnections", "SCIMActiveConnection"),
}

func organizationsCRUD(t *testing.T, e *b2bEnv) {
	c := e.c.Organizations
	dom, dom2 := newDomain(t), newDomain(t)
	suffix := randHex(t, 4)
	start := time.Now()
	first := organizations.CreateRequestFirstPartyConnectedAppsAllowedTypeNOTALLOWED
	third := organizations.CreateRequestThirdPartyConnectedAppsAllowedTypeRESTRICTED
	p := organizations.CreateParams{
		OrganizationName:                   "Acme " + suffix,
		OrganizationSlug:                   "acme-" + suffix,
		OrganizationLogoURL:                "https://example.com/acme.png",
		TrustedMetadata:                    map[string]any{"tier": "enterprise", "seats": 50},
		OrganizationExternalID:             "ext-acme-" + suffix,
		SSOJITProvisioning:                 notAllowed,
		EmailAllowedDomains:                []string{dom, dom2},
		EmailJITProvisioning:               restricted,
		EmailInvites:                       restricted,
		AuthMethods:                        restricted,
		AllowedAuthMethods:                 []string{"magic_link", "password"},
		MFAPolicy:                          "REQUIRED_FOR_ALL",
		RBACEmailImplicitRoleAssignments:   []*organizations.EmailImplicitRoleAssignment{{Domain: dom, RoleID: roleAdmin}},
		MFAMethods:                         restricted,
		AllowedMFAMethods:                  []string{"totp"},
		OAuthTenantJITProvisioning:         restricted,
		AllowedOAuthTenants:                map[string]any{"slack": []any{"T0123ACME"}},
		ClaimedEmailDomains:                []string{dom},
		FirstPartyConnectedAppsAllowedType: &first,
		ThirdPartyConnectedAppsAllowedType: &third,
		AllowedThirdPartyConnectedApps:     []string{"connected-app-test-" + suffix},
	}
	created, err := c.Create(ctx, &p)
	if err != nil {
		t.Fatalf("organizations.create with every setting: %v", err)
	}
	if created.StatusCode != 200 && created.StatusCode != 201 {
		t.Errorf("organizations.create status_code %d, want 200 (or 201)", created.StatusCode)
	}
	o := created.Organization
	want := organizations.Organization{
		OrganizationID:                       o.OrganizationID,
		OrganizationName:                     p.OrganizationName,
		OrganizationSlug:                     p.OrganizationSlug,
		OrganizationLogoURL:                  p.OrganizationLogoURL,
		OrganizationExternalID:               p.OrganizationExternalID,
		TrustedMetadata:                      map[string]any{"tier": "enterprise", "seats": float64(50)},
		SSOJITProvisioning:                   notAllowed,
		SSOJITProvisioningAllowedConnections: []string{},
		EmailAllowedDomains:                  []string{dom, dom2},
		EmailJITProvisioning:                 restricted,
		EmailInvites:                         restricted,
		AuthMethods:                          restricted,
		AllowedAuthMethods:                   []string{"magic_link", "password"},
		MFAPolicy:                            "REQUIRED_FOR_ALL",
		RBACEmailImplicitRoleAssignments:     []organizations.EmailImplicitRoleAssignment{{Domain: dom, RoleID: roleAdmin}},
		MFAMethods:                           restricted,
		AllowedMFAMethods:                    []string{"totp"},
		OAuthTenantJITProvisioning:           restricted,
		AllowedOAuthTenants:                  map[string]any{"slack": []any{"T0123ACME"}},
		ClaimedEmailDomains:                  []string{dom},
		FirstPartyConnectedAppsAllowedType:   notAllowed,
		ThirdPartyConnectedAppsAllowedType:   restricted,
		AllowedThirdPartyConnectedApps:       []string{"connected-app-test-" + suffix},
	}
	if !strings.HasPrefix(o.OrganizationID, "organization-test-") {
		t.Errorf("organization_id %q, want organization-test-…", o.OrganizationID)
	}
	if d := cmp.Diff(want, o, orgSettingsOpts...); d != "" {
		t.Errorf("organizations.create: settings not echoed (-want +got):\n%s", d)
	}
	if o.CreatedAt == nil || !near(*o.CreatedAt, start, time.Minute) || o.UpdatedAt == nil {
		t.Errorf("organizations.create: created_at %v, updated_at %v", o.CreatedAt, o.UpdatedAt)
	}

	// Defaults of an organization created with a name alone.
	plain := newOrg(t, e, "Plain", organizations.CreateParams{})
	defaults := organizations.Organization{
		OrganizationID: plain.OrganizationID, OrganizationName: plain.OrganizationName, OrganizationSlug: plain.OrganizationSlug,
		SSOJITProvisioning: allAllowed, EmailJITProvisioning: notAllowed, EmailInvites: allAllowed,
		AuthMethods: allAllowed, MFAPolicy: "OPTIONAL", MFAMethods: allAllowed, OAuthTenantJITProvisioning: notAllowed,
		FirstPartyConnectedAppsAllowedType: allAllowed, ThirdPartyConnectedAppsAllowedType: allAllowed,
	}
	if d := cmp.Diff(defaults, plain, orgSettingsOpts...); d != "" {
		t.Errorf("organization defaults (-want +got):\n%s", d)
	}

	// The slug is the project's: taken is refused, on create and update.
	_, err = c.Create(ctx, &organizations.CreateParams{OrganizationName: "Copy", OrganizationSlug: p.OrganizationSlug})
	wantError(t, err, 400, "organization_slug_already_used")
	_, err = c.Update(ctx, &organizations.UpdateParams{OrganizationID: plain.OrganizationID, OrganizationSlug: p.OrganizationSlug})
	wantError(t, err, 400, "organization_slug_already_used")

	got, err := c.Get(ctx, &organizations.GetParams{OrganizationID: o.OrganizationID})
	if err != nil {
		t.Fatalf("organizations.get: %v", err)
	}
	if got.StatusCode != 200 || !strings.HasPrefix(got.RequestID, "request-id-test-") {
		t.Errorf("organizations.get envelope: %d %q", got.StatusCode, got.RequestID)
	}
	if d := cmp.Diff(want, got.Organization, orgSettingsOpts...); d != "" {
		t.Errorf("organizations.get (-want +got):\n%s", d)
	}

	// Update: what is given changes, metadata merges key by key (null
	// removes), lists are replaced, the rest stays.
	upd, err := c.Update(ctx, &organizations.UpdateParams{
		OrganizationID:       o.OrganizationID,
		OrganizationName:     "Acme Renamed " + suffix,
		OrganizationSlug:     "acme-renamed-" + suffix,
		TrustedMetadata:      map[string]any{"tier": "pro", "seats": nil, "region": "eu"},
		EmailAllowedDomains:  []string{dom2},
		EmailJITProvisioning: notAllowed,
		AuthMethods:          allAllowed,
	})
	if err != nil {
		t.Fatalf("organizations.update: %v", err)
	}
	want.OrganizationName, want.OrganizationSlug = "Acme Renamed "+suffix, "acme-renamed-"+suffix
	want.TrustedMetadata = map[string]any{"tier": "pro", "region": "eu"}
	want.EmailAllowedDomains, want.EmailJITProvisioning, want.AuthMethods = []string{dom2}, notAllowed, allAllowed
	if d := cmp.Diff(want, upd.Organization, orgSettingsOpts...); d != "" {
		t.Errorf("organizations.update (-want +got):\n%s", d)
	}
	got, err = c.Get(ctx, &organizations.GetParams{OrganizationID: o.OrganizationID})
	if err != nil {
		t.Fatalf("organizations.get after update: %v", err)
	}
	if d := cmp.Diff(want, got.Organization, orgSettingsOpts...); d != "" {
		t.Errorf("organizations.get after update (-want +got):\n%s", d)
	}
	// The old slug is free again.
	newOrg(t, e, "Reuse", organizations.CreateParams{OrganizationSlug: p.OrganizationSlug})

	// Settings that contradict each other are refused: RESTRICTED needs
	// allowed domains, and Plain has none.
	_, err = c.Update(ctx, &organizations.UpdateParams{OrganizationID: plain.OrganizationID, EmailJITProvisioning: restricted})
	wantError(t, err, 400, "invalid_restricted_email_setting")

	// Delete: then it is gone.
	del, err := c.Delete(ctx, &organizations.DeleteParams{OrganizationID: o.OrganizationID})
	if err != nil {
		t.Fatalf("organizations.delete: %v", err)
	}
	if del.OrganizationID != o.OrganizationID || del.StatusCode != 200 {
		t.Errorf("organizations.delete = %+v", *del)
	}
	_, err = c.Get(ctx, &organizations.GetParams{OrganizationID: o.OrganizationID})
	wantError(t, err, 404, "organization_not_found")
	_, err = c.Delete(ctx, &organizations.DeleteParams{OrganizationID: o.OrganizationID})
	wantError(t, err, 404, "organization_not_found")
	_, err = c.Update(ctx, &organizations.UpdateParams{OrganizationID: o.OrganizationID, OrganizationName: "Ghost"})
	wantError(t, err, 404, "organization_not_found")
}

func organizationsSearch(t *testing.T, e *b2bEnv) {
	c := e.c.Organizations
	tag := randHex(t, 4)
	addr := "searcher@" + newDomain(t)
	var all []organizations.Organization
	for i := range 5 {
		o := newOrg(t, e, "Searchable", organizations.CreateParams{
			OrganizationName: fmt.Sprintf("Searchable %s Org %d", tag, i),
			OrganizationSlug: fmt.Sprintf("searchable-%s-%d", tag, i),
		})
		all = append(all, o)
	}
	// The searcher is a member of two of them.
	newMember(t, e, all[1].OrganizationID, addr, members.CreateParams{})
	newMember(t, e, all[3].OrganizationID, addr, members.CreateParams{})

	search := func(what string, p *organizations.SearchParams) *organizations.SearchResponse {
		t.Helper()
		res, err := c.Search(ctx, p)
		if err != nil {
			t.Fatalf("organizations.search %s: %v", what, err)
		}
		return res
	}
	query := func(op organizations.SearchQueryOperator, operands ...map[string]any) *organizations.SearchQuery {
		return &organizations.SearchQuery{Operator: op, Operands: operands}
	}
	by := func(name string, value any) map[string]any {
		return map[string]any{"filter_name": name, "filter_value": value}
	}

	// By name, fuzzily and case-insensitively.
	res := search("organization_name_fuzzy", &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorAND, by("organization_name_fuzzy", strings.ToUpper(tag)))})
	if got := idsOf(res.Organizations); !cmp.Equal(got, idsOf(all)) || res.ResultsMetadata.Total != 5 || res.ResultsMetadata.NextCursor != "" {
		t.Errorf("search by name fuzzy: %v total %d cursor %q; want the 5 %v", got, res.ResultsMetadata.Total, res.ResultsMetadata.NextCursor, idsOf(all))
	} else if d := cmp.Diff(all[0], res.Organizations[slices.IndexFunc(res.Organizations, func(o organizations.Organization) bool { return o.OrganizationID == all[0].OrganizationID })], orgSettingsOpts...); d != "" {
		t.Errorf("search result differs from the created organization (-want +got):\n%s", d)
	}

	res = search("organization_slugs", &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorAND, by("organization_slugs", []string{all[2].OrganizationSlug}))})
	if got := idsOf(res.Organizations); !cmp.Equal(got, []string{all[2].OrganizationID}) || res.ResultsMetadata.Total != 1 {
		t.Errorf("search by slug: %v total %d; want %s", got, res.ResultsMetadata.Total, all[2].OrganizationID)
	}

	res = search("member_emails", &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorAND, by("member_emails", []string{strings.ToUpper(addr)}))})
	if got, want := idsOf(res.Organizations), sortedStrings(all[1].OrganizationID, all[3].OrganizationID); !cmp.Equal(got, want) || res.ResultsMetadata.Total != 2 {
		t.Errorf("search by member_emails: %v total %d; want %v", got, res.ResultsMetadata.Total, want)
	}

	res = search("OR", &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorOR,
		by("organization_slugs", []string{all[0].OrganizationSlug}), by("member_emails", []string{addr}))})
	if got, want := idsOf(res.Organizations), sortedStrings(all[0].OrganizationID, all[1].OrganizationID, all[3].OrganizationID); !cmp.Equal(got, want) {
		t.Errorf("search slug OR member email: %v, want %v", got, want)
	}

	// Pages of 2 over the 5: 2, 2, 1, each once.
	seen := map[string]bool{}
	var sizes []int
	cursor := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("pagination did not end after %d pages", page)
		}
		res := search("page", &organizations.SearchParams{Limit: 2, Cursor: cursor, Query: query(organizations.SearchQueryOperatorAND, by("organization_name_fuzzy", tag))})
		if res.ResultsMetadata.Total != 5 {
			t.Errorf("page %d: total %d, want 5", page, res.ResultsMetadata.Total)
		}
		sizes = append(sizes, len(res.Organizations))
		for _, o := range res.Organizations {
			if seen[o.OrganizationID] {
				t.Errorf("page %d repeats %s", page, o.OrganizationID)
			}
			seen[o.OrganizationID] = true
		}
		if cursor = res.ResultsMetadata.NextCursor; cursor == "" {
			break
		}
	}
	if !cmp.Equal(sizes, []int{2, 2, 1}) || len(seen) != 5 {
		t.Errorf("page sizes %v covering %d organizations, want [2 2 1] covering 5", sizes, len(seen))
	}

	_, err := c.Search(ctx, &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorAND, by("favourite_colour", "blue"))})
	wantError(t, err, 400, "organization_search_filter_name_not_recognized")
	_, err = c.Search(ctx, &organizations.SearchParams{Query: query(organizations.SearchQueryOperatorAND, by("organization_name_fuzzy", "ab"))})
	wantError(t, err, 400, "organization_search_organization_name_fuzzy_too_short")
}

func membersCRUD(t *testing.T, e *b2bEnv) {
	c := e.c.Organizations.Members
	dom := newDomain(t)
	orgA := newOrg(t, e, "Crew", organizations.CreateParams{})
	orgB := newOrg(t, e, "Band", organizations.CreateParams{})
	addr := "mel@" + dom
	start := time.Now()

	created, err := c.Create(ctx, &members.CreateParams{
		OrganizationID:    orgA.OrganizationID,
		EmailAddress:      strings.ToUpper(addr[:1]) + addr[1:],
		Name:              "Mel Member",
		TrustedMetadata:   map[string]any{"dept": "ops", "level": 3},
		UntrustedMetadata: map[string]any{"theme": "dark"},
		Roles:             []string{roleAdmin},
		ExternalID:        "ext-mel-" + randHex(t, 4),
		IsBreakglass:      true,
	})
	if err != nil {
		t.Fatalf("members.create: %v", err)
	}
	if created.StatusCode != 200 && created.StatusCode != 201 {
		t.Errorf("members.create status_code %d, want 200 (or 201)", created.StatusCode)
	}
	mem := created.Member
	checkMember(t, "members.create", mem, wantMember{id: created.MemberID, orgID: orgA.OrganizationID, addr: addr, status: "active", admin: true})
	if mem.Name != "Mel Member" || mem.TrustedMetadata["dept"] != "ops" || mem.TrustedMetadata["level"] != float64(3) ||
		mem.UntrustedMetadata["theme"] != "dark" || !mem.IsBreakglass || !strings.HasPrefix(mem.ExternalID, "ext-mel-") ||
		!near(*mem.CreatedAt, start, time.Minute) || created.Organization.OrganizationID != orgA.OrganizationID {
		t.Errorf("members.create = %+v", mem)
	}
	for _, r := range mem.Roles {
		if r.RoleID == roleAdmin && !slices.ContainsFunc(r.Sources, func(s organizations.MemberRoleSource) bool { return s.Type == "direct_assignment" }) {
			t.Errorf("%s role sources %+v, want direct_assignment", roleAdmin, r.Sources)
		}
	}

	// One member per address and organization, whatever the case; the
	// same address may join another organization.
	for _, dup := range []string{addr, strings.ToUpper(addr)} {
		_, err = c.Create(ctx, &members.CreateParams{OrganizationID: orgA.OrganizationID, EmailAddress: dup})
		wantError(t, err, 400, "duplicate_member_email")
	}
	inB := newMember(t, e, orgB.OrganizationID, addr, members.CreateParams{})
	_, err = c.Create(ctx, &members.CreateParams{OrganizationID: unknownOrganizationID, EmailAddress: addr})
	wantError(t, err, 404, "organization_not_found")
	_, err = c.Create(ctx, &members.CreateParams{OrganizationID: orgA.OrganizationID, EmailAddress: "not-an-email"})
	wantError(t, err, 400, "invalid_email")

	// Get by ID and by address.
	byID, err := c.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, MemberID: created.MemberID})
	if err != nil {
		t.Fatalf("members.get by member_id: %v", err)
	}
	if d := cmp.Diff(mem, byID.Member, cmpopts.EquateEmpty()); d != "" || byID.MemberID != created.MemberID || byID.Organization.OrganizationID != orgA.OrganizationID {
		t.Errorf("members.get by member_id (-create +get):\n%s", d)
	}
	byEmail, err := c.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, EmailAddress: strings.ToUpper(addr)})
	if err != nil || byEmail.MemberID != created.MemberID {
		t.Errorf("members.get by email_address = %s, %v; want %s", describe(byEmail), err, created.MemberID)
	}
	// A member of B is not found in A.
	_, err = c.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, MemberID: inB.MemberID})
	wantError(t, err, 404, "member_not_found")

	// Update: name, untrusted metadata merged, roles replaced.
	noRoles := []string{}
	upd, err := c.Update(ctx, &members.UpdateParams{
		OrganizationID:    orgA.OrganizationID,
		MemberID:          created.MemberID,
		Name:              "Mel Renamed",
		UntrustedMetadata: map[string]any{"lang": "fr"},
		Roles:             &noRoles,
	})
	if err != nil {
		t.Fatalf("members.update: %v", err)
	}
	checkMember(t, "members.update", upd.Member, wantMember{id: created.MemberID, orgID: orgA.OrganizationID, addr: addr, status: "active"})
	if upd.Member.Name != "Mel Renamed" || upd.Member.UntrustedMetadata["theme"] != "dark" || upd.Member.UntrustedMetadata["lang"] != "fr" ||
		upd.Member.TrustedMetadata["dept"] != "ops" || upd.MemberID != created.MemberID || upd.Organization.OrganizationID != orgA.OrganizationID {
		t.Errorf("members.update = %+v", upd.Member)
	}

	// dangerously_get finds a member by ID alone.
	dg, err := c.DangerouslyGet(ctx, &members.DangerouslyGetParams{MemberID: inB.MemberID})
	if err != nil || dg.MemberID != inB.MemberID || dg.Member.OrganizationID != orgB.OrganizationID || dg.Organization.OrganizationID != orgB.OrganizationID {
		t.Errorf("members.dangerously_get = %s, %v; want %s of %s", describe(dg), err, inB.MemberID, orgB.OrganizationID)
	}
	_, err = c.DangerouslyGet(ctx, &members.DangerouslyGetParams{MemberID: unknownMemberID})
	wantError(t, err, 404, "member_not_found")

	// Search across both organizations.
	sr, err := c.Search(ctx, &members.SearchParams{
		OrganizationIds: []string{orgA.OrganizationID, orgB.OrganizationID},
		Query:           &organizations.SearchQuery{Operator: organizations.SearchQueryOperatorAND, Operands: []map[string]any{{"filter_name": "member_emails", "filter_value": []string{addr}}}},
	})
	if err != nil {
		t.Fatalf("members.search: %v", err)
	}
	if got, want := memberIDsOf(sr.Members), sortedStrings(created.MemberID, inB.MemberID); !cmp.Equal(got, want) || sr.ResultsMetadata.Total != 2 {
		t.Errorf("members.search = %v total %d; want %v", got, sr.ResultsMetadata.Total, want)
	}
	if len(sr.Organizations) != 2 || sr.Organizations[orgA.OrganizationID].OrganizationSlug != orgA.OrganizationSlug || sr.Organizations[orgB.OrganizationID].OrganizationSlug != orgB.OrganizationSlug {
		t.Errorf("members.search organizations = %v, want A and B by ID", sr.Organizations)
	}
	// Pages of one.
	page1, err := c.Search(ctx, &members.SearchParams{OrganizationIds: []string{orgA.OrganizationID, orgB.OrganizationID}, Limit: 1,
		Query: &organizations.SearchQuery{Operator: organizations.SearchQueryOperatorAND, Operands: []map[string]any{{"filter_name": "member_emails", "filter_value": []string{addr}}}}})
	if err != nil || len(page1.Members) != 1 || page1.ResultsMetadata.NextCursor == "" || page1.ResultsMetadata.Total != 2 {
		t.Fatalf("members.search page 1 = %s, %v", describe(page1), err)
	}
	page2, err := c.Search(ctx, &members.SearchParams{OrganizationIds: []string{orgA.OrganizationID, orgB.OrganizationID}, Limit: 1, Cursor: page1.ResultsMetadata.NextCursor,
		Query: &organizations.SearchQuery{Operator: organizations.SearchQueryOperatorAND, Operands: []map[string]any{{"filter_name": "member_emails", "filter_value": []string{addr}}}}})
	if err != nil || len(page2.Members) != 1 || page2.ResultsMetadata.NextCursor != "" || page2.Members[0].MemberID == page1.Members[0].MemberID {
		t.Errorf("members.search page 2 = %s, %v", describe(page2), err)
	}
	_, err = c.Search(ctx, &members.SearchParams{})
	wantError(t, err, 400, "member_search_organization_ids_empty")

	// Delete: status deleted, sessions revoked; then reactivate.
	login := memberLogin(t, e, orgA.OrganizationID, addr)
	del, err := c.Delete(ctx, &members.DeleteParams{OrganizationID: orgA.OrganizationID, MemberID: created.MemberID})
	if err != nil {
		t.Fatalf("members.delete: %v", err)
	}
	if del.MemberID != created.MemberID || del.StatusCode != 200 {
		t.Errorf("members.delete = %+v", *del)
	}
	_, err = e.c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: login.SessionToken})
	wantError(t, err, 404, "session_not_found")
	deleted, err := c.DangerouslyGet(ctx, &members.DangerouslyGetParams{MemberID: created.MemberID, IncludeDeleted: true})
	if err != nil || deleted.Member.Status != "deleted" {
		t.Errorf("members.dangerously_get include_deleted after delete = %s, %v; want status deleted", describe(deleted), err)
	}
	if got, err := c.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, MemberID: created.MemberID}); err == nil {
		t.Logf("members.get of a deleted member: 200, status %q", got.Member.Status)
	} else {
		t.Logf("members.get of a deleted member: %v", err)
	}
	// Her membership in B is untouched.
	if got, err := c.Get(ctx, &members.GetParams{OrganizationID: orgB.OrganizationID, MemberID: inB.MemberID}); err != nil || got.Member.Status != "active" {
		t.Errorf("member in B after deleting A's = %s, %v", describe(got), err)
	}
	_, err = c.Delete(ctx, &members.DeleteParams{OrganizationID: orgA.OrganizationID, MemberID: unknownMemberID})
	wantError(t, err, 404, "member_not_found")

	re, err := c.Reactivate(ctx, &members.ReactivateParams{OrganizationID: orgA.OrganizationID, MemberID: created.MemberID})
	if err != nil {
		t.Fatalf("members.reactivate: %v", err)
	}
	if re.MemberID != created.MemberID || re.Member.Status != "active" || re.Member.Name != "Mel Renamed" || re.Organization.OrganizationID != orgA.OrganizationID {
		t.Errorf("members.reactivate = %+v", re.Member)
	}
	if got, err := c.Get(ctx, &members.GetParams{OrganizationID: orgA.OrganizationID, EmailAddress: addr}); err != nil || got.Member.Status != "active" {
		t.Errorf("members.get after reactivate = %s, %v", describe(got), err)
	}
	_, err = c.Reactivate(ctx, &members.ReactivateParams{OrganizationID: orgA.OrganizationID, MemberID: created.MemberID})
	wantError(t, err, 400, "no_deleted_member_found_for_reactivation")
}
