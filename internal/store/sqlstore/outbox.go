package sqlstore

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

const messageColumns = `project_id, message_id, to_address, subject, text_body, html_body,
	created_at, attempts, next_attempt_at, sent_at, last_error, channel`

func scanMessage(row rowScanner) (auth.Message, error) {
	var m auth.Message
	err := row.Scan(&m.ProjectID, &m.ID, &m.To, &m.Subject, &m.Text, &m.HTML,
		timeCol{&m.CreatedAt}, &m.Attempts, timeCol{&m.NextAttemptAt}, nullTimeCol{&m.SentAt}, &m.LastError, &m.Channel)
	return m, err
}

// EnqueueMessage implements store.Outbox.
func (db *DB) EnqueueMessage(ctx context.Context, projectID string, m *auth.Message) error {
	err := db.insert(ctx, `INSERT INTO outbox_messages (`+messageColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $7) ON CONFLICT DO NOTHING`,
		projectID, m.ID, m.To, m.Subject, m.Text, m.HTML,
		db.ts(m.CreatedAt), m.Attempts, db.ts(m.NextAttemptAt), db.nts(m.SentAt), m.LastError, channelOrEmail(m.Channel))
	if err != nil {
		return db.fail(err, "enqueue message %s", m.ID)
	}
	return nil
}

// DueMessages implements store.Outbox. It is operator-level: the delivery
// worker serves every project, so it has no project filter.
func (db *DB) DueMessages(ctx context.Context, now time.Time, limit int) ([]auth.Message, error) {
	if limit <= 0 {
		return []auth.Message{}, nil
	}
	rows, err := db.query(ctx, `SELECT `+messageColumns+` FROM outbox_messages
		WHERE sent_at IS NULL AND next_attempt_at <= $1
		ORDER BY created_at, message_id LIMIT $2`, db.ts(now), limit)
	ms, err := collect(rows, err, scanMessage)
	if err != nil {
		return nil, db.fail(err, "due messages")
	}
	return ms, nil
}

// ClaimMessage implements store.Outbox. The lease is one conditional
// UPDATE: the first worker moves next_attempt_at past now, so the WHERE
// clause no longer matches for any other until the lease ends.
func (db *DB) ClaimMessage(ctx context.Context, projectID, messageID string, now, leaseUntil time.Time) (*auth.Message, error) {
	m, err := scanMessage(db.writeRow(ctx, `UPDATE outbox_messages
		SET attempts = attempts + 1, next_attempt_at = $4, updated_at = $3
		WHERE project_id = $1 AND message_id = $2 AND sent_at IS NULL AND next_attempt_at <= $3
		RETURNING `+messageColumns, projectID, messageID, db.ts(now), db.ts(leaseUntil)))
	if err != nil {
		return nil, db.fail(err, "claim message %s", messageID)
	}
	return &m, nil
}

// MarkMessageSent implements store.Outbox.
func (db *DB) MarkMessageSent(ctx context.Context, projectID, messageID string, at time.Time) error {
	if err := db.execOne(ctx, `UPDATE outbox_messages SET sent_at = $3, updated_at = $3
		WHERE project_id = $1 AND message_id = $2`, projectID, messageID, db.ts(at)); err != nil {
		return db.fail(err, "mark message %s sent", messageID)
	}
	return nil
}

// MarkMessageFailed implements store.Outbox. The interface passes no
// current time, so updated_at keeps the claim's time.
func (db *DB) MarkMessageFailed(ctx context.Context, projectID, messageID, reason string, retryAt time.Time) error {
	if err := db.execOne(ctx, `UPDATE outbox_messages SET last_error = $3, next_attempt_at = $4
		WHERE project_id = $1 AND message_id = $2`, projectID, messageID, reason, db.ts(retryAt)); err != nil {
		return db.fail(err, "mark message %s failed", messageID)
	}
	return nil
}

const devMessageColumns = `project_id, message_id, to_address, subject, text_body, html_body, created_at, channel`

// AddDevMessage implements store.DevInbox.
func (db *DB) AddDevMessage(ctx context.Context, projectID string, m *auth.DevMessage) error {
	err := db.insert(ctx, `INSERT INTO dev_messages (`+devMessageColumns+`, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) ON CONFLICT DO NOTHING`,
		projectID, m.ID, m.To, m.Subject, m.Text, m.HTML, db.ts(m.CreatedAt), channelOrEmail(m.Channel))
	if err != nil {
		return db.fail(err, "add dev message %s", m.ID)
	}
	return nil
}

// defaultDevMessages is the page size of a DevMessageFilter without Limit.
const defaultDevMessages = 100

// ListDevMessages implements store.DevInbox. One static query serves every
// filter: an empty field compares equal to itself and matches every row.
func (db *DB) ListDevMessages(ctx context.Context, f store.DevMessageFilter) ([]auth.DevMessage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultDevMessages
	}
	rows, err := db.query(ctx, `SELECT `+devMessageColumns+` FROM dev_messages
		WHERE ($1 = '' OR project_id = $1) AND ($2 = '' OR to_address = $2)
		ORDER BY created_at DESC, message_id DESC LIMIT $3`, f.ProjectID, f.To, limit)
	ms, err := collect(rows, err, func(row rowScanner) (auth.DevMessage, error) {
		var m auth.DevMessage
		err := row.Scan(&m.ProjectID, &m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, timeCol{&m.CreatedAt}, &m.Channel)
		return m, err
	})
	if err != nil {
		return nil, db.fail(err, "list dev messages")
	}
	return ms, nil
}

// channelOrEmail stores a message without a channel as the email it is.
func channelOrEmail(c auth.Channel) auth.Channel {
	if c == "" {
		return auth.ChannelEmail
	}
	return c
}
