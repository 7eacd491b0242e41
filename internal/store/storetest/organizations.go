package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// orgSpec builds an organization with Stytch's default settings, created
// at t0.
func orgSpec(projectID, slug string) *auth.Organization {
	o := auth.NewOrganizationDefaults()
	o.ID = auth.NewID(auth.KindOrganization, auth.EnvTest)
	o.ProjectID = projectID
	o.Name = "Org " + slug
	o.Slug = slug
	o.CreatedAt, o.UpdatedAt = t0, t0
	return &o
}

func newOrg(t *testing.T, st store.Store, projectID, slug string, domains ...string) *auth.Organization {
	t.Helper()
	o := orgSpec(projectID, slug)
	if domains != nil {
		o.EmailAllowedDomains = domains
	}
	must(t, st.CreateOrganization(t.Context(), projectID, o))
	return o
}

// fullOrg returns an organization with every field set to a value other
// than its default.
func fullOrg(projectID string) *auth.Organization {
	return &auth.Organization{
		ID:                                   auth.NewID(auth.KindOrganization, auth.EnvTest),
		ProjectID:                            projectID,
		Name:                                 "Acme, Inc.",
		Slug:                                 "acme",
		LogoURL:                              "https://acme.example/logo.png",
		ExternalID:                           "acme-ext",
		TrustedMetadata:                      map[string]any{"plan": "pro", "seats": 3.0, "flags": []any{"a", true, nil}, "nested": map[string]any{"k": "v"}},
		EmailAllowedDomains:                  []string{"acme.example", "acme.test"},
		EmailJITProvisioning:                 auth.Restricted,
		EmailInvites:                         auth.Restricted,
		AuthMethods:                          auth.Restricted,
		AllowedAuthMethods:                   []string{"magic_link", "password"},
		MFAPolicy:                            auth.MFAPolicyRequiredForAll,
		MFAMethods:                           auth.Restricted,
		AllowedMFAMethods:                    []string{"totp"},
		SSOJITProvisioning:                   auth.Restricted,
		SSOJITProvisioningAllowedConnections: []string{"saml-connection-test-1"},
		SSODefaultConnectionID:               "saml-connection-test-1",
		OAuthTenantJITProvisioning:           auth.Restricted,
		AllowedOAuthTenants:                  map[string]any{"slack": []any{"T123"}},
		ClaimedEmailDomains:                  []string{"acme.example"},
		RBACEmailImplicitRoleAssignments: []auth.EmailImplicitRoleAssignment{
			{Domain: "acme.example", RoleID: "editor"}, {Domain: "acme.test", RoleID: "viewer"},
		},
		FirstPartyConnectedAppsAllowedType: auth.Restricted,
		AllowedFirstPartyConnectedApps:     []string{"app-1"},
		ThirdPartyConnectedAppsAllowedType: auth.NotAllowed,
		AllowedThirdPartyConnectedApps:     []string{"app-2", "app-3"},
		CreatedAt:                          t0,
		UpdatedAt:                          at(time.Second),
	}
}

func memberSpec(projectID, organizationID, address string) *auth.Member {
	return &auth.Member{
		ID:                 auth.NewID(auth.KindMember, auth.EnvTest),
		ProjectID:          projectID,
		OrganizationID:     organizationID,
		EmailAddress:       address,
		Name:               "Ada Lovelace",
		Status:             auth.MemberActive,
		TrustedMetadata:    map[string]any{},
		UntrustedMetadata:  map[string]any{},
		Roles:              []string{},
		OAuthRegistrations: []auth.ProviderLink{},
		CreatedAt:          t0,
		UpdatedAt:          t0,
	}
}

func newMember(t *testing.T, st store.Store, projectID, organizationID, address string) *auth.Member {
	t.Helper()
	m := memberSpec(projectID, organizationID, address)
	must(t, st.CreateMember(t.Context(), projectID, m))
	return m
}

