package sqlstore

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

const signingKeyColumns = `key_id, private_key_der, created_at, active_at, retired_at, expires_at`

// AddSigningKey implements store.SigningKeys.
func (db *DB) AddSigningKey(ctx context.Context, projectID string, k *auth.SigningKey) error {
	err := db.insert(ctx, `INSERT INTO signing_keys (project_id, `+signingKeyColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $4) ON CONFLICT DO NOTHING`,
		projectID, k.KeyID, k.PrivateKeyDER, db.ts(k.CreatedAt), db.ts(k.ActiveAt), db.nts(k.RetiredAt), db.nts(k.ExpiresAt))
	if err != nil {
		return db.fail(err, "add signing key %s", k.KeyID)
	}
	return nil
}

// ListSigningKeys implements store.SigningKeys.
func (db *DB) ListSigningKeys(ctx context.Context, projectID string, now time.Time) ([]auth.SigningKey, error) {
	rows, err := db.query(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys
		WHERE project_id = $1 AND (expires_at IS NULL OR expires_at > $2)
		ORDER BY created_at, key_id`, projectID, db.ts(now))
	ks, err := collect(rows, err, func(row rowScanner) (auth.SigningKey, error) {
		k := auth.SigningKey{ProjectID: projectID}
		err := row.Scan(&k.KeyID, &k.PrivateKeyDER, timeCol{&k.CreatedAt}, timeCol{&k.ActiveAt},
			nullTimeCol{&k.RetiredAt}, nullTimeCol{&k.ExpiresAt})
		return k, err
	})
	if err != nil {
		return nil, db.fail(err, "list signing keys")
	}
	return ks, nil
}

// RetireSigningKey implements store.SigningKeys.
func (db *DB) RetireSigningKey(ctx context.Context, projectID, keyID string, retiredAt, expiresAt time.Time) error {
	if err := db.execOne(ctx, `UPDATE signing_keys SET retired_at = $3, expires_at = $4, updated_at = $3
		WHERE project_id = $1 AND key_id = $2`, projectID, keyID, db.ts(retiredAt), db.ts(expiresAt)); err != nil {
		return db.fail(err, "retire signing key %s", keyID)
	}
	return nil
}
