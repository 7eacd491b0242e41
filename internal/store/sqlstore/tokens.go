package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const tokenColumns = `token_id, kind, token_hash, user_id, email_id, email_address, code_challenge,
	created_at, expires_at, consumed_at, organization_id, member_id, oauth_registration_id, provider, oauth_identity`

func scanToken(projectID string) func(rowScanner) (auth.OneTimeToken, error) {
	return func(row rowScanner) (auth.OneTimeToken, error) {
		t := auth.OneTimeToken{ProjectID: projectID}
		var userID, orgID, memberID sql.NullString
		err := row.Scan(&t.ID, &t.Kind, &t.TokenHash, &userID, &t.EmailID, &t.EmailAddress, &t.CodeChallenge,
			timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, nullTimeCol{&t.ConsumedAt}, &orgID, &memberID, &t.OAuthRegistrationID, &t.Provider, &t.SealedOAuthIdentity)
		if len(t.SealedOAuthIdentity) == 0 {
			t.SealedOAuthIdentity = nil
		}
		t.UserID, t.OrganizationID, t.MemberID = userID.String, orgID.String, memberID.String
		return t, err
	}
}

// CreateToken implements store.Tokens. An empty UserID is stored as NULL,
// so the token refers to no user; a UserID that names no user of the
// project is store.ErrNotFound. Empty OrganizationID and MemberID are NULL
// too; they are not references (see 0002_b2b.sql), so they are not
// checked.
func (db *DB) CreateToken(ctx context.Context, projectID string, t *auth.OneTimeToken) error {
	err := db.insert(ctx, `INSERT INTO tokens (project_id, `+tokenColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $9) ON CONFLICT DO NOTHING`,
		projectID, t.ID, t.Kind, t.TokenHash, nullString(t.UserID), t.EmailID, t.EmailAddress, t.CodeChallenge,
		db.ts(t.CreatedAt), db.ts(t.ExpiresAt), db.nts(t.ConsumedAt), nullString(t.OrganizationID), nullString(t.MemberID),
		t.OAuthRegistrationID, t.Provider, orEmptyBytes(t.SealedOAuthIdentity))
	if err != nil {
		return db.fail(err, "create token %s", t.ID)
	}
	return nil
}

// ConsumeToken implements store.Tokens. The UPDATE is the whole decision:
// its WHERE clause re-checks consumed_at under the row's write lock, so of
// concurrent calls exactly one sees NULL and the others change nothing,
// with no SELECT … FOR UPDATE. Only when it changes nothing does a second
// read tell a spent token from a missing one.
func (db *DB) ConsumeToken(ctx context.Context, projectID string, hash []byte, kinds []auth.TokenKind, now time.Time) (*auth.OneTimeToken, error) {
	if len(kinds) == 0 {
		// No token is of no kind; "IN ()" is not valid SQL either.
		return nil, db.fail(store.ErrNotFound, "consume token: no kinds")
	}
	// now comes last, so the count below can reuse the same arguments
	// and kind list without it.
	args := make([]any, 0, 3+len(kinds))
	args = append(args, projectID, hash)
	in := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	args = append(args, db.ts(now))
	where := `project_id = $1 AND token_hash = $2 AND kind IN (` + strings.Join(in, ", ") + `)`
	at := "$" + strconv.Itoa(len(args))
	t, err := scanToken(projectID)(db.writeRow(ctx, `UPDATE tokens SET consumed_at = `+at+`, updated_at = `+at+`
		WHERE `+where+` AND consumed_at IS NULL AND expires_at > `+at+`
		RETURNING `+tokenColumns, args...))
	if err == nil {
		return &t, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "consume token")
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM tokens WHERE `+where, args[:len(args)-1]...).Scan(&n); err != nil {
		return nil, db.fail(err, "consume token")
	}
	if n > 0 {
		return nil, db.fail(store.ErrConsumed, "consume token")
	}
	return nil, db.fail(store.ErrNotFound, "consume token")
}

// GetToken implements store.Tokens with one read; a token that is spent
// or expired is ErrConsumed, as ConsumeToken reports it.
func (db *DB) GetToken(ctx context.Context, projectID string, hash []byte, kinds []auth.TokenKind, now time.Time) (*auth.OneTimeToken, error) {
	if len(kinds) == 0 {
		return nil, db.fail(store.ErrNotFound, "get token: no kinds")
	}
	args := make([]any, 0, 2+len(kinds))
	args = append(args, projectID, hash)
	in := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	t, err := scanToken(projectID)(db.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE project_id = $1 AND token_hash = $2 AND kind IN (`+strings.Join(in, ", ")+`)`, args...))
	if err != nil {
		return nil, db.fail(err, "get token")
	}
	if t.ConsumedAt != nil || !t.ExpiresAt.After(now) {
		return nil, db.fail(store.ErrConsumed, "get token")
	}
	return &t, nil
}

// RevokeTokens implements store.Tokens.
func (db *DB) RevokeTokens(ctx context.Context, projectID string, kind auth.TokenKind, address string, now time.Time) (int, error) {
	res, err := db.exec(ctx, `UPDATE tokens SET consumed_at = $4, updated_at = $4
		WHERE project_id = $1 AND email_address = $2 AND kind = $3 AND consumed_at IS NULL`,
		projectID, address, kind, db.ts(now))
	if err != nil {
		return 0, db.fail(err, "revoke %s tokens", kind)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, db.fail(err, "revoke %s tokens", kind)
	}
	return int(n), nil
}

// CountTokens implements store.Tokens, from the tokens_address_created
// index (0014).
func (db *DB) CountTokens(ctx context.Context, projectID, address string, kinds []auth.TokenKind, since time.Time) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	args := make([]any, 0, 3+len(kinds))
	args = append(args, projectID, strings.ToLower(address), db.ts(since))
	in := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM tokens
		WHERE project_id = $1 AND email_address = $2 AND created_at >= $3 AND kind IN (`+strings.Join(in, ", ")+`)`, args...).Scan(&n)
	if err != nil {
		return 0, db.fail(err, "count tokens")
	}
	return n, nil
}
