package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/latchauth/latch/internal/auth"
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
	orEmpty := func(b []byte) []byte {
		if b == nil {
			return []byte{}
		}
		return b
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
		projectID, p.Name, p.Type, p.ClientID, orEmpty(p.SealedClientSecret), string(scopesJSON), p.IssuerURL, p.AuthURL,
		p.TokenURL, p.UserInfoURL, p.APIURL, p.Tenant, p.AppleTeamID, p.AppleKeyID, orEmpty(p.SealedApplePrivateKey),
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
