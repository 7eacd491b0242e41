package sqlstore

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

const sessionColumns = `session_id, user_id, token_hash, started_at, last_accessed_at, expires_at,
	ip_address, user_agent, authentication_factors, custom_claims`

// qGetSessionByTokenHash is prepared at Open: every session authentication
// starts here. token_hash is unique, so its index finds the row.
const qGetSessionByTokenHash = `SELECT ` + sessionColumns + ` FROM sessions WHERE project_id = $1 AND token_hash = $2`

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

// GetSessionByTokenHash implements store.Sessions.
func (db *DB) GetSessionByTokenHash(ctx context.Context, projectID string, hash []byte) (*auth.Session, error) {
	s, err := scanSession(projectID)(db.stmt(ctx, hotGetSessionByTokenHash).QueryRowContext(ctx, projectID, hash))
	if err != nil {
		return nil, db.fail(err, "get session by token hash")
	}
	return &s, nil
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
