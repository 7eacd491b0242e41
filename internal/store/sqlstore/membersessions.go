package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const memberSessionColumns = `s.session_id, s.member_id, s.organization_id, s.token_hash, s.started_at, s.last_accessed_at,
	s.expires_at, s.ip_address, s.user_agent, s.authentication_factors, s.custom_claims`

// memberSessionDest holds the scan targets of memberSessionColumns, with
// the JSON columns kept raw until decode.
type memberSessionDest struct {
	s               auth.Session
	factors, claims []byte
}

func (d *memberSessionDest) targets() []any {
	s := &d.s
	return []any{&s.ID, &s.MemberID, &s.OrganizationID, &s.TokenHash, timeCol{&s.StartedAt}, timeCol{&s.LastAccessedAt},
		timeCol{&s.ExpiresAt}, &s.Attributes.IPAddress, &s.Attributes.UserAgent, &d.factors, &d.claims}
}

func (d *memberSessionDest) decode(projectID string) (auth.Session, error) {
	s := d.s
	s.ProjectID = projectID
	var fs []factorRecord
	if err := (jsonCol{&fs}).Scan(d.factors); err != nil {
		return s, err
	}
	s.AuthenticationFactors = decodeFactors(fs)
	var err error
	if s.CustomClaims, err = decodeMap(d.claims); err != nil {
		return s, err
	}
	return s, nil
}

func scanMemberSession(projectID string) func(rowScanner) (auth.Session, error) {
	return func(row rowScanner) (auth.Session, error) {
		var d memberSessionDest
		if err := row.Scan(d.targets()...); err != nil {
			return auth.Session{}, err
		}
		return d.decode(projectID)
	}
}

// memberSessionFull reads a member session, its organization and its
// member with the member's linked provider accounts in one query (one row
// per account, see memberProviders): B2B session authentication answers
// with all three.
var memberSessionFull = `SELECT ` + memberSessionColumns + `, ` + orgColumns + `, ` + memberColumns + memberProviderColumns + `
	FROM member_sessions s
	JOIN members m ON m.project_id = s.project_id AND m.member_id = s.member_id
	JOIN organizations o ON o.project_id = s.project_id AND o.organization_id = s.organization_id` + memberProviders

// qGetMemberSessionByTokenHash and qGetMemberSession are prepared at Open.
var (
	qGetMemberSessionByTokenHash = memberSessionFull + ` WHERE s.project_id = $1 AND s.token_hash = $2` + memberProviderOrder
	qGetMemberSession            = memberSessionFull + ` WHERE s.project_id = $1 AND s.session_id = $2` + memberProviderOrder
)

