package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// orgCols are the organizations columns read back into an
// auth.Organization, in the order of orgDest.targets and orgDest.values.
var orgCols = []string{
	"organization_id", "name", "slug", "logo_url", "external_id", "trusted_metadata",
	"email_allowed_domains", "email_jit_provisioning", "email_invites",
	"auth_methods", "allowed_auth_methods", "mfa_policy", "mfa_methods", "allowed_mfa_methods",
	"sso_jit_provisioning", "sso_jit_provisioning_allowed_connections", "sso_default_connection_id",
	"oauth_tenant_jit_provisioning", "allowed_oauth_tenants", "claimed_email_domains",
	"rbac_email_implicit_role_assignments",
	"first_party_connected_apps_allowed_type", "allowed_first_party_connected_apps",
	"third_party_connected_apps_allowed_type", "allowed_third_party_connected_apps",
	"created_at", "updated_at",
}

// orgColumns selects orgCols from organizations aliased o.
var orgColumns = "o." + strings.Join(orgCols, ", o.")

// orgWriteCols are written but never read: the lowercased name and slug
// the fuzzy searches match.
var orgWriteCols = []string{"name_lower", "slug_lower"}

// roleAssignmentRecord is the stored JSON form of an
// auth.EmailImplicitRoleAssignment.
type roleAssignmentRecord struct {
	Domain string `json:"domain"`
	RoleID string `json:"role_id"`
}

// orgDest holds the scan targets of orgColumns, with the JSON columns kept
// raw until decode.
type orgDest struct {
	o auth.Organization
	trusted, domains, authMethods, mfaMethods, ssoConns, oauthTenants,
	claimed, rbac, firstParty, thirdParty []byte
}

func (d *orgDest) targets() []any {
	o := &d.o
	return []any{&o.ID, &o.Name, &o.Slug, &o.LogoURL, &o.ExternalID, &d.trusted,
		&d.domains, &o.EmailJITProvisioning, &o.EmailInvites,
		&o.AuthMethods, &d.authMethods, &o.MFAPolicy, &o.MFAMethods, &d.mfaMethods,
		&o.SSOJITProvisioning, &d.ssoConns, &o.SSODefaultConnectionID,
		&o.OAuthTenantJITProvisioning, &d.oauthTenants, &d.claimed,
		&d.rbac,
		&o.FirstPartyConnectedAppsAllowedType, &d.firstParty,
		&o.ThirdPartyConnectedAppsAllowedType, &d.thirdParty,
		timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt}}
}

// decode finishes the organization: JSON decoded, no nil list or map.
func (d *orgDest) decode(projectID string) (auth.Organization, error) {
	o := d.o
	o.ProjectID = projectID
	var err error
	if o.TrustedMetadata, err = decodeMap(d.trusted); err != nil {
		return o, fmt.Errorf("decode trusted metadata: %w", err)
	}
	if o.AllowedOAuthTenants, err = decodeMap(d.oauthTenants); err != nil {
		return o, fmt.Errorf("decode allowed oauth tenants: %w", err)
	}
	for _, l := range []struct {
		dst *[]string
		src []byte
	}{
		{&o.EmailAllowedDomains, d.domains},
		{&o.AllowedAuthMethods, d.authMethods},
		{&o.AllowedMFAMethods, d.mfaMethods},
		{&o.SSOJITProvisioningAllowedConnections, d.ssoConns},
		{&o.ClaimedEmailDomains, d.claimed},
		{&o.AllowedFirstPartyConnectedApps, d.firstParty},
		{&o.AllowedThirdPartyConnectedApps, d.thirdParty},
	} {
		if *l.dst, err = decodeStrings(l.src); err != nil {
			return o, fmt.Errorf("decode organization settings: %w", err)
		}
	}
	var recs []roleAssignmentRecord
	if err := json.Unmarshal(d.rbac, &recs); err != nil {
		return o, fmt.Errorf("decode rbac email implicit role assignments: %w", err)
	}
	o.RBACEmailImplicitRoleAssignments = make([]auth.EmailImplicitRoleAssignment, len(recs))
	for i, r := range recs {
		o.RBACEmailImplicitRoleAssignments[i] = auth.EmailImplicitRoleAssignment{Domain: r.Domain, RoleID: r.RoleID}
	}
	return o, nil
}