func orgIDs(os []auth.Organization) []string {
	ids := []string{}
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

func memberIDs(ms []auth.Member) []string {
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// wantOrgsByDomain checks ListOrganizationsByAllowedDomain.
func wantOrgsByDomain(t *testing.T, st store.Store, projectID, domain string, want ...string) {
	t.Helper()
	got, err := st.ListOrganizationsByAllowedDomain(t.Context(), projectID, domain)
	must(t, err)
	if want == nil {
		want = []string{}
	}
	diff(t, "ListOrganizationsByAllowedDomain "+domain, orgIDs(got), want)
}

var organizationTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := fullOrg(p.ID)
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		diff(t, "GetOrganization", got, o)
		got, err = st.GetOrganizationBySlug(t.Context(), p.ID, o.Slug)
		must(t, err)
		diff(t, "GetOrganizationBySlug", got, o)
		got, err = st.GetOrganizationByExternalID(t.Context(), p.ID, o.ExternalID)
		must(t, err)
		diff(t, "GetOrganizationByExternalID", got, o)
		_, err = st.GetOrganizationByExternalID(t.Context(), p.ID, "")
		wantNotFound(t, "GetOrganizationByExternalID of an empty external ID", err)
		_, err = st.GetOrganizationByExternalID(t.Context(), p.ID, "missing")
		wantNotFound(t, "GetOrganizationByExternalID", err)
	}},
	{"Defaults", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "plain")
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		diff(t, "GetOrganization", got, o)
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := &auth.Organization{ID: auth.NewID(auth.KindOrganization, auth.EnvTest), Name: "Bare", Slug: "bare", CreatedAt: t0, UpdatedAt: t0}
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		want := *o
		want.ProjectID = p.ID
		want.TrustedMetadata, want.AllowedOAuthTenants = map[string]any{}, map[string]any{}
		want.EmailAllowedDomains, want.AllowedAuthMethods, want.AllowedMFAMethods = []string{}, []string{}, []string{}
		want.SSOJITProvisioningAllowedConnections, want.ClaimedEmailDomains = []string{}, []string{}
		want.AllowedFirstPartyConnectedApps, want.AllowedThirdPartyConnectedApps = []string{}, []string{}
		want.RBACEmailImplicitRoleAssignments = []auth.EmailImplicitRoleAssignment{}
		diff(t, "GetOrganization", got, &want)
	}},
	{"TimesRoundTripInUTCToTheMicrosecond", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := orgSpec(p.ID, "times")
		o.CreatedAt = time.Date(2025, 3, 4, 6, 6, 7, 123456789, time.FixedZone("CET", 3600))
		o.UpdatedAt = o.CreatedAt
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		want := time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)
		if got.CreatedAt != want || got.UpdatedAt != want {
			t.Errorf("times = %v, %v; want %v", got.CreatedAt, got.UpdatedAt, want)
		}
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		newOrg(t, st, p.ID, "exists")
		_, err := st.GetOrganization(t.Context(), p.ID, "organization-test-missing")
		wantNotFound(t, "GetOrganization", err)
		_, err = st.GetOrganizationBySlug(t.Context(), p.ID, "missing")
		wantNotFound(t, "GetOrganizationBySlug", err)
		_, err = st.GetOrganizationBySlug(t.Context(), p.ID, "EXISTS")
		wantNotFound(t, "GetOrganizationBySlug in another case", err)
		wantNotFound(t, "UpdateOrganization", st.UpdateOrganization(t.Context(), p.ID, orgSpec(p.ID, "missing")))
		wantNotFound(t, "DeleteOrganization", st.DeleteOrganization(t.Context(), p.ID, "organization-test-missing"))
	}},
	{"CreateConflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := orgSpec(p.ID, "acme")
		o.ExternalID = "ext-1"
		o.EmailAllowedDomains = []string{"acme.example"}
		must(t, st.CreateOrganization(t.Context(), p.ID, o))

		sameID := orgSpec(p.ID, "other")
		sameID.ID = o.ID
		sameSlug := orgSpec(p.ID, "acme")
		sameExt := orgSpec(p.ID, "ext")
		sameExt.ExternalID = "ext-1"
		for name, dup := range map[string]*auth.Organization{"id": sameID, "slug": sameSlug, "external id": sameExt} {
			// The refused row's domains must not be written either.
			dup.EmailAllowedDomains = []string{"dup.example"}
			wantErr(t, st.CreateOrganization(t.Context(), p.ID, dup), store.ErrConflict)
			if name != "id" {
				_, err := st.GetOrganization(t.Context(), p.ID, dup.ID)
				wantNotFound(t, "GetOrganization after a refused "+name, err)
			}
		}
		wantOrgsByDomain(t, st, p.ID, "dup.example")
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		diff(t, "GetOrganization after refused duplicates", got, o)

		// Empty external IDs never conflict; slugs differing in case do not either.
		newOrg(t, st, p.ID, "no-ext-1")
		newOrg(t, st, p.ID, "no-ext-2")
		newOrg(t, st, p.ID, "ACME")
	}},
	{"Update", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "before", "old.example")
		upd := fullOrg(p.ID)
		upd.ID = o.ID
		upd.CreatedAt = at(time.Hour) // ignored: CreatedAt is not written
		upd.UpdatedAt = at(2 * time.Hour)
		must(t, st.UpdateOrganization(t.Context(), p.ID, upd))
		got, err := st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		want := *upd
		want.CreatedAt = o.CreatedAt
		diff(t, "GetOrganization after UpdateOrganization", got, &want)
		_, err = st.GetOrganizationBySlug(t.Context(), p.ID, "before")
		wantNotFound(t, "GetOrganizationBySlug of the old slug", err)
		got, err = st.GetOrganizationBySlug(t.Context(), p.ID, "acme")
		must(t, err)
		diff(t, "GetOrganizationBySlug of the new slug", got, &want)
		wantOrgsByDomain(t, st, p.ID, "old.example")
		wantOrgsByDomain(t, st, p.ID, "acme.test", o.ID)

		// Back to nil lists and maps: read back empty.
		bare := &auth.Organization{ID: o.ID, Name: "Bare", Slug: "bare", UpdatedAt: at(3 * time.Hour)}
		must(t, st.UpdateOrganization(t.Context(), p.ID, bare))
		got, err = st.GetOrganization(t.Context(), p.ID, o.ID)
		must(t, err)
		if got.EmailAllowedDomains == nil || len(got.EmailAllowedDomains) != 0 || got.TrustedMetadata == nil ||
			got.RBACEmailImplicitRoleAssignments == nil || len(got.RBACEmailImplicitRoleAssignments) != 0 {
			t.Errorf("GetOrganization after a bare update = %+v, want empty, non-nil settings", got)
		}
		wantOrgsByDomain(t, st, p.ID, "acme.test")
	}},
	{"UpdateConflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a := orgSpec(p.ID, "a")
		a.ExternalID = "ext-a"
		must(t, st.CreateOrganization(t.Context(), p.ID, a))
		b := newOrg(t, st, p.ID, "b", "b.example")
		for name, change := range map[string]func(o *auth.Organization){
			"slug":        func(o *auth.Organization) { o.Slug = "a" },
			"external id": func(o *auth.Organization) { o.ExternalID = "ext-a" },
		} {
			upd := *b
			change(&upd)
			upd.EmailAllowedDomains = []string{"changed.example"}
			wantErr(t, st.UpdateOrganization(t.Context(), p.ID, &upd), store.ErrConflict)
			got, err := st.GetOrganization(t.Context(), p.ID, b.ID)
			must(t, err)
			diff(t, "GetOrganization after a refused "+name+" update", got, b)
			wantOrgsByDomain(t, st, p.ID, "b.example", b.ID)
			wantOrgsByDomain(t, st, p.ID, "changed.example")
		}
		// Keeping its own slug and external ID is no conflict.
		a.Name = "Renamed"
		must(t, st.UpdateOrganization(t.Context(), p.ID, a))
	}},
	{"ListByAllowedDomain", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		newer := orgSpec(p.ID, "newer")
		newer.EmailAllowedDomains = []string{"Shared.Example", "shared.example", "newer.example"}
		newer.CreatedAt = at(time.Minute)
		must(t, st.CreateOrganization(t.Context(), p.ID, newer))
		older := newOrg(t, st, p.ID, "older", "shared.example")
		newOrg(t, st, p.ID, "none")
		wantOrgsByDomain(t, st, p.ID, "shared.example", older.ID, newer.ID)
		wantOrgsByDomain(t, st, p.ID, "SHARED.example", older.ID, newer.ID)
		wantOrgsByDomain(t, st, p.ID, "newer.example", newer.ID)
		wantOrgsByDomain(t, st, p.ID, "example")
		// The list as written is returned as written.
		got, err := st.GetOrganization(t.Context(), p.ID, newer.ID)
		must(t, err)
		diff(t, "EmailAllowedDomains", got.EmailAllowedDomains, newer.EmailAllowedDomains)
		// The returned organizations are whole.
		os, err := st.ListOrganizationsByAllowedDomain(t.Context(), p.ID, "newer.example")
		must(t, err)
		diff(t, "ListOrganizationsByAllowedDomain", os, []auth.Organization{*newer})
	}},
	{"DeleteCascades", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		ctx := t.Context()
		doomed := newOrg(t, st, p.ID, "doomed", "doomed.example")
		kept := newOrg(t, st, p.ID, "kept", "doomed.example")
		m := newMember(t, st, p.ID, doomed.ID, "ada@example.com")
		km := newMember(t, st, p.ID, kept.ID, "ada@example.com")
		s := newMemberSession(t, st, p.ID, m)
		ks := newMemberSession(t, st, p.ID, km)
		orgTok := tokenSpec(p.ID, nil, auth.TokenB2BInvite)
		orgTok.OrganizationID, orgTok.EmailAddress = doomed.ID, "new@example.com"
		must(t, st.CreateToken(ctx, p.ID, orgTok))
		memberTok := tokenSpec(p.ID, nil, auth.TokenB2BMagicLink)
		memberTok.MemberID, memberTok.EmailAddress = m.ID, m.EmailAddress // naming the member only
		must(t, st.CreateToken(ctx, p.ID, memberTok))
		keptTok := tokenSpec(p.ID, nil, auth.TokenB2BMagicLink)
		keptTok.OrganizationID, keptTok.MemberID, keptTok.EmailAddress = kept.ID, km.ID, km.EmailAddress
		must(t, st.CreateToken(ctx, p.ID, keptTok))
		consumerTok := newToken(t, st, p.ID, newUser(t, st, p.ID, "ada@example.com"), auth.TokenMagicLink)
		is := intermediateSpec(p.ID)
		is.OrganizationID, is.MemberID = doomed.ID, m.ID
		must(t, st.CreateIntermediateSession(ctx, p.ID, is))
		discovery := newIntermediate(t, st, p.ID)

		must(t, st.DeleteOrganization(ctx, p.ID, doomed.ID))

		_, err := st.GetOrganization(ctx, p.ID, doomed.ID)
		wantNotFound(t, "GetOrganization", err)
		_, err = st.GetMemberByID(ctx, p.ID, m.ID)
		wantNotFound(t, "GetMemberByID", err)
		_, _, _, err = st.GetMemberSession(ctx, p.ID, s.ID)
		wantNotFound(t, "GetMemberSession", err)
		for name, tok := range map[string]*auth.OneTimeToken{"organization's": orgTok, "member's": memberTok} {
			_, err = st.ConsumeToken(ctx, p.ID, tok.TokenHash, []auth.TokenKind{tok.Kind}, t0)
			wantNotFound(t, "ConsumeToken of the "+name+" token", err)
		}
		_, err = st.GetIntermediateSession(ctx, p.ID, is.TokenHash, t0)
		wantNotFound(t, "GetIntermediateSession into the organization", err)
		wantOrgsByDomain(t, st, p.ID, "doomed.example", kept.ID)
		ms, err := st.ListMembersByEmail(ctx, p.ID, "ada@example.com")
		must(t, err)
		diff(t, "ListMembersByEmail", memberIDs(ms), []string{km.ID})
		wantNotFound(t, "second DeleteOrganization", st.DeleteOrganization(ctx, p.ID, doomed.ID))

		// The rest of the project is untouched.
		_, _, _, err = st.GetMemberSession(ctx, p.ID, ks.ID)
		must(t, err)
		_, err = st.GetIntermediateSession(ctx, p.ID, discovery.TokenHash, t0)
		must(t, err)
		for _, tok := range []*auth.OneTimeToken{keptTok, consumerTok} {
			_, err = st.ConsumeToken(ctx, p.ID, tok.TokenHash, []auth.TokenKind{tok.Kind}, t0)
			must(t, err)
		}
		// The slug and the member's address are free again.
		newMember(t, st, p.ID, newOrg(t, st, p.ID, "doomed").ID, "ada@example.com")
	}},
}

