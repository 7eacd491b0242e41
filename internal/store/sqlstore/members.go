package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// Member addresses are lowercased in Go on every write and lookup, as
// consumer email addresses are (see users.go).

// memberCols are the members columns a member is created with, in the
// order of memberDest.targets. totp_registration_id and
// member_password_id are read after them: only the TOTP and password
// methods write them (see totps.go, passwords.go).
var memberCols = []string{
	"member_id", "organization_id", "email_address", "email_verified", "name", "status", "is_breakglass",
	"external_id", "trusted_metadata", "untrusted_metadata", "roles",
	"mfa_enrolled", "mfa_phone_number", "mfa_phone_verified", "default_mfa_method",
	"created_at", "updated_at",
}

// memberColumns selects memberCols, then totp_registration_id and
// member_password_id, from members aliased m.
var memberColumns = "m." + strings.Join(memberCols, ", m.") + ", m.totp_registration_id, m.member_password_id"

// memberDest holds the scan targets of memberColumns, with the JSON
// columns kept raw until decode.
type memberDest struct {
	m                         auth.Member
	trusted, untrusted, roles []byte
}

func (d *memberDest) targets() []any {
	m := &d.m
	return []any{&m.ID, &m.OrganizationID, &m.EmailAddress, &m.EmailVerified, &m.Name, &m.Status, &m.IsBreakglass,
		&m.ExternalID, &d.trusted, &d.untrusted, &d.roles,
		&m.MFAEnrolled, &m.MFAPhoneNumber, &m.MFAPhoneVerified, &m.DefaultMFAMethod,
		timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.TOTPRegistrationID, &m.PasswordID}
}

// decode finishes the member: JSON decoded, no nil list or map.
func (d *memberDest) decode(projectID string) (auth.Member, error) {
	m := d.m
	m.ProjectID = projectID
	var err error
	if m.TrustedMetadata, err = decodeMap(d.trusted); err != nil {
		return m, fmt.Errorf("decode trusted metadata: %w", err)
	}
	if m.UntrustedMetadata, err = decodeMap(d.untrusted); err != nil {
		return m, fmt.Errorf("decode untrusted metadata: %w", err)
	}
	if m.Roles, err = decodeStrings(d.roles); err != nil {
		return m, fmt.Errorf("decode roles: %w", err)
	}
	m.OAuthRegistrations = []auth.ProviderLink{}
	return m, nil
}

// scanMember scans a member without its linked provider accounts: lists
// add them with attachMemberProviders.
func scanMember(projectID string) func(rowScanner) (auth.Member, error) {
	return func(row rowScanner) (auth.Member, error) {
		var d memberDest
		if err := row.Scan(d.targets()...); err != nil {
			return auth.Member{}, err
		}
		return d.decode(projectID)
	}
}

// memberProviders joins a member's linked provider accounts, one row per
// account: a member has a handful at most, the join stays on the
// member_oauth_registrations_member index, and readMemberRows folds the
// rows back into one member. Reads of one member (sessions.authenticate's
// among them) thus stay one round trip; lists load the accounts of a whole
// page in a second query instead (attachMemberProviders), as a join would
// repeat every member's columns once per account.
const (
	memberProviders = ` LEFT JOIN member_oauth_registrations r
	ON r.project_id = m.project_id AND r.member_id = m.member_id`
	memberProviderColumns = `, r.registration_id, r.provider, r.subject, r.profile_picture_url, r.locale, r.created_at`
	memberProviderOrder   = ` ORDER BY r.created_at, r.registration_id`
)

// memberWithProviders reads a member with its linked provider accounts.
var memberWithProviders = `SELECT ` + memberColumns + memberProviderColumns + ` FROM members m` + memberProviders

// readMemberRows reads rows of a member joined with its linked provider
// accounts (memberProviders), after any lead columns of other tables,
// which onFirst decodes once from the first row. It closes rows. No row
// is sql.ErrNoRows.
func readMemberRows(rows *sql.Rows, err error, projectID string, lead []any, onFirst func() error) (*auth.Member, error) {
	if err != nil {
		return nil, err
	}
	var (
		md memberDest
		ld providerLinkDest
	)
	dest := append(append(lead, md.targets()...), ld.targets()...)
	return foldRows(rows, dest, func() (*auth.Member, error) {
		if onFirst != nil {
			if err := onFirst(); err != nil {
				return nil, err
			}
		}
		m, err := md.decode(projectID)
		return &m, err
	}, func(m *auth.Member) { m.OAuthRegistrations = ld.appendTo(m.OAuthRegistrations) })
}

// attachMemberProviders loads the linked provider accounts of members in
// one query.
func (db *DB) attachMemberProviders(ctx context.Context, projectID string, members []auth.Member) error {
	if len(members) == 0 {
		return nil
	}
	ids := make([]string, len(members))
	for i := range members {
		ids[i] = members[i].ID
	}
	links, err := db.loadProviderLinks(ctx, projectID, "member_oauth_registrations", "member_id", ids)
	if err != nil {
		return err
	}
	for i := range members {
		if ls, ok := links[members[i].ID]; ok {
			members[i].OAuthRegistrations = ls
		}
	}
	return nil
}

