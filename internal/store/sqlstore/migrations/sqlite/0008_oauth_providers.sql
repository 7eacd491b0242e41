-- Identity provider configurations, one per project and provider name (the
-- {provider} of /v1/public/oauth/{provider}/start). Secrets are sealed
-- under the server key before they reach the database.
CREATE TABLE oauth_providers (
	project_id        TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	name              TEXT NOT NULL,
	type              TEXT NOT NULL,
	client_id         TEXT NOT NULL,
	client_secret     BLOB NOT NULL, -- sealed; empty when the provider has none (Apple)
	scopes            TEXT NOT NULL, -- array of strings
	issuer_url        TEXT NOT NULL,
	auth_url          TEXT NOT NULL,
	token_url         TEXT NOT NULL,
	userinfo_url      TEXT NOT NULL,
	api_url           TEXT NOT NULL,
	tenant            TEXT NOT NULL,
	apple_team_id     TEXT NOT NULL,
	apple_key_id      TEXT NOT NULL,
	apple_private_key BLOB NOT NULL, -- sealed PEM; empty unless Apple
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	PRIMARY KEY (project_id, name)
) STRICT;
