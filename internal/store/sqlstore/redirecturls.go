package sqlstore

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

// AddRedirectURL implements store.RedirectURLs.
//
// The URL is inserted first, as a non-default, so that a refused duplicate
// changes nothing even inside a caller's transaction; only then does it
// take over the default of its type. The two updates are separate
// statements because a unique index is checked row by row: flipping both
// rows in one UPDATE could briefly hold two defaults.
func (db *DB) AddRedirectURL(ctx context.Context, projectID string, u auth.RedirectURL) error {
	err := db.inTx(ctx, func(tx *DB) error {
		err := tx.insert(ctx, `INSERT INTO redirect_urls (project_id, url, type, is_default, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING`,
			projectID, u.URL, u.Type, false, tx.ts(u.CreatedAt))
		if err != nil || !u.IsDefault {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE redirect_urls SET is_default = $3, updated_at = $4
			WHERE project_id = $1 AND type = $2 AND is_default = $5`,
			projectID, u.Type, false, tx.ts(u.CreatedAt), true); err != nil {
			return err
		}
		return tx.execOne(ctx, `UPDATE redirect_urls SET is_default = $4 WHERE project_id = $1 AND url = $2 AND type = $3`,
			projectID, u.URL, u.Type, true)
	})
	if err != nil {
		return db.fail(err, "add redirect URL %s (%s)", u.URL, u.Type)
	}
	return nil
}

// ListRedirectURLs implements store.RedirectURLs.
func (db *DB) ListRedirectURLs(ctx context.Context, projectID string) ([]auth.RedirectURL, error) {
	rows, err := db.query(ctx, `SELECT url, type, is_default, created_at FROM redirect_urls
		WHERE project_id = $1 ORDER BY created_at, url, type`, projectID)
	us, err := collect(rows, err, func(row rowScanner) (auth.RedirectURL, error) {
		u := auth.RedirectURL{ProjectID: projectID}
		err := row.Scan(&u.URL, &u.Type, &u.IsDefault, timeCol{&u.CreatedAt})
		return u, err
	})
	if err != nil {
		return nil, db.fail(err, "list redirect URLs")
	}
	return us, nil
}

// DeleteRedirectURL implements store.RedirectURLs.
func (db *DB) DeleteRedirectURL(ctx context.Context, projectID, url string) error {
	if err := db.execOne(ctx, `DELETE FROM redirect_urls WHERE project_id = $1 AND url = $2`, projectID, url); err != nil {
		return db.fail(err, "delete redirect URL %s", url)
	}
	return nil
}
