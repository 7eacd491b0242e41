package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Users and members list the provider accounts linked to them
// (oauth_registrations and member_oauth_registrations, which share these
// columns). Reads of one user or member join them (see userContacts and
// memberProviders); lists load a page's in one query (loadProviderLinks).

// foldRows reads the rows of one entity joined with its child rows, which
// repeat the entity's columns on every row: scanning into dest, decode
// makes the entity from the first row and add folds each row's children
// into it. It closes rows. No row is sql.ErrNoRows.
func foldRows[T any](rows *sql.Rows, dest []any, decode func() (*T, error), add func(*T)) (*T, error) {
	defer rows.Close()
	var v *T
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if v == nil {
			var err error
			if v, err = decode(); err != nil {
				return nil, err
			}
		}
		add(v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, sql.ErrNoRows
	}
	return v, nil
}

// providerLinkDest holds the scan targets of a LEFT JOINed provider
// account's registration_id, provider, subject, profile_picture_url,
// locale and created_at: all NULL when there is none.
type providerLinkDest struct {
	id, provider, subject, picture, locale sql.NullString
	created                                *time.Time
}

func (d *providerLinkDest) targets() []any {
	return []any{&d.id, &d.provider, &d.subject, &d.picture, &d.locale, nullTimeCol{&d.created}}
}

// appendTo appends the account of the row just scanned to links unless an
// earlier row of the join brought it.
func (d *providerLinkDest) appendTo(links []auth.ProviderLink) []auth.ProviderLink {
	if !d.id.Valid || slices.ContainsFunc(links, func(l auth.ProviderLink) bool { return l.RegistrationID == d.id.String }) {
		return links
	}
	return append(links, auth.ProviderLink{
		RegistrationID: d.id.String, Provider: d.provider.String, Subject: d.subject.String,
		ProfilePictureURL: d.picture.String, Locale: d.locale.String, CreatedAt: *d.created,
	})
}

// loadProviderLinks returns the provider accounts linked to the owners
// ids (users or members) in table, whose owner column is ownerColumn, by
// owner and oldest first. table and ownerColumn are this package's
// constants, never input.
func (db *DB) loadProviderLinks(ctx context.Context, projectID, table, ownerColumn string, ids []string) (map[string][]auth.ProviderLink, error) {
	p := &params{}
	p.add(projectID)
	rows, err := db.query(ctx, `SELECT `+ownerColumn+`, registration_id, provider, subject, profile_picture_url, locale, created_at
		FROM `+table+` WHERE project_id = $1 AND `+ownerColumn+` IN (`+p.list(ids)+`)
		ORDER BY created_at, registration_id`, p.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	links := map[string][]auth.ProviderLink{}
	for rows.Next() {
		var owner string
		var l auth.ProviderLink
		if err := rows.Scan(&owner, &l.RegistrationID, &l.Provider, &l.Subject, &l.ProfilePictureURL, &l.Locale, timeCol{&l.CreatedAt}); err != nil {
			return nil, err
		}
		links[owner] = append(links[owner], l)
	}
	return links, rows.Err()
}
