-- One-time passcodes. code_hash is an HMAC of the code under a server key;
-- a method (email_id or phone_id) has at most one live code.
CREATE TABLE otps (
	project_id  TEXT NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
	otp_id      TEXT NOT NULL,
	method_id   TEXT NOT NULL,
	user_id     TEXT, -- NULL when the code names no user (B2B discovery)
	delivery    TEXT NOT NULL,
	address     TEXT NOT NULL,
	code_hash   BLOB NOT NULL,
	attempts    INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	consumed_at INTEGER,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (project_id, otp_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX otps_method ON otps (project_id, method_id, consumed_at);
CREATE INDEX otps_address ON otps (project_id, address, created_at);
