-- TOTP registrations and their recovery codes. Its twin is
-- migrations/postgres/0003_totp.sql (migrate_test.go checks that both end
-- with the same tables and columns).
--
-- Representation as in 0001: times are INTEGER microseconds (UTC),
-- booleans INTEGER 0/1, sealed values and hashes BLOB.

CREATE TABLE totps (
	project_id      TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	totp_id         TEXT NOT NULL,
	-- The owner: a consumer user, or a B2B member (never both).
	user_id         TEXT,
	organization_id TEXT,
	member_id       TEXT,
	-- Encrypted with the server key (internal/secretbox), bound to the row.
	secret          BLOB NOT NULL,
	recovery_codes  BLOB NOT NULL,
	verified        INTEGER NOT NULL,
	-- The RFC 6238 time step of the last accepted code, 0 before any: a
	-- code is accepted only for a greater step, in one conditional UPDATE.
	last_step       INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL, -- for a pending registration only
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	PRIMARY KEY (project_id, totp_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE,
	FOREIGN KEY (project_id, organization_id, member_id) REFERENCES members (project_id, organization_id, member_id) ON DELETE CASCADE,
	CHECK ((user_id IS NULL) <> (member_id IS NULL)),
	CHECK ((organization_id IS NULL) = (member_id IS NULL))
) STRICT;
-- One registration per owner.
CREATE UNIQUE INDEX totps_user ON totps (project_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX totps_member ON totps (project_id, member_id) WHERE member_id IS NOT NULL;

CREATE TABLE totp_recovery_codes (
	project_id       TEXT NOT NULL,
	recovery_code_id TEXT NOT NULL,
	totp_id          TEXT NOT NULL,
	code_hash        BLOB NOT NULL,
	used_at          INTEGER,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	PRIMARY KEY (project_id, recovery_code_id),
	FOREIGN KEY (project_id, totp_id) REFERENCES totps (project_id, totp_id) ON DELETE CASCADE
) STRICT;
-- UseRecoveryCode finds a code by registration and hash.
CREATE UNIQUE INDEX totp_recovery_codes_hash ON totp_recovery_codes (project_id, totp_id, code_hash);

-- The owner's verified registration, kept by the store (see store.TOTPs)
-- so that reading a user or member needs no join. '' when none.
ALTER TABLE users ADD COLUMN totp_id TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN totp_registration_id TEXT NOT NULL DEFAULT '';
