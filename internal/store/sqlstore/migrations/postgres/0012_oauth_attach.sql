-- oauth.attach: an attach token names the provider it may be used with,
-- and a login started with one links the provider account to that user.
ALTER TABLE tokens ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_states ADD COLUMN attach_user_id TEXT NOT NULL DEFAULT '';
