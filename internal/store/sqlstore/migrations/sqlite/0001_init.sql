-- The initial schema. Its twin is migrations/postgres/0001_init.sql; the two
-- must end with the same tables and columns (migrate_test.go checks).
--
-- Every table carries project_id, created_at and updated_at from the start:
-- SQLite cannot add columns with constraints later without rebuilding tables.
-- Representation: times are INTEGER microseconds since the Unix epoch, UTC;
-- booleans are INTEGER 0/1; JSON is TEXT; hashes and keys are BLOB. STRICT
-- tables make SQLite refuse a value of the wrong type instead of storing it.
-- Every child primary key starts with project_id, so every lookup, which
-- always filters by project, uses it.

CREATE TABLE projects (
	project_id   TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	env          TEXT NOT NULL,
	secret_hash  BLOB NOT NULL,
	public_token TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE redirect_urls (
	project_id TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	url        TEXT NOT NULL,
	type       TEXT NOT NULL,
	is_default INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, url, type)
) STRICT;
-- At most one default URL per type.
CREATE UNIQUE INDEX redirect_urls_default ON redirect_urls (project_id, type) WHERE is_default = 1;

CREATE TABLE users (
	project_id         TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	user_id            TEXT NOT NULL,
	status             TEXT NOT NULL,
	first_name         TEXT NOT NULL,
	middle_name        TEXT NOT NULL,
	last_name          TEXT NOT NULL,
	external_id        TEXT NOT NULL, -- '' when unset
	trusted_metadata   TEXT NOT NULL,
	untrusted_metadata TEXT NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	PRIMARY KEY (project_id, user_id)
) STRICT;
CREATE UNIQUE INDEX users_external_id ON users (project_id, external_id) WHERE external_id <> '';
-- SearchUsers pages in (created_at, user_id) order.
CREATE INDEX users_created ON users (project_id, created_at, user_id);

CREATE TABLE emails (
	project_id TEXT NOT NULL,
	email_id   TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	address    TEXT NOT NULL, -- lowercased by the store, so this is unique per lower(address)
	verified   INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, email_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX emails_address ON emails (project_id, address);
CREATE INDEX emails_user ON emails (project_id, user_id, created_at);

CREATE TABLE sessions (
	project_id             TEXT NOT NULL,
	session_id             TEXT NOT NULL,
	user_id                TEXT NOT NULL,
	token_hash             BLOB NOT NULL UNIQUE,
	started_at             INTEGER NOT NULL,
	last_accessed_at       INTEGER NOT NULL,
	expires_at             INTEGER NOT NULL,
	ip_address             TEXT NOT NULL,
	user_agent             TEXT NOT NULL,
	authentication_factors TEXT NOT NULL,
	custom_claims          TEXT NOT NULL,
	created_at             INTEGER NOT NULL,
	updated_at             INTEGER NOT NULL,
	PRIMARY KEY (project_id, session_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_user ON sessions (project_id, user_id, expires_at);

CREATE TABLE tokens (
	project_id     TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	token_id       TEXT NOT NULL,
	kind           TEXT NOT NULL,
	token_hash     BLOB NOT NULL UNIQUE,
	user_id        TEXT, -- NULL when the token names no user
	email_id       TEXT NOT NULL,
	email_address  TEXT NOT NULL,
	code_challenge TEXT NOT NULL,
	expires_at     INTEGER NOT NULL,
	consumed_at    INTEGER,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	PRIMARY KEY (project_id, token_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX tokens_user ON tokens (project_id, user_id);
CREATE INDEX tokens_address ON tokens (project_id, email_address, kind);

CREATE TABLE outbox_messages (
	project_id      TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	message_id      TEXT NOT NULL,
	to_address      TEXT NOT NULL,
	subject         TEXT NOT NULL,
	text_body       TEXT NOT NULL,
	html_body       TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	sent_at         INTEGER,
	last_error      TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (project_id, message_id)
) STRICT;
-- The delivery worker polls undelivered messages by due time.
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE dev_messages (
	project_id TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	message_id TEXT NOT NULL,
	to_address TEXT NOT NULL,
	subject    TEXT NOT NULL,
	text_body  TEXT NOT NULL,
	html_body  TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, message_id)
) STRICT;
CREATE INDEX dev_messages_created ON dev_messages (created_at);

CREATE TABLE signing_keys (
	project_id      TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	key_id          TEXT NOT NULL,
	private_key_der BLOB NOT NULL,
	active_at       INTEGER NOT NULL,
	retired_at      INTEGER,
	expires_at      INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (project_id, key_id)
) STRICT;