// memberJSON encodes m's JSON columns.
func memberJSON(m *auth.Member) (trusted, untrusted, roles string, err error) {
	if trusted, err = encodeMap(m.TrustedMetadata); err != nil {
		return "", "", "", fmt.Errorf("encode trusted metadata: %w", err)
	}
	if untrusted, err = encodeMap(m.UntrustedMetadata); err != nil {
		return "", "", "", fmt.Errorf("encode untrusted metadata: %w", err)
	}
	if roles, err = encodeStrings(m.Roles); err != nil {
		return "", "", "", fmt.Errorf("encode roles: %w", err)
	}
	return trusted, untrusted, roles, nil
}

// CreateMember implements store.Members, with its roles' rows.
func (db *DB) CreateMember(ctx context.Context, projectID string, m *auth.Member) error {
	trusted, untrusted, roles, err := memberJSON(m)
	if err != nil {
		return db.fail(err, "create member %s", m.ID)
	}
	err = db.inTx(ctx, func(tx *DB) error {
		err := tx.insert(ctx, `INSERT INTO members (project_id, `+strings.Join(memberCols, ", ")+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING`,
			projectID, m.ID, m.OrganizationID, strings.ToLower(m.EmailAddress), m.EmailVerified, m.Name, m.Status, m.IsBreakglass,
			m.ExternalID, trusted, untrusted, roles,
			m.MFAEnrolled, m.MFAPhoneNumber, m.MFAPhoneVerified, m.DefaultMFAMethod,
			tx.ts(m.CreatedAt), tx.ts(m.UpdatedAt))
		if err != nil {
			return err
		}
		return tx.insertRoles(ctx, projectID, m)
	})
	if err != nil {
		return db.fail(err, "create member %s", m.ID)
	}
	return nil
}

// insertRoles writes the member_roles rows of m, once per role.
func (db *DB) insertRoles(ctx context.Context, projectID string, m *auth.Member) error {
	roles := slices.Clone(m.Roles)
	slices.Sort(roles)
	for _, r := range slices.Compact(roles) {
		_, err := db.exec(ctx, `INSERT INTO member_roles (project_id, member_id, role, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)`, projectID, m.ID, r, db.ts(m.UpdatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// GetMember implements store.Members.
func (db *DB) GetMember(ctx context.Context, projectID, organizationID, memberID string) (*auth.Member, error) {
	rows, err := db.query(ctx, memberWithProviders+`
		WHERE m.project_id = $1 AND m.organization_id = $2 AND m.member_id = $3`+memberProviderOrder, projectID, organizationID, memberID)
	m, err := readMemberRows(rows, err, projectID, nil, nil)
	if err != nil {
		return nil, db.fail(err, "get member %s", memberID)
	}
	return m, nil
}

// GetMemberByEmail implements store.Members.
func (db *DB) GetMemberByEmail(ctx context.Context, projectID, organizationID, address string) (*auth.Member, error) {
	rows, err := db.query(ctx, memberWithProviders+`
		WHERE m.project_id = $1 AND m.organization_id = $2 AND m.email_address = $3`+memberProviderOrder,
		projectID, organizationID, strings.ToLower(address))
	m, err := readMemberRows(rows, err, projectID, nil, nil)
	if err != nil {
		return nil, db.fail(err, "get member by email %s", address)
	}
	return m, nil
}

// GetMemberByExternalID implements store.Members.
func (db *DB) GetMemberByExternalID(ctx context.Context, projectID, organizationID, externalID string) (*auth.Member, error) {
	if externalID == "" {
		return nil, db.fail(store.ErrNotFound, "get member by empty external id")
	}
	rows, err := db.query(ctx, memberWithProviders+`
		WHERE m.project_id = $1 AND m.organization_id = $2 AND m.external_id = $3`+memberProviderOrder, projectID, organizationID, externalID)
	m, err := readMemberRows(rows, err, projectID, nil, nil)
	if err != nil {
		return nil, db.fail(err, "get member by external id %s", externalID)
	}
	return m, nil
}

// GetMemberByID implements store.Members.
func (db *DB) GetMemberByID(ctx context.Context, projectID, memberID string) (*auth.Member, error) {
	rows, err := db.query(ctx, memberWithProviders+`
		WHERE m.project_id = $1 AND m.member_id = $2`+memberProviderOrder, projectID, memberID)
	m, err := readMemberRows(rows, err, projectID, nil, nil)
	if err != nil {
		return nil, db.fail(err, "get member %s", memberID)
	}
	return m, nil
}

// ListMembersByEmail implements store.Members.
func (db *DB) ListMembersByEmail(ctx context.Context, projectID, address string) ([]auth.Member, error) {
	rows, err := db.query(ctx, `SELECT `+memberColumns+` FROM members m
		WHERE m.project_id = $1 AND m.email_address = $2 ORDER BY m.created_at, m.member_id`,
		projectID, strings.ToLower(address))
	ms, err := collect(rows, err, scanMember(projectID))
	if err == nil {
		err = db.attachMemberProviders(ctx, projectID, ms)
	}
	if err != nil {
		return nil, db.fail(err, "list members by email %s", address)
	}
	return ms, nil
}

// UpdateMember implements store.Members, rewriting its roles' rows. The
// organization is part of the member's identity, so m.OrganizationID
// must name the member's own: another is store.ErrNotFound. The TOTP
// registration ID is not written: the TOTP methods own it, so an update
// from a stale read cannot undo a verification.
func (db *DB) UpdateMember(ctx context.Context, projectID string, m *auth.Member) error {
	trusted, untrusted, roles, err := memberJSON(m)
	if err != nil {
		return db.fail(err, "update member %s", m.ID)
	}
	err = db.inTx(ctx, func(tx *DB) error {
		err := tx.execOne(ctx, `UPDATE members SET email_address = $4, email_verified = $5, name = $6, status = $7,
			is_breakglass = $8, external_id = $9, trusted_metadata = $10, untrusted_metadata = $11, roles = $12,
			mfa_enrolled = $13, mfa_phone_number = $14, mfa_phone_verified = $15, default_mfa_method = $16, updated_at = $17
			WHERE project_id = $1 AND organization_id = $2 AND member_id = $3`,
			projectID, m.OrganizationID, m.ID, strings.ToLower(m.EmailAddress), m.EmailVerified, m.Name, m.Status,
			m.IsBreakglass, m.ExternalID, trusted, untrusted, roles,
			m.MFAEnrolled, m.MFAPhoneNumber, m.MFAPhoneVerified, m.DefaultMFAMethod, tx.ts(m.UpdatedAt))
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM member_roles WHERE project_id = $1 AND member_id = $2`, projectID, m.ID); err != nil {
			return err
		}
		return tx.insertRoles(ctx, projectID, m)
	})
	if err != nil {
		return db.fail(err, "update member %s", m.ID)
	}
	return nil
}