func scanOrg(projectID string) func(rowScanner) (auth.Organization, error) {
	return func(row rowScanner) (auth.Organization, error) {
		var d orgDest
		if err := row.Scan(d.targets()...); err != nil {
			return auth.Organization{}, err
		}
		return d.decode(projectID)
	}
}

// orgValues returns o's values for orgCols followed by orgWriteCols.
func (db *DB) orgValues(o *auth.Organization) ([]any, error) {
	trusted, err := encodeMap(o.TrustedMetadata)
	if err != nil {
		return nil, fmt.Errorf("encode trusted metadata: %w", err)
	}
	tenants, err := encodeMap(o.AllowedOAuthTenants)
	if err != nil {
		return nil, fmt.Errorf("encode allowed oauth tenants: %w", err)
	}
	recs := make([]roleAssignmentRecord, len(o.RBACEmailImplicitRoleAssignments)) // never nil: stored as []
	for i, a := range o.RBACEmailImplicitRoleAssignments {
		recs[i] = roleAssignmentRecord{Domain: a.Domain, RoleID: a.RoleID}
	}
	rbac, err := encodeJSON(recs)
	if err != nil {
		return nil, fmt.Errorf("encode rbac email implicit role assignments: %w", err)
	}
	lists := make([]string, 7)
	for i, l := range [][]string{o.EmailAllowedDomains, o.AllowedAuthMethods, o.AllowedMFAMethods,
		o.SSOJITProvisioningAllowedConnections, o.ClaimedEmailDomains,
		o.AllowedFirstPartyConnectedApps, o.AllowedThirdPartyConnectedApps} {
		if lists[i], err = encodeStrings(l); err != nil {
			return nil, fmt.Errorf("encode organization settings: %w", err)
		}
	}
	return []any{o.ID, o.Name, o.Slug, o.LogoURL, o.ExternalID, trusted,
		lists[0], o.EmailJITProvisioning, o.EmailInvites,
		o.AuthMethods, lists[1], o.MFAPolicy, o.MFAMethods, lists[2],
		o.SSOJITProvisioning, lists[3], o.SSODefaultConnectionID,
		o.OAuthTenantJITProvisioning, tenants, lists[4],
		rbac,
		o.FirstPartyConnectedAppsAllowedType, lists[5],
		o.ThirdPartyConnectedAppsAllowedType, lists[6],
		db.ts(o.CreatedAt), db.ts(o.UpdatedAt),
		strings.ToLower(o.Name), strings.ToLower(o.Slug)}, nil
}

// CreateOrganization implements store.Organizations. An external ID
// already used in the project is store.ErrConflict too.
func (db *DB) CreateOrganization(ctx context.Context, projectID string, o *auth.Organization) error {
	vals, err := db.orgValues(o)
	if err != nil {
		return db.fail(err, "create organization %s", o.ID)
	}
	cols := slices.Concat([]string{"project_id"}, orgCols, orgWriteCols)
	var p params
	p.add(projectID)
	ps := []string{"$1"}
	for _, v := range vals {
		ps = append(ps, p.add(v))
	}
	err = db.inTx(ctx, func(tx *DB) error {
		err := tx.insert(ctx, `INSERT INTO organizations (`+strings.Join(cols, ", ")+`)
			VALUES (`+strings.Join(ps, ", ")+`) ON CONFLICT DO NOTHING`, p.args...)
		if err != nil {
			return err
		}
		return tx.insertDomains(ctx, projectID, o)
	})
	if err != nil {
		return db.fail(err, "create organization %s", o.ID)
	}
	return nil
}

