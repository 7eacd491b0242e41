package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// Email addresses are lowercased here, in Go, on every write and lookup,
// and the unique index is on the stored column: that makes addresses unique
// per lower(address) with the same Unicode folding on both dialects, where
// SQLite's lower() would fold only ASCII.

const userColumns = `u.user_id, u.status, u.first_name, u.middle_name, u.last_name, u.external_id,
	u.trusted_metadata, u.untrusted_metadata, u.created_at, u.updated_at, u.totp_id, u.password_id,
	u.password_requires_reset`

// userContacts joins a user's emails, phone numbers and linked provider
// accounts. A user with E emails, P phones and R provider accounts gives
// max(E,1)*max(P,1)*max(R,1) rows: a handful, since a user has one or two
// of each, and every join stays on its (project_id, user_id) index, where
// a UNION of the tables in a subquery may not on SQLite. readUserRows
// folds the repeats.
const userContacts = ` LEFT JOIN emails e ON e.project_id = u.project_id AND e.user_id = u.user_id
	LEFT JOIN phone_numbers ph ON ph.project_id = u.project_id AND ph.user_id = u.user_id
	LEFT JOIN oauth_registrations r ON r.project_id = u.project_id AND r.user_id = u.user_id`

// contactColumns and contactOrder go with userContacts. Ordering by email
// first keeps each email's rows together.
const (
	contactColumns = `, e.email_id, e.address, e.verified, e.created_at, ph.phone_id, ph.phone_number, ph.verified, ph.created_at,
	r.registration_id, r.provider, r.subject, r.profile_picture_url, r.locale, r.created_at`
	contactOrder = ` ORDER BY e.created_at, e.email_id, ph.created_at, ph.phone_id, r.created_at, r.registration_id`
)

// userWithContacts reads a user with its emails and phone numbers in one
// query.
const userWithContacts = `SELECT ` + userColumns + contactColumns + ` FROM users u` + userContacts

// qGetUser, qGetUserByEmail and qGetUserByPhone are prepared at Open:
// session authentication returns the user, and every email or phone login
// looks one up.
const (
	qGetUser        = userWithContacts + ` WHERE u.project_id = $1 AND u.user_id = $2` + contactOrder
	qGetUserByEmail = userWithContacts + ` WHERE u.project_id = $1
	AND u.user_id = (SELECT user_id FROM emails WHERE project_id = $1 AND address = $2)` + contactOrder
	qGetUserByPhone = userWithContacts + ` WHERE u.project_id = $1
	AND u.user_id = (SELECT user_id FROM phone_numbers WHERE project_id = $1 AND phone_number = $2)` + contactOrder
)

// userDest holds the scan targets of userColumns and contactColumns. The
// metadata columns are kept raw because the joined query repeats them on
// every row and only the first needs decoding.
type userDest struct {
	u                  auth.User
	trusted, untrusted []byte
	emailID, address   sql.NullString
	emailVerified      sql.NullBool
	emailCreated       *time.Time
	phoneID, number    sql.NullString
	phoneVerified      sql.NullBool
	phoneCreated       *time.Time
	link               providerLinkDest
}

func (d *userDest) userTargets() []any {
	return []any{&d.u.ID, &d.u.Status, &d.u.Name.First, &d.u.Name.Middle, &d.u.Name.Last, &d.u.ExternalID,
		&d.trusted, &d.untrusted, timeCol{&d.u.CreatedAt}, timeCol{&d.u.UpdatedAt}, &d.u.TOTPID, &d.u.PasswordID,
		&d.u.PasswordRequiresReset}
}

func (d *userDest) contactTargets() []any {
	return append([]any{&d.emailID, &d.address, &d.emailVerified, nullTimeCol{&d.emailCreated},
		&d.phoneID, &d.number, &d.phoneVerified, nullTimeCol{&d.phoneCreated}}, d.link.targets()...)
}

