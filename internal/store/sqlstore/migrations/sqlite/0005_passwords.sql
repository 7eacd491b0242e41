-- Consumer passwords. Its twin is migrations/postgres/0005_passwords.sql
-- (migrate_test.go checks that both end with the same tables and columns).
--
-- Representation as in 0001: times are INTEGER microseconds (UTC).

CREATE TABLE passwords (
	project_id  TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	password_id TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	-- A self-describing internal/passhash string: argon2id, or an imported
	-- legacy hash until the next login upgrades it.
	hash        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (project_id, password_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
-- One password per user.
CREATE UNIQUE INDEX passwords_user ON passwords (project_id, user_id);

-- The user's password, kept by the store (see store.Passwords) so that
-- reading a user needs no join, as users.totp_id. '' when none.
ALTER TABLE users ADD COLUMN password_id TEXT NOT NULL DEFAULT '';