// insertDomains writes the organization_domains rows of o: its
// EmailAllowedDomains, lowercased, once each.
func (db *DB) insertDomains(ctx context.Context, projectID string, o *auth.Organization) error {
	domains := lowerAll(o.EmailAllowedDomains)
	slices.Sort(domains)
	for _, d := range slices.Compact(domains) {
		_, err := db.exec(ctx, `INSERT INTO organization_domains (project_id, organization_id, domain, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)`, projectID, o.ID, d, db.ts(o.UpdatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// GetOrganization implements store.Organizations.
func (db *DB) GetOrganization(ctx context.Context, projectID, organizationID string) (*auth.Organization, error) {
	o, err := scanOrg(projectID)(db.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations o
		WHERE o.project_id = $1 AND o.organization_id = $2`, projectID, organizationID))
	if err != nil {
		return nil, db.fail(err, "get organization %s", organizationID)
	}
	return &o, nil
}

// GetOrganizationBySlug implements store.Organizations. Slugs match
// exactly, as they are unique.
func (db *DB) GetOrganizationBySlug(ctx context.Context, projectID, slug string) (*auth.Organization, error) {
	o, err := scanOrg(projectID)(db.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations o
		WHERE o.project_id = $1 AND o.slug = $2`, projectID, slug))
	if err != nil {
		return nil, db.fail(err, "get organization by slug %s", slug)
	}
	return &o, nil
}

// GetOrganizationByExternalID implements store.Organizations.
func (db *DB) GetOrganizationByExternalID(ctx context.Context, projectID, externalID string) (*auth.Organization, error) {
	if externalID == "" {
		return nil, db.fail(store.ErrNotFound, "get organization by empty external id")
	}
	o, err := scanOrg(projectID)(db.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations o
		WHERE o.project_id = $1 AND o.external_id = $2`, projectID, externalID))
	if err != nil {
		return nil, db.fail(err, "get organization by external id %s", externalID)
	}
	return &o, nil
}

// UpdateOrganization implements store.Organizations, rewriting its
// allowed domains' rows. An external ID already used in the project is
// store.ErrConflict too.
func (db *DB) UpdateOrganization(ctx context.Context, projectID string, o *auth.Organization) error {
	vals, err := db.orgValues(o)
	if err != nil {
		return db.fail(err, "update organization %s", o.ID)
	}
	var p params
	p.add(projectID)
	p.add(o.ID)
	var sets []string
	for i, c := range slices.Concat(orgCols, orgWriteCols) {
		if c == "organization_id" || c == "created_at" {
			continue
		}
		sets = append(sets, c+" = "+p.add(vals[i]))
	}
	err = db.inTx(ctx, func(tx *DB) error {
		err := tx.execOne(ctx, `UPDATE organizations SET `+strings.Join(sets, ", ")+`
			WHERE project_id = $1 AND organization_id = $2`, p.args...)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM organization_domains WHERE project_id = $1 AND organization_id = $2`,
			projectID, o.ID); err != nil {
			return err
		}
		return tx.insertDomains(ctx, projectID, o)
	})
	if err != nil {
		return db.fail(err, "update organization %s", o.ID)
	}
	return nil
}

// DeleteOrganization implements store.Organizations. The foreign keys'
// ON DELETE CASCADE remove the organization's domains, members, their
// roles and sessions, and its intermediate sessions; tokens carry no
// reference (see 0002_b2b.sql), so they are deleted first, explicitly, in
// the same transaction.
func (db *DB) DeleteOrganization(ctx context.Context, projectID, organizationID string) error {
	err := db.inTx(ctx, func(tx *DB) error {
		_, err := tx.exec(ctx, `DELETE FROM tokens WHERE project_id = $1 AND (organization_id = $2
			OR member_id IN (SELECT member_id FROM members WHERE project_id = $1 AND organization_id = $2))`,
			projectID, organizationID)
		if err != nil {
			return err
		}
		return tx.execOne(ctx, `DELETE FROM organizations WHERE project_id = $1 AND organization_id = $2`, projectID, organizationID)
	})
	if err != nil {
		return db.fail(err, "delete organization %s", organizationID)
	}
	return nil
}

// SearchOrganizations implements store.Organizations. An empty list in f
// is no condition, like a nil one. Lists of slugs and IDs match exactly;
// member addresses and domains match lowercased. As in SearchUsers, the
// count and the page are two statements.
func (db *DB) SearchOrganizations(ctx context.Context, projectID string, f store.OrganizationFilter) ([]auth.Organization, int, error) {
	if f.Limit <= 0 {
		return nil, 0, fmt.Errorf("sqlstore: search organizations: limit %d is not positive", f.Limit)
	}
	p := &params{}
	p.add(projectID)
	// A member "of any status but deleted" of o.
	const hasMember = `EXISTS (SELECT 1 FROM members m WHERE m.project_id = o.project_id
		AND m.organization_id = o.organization_id AND m.status <> 'deleted' AND `
	var conds []string
	if len(f.OrganizationIDs) > 0 {
		conds = append(conds, `o.organization_id IN (`+p.list(f.OrganizationIDs)+`)`)
	}
	if len(f.Slugs) > 0 {
		conds = append(conds, `o.slug IN (`+p.list(f.Slugs)+`)`)
	}
	if f.NameFuzzy != "" {
		conds = append(conds, `o.name_lower LIKE `+p.add(likeContains(strings.ToLower(f.NameFuzzy)))+` ESCAPE '\'`)
	}
	if f.SlugFuzzy != "" {
		conds = append(conds, `o.slug_lower LIKE `+p.add(likeContains(strings.ToLower(f.SlugFuzzy)))+` ESCAPE '\'`)
	}
	if len(f.MemberEmails) > 0 {
		conds = append(conds, hasMember+`m.email_address IN (`+p.list(lowerAll(f.MemberEmails))+`))`)
	}
	if f.MemberEmailFuzzy != "" {
		conds = append(conds, hasMember+`m.email_address LIKE `+p.add(likeContains(strings.ToLower(f.MemberEmailFuzzy)))+` ESCAPE '\')`)
	}
	if len(f.AllowedDomains) > 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM organization_domains d WHERE d.project_id = o.project_id
			AND d.organization_id = o.organization_id AND d.domain IN (`+p.list(lowerAll(f.AllowedDomains))+`))`)
	}
	where := `o.project_id = $1`
	if c := joinConds(conds, f.Or); c != "" {
		where += ` AND ` + c
	}

	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM organizations o WHERE `+where, p.args...).Scan(&total); err != nil {
		return nil, 0, db.fail(err, "search organizations: count")
	}
	if f.After != nil {
		where += ` AND ` + db.after(p, "o.created_at", "o.organization_id", f.After)
	}
	rows, err := db.query(ctx, `SELECT `+orgColumns+` FROM organizations o WHERE `+where+`
		ORDER BY o.created_at, o.organization_id LIMIT `+p.add(f.Limit), p.args...)
	orgs, err := collect(rows, err, scanOrg(projectID))
	if err != nil {
		return nil, 0, db.fail(err, "search organizations")
	}
	return orgs, total, nil
}