// decode finishes the user: metadata decoded, Emails and Phones non-nil.
func (d *userDest) decode(projectID string) (auth.User, error) {
	u := d.u
	u.ProjectID = projectID
	if err := json.Unmarshal(d.trusted, &u.TrustedMetadata); err != nil {
		return u, fmt.Errorf("decode trusted metadata: %w", err)
	}
	if err := json.Unmarshal(d.untrusted, &u.UntrustedMetadata); err != nil {
		return u, fmt.Errorf("decode untrusted metadata: %w", err)
	}
	u.TrustedMetadata, u.UntrustedMetadata = orEmpty(u.TrustedMetadata), orEmpty(u.UntrustedMetadata)
	u.Emails = []auth.Email{}
	u.Phones = []auth.Phone{}
	u.Providers = []auth.ProviderLink{}
	return u, nil
}

// addContacts appends the email, phone and provider account of the row
// just scanned unless an earlier row of the same user brought them.
func (d *userDest) addContacts(u *auth.User) {
	if d.emailID.Valid && (len(u.Emails) == 0 || u.Emails[len(u.Emails)-1].ID != d.emailID.String) {
		u.Emails = append(u.Emails, auth.Email{
			ID: d.emailID.String, UserID: u.ID, Address: d.address.String,
			Verified: d.emailVerified.Bool, CreatedAt: *d.emailCreated,
		})
	}
	if d.phoneID.Valid {
		if _, seen := u.PhoneByID(d.phoneID.String); !seen {
			u.Phones = append(u.Phones, auth.Phone{
				ID: d.phoneID.String, UserID: u.ID, Number: d.number.String,
				Verified: d.phoneVerified.Bool, CreatedAt: *d.phoneCreated,
			})
		}
	}
	u.Providers = d.link.appendTo(u.Providers)
}

// readUserWithContacts reads the rows of userWithContacts. No row is
// sql.ErrNoRows.
func readUserWithContacts(rows *sql.Rows, err error, projectID string) (*auth.User, error) {
	if err != nil {
		return nil, err
	}
	return readUserRows(rows, projectID, nil, nil)
}

// readUserRows reads rows of a user joined with its contacts
// (userContacts), after any lead columns of another table, which onFirst
// decodes once from the first row. It closes rows. No row is
// sql.ErrNoRows.
func readUserRows(rows *sql.Rows, projectID string, lead []any, onFirst func() error) (*auth.User, error) {
	var d userDest
	dest := append(append(lead, d.userTargets()...), d.contactTargets()...)
	return foldRows(rows, dest, func() (*auth.User, error) {
		if onFirst != nil {
			if err := onFirst(); err != nil {
				return nil, err
			}
		}
		u, err := d.decode(projectID)
		return &u, err
	}, d.addContacts)
}

