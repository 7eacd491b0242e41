-- B2B member passwords. Its twin is migrations/postgres/0007_member_passwords.sql
-- (migrate_test.go checks that both end with the same tables and columns).
--
-- Representation as in 0001: times are INTEGER microseconds (UTC),
-- booleans INTEGER 0/1.

-- A member's password in its organization: members of different
-- organizations are different accounts, with passwords of their own.
CREATE TABLE member_passwords (
	project_id         TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	member_password_id TEXT NOT NULL,
	member_id          TEXT NOT NULL,
	-- As passwords.hash (0005).
	hash               TEXT NOT NULL,
	-- As passwords.requires_reset (0006).
	requires_reset     INTEGER NOT NULL DEFAULT 0,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	PRIMARY KEY (project_id, member_password_id),
	FOREIGN KEY (project_id, member_id) REFERENCES members (project_id, member_id) ON DELETE CASCADE
) STRICT;
-- One password per member.
CREATE UNIQUE INDEX member_passwords_member ON member_passwords (project_id, member_id);

-- The member's password, kept by the store as members.totp_registration_id
-- is. '' when none.
ALTER TABLE members ADD COLUMN member_password_id TEXT NOT NULL DEFAULT '';
