package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const passwordColumns = `password_id, user_id, hash, requires_reset, created_at, updated_at`

func scanPassword(projectID string) func(rowScanner) (auth.Password, error) {
	return func(row rowScanner) (auth.Password, error) {
		pw := auth.Password{ProjectID: projectID}
		err := row.Scan(&pw.ID, &pw.UserID, &pw.Hash, &pw.RequiresReset, timeCol{&pw.CreatedAt}, timeCol{&pw.UpdatedAt})
		return pw, err
	}
}

// SetPassword implements store.Passwords: one upsert on the user's unique
// index, so that concurrent sets leave one row, and the user's
// password_id written in the same transaction.
func (db *DB) SetPassword(ctx context.Context, projectID string, pw *auth.Password) error {
	err := db.inTx(ctx, func(tx *DB) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE project_id = $1 AND user_id = $2`,
			projectID, pw.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		got, err := scanPassword(projectID)(tx.writeRow(ctx, `INSERT INTO passwords (project_id, `+passwordColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (project_id, user_id) DO UPDATE SET hash = excluded.hash,
				requires_reset = excluded.requires_reset, updated_at = excluded.updated_at
			RETURNING `+passwordColumns,
			projectID, pw.ID, pw.UserID, pw.Hash, pw.RequiresReset, tx.ts(pw.CreatedAt), tx.ts(pw.UpdatedAt)))
		if err != nil {
			return err
		}
		*pw = got
		_, err = tx.exec(ctx, `UPDATE users SET password_id = $3 WHERE project_id = $1 AND user_id = $2`,
			projectID, pw.UserID, pw.ID)
		return err
	})
	if err != nil {
		return db.fail(err, "set password of user %s", pw.UserID)
	}
	return nil
}

// GetUserPassword implements store.Passwords.
func (db *DB) GetUserPassword(ctx context.Context, projectID, userID string) (*auth.Password, error) {
	pw, err := scanPassword(projectID)(db.queryRow(ctx, `SELECT `+passwordColumns+` FROM passwords
		WHERE project_id = $1 AND user_id = $2`, projectID, userID))
	if err != nil {
		return nil, db.fail(err, "get password of user %s", userID)
	}
	return &pw, nil
}

// UpdatePasswordHash implements store.Passwords with one conditional
// UPDATE; only when it changes nothing does a second read tell a changed
// hash from a missing password.
func (db *DB) UpdatePasswordHash(ctx context.Context, projectID, passwordID, oldHash, newHash string, now time.Time) error {
	err := db.inTx(ctx, func(tx *DB) error {
		err := tx.execOne(ctx, `UPDATE passwords SET hash = $4, updated_at = $5
			WHERE project_id = $1 AND password_id = $2 AND hash = $3`,
			projectID, passwordID, oldHash, newHash, tx.ts(now))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passwords WHERE project_id = $1 AND password_id = $2`,
			projectID, passwordID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrConflict
		}
		return store.ErrNotFound
	})
	if err != nil {
		return db.fail(err, "update password %s", passwordID)
	}
	return nil
}

// RequirePasswordReset implements store.Passwords.
func (db *DB) RequirePasswordReset(ctx context.Context, projectID, passwordID string, now time.Time) error {
	err := db.execOne(ctx, `UPDATE passwords SET requires_reset = $3, updated_at = $4
		WHERE project_id = $1 AND password_id = $2`, projectID, passwordID, true, db.ts(now))
	if err != nil {
		return db.fail(err, "require reset of password %s", passwordID)
	}
	return nil
}

// DeletePassword implements store.Passwords.
func (db *DB) DeletePassword(ctx context.Context, projectID, passwordID string) (*auth.Password, error) {
	var pw auth.Password
	err := db.inTx(ctx, func(tx *DB) error {
		var err error
		pw, err = scanPassword(projectID)(tx.writeRow(ctx, `DELETE FROM passwords WHERE project_id = $1 AND password_id = $2
			RETURNING `+passwordColumns, projectID, passwordID))
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE users SET password_id = '' WHERE project_id = $1 AND user_id = $2 AND password_id = $3`,
			projectID, pw.UserID, pw.ID)
		return err
	})
	if err != nil {
		return nil, db.fail(err, "delete password %s", passwordID)
	}
	return &pw, nil
}
