-- Per-project password strength policy. Its twin is
-- migrations/sqlite/0010_password_policy.sql (migrate_test.go checks that
-- both end with the same tables and columns).

-- '' means the server's default (zxcvbn); otherwise 'zxcvbn' or 'luds'.
ALTER TABLE projects ADD COLUMN password_strength_policy TEXT NOT NULL DEFAULT '';
-- LUDS settings; 0 means Stytch's defaults.
ALTER TABLE projects ADD COLUMN luds_min_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN luds_min_char_types INTEGER NOT NULL DEFAULT 0;