// CreateUser implements store.Users. The emails take u.ID as their user.
func (db *DB) CreateUser(ctx context.Context, projectID string, u *auth.User) error {
	trusted, err := encodeMap(u.TrustedMetadata)
	if err != nil {
		return db.fail(err, "create user %s: encode trusted metadata", u.ID)
	}
	untrusted, err := encodeMap(u.UntrustedMetadata)
	if err != nil {
		return db.fail(err, "create user %s: encode untrusted metadata", u.ID)
	}
	err = db.inTx(ctx, func(tx *DB) error {
		err := tx.insert(ctx, `INSERT INTO users (project_id, user_id, status, first_name, middle_name, last_name,
			external_id, trusted_metadata, untrusted_metadata, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
			projectID, u.ID, u.Status, u.Name.First, u.Name.Middle, u.Name.Last,
			u.ExternalID, trusted, untrusted, tx.ts(u.CreatedAt), tx.ts(u.UpdatedAt))
		if err != nil {
			return err
		}
		for _, e := range u.Emails {
			e.UserID = u.ID
			if err := tx.insertEmail(ctx, projectID, e); err != nil {
				return err
			}
		}
		for _, ph := range u.Phones {
			ph.UserID = u.ID
			if err := tx.insertPhone(ctx, projectID, ph); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return db.fail(err, "create user %s", u.ID)
	}
	return nil
}

func (db *DB) insertEmail(ctx context.Context, projectID string, e auth.Email) error {
	return db.insert(ctx, `INSERT INTO emails (project_id, email_id, user_id, address, verified, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
		projectID, e.ID, e.UserID, strings.ToLower(e.Address), e.Verified, db.ts(e.CreatedAt))
}

func (db *DB) insertPhone(ctx context.Context, projectID string, p auth.Phone) error {
	return db.insert(ctx, `INSERT INTO phone_numbers (project_id, phone_id, user_id, phone_number, verified, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
		projectID, p.ID, p.UserID, p.Number, p.Verified, db.ts(p.CreatedAt))
}

// GetUser implements store.Users.
func (db *DB) GetUser(ctx context.Context, projectID, userID string) (*auth.User, error) {
	rows, err := db.stmt(ctx, hotGetUser).QueryContext(ctx, projectID, userID)
	u, err := readUserWithContacts(rows, err, projectID)
	if err != nil {
		return nil, db.fail(err, "get user %s", userID)
	}
	return u, nil
}

// GetUserByEmail implements store.Users.
func (db *DB) GetUserByEmail(ctx context.Context, projectID, address string) (*auth.User, error) {
	rows, err := db.stmt(ctx, hotGetUserByEmail).QueryContext(ctx, projectID, strings.ToLower(address))
	u, err := readUserWithContacts(rows, err, projectID)
	if err != nil {
		return nil, db.fail(err, "get user by email %s", address)
	}
	return u, nil
}

// GetUserByPhone implements store.Users.
func (db *DB) GetUserByPhone(ctx context.Context, projectID, number string) (*auth.User, error) {
	rows, err := db.stmt(ctx, hotGetUserByPhone).QueryContext(ctx, projectID, number)
	u, err := readUserWithContacts(rows, err, projectID)
	if err != nil {
		return nil, db.fail(err, "get user by phone %s", number)
	}
	return u, nil
}

// UpdateUser implements store.Users. The TOTP ID is not written: the TOTP
// methods own it (see totps.go).
func (db *DB) UpdateUser(ctx context.Context, projectID string, u *auth.User) error {
	trusted, err := encodeMap(u.TrustedMetadata)
	if err != nil {
		return db.fail(err, "update user %s: encode trusted metadata", u.ID)
	}
	untrusted, err := encodeMap(u.UntrustedMetadata)
	if err != nil {
		return db.fail(err, "update user %s: encode untrusted metadata", u.ID)
	}
	err = db.execOne(ctx, `UPDATE users SET status = $3, first_name = $4, middle_name = $5, last_name = $6,
		external_id = $7, trusted_metadata = $8, untrusted_metadata = $9, updated_at = $10
		WHERE project_id = $1 AND user_id = $2`,
		projectID, u.ID, u.Status, u.Name.First, u.Name.Middle, u.Name.Last,
		u.ExternalID, trusted, untrusted, db.ts(u.UpdatedAt))
	if err != nil {
		return db.fail(err, "update user %s", u.ID)
	}
	return nil
}

// DeleteUser implements store.Users. The foreign keys' ON DELETE CASCADE
// removes the user's emails, sessions and tokens in the same statement.
func (db *DB) DeleteUser(ctx context.Context, projectID, userID string) error {
	if err := db.execOne(ctx, `DELETE FROM users WHERE project_id = $1 AND user_id = $2`, projectID, userID); err != nil {
		return db.fail(err, "delete user %s", userID)
	}
	return nil
}

// SearchUsers implements store.Users. An empty list in f is no condition,
// like a nil one. The count and the page are two statements; outside a
// transaction a write between them can make total differ by its rows.
func (db *DB) SearchUsers(ctx context.Context, projectID string, f store.UserFilter) ([]auth.User, int, error) {
	if f.Limit <= 0 {
		return nil, 0, fmt.Errorf("sqlstore: search users: limit %d is not positive", f.Limit)
	}
	args := []any{projectID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	list := func(vs []string) string {
		ps := make([]string, len(vs))
		for i, v := range vs {
			ps[i] = arg(v)
		}
		return strings.Join(ps, ", ")
	}
	const (
		hasEmail = `EXISTS (SELECT 1 FROM emails e WHERE e.project_id = u.project_id AND e.user_id = u.user_id AND `
		hasPhone = `EXISTS (SELECT 1 FROM phone_numbers ph WHERE ph.project_id = u.project_id AND ph.user_id = u.user_id AND `
	)
	var conds []string
	if len(f.UserIDs) > 0 {
		conds = append(conds, `u.user_id IN (`+list(f.UserIDs)+`)`)
	}
	if len(f.EmailAddresses) > 0 {
		addrs := make([]string, len(f.EmailAddresses))
		for i, a := range f.EmailAddresses {
			addrs[i] = strings.ToLower(a)
		}
		conds = append(conds, hasEmail+`e.address IN (`+list(addrs)+`))`)
	}
	if f.EmailFuzzy != "" {
		conds = append(conds, hasEmail+`e.address LIKE `+arg(likeContains(strings.ToLower(f.EmailFuzzy)))+` ESCAPE '\')`)
	}
	if len(f.PhoneIDs) > 0 {
		conds = append(conds, hasPhone+`ph.phone_id IN (`+list(f.PhoneIDs)+`))`)
	}
	if len(f.PhoneNumbers) > 0 {
		conds = append(conds, hasPhone+`ph.phone_number IN (`+list(f.PhoneNumbers)+`))`)
	}
	if f.PhoneFuzzy != "" {
		conds = append(conds, hasPhone+`ph.phone_number LIKE `+arg(likeContains(f.PhoneFuzzy))+` ESCAPE '\')`)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		conds = append(conds, `u.status IN (`+list(ss)+`)`)
	}
	where := `u.project_id = $1`
	if len(conds) > 0 {
		op := " AND "
		if f.Or {
			op = " OR "
		}
		where += ` AND (` + strings.Join(conds, op) + `)`
	}

	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM users u WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, db.fail(err, "search users: count")
	}
	if f.After != nil {
		where += ` AND (u.created_at, u.user_id) > (` + arg(db.ts(f.After.CreatedAt)) + `, ` + arg(f.After.ID) + `)`
	}
	rows, err := db.query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+where+`
		ORDER BY u.created_at, u.user_id LIMIT `+arg(f.Limit), args...)
	users, err := collect(rows, err, func(row rowScanner) (auth.User, error) {
		var d userDest
		if err := row.Scan(d.userTargets()...); err != nil {
			return auth.User{}, err
		}
		return d.decode(projectID)
	})
	if err != nil {
		return nil, 0, db.fail(err, "search users")
	}
	if err := db.attachContacts(ctx, projectID, users); err != nil {
		return nil, 0, db.fail(err, "search users: contacts")
	}
	return users, total, nil
}

// attachContacts loads the emails, phone numbers and provider accounts of
// users, one query for each.
func (db *DB) attachContacts(ctx context.Context, projectID string, users []auth.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*auth.User, len(users))
	args := make([]any, 0, len(users)+1)
	ps := make([]string, len(users))
	ids := make([]string, len(users))
	args = append(args, projectID)
	for i := range users {
		byID[users[i].ID] = &users[i]
		ids[i] = users[i].ID
		args = append(args, users[i].ID)
		ps[i] = "$" + strconv.Itoa(i+2)
	}
	in := strings.Join(ps, ", ")
	rows, err := db.query(ctx, `SELECT `+emailColumns+` FROM emails
		WHERE project_id = $1 AND user_id IN (`+in+`) ORDER BY created_at, email_id`, args...)
	emails, err := collect(rows, err, scanEmail)
	if err != nil {
		return err
	}
	for _, e := range emails {
		u := byID[e.UserID]
		u.Emails = append(u.Emails, e)
	}
	rows, err = db.query(ctx, `SELECT `+phoneColumns+` FROM phone_numbers
		WHERE project_id = $1 AND user_id IN (`+in+`) ORDER BY created_at, phone_id`, args...)
	phones, err := collect(rows, err, scanPhone)
	if err != nil {
		return err
	}
	for _, p := range phones {
		u := byID[p.UserID]
		u.Phones = append(u.Phones, p)
	}
	links, err := db.loadProviderLinks(ctx, projectID, "oauth_registrations", "user_id", ids)
	if err != nil {
		return err
	}
	for id, ls := range links {
		byID[id].Providers = ls
	}
	return nil
}

// likeContains returns a LIKE pattern (with \ as the escape character)
// matching strings that contain s literally.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

const emailColumns = `email_id, user_id, address, verified, created_at`

func scanEmail(row rowScanner) (auth.Email, error) {
	var e auth.Email
	err := row.Scan(&e.ID, &e.UserID, &e.Address, &e.Verified, timeCol{&e.CreatedAt})
	return e, err
}

// AddEmail implements store.Users. An e.UserID that names no user of the
// project is store.ErrNotFound.
func (db *DB) AddEmail(ctx context.Context, projectID string, e auth.Email) error {
	if err := db.insertEmail(ctx, projectID, e); err != nil {
		return db.fail(err, "add email %s", e.ID)
	}
	return nil
}

// GetEmail implements store.Users.
func (db *DB) GetEmail(ctx context.Context, projectID, emailID string) (*auth.Email, error) {
	e, err := scanEmail(db.queryRow(ctx, `SELECT `+emailColumns+` FROM emails WHERE project_id = $1 AND email_id = $2`, projectID, emailID))
	if err != nil {
		return nil, db.fail(err, "get email %s", emailID)
	}
	return &e, nil
}

// VerifyEmail implements store.Users. The interface passes no time, so
// updated_at keeps the time the email was added.
func (db *DB) VerifyEmail(ctx context.Context, projectID, emailID string) error {
	if err := db.execOne(ctx, `UPDATE emails SET verified = $3 WHERE project_id = $1 AND email_id = $2`, projectID, emailID, true); err != nil {
		return db.fail(err, "verify email %s", emailID)
	}
	return nil
}

// DeleteEmail implements store.Users.
func (db *DB) DeleteEmail(ctx context.Context, projectID, emailID string) error {
	if err := db.execOne(ctx, `DELETE FROM emails WHERE project_id = $1 AND email_id = $2`, projectID, emailID); err != nil {
		return db.fail(err, "delete email %s", emailID)
	}
	return nil
}

const phoneColumns = `phone_id, user_id, phone_number, verified, created_at`

func scanPhone(row rowScanner) (auth.Phone, error) {
	var p auth.Phone
	err := row.Scan(&p.ID, &p.UserID, &p.Number, &p.Verified, timeCol{&p.CreatedAt})
	return p, err
}

// AddPhone implements store.Users. A p.UserID that names no user of the
// project is store.ErrNotFound.
func (db *DB) AddPhone(ctx context.Context, projectID string, p auth.Phone) error {
	if err := db.insertPhone(ctx, projectID, p); err != nil {
		return db.fail(err, "add phone %s", p.ID)
	}
	return nil
}

// GetPhone implements store.Users.
func (db *DB) GetPhone(ctx context.Context, projectID, phoneID string) (*auth.Phone, error) {
	p, err := scanPhone(db.queryRow(ctx, `SELECT `+phoneColumns+` FROM phone_numbers WHERE project_id = $1 AND phone_id = $2`, projectID, phoneID))
	if err != nil {
		return nil, db.fail(err, "get phone %s", phoneID)
	}
	return &p, nil
}

// VerifyPhone implements store.Users.
func (db *DB) VerifyPhone(ctx context.Context, projectID, phoneID string) error {
	if err := db.execOne(ctx, `UPDATE phone_numbers SET verified = $3 WHERE project_id = $1 AND phone_id = $2`, projectID, phoneID, true); err != nil {
		return db.fail(err, "verify phone %s", phoneID)
	}
	return nil
}

// DeletePhone implements store.Users.
func (db *DB) DeletePhone(ctx context.Context, projectID, phoneID string) error {
	if err := db.execOne(ctx, `DELETE FROM phone_numbers WHERE project_id = $1 AND phone_id = $2`, projectID, phoneID); err != nil {
		return db.fail(err, "delete phone %s", phoneID)
	}
	return nil
}