// readMemberSessionFull reads the rows of memberSessionFull. No row is
// sql.ErrNoRows.
func readMemberSessionFull(rows *sql.Rows, err error, projectID string) (*auth.Session, *auth.Member, *auth.Organization, error) {
	var (
		sd memberSessionDest
		od orgDest
		s  auth.Session
		o  auth.Organization
	)
	m, err := readMemberRows(rows, err, projectID, append(sd.targets(), od.targets()...), func() error {
		var err error
		if s, err = sd.decode(projectID); err != nil {
			return err
		}
		o, err = od.decode(projectID)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return &s, m, &o, nil
}

// CreateMemberSession implements store.MemberSessions. A MemberID that
// names no member of OrganizationID in the project is store.ErrNotFound.
func (db *DB) CreateMemberSession(ctx context.Context, projectID string, s *auth.Session) error {
	factors, claims, err := encodeSessionJSON(s)
	if err != nil {
		return db.fail(err, "create member session %s", s.ID)
	}
	err = db.insert(ctx, `INSERT INTO member_sessions (project_id, session_id, member_id, organization_id, token_hash,
		started_at, last_accessed_at, expires_at, ip_address, user_agent, authentication_factors, custom_claims,
		created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $6, $7) ON CONFLICT DO NOTHING`,
		projectID, s.ID, s.MemberID, s.OrganizationID, s.TokenHash,
		db.ts(s.StartedAt), db.ts(s.LastAccessedAt), db.ts(s.ExpiresAt),
		s.Attributes.IPAddress, s.Attributes.UserAgent, factors, claims)
	if err != nil {
		return db.fail(err, "create member session %s", s.ID)
	}
	return nil
}

// GetMemberSessionByTokenHash implements store.MemberSessions.
func (db *DB) GetMemberSessionByTokenHash(ctx context.Context, projectID string, hash []byte) (*auth.Session, *auth.Member, *auth.Organization, error) {
	rows, err := db.stmt(ctx, hotGetMemberSessionByTokenHash).QueryContext(ctx, projectID, hash)
	s, m, o, err := readMemberSessionFull(rows, err, projectID)
	if err != nil {
		return nil, nil, nil, db.fail(err, "get member session by token hash")
	}
	return s, m, o, nil
}

// GetMemberSession implements store.MemberSessions.
func (db *DB) GetMemberSession(ctx context.Context, projectID, sessionID string) (*auth.Session, *auth.Member, *auth.Organization, error) {
	rows, err := db.stmt(ctx, hotGetMemberSession).QueryContext(ctx, projectID, sessionID)
	s, m, o, err := readMemberSessionFull(rows, err, projectID)
	if err != nil {
		return nil, nil, nil, db.fail(err, "get member session %s", sessionID)
	}
	return s, m, o, nil
}

// ListMemberSessions implements store.MemberSessions.
func (db *DB) ListMemberSessions(ctx context.Context, projectID, memberID string, now time.Time) ([]auth.Session, error) {
	rows, err := db.query(ctx, `SELECT `+memberSessionColumns+` FROM member_sessions s
		WHERE s.project_id = $1 AND s.member_id = $2 AND s.expires_at > $3
		ORDER BY s.started_at DESC, s.session_id DESC`, projectID, memberID, db.ts(now))
	ss, err := collect(rows, err, scanMemberSession(projectID))
	if err != nil {
		return nil, db.fail(err, "list sessions of member %s", memberID)
	}
	return ss, nil
}

// UpdateMemberSession implements store.MemberSessions. LastAccessedAt
// doubles as the row's updated_at.
func (db *DB) UpdateMemberSession(ctx context.Context, projectID string, s *auth.Session) error {
	factors, claims, err := encodeSessionJSON(s)
	if err != nil {
		return db.fail(err, "update member session %s", s.ID)
	}
	err = db.execOne(ctx, `UPDATE member_sessions SET last_accessed_at = $3, expires_at = $4,
		authentication_factors = $5, custom_claims = $6, updated_at = $3
		WHERE project_id = $1 AND session_id = $2`,
		projectID, s.ID, db.ts(s.LastAccessedAt), db.ts(s.ExpiresAt), factors, claims)
	if err != nil {
		return db.fail(err, "update member session %s", s.ID)
	}
	return nil
}

// DeleteMemberSession implements store.MemberSessions.
func (db *DB) DeleteMemberSession(ctx context.Context, projectID, sessionID string) error {
	if err := db.execOne(ctx, `DELETE FROM member_sessions WHERE project_id = $1 AND session_id = $2`, projectID, sessionID); err != nil {
		return db.fail(err, "delete member session %s", sessionID)
	}
	return nil
}

// DeleteMemberSessions implements store.MemberSessions.
func (db *DB) DeleteMemberSessions(ctx context.Context, projectID, memberID string) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM member_sessions WHERE project_id = $1 AND member_id = $2`, projectID, memberID)
	if err != nil {
		return 0, db.fail(err, "delete sessions of member %s", memberID)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, db.fail(err, "delete sessions of member %s", memberID)
	}
	return int(n), nil
}

const intermediateColumns = `intermediate_session_id, token_hash, email_address, authentication_factors,
	organization_id, member_id, created_at, expires_at, consumed_at`

func scanIntermediate(projectID string) func(rowScanner) (auth.IntermediateSession, error) {
	return func(row rowScanner) (auth.IntermediateSession, error) {
		s := auth.IntermediateSession{ProjectID: projectID}
		var (
			factors         []factorRecord
			orgID, memberID sql.NullString
		)
		err := row.Scan(&s.ID, &s.TokenHash, &s.EmailAddress, jsonCol{&factors}, &orgID, &memberID,
			timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}, nullTimeCol{&s.ConsumedAt})
		s.Factors = decodeFactors(factors)
		s.OrganizationID, s.MemberID = orgID.String, memberID.String
		return s, err
	}
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateIntermediateSession implements store.IntermediateSessions. Empty
// OrganizationID and MemberID are stored as NULL; ones naming no
// organization or member of the project are store.ErrNotFound. The
// address is stored lowercased.
func (db *DB) CreateIntermediateSession(ctx context.Context, projectID string, s *auth.IntermediateSession) error {
	factors, err := encodeFactors(s.Factors)
	if err != nil {
		return db.fail(err, "create intermediate session %s", s.ID)
	}
	err = db.insert(ctx, `INSERT INTO intermediate_sessions (project_id, `+intermediateColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8) ON CONFLICT DO NOTHING`,
		projectID, s.ID, s.TokenHash, strings.ToLower(s.EmailAddress), factors, nullString(s.OrganizationID), nullString(s.MemberID),
		db.ts(s.CreatedAt), db.ts(s.ExpiresAt), db.nts(s.ConsumedAt))
	if err != nil {
		return db.fail(err, "create intermediate session %s", s.ID)
	}
	return nil
}

// GetIntermediateSession implements store.IntermediateSessions.
func (db *DB) GetIntermediateSession(ctx context.Context, projectID string, hash []byte, now time.Time) (*auth.IntermediateSession, error) {
	s, err := scanIntermediate(projectID)(db.queryRow(ctx, `SELECT `+intermediateColumns+` FROM intermediate_sessions
		WHERE project_id = $1 AND token_hash = $2`, projectID, hash))
	if err != nil {
		return nil, db.fail(err, "get intermediate session")
	}
	// Expiring at now is expired, as in the consuming UPDATE.
	if s.ConsumedAt != nil || !now.Before(s.ExpiresAt) {
		return nil, db.fail(store.ErrConsumed, "get intermediate session")
	}
	return &s, nil
}

// ConsumeIntermediateSession implements store.IntermediateSessions as
// ConsumeToken does: the conditional UPDATE is the whole decision, and
// only when it changes nothing does a second read tell a spent session
// from a missing one.
func (db *DB) ConsumeIntermediateSession(ctx context.Context, projectID string, hash []byte, now time.Time) (*auth.IntermediateSession, error) {
	s, err := scanIntermediate(projectID)(db.writeRow(ctx, `UPDATE intermediate_sessions SET consumed_at = $3, updated_at = $3
		WHERE project_id = $1 AND token_hash = $2 AND consumed_at IS NULL AND expires_at > $3
		RETURNING `+intermediateColumns, projectID, hash, db.ts(now)))
	if err == nil {
		return &s, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "consume intermediate session")
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM intermediate_sessions WHERE project_id = $1 AND token_hash = $2`,
		projectID, hash).Scan(&n); err != nil {
		return nil, db.fail(err, "consume intermediate session")
	}
	if n > 0 {
		return nil, db.fail(store.ErrConsumed, "consume intermediate session")
	}
	return nil, db.fail(store.ErrNotFound, "consume intermediate session")
}