// SearchMembers implements store.Members. f.OrganizationIDs must not be
// empty. An empty list among the other fields is no condition, like a nil
// one. As in SearchUsers, the count and the page are two statements.
func (db *DB) SearchMembers(ctx context.Context, projectID string, f store.MemberFilter) ([]auth.Member, int, error) {
	if f.Limit <= 0 {
		return nil, 0, fmt.Errorf("sqlstore: search members: limit %d is not positive", f.Limit)
	}
	if len(f.OrganizationIDs) == 0 {
		return nil, 0, errors.New("sqlstore: search members: no organization IDs")
	}
	p := &params{}
	p.add(projectID)
	where := `m.project_id = $1 AND m.organization_id IN (` + p.list(f.OrganizationIDs) + `)`
	var conds []string
	if len(f.MemberIDs) > 0 {
		conds = append(conds, `m.member_id IN (`+p.list(f.MemberIDs)+`)`)
	}
	if len(f.EmailAddresses) > 0 {
		conds = append(conds, `m.email_address IN (`+p.list(lowerAll(f.EmailAddresses))+`)`)
	}
	if f.EmailFuzzy != "" {
		conds = append(conds, `m.email_address LIKE `+p.add(likeContains(strings.ToLower(f.EmailFuzzy)))+` ESCAPE '\'`)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		conds = append(conds, `m.status IN (`+p.list(ss)+`)`)
	}
	if f.IsBreakglass != nil {
		conds = append(conds, `m.is_breakglass = `+p.add(*f.IsBreakglass))
	}
	if len(f.Roles) > 0 {
		conds = append(conds, `EXISTS (SELECT 1 FROM member_roles r WHERE r.project_id = m.project_id
			AND r.member_id = m.member_id AND r.role IN (`+p.list(f.Roles)+`))`)
	}
	if c := joinConds(conds, f.Or); c != "" {
		where += ` AND ` + c
	}

	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM members m WHERE `+where, p.args...).Scan(&total); err != nil {
		return nil, 0, db.fail(err, "search members: count")
	}
	if f.After != nil {
		where += ` AND ` + db.after(p, "m.created_at", "m.member_id", f.After)
	}
	rows, err := db.query(ctx, `SELECT `+memberColumns+` FROM members m WHERE `+where+`
		ORDER BY m.created_at, m.member_id LIMIT `+p.add(f.Limit), p.args...)
	ms, err := collect(rows, err, scanMember(projectID))
	if err == nil {
		err = db.attachMemberProviders(ctx, projectID, ms)
	}
	if err != nil {
		return nil, 0, db.fail(err, "search members")
	}
	return ms, total, nil
}
