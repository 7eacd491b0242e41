package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// passwordTable is one of the two password tables: users' passwords and
// B2B members' passwords are the same rows with a different owner, so one
// implementation serves both.
type passwordTable struct {
	table  string // passwords or member_passwords
	id     string // its ID column
	owner  string // user_id or member_id
	owners string // the owner's table, whose <id> column mirrors the password's ID
	// ownerReset, when set, is the owner's column that mirrors
	// requires_reset (users show it; members do not).
	ownerReset string
	ownerRef   func(pw *auth.Password) *string
}

var (
	userPasswords = passwordTable{table: "passwords", id: "password_id", owner: "user_id", owners: "users",
		ownerReset: "password_requires_reset", ownerRef: func(pw *auth.Password) *string { return &pw.UserID }}
	memberPasswords = passwordTable{table: "member_passwords", id: "member_password_id", owner: "member_id", owners: "members",
		ownerRef: func(pw *auth.Password) *string { return &pw.MemberID }}
)

func (t passwordTable) columns() string {
	return t.id + `, ` + t.owner + `, hash, requires_reset, created_at, updated_at`
}

func (t passwordTable) scan(projectID string) func(rowScanner) (auth.Password, error) {
	return func(row rowScanner) (auth.Password, error) {
		pw := auth.Password{ProjectID: projectID}
		err := row.Scan(&pw.ID, t.ownerRef(&pw), &pw.Hash, &pw.RequiresReset, timeCol{&pw.CreatedAt}, timeCol{&pw.UpdatedAt})
		return pw, err
	}
}

