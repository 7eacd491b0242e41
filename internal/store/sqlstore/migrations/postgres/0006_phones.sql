-- Phone numbers of consumer users, in E.164 form as internal/phone
-- normalises them, so that equal numbers are equal strings.
CREATE TABLE phone_numbers (
	project_id   TEXT NOT NULL,
	phone_id     TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	phone_number TEXT NOT NULL,
	verified     BOOLEAN NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, phone_id),
	FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX phone_numbers_number ON phone_numbers (project_id, phone_number);
CREATE INDEX phone_numbers_user ON phone_numbers (project_id, user_id, created_at);

-- Messages now go by email, SMS or WhatsApp; every earlier one was email.
ALTER TABLE outbox_messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE dev_messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
