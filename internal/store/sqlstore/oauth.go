package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const oauthProviderColumns = `name, type, client_id, client_secret, scopes, issuer_url, auth_url, token_url,
	userinfo_url, api_url, tenant, apple_team_id, apple_key_id, apple_private_key, created_at, updated_at`

func scanOAuthProvider(projectID string) func(rowScanner) (auth.OAuthProvider, error) {
	return func(row rowScanner) (auth.OAuthProvider, error) {
		p := auth.OAuthProvider{ProjectID: projectID}
		err := row.Scan(&p.Name, &p.Type, &p.ClientID, &p.SealedClientSecret, jsonCol{&p.Scopes}, &p.IssuerURL, &p.AuthURL,
			&p.TokenURL, &p.UserInfoURL, &p.APIURL, &p.Tenant, &p.AppleTeamID, &p.AppleKeyID, &p.SealedApplePrivateKey,
			timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
		if p.Scopes == nil {
			p.Scopes = []string{}
		}
		// An empty secret reads back as nil on every driver.
		if len(p.SealedClientSecret) == 0 {
			p.SealedClientSecret = nil
		}
		if len(p.SealedApplePrivateKey) == 0 {
			p.SealedApplePrivateKey = nil
		}
		return p, err
	}
}

// PutOAuthProvider implements store.OAuthProviders with one upsert, so
// that two concurrent writes of the same provider leave one of them whole.
func (db *DB) PutOAuthProvider(ctx context.Context, projectID string, p *auth.OAuthProvider) error {
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	scopesJSON, err := json.Marshal(scopes)
	if err != nil {
		return db.fail(err, "put oauth provider %s: encode scopes", p.Name)
	}
	err = db.writeRow(ctx, `INSERT INTO oauth_providers (project_id, `+oauthProviderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (project_id, name) DO UPDATE SET type = excluded.type, client_id = excluded.client_id,
			client_secret = excluded.client_secret, scopes = excluded.scopes, issuer_url = excluded.issuer_url,
			auth_url = excluded.auth_url, token_url = excluded.token_url, userinfo_url = excluded.userinfo_url,
			api_url = excluded.api_url, tenant = excluded.tenant, apple_team_id = excluded.apple_team_id,
			apple_key_id = excluded.apple_key_id, apple_private_key = excluded.apple_private_key,
			updated_at = excluded.updated_at
		RETURNING created_at`,
		projectID, p.Name, p.Type, p.ClientID, orEmptyBytes(p.SealedClientSecret), string(scopesJSON), p.IssuerURL, p.AuthURL,
		p.TokenURL, p.UserInfoURL, p.APIURL, p.Tenant, p.AppleTeamID, p.AppleKeyID, orEmptyBytes(p.SealedApplePrivateKey),
		db.ts(p.CreatedAt), db.ts(p.UpdatedAt)).Scan(timeCol{&p.CreatedAt})
	if err != nil {
		return db.fail(err, "put oauth provider %s", p.Name)
	}
	p.ProjectID = projectID
	return nil
}

// GetOAuthProvider implements store.OAuthProviders.
func (db *DB) GetOAuthProvider(ctx context.Context, projectID, name string) (*auth.OAuthProvider, error) {
	p, err := scanOAuthProvider(projectID)(db.queryRow(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers
		WHERE project_id = $1 AND name = $2`, projectID, name))
	if err != nil {
		return nil, db.fail(err, "get oauth provider %s", name)
	}
	return &p, nil
}