var b2bTokenTests = []subtest{
	{"OrganizationAndMemberRoundTrip", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		tok := tokenSpec(p.ID, nil, auth.TokenB2BMagicLink)
		tok.OrganizationID, tok.MemberID, tok.EmailAddress = o.ID, m.ID, m.EmailAddress
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		discovery := tokenSpec(p.ID, nil, auth.TokenDiscovery)
		discovery.EmailAddress = "ada@example.com"
		must(t, st.CreateToken(t.Context(), p.ID, discovery))
		for _, tk := range []*auth.OneTimeToken{tok, discovery} {
			got, err := st.ConsumeToken(t.Context(), p.ID, tk.TokenHash, []auth.TokenKind{tk.Kind}, t0)
			must(t, err)
			want := *tk
			want.ConsumedAt = ptr(t0)
			diff(t, fmt.Sprintf("ConsumeToken of a %s token", tk.Kind), got, &want)
		}
	}},
	{"RevokeIgnoresOrganization", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		tok := tokenSpec(p.ID, nil, auth.TokenB2BInvite)
		tok.OrganizationID, tok.EmailAddress = o.ID, "ada@example.com"
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		n, err := st.RevokeTokens(t.Context(), p.ID, auth.TokenB2BInvite, "ada@example.com", t0)
		must(t, err)
		if n != 1 {
			t.Errorf("RevokeTokens = %d, want 1", n)
		}
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenB2BInvite}, t0)
		wantErr(t, err, store.ErrConsumed)
	}},
}
