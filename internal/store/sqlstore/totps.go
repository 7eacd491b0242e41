package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const totpColumns = `totp_id, user_id, organization_id, member_id, secret, recovery_codes, verified, last_step,
	expires_at, created_at, updated_at`

func scanTOTP(projectID string) func(rowScanner) (auth.TOTP, error) {
	return func(row rowScanner) (auth.TOTP, error) {
		t := auth.TOTP{ProjectID: projectID}
		var userID, orgID, memberID sql.NullString
		err := row.Scan(&t.ID, &userID, &orgID, &memberID, &t.SealedSecret, &t.SealedRecoveryCodes, &t.Verified, &t.LastStep,
			timeCol{&t.ExpiresAt}, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
		t.UserID, t.OrganizationID, t.MemberID = userID.String, orgID.String, memberID.String
		return t, err
	}
}

// CreateTOTP implements store.TOTPs, with its recovery codes' rows, all or
// nothing.
func (db *DB) CreateTOTP(ctx context.Context, projectID string, t *auth.TOTP, codes []auth.RecoveryCode) error {
	if (t.UserID == "") == (t.MemberID == "") || (t.MemberID == "") != (t.OrganizationID == "") {
		return db.fail(errors.New("a registration needs exactly one owner: a user, or an organization's member"), "create totp %s", t.ID)
	}
	err := db.inTx(ctx, func(tx *DB) error {
		err := tx.insert(ctx, `INSERT INTO totps (project_id, `+totpColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
			projectID, t.ID, nullString(t.UserID), nullString(t.OrganizationID), nullString(t.MemberID),
			t.SealedSecret, t.SealedRecoveryCodes, t.Verified, t.LastStep,
			tx.ts(t.ExpiresAt), tx.ts(t.CreatedAt), tx.ts(t.UpdatedAt))
		if err != nil {
			return err
		}
		if err := tx.insertRecoveryCodes(ctx, projectID, t.ID, codes); err != nil {
			return err
		}
		if t.Verified {
			return tx.setOwnerTOTP(ctx, projectID, t, t.ID)
		}
		return nil
	})
	if err != nil {
		return db.fail(err, "create totp %s", t.ID)
	}
	return nil
}

func (db *DB) insertRecoveryCodes(ctx context.Context, projectID, totpID string, codes []auth.RecoveryCode) error {
	for _, c := range codes {
		err := db.insert(ctx, `INSERT INTO totp_recovery_codes (project_id, recovery_code_id, totp_id, code_hash, used_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
			projectID, c.ID, totpID, c.Hash, db.nts(c.UsedAt), db.ts(c.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// setOwnerTOTP writes id as the verified registration of t's owner.
func (db *DB) setOwnerTOTP(ctx context.Context, projectID string, t *auth.TOTP, id string) error {
	if t.UserID != "" {
		_, err := db.exec(ctx, `UPDATE users SET totp_id = $3 WHERE project_id = $1 AND user_id = $2`, projectID, t.UserID, id)
		return err
	}
	_, err := db.exec(ctx, `UPDATE members SET totp_registration_id = $3 WHERE project_id = $1 AND member_id = $2`,
		projectID, t.MemberID, id)
	return err
}

// GetTOTP implements store.TOTPs.
func (db *DB) GetTOTP(ctx context.Context, projectID, totpID string) (*auth.TOTP, error) {
	t, err := scanTOTP(projectID)(db.queryRow(ctx, `SELECT `+totpColumns+` FROM totps
		WHERE project_id = $1 AND totp_id = $2`, projectID, totpID))
	if err != nil {
		return nil, db.fail(err, "get totp %s", totpID)
	}
	return &t, nil
}

// GetUserTOTP implements store.TOTPs.
func (db *DB) GetUserTOTP(ctx context.Context, projectID, userID string) (*auth.TOTP, error) {
	t, err := scanTOTP(projectID)(db.queryRow(ctx, `SELECT `+totpColumns+` FROM totps
		WHERE project_id = $1 AND user_id = $2`, projectID, userID))
	if err != nil {
		return nil, db.fail(err, "get totp of user %s", userID)
	}
	return &t, nil
}

// GetMemberTOTP implements store.TOTPs.
func (db *DB) GetMemberTOTP(ctx context.Context, projectID, memberID string) (*auth.TOTP, error) {
	t, err := scanTOTP(projectID)(db.queryRow(ctx, `SELECT `+totpColumns+` FROM totps
		WHERE project_id = $1 AND member_id = $2`, projectID, memberID))
	if err != nil {
		return nil, db.fail(err, "get totp of member %s", memberID)
	}
	return &t, nil
}

// AcceptTOTPStep implements store.TOTPs. As in ConsumeToken, the UPDATE is
// the whole decision: its WHERE clause re-reads last_step under the row's
// write lock, so of concurrent calls with one step exactly one sees a
// smaller value. Only when it changes nothing does a second read tell a
// replay from a missing registration.
func (db *DB) AcceptTOTPStep(ctx context.Context, projectID, totpID string, step int64, now time.Time) (*auth.TOTP, error) {
	var t auth.TOTP
	err := db.inTx(ctx, func(tx *DB) error {
		var err error
		t, err = scanTOTP(projectID)(tx.writeRow(ctx, `UPDATE totps SET last_step = $3, verified = $4, updated_at = $5
			WHERE project_id = $1 AND totp_id = $2 AND last_step < $3 AND (verified = $4 OR expires_at > $5)
			RETURNING `+totpColumns, projectID, totpID, step, true, tx.ts(now)))
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM totps WHERE project_id = $1 AND totp_id = $2`,
				projectID, totpID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return store.ErrConsumed
			}
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		// Idempotent: only the first accepted code changes the owner.
		return tx.setOwnerTOTP(ctx, projectID, &t, t.ID)
	})
	if err != nil {
		return nil, db.fail(err, "accept totp %s step %d", totpID, step)
	}
	return &t, nil
}

