-- The email send throttle counts the tokens of the emailed kinds issued to
-- an address since a time (CountTokens). Its twin is
-- migrations/postgres/0014_token_sends.sql.

-- tokens_address (0001) stops at kind, so the count would read every
-- token an address was ever sent; with created_at after kind it reads only
-- the window's. The new index leads with the old one's columns, so it
-- serves RevokeTokens as well, and the old one goes.
CREATE INDEX tokens_address_created ON tokens (project_id, email_address, kind, created_at);
DROP INDEX tokens_address;
