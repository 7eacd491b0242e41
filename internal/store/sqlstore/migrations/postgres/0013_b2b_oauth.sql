-- B2B OAuth: a login in progress says what it is for (a consumer login, a
-- B2B login into one organization, or a discovery login); a B2B OAuth
-- token carries the verified provider identity, sealed, until the app
-- exchanges it; members link provider accounts as users do.
ALTER TABLE oauth_states ADD COLUMN kind TEXT NOT NULL DEFAULT 'consumer';
ALTER TABLE oauth_states ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN oauth_identity BYTEA NOT NULL DEFAULT ''::bytea;

CREATE TABLE member_oauth_registrations (
	project_id          TEXT NOT NULL,
	registration_id     TEXT NOT NULL,
	organization_id     TEXT NOT NULL,
	member_id           TEXT NOT NULL,
	provider            TEXT NOT NULL,
	subject             TEXT NOT NULL,
	email               TEXT NOT NULL,
	tenant_id           TEXT NOT NULL,
	profile_picture_url TEXT NOT NULL,
	locale              TEXT NOT NULL,
	tokens              BYTEA NOT NULL, -- sealed provider tokens
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, registration_id),
	FOREIGN KEY (project_id, member_id) REFERENCES members (project_id, member_id) ON DELETE CASCADE
);
-- One link per provider account in each organization: the same account
-- may be a member of many organizations, once in each.
CREATE UNIQUE INDEX member_oauth_registrations_subject ON member_oauth_registrations (project_id, organization_id, provider, subject);
CREATE INDEX member_oauth_registrations_member ON member_oauth_registrations (project_id, member_id, created_at);
