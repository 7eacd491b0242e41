package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

const sessionColumns = `session_id, user_id, token_hash, started_at, last_accessed_at, expires_at,
	ip_address, user_agent, authentication_factors, custom_claims`

// sessionUser reads a session, its user and the user's emails and phone
// numbers in one query (see userContacts): session authentication is the
// hottest path in the product and answers with both.
const sessionUser = `SELECT s.session_id, s.user_id, s.token_hash, s.started_at, s.last_accessed_at, s.expires_at,
	s.ip_address, s.user_agent, s.authentication_factors, s.custom_claims,
	` + userColumns + contactColumns + `
	FROM sessions s
	JOIN users u ON u.project_id = s.project_id AND u.user_id = s.user_id` + userContacts

// qGetSessionUserByTokenHash and qGetSessionUser are prepared at Open.
// token_hash is unique, so its index finds the row.
const (
	qGetSessionUserByTokenHash = sessionUser + ` WHERE s.project_id = $1 AND s.token_hash = $2` + contactOrder
	qGetSessionUser            = sessionUser + ` WHERE s.project_id = $1 AND s.session_id = $2` + contactOrder
)

func scanSession(projectID string) func(rowScanner) (auth.Session, error) {
	return func(row rowScanner) (auth.Session, error) {
		s := auth.Session{ProjectID: projectID}
		var factors []factorRecord
		err := row.Scan(&s.ID, &s.UserID, &s.TokenHash, timeCol{&s.StartedAt}, timeCol{&s.LastAccessedAt}, timeCol{&s.ExpiresAt},
			&s.Attributes.IPAddress, &s.Attributes.UserAgent, jsonCol{&factors}, jsonCol{&s.CustomClaims})
		s.AuthenticationFactors = decodeFactors(factors)
		s.CustomClaims = orEmpty(s.CustomClaims)
		return s, err
	}
}

// CreateSession implements store.Sessions. A UserID that names no user of
// the project is store.ErrNotFound.
func (db *DB) CreateSession(ctx context.Context, projectID string, s *auth.Session) error {
	factors, claims, err := encodeSessionJSON(s)
	if err != nil {
		return db.fail(err, "create session %s", s.ID)
	}
	err = db.insert(ctx, `INSERT INTO sessions (project_id, `+sessionColumns+`, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $5, $6) ON CONFLICT DO NOTHING`,
		projectID, s.ID, s.UserID, s.TokenHash, db.ts(s.StartedAt), db.ts(s.LastAccessedAt), db.ts(s.ExpiresAt),
		s.Attributes.IPAddress, s.Attributes.UserAgent, factors, claims)
	if err != nil {
		return db.fail(err, "create session %s", s.ID)
	}
	return nil
}

func encodeSessionJSON(s *auth.Session) (factors, claims string, err error) {
	if factors, err = encodeFactors(s.AuthenticationFactors); err != nil {
		return "", "", err
	}
	if claims, err = encodeMap(s.CustomClaims); err != nil {
		return "", "", err
	}
	return factors, claims, nil
}

// GetSession implements store.Sessions.
func (db *DB) GetSession(ctx context.Context, projectID, sessionID string) (*auth.Session, error) {
	s, err := scanSession(projectID)(db.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE project_id = $1 AND session_id = $2`, projectID, sessionID))
	if err != nil {
		return nil, db.fail(err, "get session %s", sessionID)
	}
	return &s, nil
}

// GetSessionUserByTokenHash implements store.Sessions.
func (db *DB) GetSessionUserByTokenHash(ctx context.Context, projectID string, hash []byte) (*auth.Session, *auth.User, error) {
	rows, err := db.stmt(ctx, hotGetSessionUserByTokenHash).QueryContext(ctx, projectID, hash)
	s, u, err := readSessionUser(rows, err, projectID)
	if err != nil {
		return nil, nil, db.fail(err, "get session by token hash")
	}
	return s, u, nil
}

// GetSessionUser implements store.Sessions.
func (db *DB) GetSessionUser(ctx context.Context, projectID, sessionID string) (*auth.Session, *auth.User, error) {
	rows, err := db.stmt(ctx, hotGetSessionUser).QueryContext(ctx, projectID, sessionID)
	s, u, err := readSessionUser(rows, err, projectID)
	if err != nil {
		return nil, nil, db.fail(err, "get session %s", sessionID)
	}
	return s, u, nil
}

// readSessionUser reads the rows of sessionUser. The session columns repeat
// on every row; they are decoded from the first. No row is
// sql.ErrNoRows.
func readSessionUser(rows *sql.Rows, err error, projectID string) (*auth.Session, *auth.User, error) {
	if err != nil {
		return nil, nil, err
	}
	var (
		s               = auth.Session{ProjectID: projectID}
		factors, claims []byte
	)
	lead := []any{&s.ID, &s.UserID, &s.TokenHash, timeCol{&s.StartedAt}, timeCol{&s.LastAccessedAt}, timeCol{&s.ExpiresAt},
		&s.Attributes.IPAddress, &s.Attributes.UserAgent, &factors, &claims}
	u, err := readUserRows(rows, projectID, lead, func() error {
		var fs []factorRecord
		if err := (jsonCol{&fs}).Scan(factors); err != nil {
			return err
		}
		if err := (jsonCol{&s.CustomClaims}).Scan(claims); err != nil {
			return err
		}
		s.AuthenticationFactors = decodeFactors(fs)
		s.CustomClaims = orEmpty(s.CustomClaims)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

// ListUserSessions implements store.Sessions.
func (db *DB) ListUserSessions(ctx context.Context, projectID, userID string, now time.Time) ([]auth.Session, error) {
	rows, err := db.query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE project_id = $1 AND user_id = $2 AND expires_at > $3
		ORDER BY started_at DESC, session_id DESC`, projectID, userID, db.ts(now))
	ss, err := collect(rows, err, scanSession(projectID))
	if err != nil {
		return nil, db.fail(err, "list sessions of user %s", userID)
	}
	return ss, nil
}

// UpdateSession implements store.Sessions. LastAccessedAt doubles as the
// row's updated_at.
func (db *DB) UpdateSession(ctx context.Context, projectID string, s *auth.Session) error {
	factors, claims, err := encodeSessionJSON(s)
	if err != nil {
		return db.fail(err, "update session %s", s.ID)
	}
	err = db.execOne(ctx, `UPDATE sessions SET last_accessed_at = $3, expires_at = $4,
		authentication_factors = $5, custom_claims = $6, updated_at = $3
		WHERE project_id = $1 AND session_id = $2`,
		projectID, s.ID, db.ts(s.LastAccessedAt), db.ts(s.ExpiresAt), factors, claims)
	if err != nil {
		return db.fail(err, "update session %s", s.ID)
	}
	return nil
}

// DeleteSession implements store.Sessions.
func (db *DB) DeleteSession(ctx context.Context, projectID, sessionID string) error {
	if err := db.execOne(ctx, `DELETE FROM sessions WHERE project_id = $1 AND session_id = $2`, projectID, sessionID); err != nil {
		return db.fail(err, "delete session %s", sessionID)
	}
	return nil
}
