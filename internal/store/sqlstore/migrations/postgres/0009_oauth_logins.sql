-- OAuth logins in progress (one row per start, consumed by the callback)
-- and users' links to provider accounts.
CREATE TABLE oauth_states (
	project_id          TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	state_id            TEXT NOT NULL,
	state_hash          BYTEA NOT NULL UNIQUE,
	binding_hash        BYTEA NOT NULL,
	provider            TEXT NOT NULL,
	nonce               TEXT NOT NULL,
	verifier            BYTEA NOT NULL, -- sealed PKCE verifier
	login_redirect_url  TEXT NOT NULL,
	signup_redirect_url TEXT NOT NULL,
	code_challenge      TEXT NOT NULL,
	scopes              JSONB NOT NULL,
	created_at          TIMESTAMPTZ NOT NULL,
	expires_at          TIMESTAMPTZ NOT NULL,
	consumed_at         TIMESTAMPTZ,
	updated_at          TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, state_id)
);

CREATE TABLE oauth_registrations (
	project_id          TEXT NOT NULL,
	registration_id     TEXT NOT NULL,
	user_id             TEXT NOT NULL,
	provider            TEXT NOT NULL,
	subject             TEXT NOT NULL,
	email               TEXT NOT NULL,
	profile_picture_url TEXT NOT NULL,
	locale              TEXT NOT NULL,
	tokens              BYTEA NOT NULL, -- sealed provider tokens
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, registration_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX oauth_registrations_subject ON oauth_registrations (project_id, provider, subject);
CREATE INDEX oauth_registrations_user ON oauth_registrations (project_id, user_id, created_at);

-- The provider account an OAuth token logs in; '' for other tokens.
ALTER TABLE tokens ADD COLUMN oauth_registration_id TEXT NOT NULL DEFAULT '';
