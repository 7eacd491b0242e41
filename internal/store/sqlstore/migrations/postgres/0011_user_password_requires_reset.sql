-- Users show whether their password must be reset. Its twin is
-- migrations/sqlite/0011_user_password_requires_reset.sql (migrate_test.go
-- checks that both end with the same tables and columns).

-- Mirrors passwords.requires_reset (0006) as users.password_id mirrors the
-- password's ID (0005), so that reading a user needs no join.
ALTER TABLE users ADD COLUMN password_requires_reset BOOLEAN NOT NULL DEFAULT false;
UPDATE users SET password_requires_reset = true WHERE EXISTS (SELECT 1 FROM passwords p
	WHERE p.project_id = users.project_id AND p.user_id = users.user_id AND p.requires_reset);