// set is one upsert on the owner's unique index, so that concurrent sets
// leave one row, and the owner's mirror column written in the same
// transaction.
func (t passwordTable) set(ctx context.Context, db *DB, projectID string, pw *auth.Password) error {
	owner := *t.ownerRef(pw)
	err := db.inTx(ctx, func(tx *DB) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+t.owners+` WHERE project_id = $1 AND `+t.owner+` = $2`,
			projectID, owner).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		got, err := t.scan(projectID)(tx.writeRow(ctx, `INSERT INTO `+t.table+` (project_id, `+t.columns()+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (project_id, `+t.owner+`) DO UPDATE SET hash = excluded.hash,
				requires_reset = excluded.requires_reset, updated_at = excluded.updated_at
			RETURNING `+t.columns(),
			projectID, pw.ID, owner, pw.Hash, pw.RequiresReset, tx.ts(pw.CreatedAt), tx.ts(pw.UpdatedAt)))
		if err != nil {
			return err
		}
		*pw = got
		if t.ownerReset != "" {
			_, err = tx.exec(ctx, `UPDATE `+t.owners+` SET `+t.id+` = $3, `+t.ownerReset+` = $4 WHERE project_id = $1 AND `+t.owner+` = $2`,
				projectID, owner, pw.ID, pw.RequiresReset)
			return err
		}
		_, err = tx.exec(ctx, `UPDATE `+t.owners+` SET `+t.id+` = $3 WHERE project_id = $1 AND `+t.owner+` = $2`,
			projectID, owner, pw.ID)
		return err
	})
	if err != nil {
		return db.fail(err, "set password of %s", owner)
	}
	return nil
}

func (t passwordTable) get(ctx context.Context, db *DB, projectID, owner string) (*auth.Password, error) {
	pw, err := t.scan(projectID)(db.queryRow(ctx, `SELECT `+t.columns()+` FROM `+t.table+`
		WHERE project_id = $1 AND `+t.owner+` = $2`, projectID, owner))
	if err != nil {
		return nil, db.fail(err, "get password of %s", owner)
	}
	return &pw, nil
}

// updateHash is one conditional UPDATE; only when it changes nothing does
// a second read tell a changed hash from a missing password.
func (t passwordTable) updateHash(ctx context.Context, db *DB, projectID, passwordID, oldHash, newHash string, now time.Time) error {
	err := db.inTx(ctx, func(tx *DB) error {
		err := tx.execOne(ctx, `UPDATE `+t.table+` SET hash = $4, updated_at = $5
			WHERE project_id = $1 AND `+t.id+` = $2 AND hash = $3`,
			projectID, passwordID, oldHash, newHash, tx.ts(now))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+t.table+` WHERE project_id = $1 AND `+t.id+` = $2`,
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

func (t passwordTable) requireReset(ctx context.Context, db *DB, projectID, passwordID string, now time.Time) error {
	err := db.inTx(ctx, func(tx *DB) error {
		if err := tx.execOne(ctx, `UPDATE `+t.table+` SET requires_reset = $3, updated_at = $4
			WHERE project_id = $1 AND `+t.id+` = $2`, projectID, passwordID, true, tx.ts(now)); err != nil {
			return err
		}
		if t.ownerReset == "" {
			return nil
		}
		_, err := tx.exec(ctx, `UPDATE `+t.owners+` SET `+t.ownerReset+` = $3 WHERE project_id = $1 AND `+t.id+` = $2`,
			projectID, passwordID, true)
		return err
	})
	if err != nil {
		return db.fail(err, "require reset of password %s", passwordID)
	}
	return nil
}

// delete removes a password and clears its owner's mirror columns, if
// they still name it.
func (t passwordTable) delete(ctx context.Context, db *DB, projectID, passwordID string) (*auth.Password, error) {
	var pw auth.Password
	err := db.inTx(ctx, func(tx *DB) error {
		var err error
		pw, err = t.scan(projectID)(tx.writeRow(ctx, `DELETE FROM `+t.table+` WHERE project_id = $1 AND `+t.id+` = $2
			RETURNING `+t.columns(), projectID, passwordID))
		if err != nil {
			return err
		}
		set, args := t.id+` = ''`, []any{projectID, *t.ownerRef(&pw), pw.ID}
		if t.ownerReset != "" {
			set, args = set+`, `+t.ownerReset+` = $4`, append(args, false)
		}
		_, err = tx.exec(ctx, `UPDATE `+t.owners+` SET `+set+`
			WHERE project_id = $1 AND `+t.owner+` = $2 AND `+t.id+` = $3`, args...)
		return err
	})
	if err != nil {
		return nil, db.fail(err, "delete password %s", passwordID)
	}
	return &pw, nil
}

// SetPassword implements store.Passwords.
func (db *DB) SetPassword(ctx context.Context, projectID string, pw *auth.Password) error {
	return userPasswords.set(ctx, db, projectID, pw)
}

// GetUserPassword implements store.Passwords.
func (db *DB) GetUserPassword(ctx context.Context, projectID, userID string) (*auth.Password, error) {
	return userPasswords.get(ctx, db, projectID, userID)
}

// UpdatePasswordHash implements store.Passwords.
func (db *DB) UpdatePasswordHash(ctx context.Context, projectID, passwordID, oldHash, newHash string, now time.Time) error {
	return userPasswords.updateHash(ctx, db, projectID, passwordID, oldHash, newHash, now)
}

// RequirePasswordReset implements store.Passwords.
func (db *DB) RequirePasswordReset(ctx context.Context, projectID, passwordID string, now time.Time) error {
	return userPasswords.requireReset(ctx, db, projectID, passwordID, now)
}

// DeletePassword implements store.Passwords.
func (db *DB) DeletePassword(ctx context.Context, projectID, passwordID string) (*auth.Password, error) {
	return userPasswords.delete(ctx, db, projectID, passwordID)
}

// SetMemberPassword implements store.MemberPasswords.
func (db *DB) SetMemberPassword(ctx context.Context, projectID string, pw *auth.Password) error {
	return memberPasswords.set(ctx, db, projectID, pw)
}

// GetMemberPassword implements store.MemberPasswords.
func (db *DB) GetMemberPassword(ctx context.Context, projectID, memberID string) (*auth.Password, error) {
	return memberPasswords.get(ctx, db, projectID, memberID)
}

// UpdateMemberPasswordHash implements store.MemberPasswords.
func (db *DB) UpdateMemberPasswordHash(ctx context.Context, projectID, passwordID, oldHash, newHash string, now time.Time) error {
	return memberPasswords.updateHash(ctx, db, projectID, passwordID, oldHash, newHash, now)
}

// RequireMemberPasswordReset implements store.MemberPasswords.
func (db *DB) RequireMemberPasswordReset(ctx context.Context, projectID, passwordID string, now time.Time) error {
	return memberPasswords.requireReset(ctx, db, projectID, passwordID, now)
}

// DeleteMemberPassword implements store.MemberPasswords.
func (db *DB) DeleteMemberPassword(ctx context.Context, projectID, passwordID string) (*auth.Password, error) {
	return memberPasswords.delete(ctx, db, projectID, passwordID)
}