// ListOAuthProviders implements store.OAuthProviders.
func (db *DB) ListOAuthProviders(ctx context.Context, projectID string) ([]auth.OAuthProvider, error) {
	rows, err := db.query(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers
		WHERE project_id = $1 ORDER BY name`, projectID)
	ps, err := collect(rows, err, scanOAuthProvider(projectID))
	if err != nil {
		return nil, db.fail(err, "list oauth providers")
	}
	return ps, nil
}

// DeleteOAuthProvider implements store.OAuthProviders.
func (db *DB) DeleteOAuthProvider(ctx context.Context, projectID, name string) error {
	if err := db.execOne(ctx, `DELETE FROM oauth_providers WHERE project_id = $1 AND name = $2`, projectID, name); err != nil {
		return db.fail(err, "delete oauth provider %s", name)
	}
	return nil
}

const oauthStateColumns = `state_id, state_hash, binding_hash, provider, nonce, verifier, login_redirect_url,
	signup_redirect_url, code_challenge, scopes, created_at, expires_at, consumed_at, attach_user_id, kind, organization_id`

func scanOAuthState(projectID string) func(rowScanner) (auth.OAuthState, error) {
	return func(row rowScanner) (auth.OAuthState, error) {
		s := auth.OAuthState{ProjectID: projectID}
		err := row.Scan(&s.ID, &s.StateHash, &s.BindingHash, &s.Provider, &s.Nonce, &s.SealedVerifier, &s.LoginRedirectURL,
			&s.SignupRedirectURL, &s.CodeChallenge, jsonCol{&s.Scopes}, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}, nullTimeCol{&s.ConsumedAt}, &s.AttachUserID, &s.Kind, &s.OrganizationID)
		if s.Scopes == nil {
			s.Scopes = []string{}
		}
		return s, err
	}
}

// CreateOAuthState implements store.OAuthLogins.
func (db *DB) CreateOAuthState(ctx context.Context, projectID string, s *auth.OAuthState) error {
	scopes := s.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	scopesJSON, err := json.Marshal(scopes)
	if err != nil {
		return db.fail(err, "create oauth state %s: encode scopes", s.ID)
	}
	err = db.insert(ctx, `INSERT INTO oauth_states (project_id, `+oauthStateColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $12) ON CONFLICT DO NOTHING`,
		projectID, s.ID, s.StateHash, s.BindingHash, s.Provider, s.Nonce, s.SealedVerifier, s.LoginRedirectURL,
		s.SignupRedirectURL, s.CodeChallenge, string(scopesJSON), db.ts(s.CreatedAt), db.ts(s.ExpiresAt), db.nts(s.ConsumedAt),
		s.AttachUserID, s.Kind, s.OrganizationID)
	if err != nil {
		return db.fail(err, "create oauth state %s", s.ID)
	}
	return nil
}

// ConsumeOAuthState implements store.OAuthLogins with one conditional
// UPDATE, as ConsumeToken does.
func (db *DB) ConsumeOAuthState(ctx context.Context, projectID string, stateHash []byte, now time.Time) (*auth.OAuthState, error) {
	s, err := scanOAuthState(projectID)(db.writeRow(ctx, `UPDATE oauth_states SET consumed_at = $3, updated_at = $3
		WHERE project_id = $1 AND state_hash = $2 AND consumed_at IS NULL AND expires_at > $3
		RETURNING `+oauthStateColumns, projectID, stateHash, db.ts(now)))
	if err == nil {
		return &s, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, db.fail(err, "consume oauth state")
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM oauth_states WHERE project_id = $1 AND state_hash = $2`, projectID, stateHash).Scan(&n); err != nil {
		return nil, db.fail(err, "consume oauth state")
	}
	if n > 0 {
		return nil, db.fail(store.ErrConsumed, "consume oauth state")
	}
	return nil, db.fail(store.ErrNotFound, "consume oauth state")
}

const oauthRegistrationColumns = `registration_id, user_id, provider, subject, email, profile_picture_url, locale,
	tokens, created_at, updated_at`

func scanOAuthRegistration(projectID string) func(rowScanner) (auth.OAuthRegistration, error) {
	return func(row rowScanner) (auth.OAuthRegistration, error) {
		r := auth.OAuthRegistration{ProjectID: projectID}
		err := row.Scan(&r.ID, &r.UserID, &r.Provider, &r.Subject, &r.Email, &r.ProfilePictureURL, &r.Locale,
			&r.SealedTokens, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt})
		if len(r.SealedTokens) == 0 {
			r.SealedTokens = nil
		}
		return r, err
	}
}

// PutOAuthRegistration implements store.OAuthLogins with one upsert on
// the (provider, subject) index: two first logins of the same account at
// once leave one link.
func (db *DB) PutOAuthRegistration(ctx context.Context, projectID string, r *auth.OAuthRegistration) error {
	tokens := r.SealedTokens
	if tokens == nil {
		tokens = []byte{}
	}
	err := db.writeRow(ctx, `INSERT INTO oauth_registrations (project_id, `+oauthRegistrationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (project_id, provider, subject) DO UPDATE SET email = excluded.email,
			profile_picture_url = excluded.profile_picture_url, locale = excluded.locale,
			tokens = excluded.tokens, updated_at = excluded.updated_at
		RETURNING registration_id, user_id, created_at`,
		projectID, r.ID, r.UserID, r.Provider, r.Subject, r.Email, r.ProfilePictureURL, r.Locale,
		tokens, db.ts(r.CreatedAt), db.ts(r.UpdatedAt)).Scan(&r.ID, &r.UserID, timeCol{&r.CreatedAt})
	if err != nil {
		return db.fail(err, "put oauth registration %s", r.ID)
	}
	r.ProjectID = projectID
	return nil
}

// GetOAuthRegistration implements store.OAuthLogins.
func (db *DB) GetOAuthRegistration(ctx context.Context, projectID, registrationID string) (*auth.OAuthRegistration, error) {
	r, err := scanOAuthRegistration(projectID)(db.queryRow(ctx, `SELECT `+oauthRegistrationColumns+` FROM oauth_registrations
		WHERE project_id = $1 AND registration_id = $2`, projectID, registrationID))
	if err != nil {
		return nil, db.fail(err, "get oauth registration %s", registrationID)
	}
	return &r, nil
}

// GetOAuthRegistrationBySubject implements store.OAuthLogins.
func (db *DB) GetOAuthRegistrationBySubject(ctx context.Context, projectID, provider, subject string) (*auth.OAuthRegistration, error) {
	r, err := scanOAuthRegistration(projectID)(db.queryRow(ctx, `SELECT `+oauthRegistrationColumns+` FROM oauth_registrations
		WHERE project_id = $1 AND provider = $2 AND subject = $3`, projectID, provider, subject))
	if err != nil {
		return nil, db.fail(err, "get oauth registration of %s", provider)
	}
	return &r, nil
}

// ListUserOAuthRegistrations implements store.OAuthLogins.
func (db *DB) ListUserOAuthRegistrations(ctx context.Context, projectID, userID string) ([]auth.OAuthRegistration, error) {
	rows, err := db.query(ctx, `SELECT `+oauthRegistrationColumns+` FROM oauth_registrations
		WHERE project_id = $1 AND user_id = $2 ORDER BY created_at, registration_id`, projectID, userID)
	rs, err := collect(rows, err, scanOAuthRegistration(projectID))
	if err != nil {
		return nil, db.fail(err, "list oauth registrations of %s", userID)
	}
	return rs, nil
}

// DeleteOAuthRegistration implements store.OAuthLogins.
func (db *DB) DeleteOAuthRegistration(ctx context.Context, projectID, registrationID string) error {
	if err := db.execOne(ctx, `DELETE FROM oauth_registrations WHERE project_id = $1 AND registration_id = $2`, projectID, registrationID); err != nil {
		return db.fail(err, "delete oauth registration %s", registrationID)
	}
	return nil
}

const memberOAuthRegistrationColumns = `registration_id, organization_id, member_id, provider, subject, email, tenant_id,
	profile_picture_url, locale, tokens, created_at, updated_at`

func scanMemberOAuthRegistration(projectID string) func(rowScanner) (auth.MemberOAuthRegistration, error) {
	return func(row rowScanner) (auth.MemberOAuthRegistration, error) {
		r := auth.MemberOAuthRegistration{ProjectID: projectID}
		err := row.Scan(&r.ID, &r.OrganizationID, &r.MemberID, &r.Provider, &r.Subject, &r.Email, &r.TenantID,
			&r.ProfilePictureURL, &r.Locale, &r.SealedTokens, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt})
		if len(r.SealedTokens) == 0 {
			r.SealedTokens = nil
		}
		return r, err
	}
}

// PutMemberOAuthRegistration implements store.OAuthLogins with one upsert
// on the (organization, provider, subject) index. A link written without
// tokens (a discovery exchange knows only the subject) keeps the tokens a
// login stored.
func (db *DB) PutMemberOAuthRegistration(ctx context.Context, projectID string, r *auth.MemberOAuthRegistration) error {
	err := db.writeRow(ctx, `INSERT INTO member_oauth_registrations (project_id, `+memberOAuthRegistrationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (project_id, organization_id, provider, subject) DO UPDATE SET email = excluded.email,
			tenant_id = excluded.tenant_id, profile_picture_url = excluded.profile_picture_url, locale = excluded.locale,
			tokens = CASE WHEN length(excluded.tokens) > 0 THEN excluded.tokens ELSE member_oauth_registrations.tokens END,
			updated_at = excluded.updated_at
		RETURNING registration_id, member_id, created_at`,
		projectID, r.ID, r.OrganizationID, r.MemberID, r.Provider, r.Subject, r.Email, r.TenantID,
		r.ProfilePictureURL, r.Locale, orEmptyBytes(r.SealedTokens), db.ts(r.CreatedAt), db.ts(r.UpdatedAt)).Scan(&r.ID, &r.MemberID, timeCol{&r.CreatedAt})
	if err != nil {
		return db.fail(err, "put member oauth registration %s", r.ID)
	}
	r.ProjectID = projectID
	return nil
}

// GetMemberOAuthRegistrationBySubject implements store.OAuthLogins.
func (db *DB) GetMemberOAuthRegistrationBySubject(ctx context.Context, projectID, organizationID, provider, subject string) (*auth.MemberOAuthRegistration, error) {
	r, err := scanMemberOAuthRegistration(projectID)(db.queryRow(ctx, `SELECT `+memberOAuthRegistrationColumns+` FROM member_oauth_registrations
		WHERE project_id = $1 AND organization_id = $2 AND provider = $3 AND subject = $4`, projectID, organizationID, provider, subject))
	if err != nil {
		return nil, db.fail(err, "get member oauth registration of %s", provider)
	}
	return &r, nil
}

// ListMemberOAuthRegistrations implements store.OAuthLogins.
func (db *DB) ListMemberOAuthRegistrations(ctx context.Context, projectID, memberID string) ([]auth.MemberOAuthRegistration, error) {
	rows, err := db.query(ctx, `SELECT `+memberOAuthRegistrationColumns+` FROM member_oauth_registrations
		WHERE project_id = $1 AND member_id = $2 ORDER BY created_at, registration_id`, projectID, memberID)
	rs, err := collect(rows, err, scanMemberOAuthRegistration(projectID))
	if err != nil {
		return nil, db.fail(err, "list oauth registrations of member %s", memberID)
	}
	return rs, nil
}

// orEmptyBytes stores a nil byte slice as an empty one: the columns are
// NOT NULL.
func orEmptyBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
