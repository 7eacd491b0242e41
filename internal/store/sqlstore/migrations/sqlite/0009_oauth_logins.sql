-- OAuth logins in progress (one row per start, consumed by the callback)
-- and users' links to provider accounts.
CREATE TABLE oauth_states (
	project_id          TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	state_id            TEXT NOT NULL,
	state_hash          BLOB NOT NULL UNIQUE,
	binding_hash        BLOB NOT NULL,
	provider            TEXT NOT NULL,
	nonce               TEXT NOT NULL,
	verifier            BLOB NOT NULL, -- sealed PKCE verifier
	login_redirect_url  TEXT NOT NULL,
	signup_redirect_url TEXT NOT NULL,
	code_challenge      TEXT NOT NULL,
	scopes              TEXT NOT NULL,
	created_at          INTEGER NOT NULL,
	expires_at          INTEGER NOT NULL,
	consumed_at         INTEGER,
	updated_at          INTEGER NOT NULL,
	PRIMARY KEY (project_id, state_id)
) STRICT;

CREATE TABLE oauth_registrations (
	project_id          TEXT NOT NULL,
	registration_id     TEXT NOT NULL,
	user_id             TEXT NOT NULL,
	provider            TEXT NOT NULL,
	subject             TEXT NOT NULL,
	email               TEXT NOT NULL,
	profile_picture_url TEXT NOT NULL,
	locale              TEXT NOT NULL,
	tokens              BLOB NOT NULL, -- sealed provider tokens
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	PRIMARY KEY (project_id, registration_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX oauth_registrations_subject ON oauth_registrations (project_id, provider, subject);
CREATE INDEX oauth_registrations_user ON oauth_registrations (project_id, user_id, created_at);

-- The provider account an OAuth token logs in; '' for other tokens.
ALTER TABLE tokens ADD COLUMN oauth_registration_id TEXT NOT NULL DEFAULT '';