// ListOrganizationsWithOAuthTenantJIT implements store.Organizations.
// Allowed tenants are kept as JSON, which the portable SQL cannot search,
// so callers match them; the column filter keeps the list to the
// organizations that let any tenant in.
func (db *DB) ListOrganizationsWithOAuthTenantJIT(ctx context.Context, projectID string) ([]auth.Organization, error) {
	rows, err := db.query(ctx, `SELECT `+orgColumns+` FROM organizations o
		WHERE o.project_id = $1 AND o.oauth_tenant_jit_provisioning = $2
		ORDER BY o.created_at, o.organization_id`, projectID, auth.Restricted)
	orgs, err := collect(rows, err, scanOrg(projectID))
	if err != nil {
		return nil, db.fail(err, "list organizations with oauth tenant jit provisioning")
	}
	return orgs, nil
}

// ListOrganizationsByAllowedDomain implements store.Organizations.
func (db *DB) ListOrganizationsByAllowedDomain(ctx context.Context, projectID, domain string) ([]auth.Organization, error) {
	rows, err := db.query(ctx, `SELECT `+orgColumns+` FROM organizations o
		JOIN organization_domains d ON d.project_id = o.project_id AND d.organization_id = o.organization_id
		WHERE o.project_id = $1 AND d.domain = $2
		ORDER BY o.created_at, o.organization_id`, projectID, strings.ToLower(domain))
	orgs, err := collect(rows, err, scanOrg(projectID))
	if err != nil {
		return nil, db.fail(err, "list organizations by allowed domain %s", domain)
	}
	return orgs, nil
}