// DeleteTOTP implements store.TOTPs. The recovery codes go by cascade; the
// owner's verified registration ID is cleared if it named this one.
func (db *DB) DeleteTOTP(ctx context.Context, projectID, totpID string) (*auth.TOTP, error) {
	var t auth.TOTP
	err := db.inTx(ctx, func(tx *DB) error {
		var err error
		t, err = scanTOTP(projectID)(tx.writeRow(ctx, `DELETE FROM totps WHERE project_id = $1 AND totp_id = $2
			RETURNING `+totpColumns, projectID, totpID))
		if err != nil {
			return err
		}
		if t.UserID != "" {
			_, err = tx.exec(ctx, `UPDATE users SET totp_id = '' WHERE project_id = $1 AND user_id = $2 AND totp_id = $3`,
				projectID, t.UserID, t.ID)
		} else {
			_, err = tx.exec(ctx, `UPDATE members SET totp_registration_id = '' WHERE project_id = $1 AND member_id = $2
				AND totp_registration_id = $3`, projectID, t.MemberID, t.ID)
		}
		return err
	})
	if err != nil {
		return nil, db.fail(err, "delete totp %s", totpID)
	}
	return &t, nil
}

const recoveryCodeColumns = `recovery_code_id, totp_id, code_hash, used_at, created_at`

func scanRecoveryCode(row rowScanner) (auth.RecoveryCode, error) {
	var c auth.RecoveryCode
	err := row.Scan(&c.ID, &c.TOTPID, &c.Hash, nullTimeCol{&c.UsedAt}, timeCol{&c.CreatedAt})
	return c, err
}

// ListRecoveryCodes implements store.TOTPs.
func (db *DB) ListRecoveryCodes(ctx context.Context, projectID, totpID string) ([]auth.RecoveryCode, error) {
	rows, err := db.query(ctx, `SELECT `+recoveryCodeColumns+` FROM totp_recovery_codes
		WHERE project_id = $1 AND totp_id = $2 ORDER BY created_at, recovery_code_id`, projectID, totpID)
	cs, err := collect(rows, err, scanRecoveryCode)
	if err != nil {
		return nil, db.fail(err, "list recovery codes of %s", totpID)
	}
	return cs, nil
}

// UseRecoveryCode implements store.TOTPs, as ConsumeToken does: one
// conditional UPDATE decides, and a second read tells a used code from a
// missing one.
func (db *DB) UseRecoveryCode(ctx context.Context, projectID, totpID string, hash []byte, now time.Time) (*auth.RecoveryCode, error) {
	c, err := scanRecoveryCode(db.writeRow(ctx, `UPDATE totp_recovery_codes SET used_at = $4, updated_at = $4
		WHERE project_id = $1 AND totp_id = $2 AND code_hash = $3 AND used_at IS NULL
		RETURNING `+recoveryCodeColumns, projectID, totpID, hash, db.ts(now)))
	if err == nil {
		return &c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "use recovery code of %s", totpID)
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM totp_recovery_codes WHERE project_id = $1 AND totp_id = $2 AND code_hash = $3`,
		projectID, totpID, hash).Scan(&n); err != nil {
		return nil, db.fail(err, "use recovery code of %s", totpID)
	}
	if n > 0 {
		return nil, db.fail(store.ErrConsumed, "use recovery code of %s", totpID)
	}
	return nil, db.fail(store.ErrNotFound, "use recovery code of %s", totpID)
}

// ReplaceRecoveryCodes implements store.TOTPs.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, projectID, totpID string, sealed []byte, codes []auth.RecoveryCode, now time.Time) error {
	err := db.inTx(ctx, func(tx *DB) error {
		if err := tx.execOne(ctx, `UPDATE totps SET recovery_codes = $3, updated_at = $4 WHERE project_id = $1 AND totp_id = $2`,
			projectID, totpID, sealed, tx.ts(now)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM totp_recovery_codes WHERE project_id = $1 AND totp_id = $2`, projectID, totpID); err != nil {
			return err
		}
		return tx.insertRecoveryCodes(ctx, projectID, totpID, codes)
	})
	if err != nil {
		return db.fail(err, "replace recovery codes of %s", totpID)
	}
	return nil
}
