-- Password resets. Its twin is migrations/sqlite/0006_password_resets.sql
-- (migrate_test.go checks that both end with the same tables and columns).

-- Set when a password may not log in until it is reset (an imported
-- password found breached at its first login); a reset clears it.
ALTER TABLE passwords ADD COLUMN requires_reset BOOLEAN NOT NULL DEFAULT false;
