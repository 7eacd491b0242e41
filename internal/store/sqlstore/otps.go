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

const otpColumns = `otp_id, method_id, user_id, delivery, address, code_hash, attempts,
	expires_at, consumed_at, created_at`

func scanOTP(projectID string) func(rowScanner) (auth.OTP, error) {
	return func(row rowScanner) (auth.OTP, error) {
		o := auth.OTP{ProjectID: projectID}
		var userID sql.NullString
		err := row.Scan(&o.ID, &o.MethodID, &userID, &o.Delivery, &o.Address, &o.CodeHash, &o.Attempts,
			timeCol{&o.ExpiresAt}, nullTimeCol{&o.ConsumedAt}, timeCol{&o.CreatedAt})
		o.UserID = userID.String
		return o, err
	}
}

// CreateOTP implements store.OTPs. Voiding the earlier code and inserting
// the new one happen in one transaction, so a method never has two live
// codes.
func (db *DB) CreateOTP(ctx context.Context, projectID string, o *auth.OTP) error {
	err := db.inTx(ctx, func(tx *DB) error {
		if _, err := tx.exec(ctx, `UPDATE otps SET consumed_at = $3, updated_at = $3
			WHERE project_id = $1 AND method_id = $2 AND consumed_at IS NULL`,
			projectID, o.MethodID, tx.ts(o.CreatedAt)); err != nil {
			return err
		}
		userID := sql.NullString{String: o.UserID, Valid: o.UserID != ""}
		return tx.insert(ctx, `INSERT INTO otps (project_id, `+otpColumns+`, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT DO NOTHING`,
			projectID, o.ID, o.MethodID, userID, string(o.Delivery), strings.ToLower(o.Address), o.CodeHash, o.Attempts,
			tx.ts(o.ExpiresAt), tx.nts(o.ConsumedAt), tx.ts(o.CreatedAt))
	})
	if err != nil {
		return db.fail(err, "create otp %s", o.ID)
	}
	return nil
}

// AuthenticateOTP implements store.OTPs. Both statements re-check that the
// code is live, so a code consumed or voided by a concurrent call is
// neither consumed twice nor charged a wrong guess.
func (db *DB) AuthenticateOTP(ctx context.Context, projectID, methodID string, hash []byte, now time.Time, maxAttempts int) (*auth.OTP, error) {
	const live = `project_id = $1 AND method_id = $2 AND consumed_at IS NULL AND expires_at > $3 AND attempts < $4`
	o, err := scanOTP(projectID)(db.writeRow(ctx, `UPDATE otps SET consumed_at = $3, updated_at = $3
		WHERE `+live+` AND code_hash = $5 RETURNING `+otpColumns,
		projectID, methodID, db.ts(now), maxAttempts, hash))
	if err == nil {
		return &o, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "authenticate otp")
	}
	var attempts int
	err = db.writeRow(ctx, `UPDATE otps SET attempts = attempts + 1, updated_at = $3
		WHERE `+live+` RETURNING attempts`, projectID, methodID, db.ts(now), maxAttempts).Scan(&attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(store.ErrNotFound, "authenticate otp")
	}
	if err != nil {
		return nil, db.fail(err, "authenticate otp")
	}
	return nil, db.fail(store.ErrMismatch, "authenticate otp (attempt %d)", attempts)
}

// CountOTPs implements store.OTPs.
func (db *DB) CountOTPs(ctx context.Context, projectID, address string, since time.Time) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM otps WHERE project_id = $1 AND address = $2 AND created_at >= $3`,
		projectID, strings.ToLower(address), db.ts(since)).Scan(&n)
	if err != nil {
		return 0, db.fail(err, "count otps")
	}
	return n, nil
}
