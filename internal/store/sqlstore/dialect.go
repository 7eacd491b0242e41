package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. The
// queries themselves are shared: they are written once, in the portable
// subset both engines accept, with PostgreSQL's $N placeholders.
type dialect struct {
	// name is "sqlite" or "postgres"; it also names the migrations directory.
	name string
	// rebind rewrites a query's $N placeholders into the dialect's own.
	rebind func(query string) string
	// isConflict reports whether err is a unique or primary key violation.
	isConflict func(err error) bool
	// isMissingRef reports whether err is a foreign key violation: the row
	// refers to a user (or project) that does not exist.
	isMissingRef func(err error) bool
	// time converts t to the value stored in a time column.
	time func(t time.Time) any
	// migrationsTable creates the table recording applied migrations. It
	// lives outside the migration files because the runner needs it first.
	migrationsTable string
	// open connects the pools for dsn; read may be write itself.
	open func(ctx context.Context, dsn string) (write, read *sql.DB, err error)
	// migrationLock, when set, is run first in every migration transaction
	// to serialize processes migrating the same database at once.
	migrationLock string
}

// sqliteDialect stores times as INTEGER microseconds since the Unix epoch
// (UTC): they sort and compare as plain numbers and round-trip exactly.
var sqliteDialect = &dialect{
	name:   "sqlite",
	rebind: rebindNumbered,
	open:   openSQLite,
	isConflict: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) &&
			(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isMissingRef: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	},
	time: func(t time.Time) any { return t.UnixMicro() },
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    TEXT PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`,
}

// postgresDialect stores times as TIMESTAMPTZ, whose resolution is one
// microsecond; values are truncated (not rounded, as PostgreSQL would) so
// that both dialects agree to the microsecond.
var postgresDialect = &dialect{
	name:         "postgres",
	rebind:       func(q string) string { return q },
	open:         openPostgres,
	isConflict:   func(err error) bool { return pgCode(err) == "23505" }, // unique_violation
	isMissingRef: func(err error) bool { return pgCode(err) == "23503" }, // foreign_key_violation
	time:         func(t time.Time) any { return t.UTC().Truncate(time.Microsecond) },
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    TEXT PRIMARY KEY,
	applied_at TIMESTAMPTZ NOT NULL
)`,
	// Without it, two processes racing through CREATE TABLE IF NOT EXISTS
	// both miss the table and the loser fails on a catalog index. The lock
	// is per schema, so parallel tests in schemas of their own do not wait
	// for each other, and transaction-scoped, so it cannot leak into the
	// pool.
	migrationLock: `SELECT pg_advisory_xact_lock(hashtext('latch_migrations:' || current_schema()))`,
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// sqlitePragmas apply to every SQLite connection, reader or writer; the
// modernc driver runs each _pragma DSN parameter when it opens a connection,
// so no pooled connection can miss one.
var sqlitePragmas = []string{
	// SQLite ships with foreign keys off for backwards compatibility; the
	// schema relies on ON DELETE CASCADE to remove a deleted user's emails,
	// sessions and tokens, and on references to refuse orphan rows.
	"foreign_keys(1)",
	// Another process (the latch CLI, a backup) may hold the file lock for
	// a moment; wait for it instead of failing at once with SQLITE_BUSY.
	"busy_timeout(5000)",
	// With WAL, NORMAL is still safe against corruption: a power loss can
	// drop the last commits but never damages the file, and commits skip
	// an fsync each, which FULL would pay.
	"synchronous(NORMAL)",
}

// sqliteWriterPragmas apply to the single writer connection only.
var sqliteWriterPragmas = []string{
	// WAL lets the read pool keep reading while the writer commits, and
	// makes a commit an append to the log rather than a journal rewrite.
	// The mode is persistent in the file, so setting it on the writer (the
	// first connection Open makes) is enough.
	"journal_mode(WAL)",
}

// sqliteReaderPragmas apply to the read pool only.
var sqliteReaderPragmas = []string{
	// A write sent to the read pool by mistake would race the writer
	// connection and could fail with SQLITE_BUSY; refusing it outright turns
	// that latent bug into an immediate, obvious error.
	"query_only(1)",
}

// Pool sizes.
const (
	// sqliteReaders bounds the SQLite read pool. In WAL mode readers never
	// block each other or the writer, so this only caps memory and file
	// handles.
	sqliteReaders = 8
	// postgresConns keeps a latch process well under PostgreSQL's default
	// max_connections (100), so several processes (and parallel test
	// packages) can share one server.
	postgresConns = 16
	// postgresIdle is how long an unused PostgreSQL connection is kept.
	postgresIdle = 5 * time.Minute
)

// openSQLite opens the writer and reader pools described on conns.
func openSQLite(ctx context.Context, dsn string) (write, read *sql.DB, err error) {
	if dsn == "" {
		return nil, nil, errors.New("sqlstore: empty SQLite DSN")
	}
	if isMemory(dsn) {
		// Each connection to an in-memory database gets a database of its
		// own, so one connection must serve reads and writes alike, and it
		// must never be closed for idleness: that would drop the data.
		if write, err = sql.Open("sqlite", sqliteDSN(dsn, sqlitePragmas, "")); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
		}
		write.SetMaxOpenConns(1)
		write.SetMaxIdleConns(1)
		if err := ping(ctx, write, "sqlite"); err != nil {
			write.Close()
			return nil, nil, err
		}
		return write, write, nil
	}

	// BEGIN IMMEDIATE takes the write lock when a transaction starts, not
	// at its first write: a transaction that reads and then writes cannot
	// fail halfway with SQLITE_BUSY because another process (the latch CLI)
	// wrote first, and busy_timeout covers the wait for the lock.
	if write, err = sql.Open("sqlite", sqliteDSN(dsn, slices.Concat(sqliteWriterPragmas, sqlitePragmas), "immediate")); err != nil {
		return nil, nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	// Connect the writer first: it switches the file to WAL before any
	// reader opens it.
	if err := ping(ctx, write, "sqlite"); err != nil {
		write.Close()
		return nil, nil, err
	}
	if read, err = sql.Open("sqlite", sqliteDSN(dsn, slices.Concat(sqliteReaderPragmas, sqlitePragmas), "")); err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	return write, read, nil
}

// isMemory reports whether a SQLite DSN names an in-memory database.
func isMemory(dsn string) bool {
	name, query, _ := strings.Cut(dsn, "?")
	return name == ":memory:" || name == "file::memory:" || strings.Contains(query, "mode=memory")
}

// sqliteDSN appends the driver parameters for pragmas and txlock to dsn.
func sqliteDSN(dsn string, pragmas []string, txlock string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + q.Encode()
}

// openPostgres opens one pool for reads and writes: PostgreSQL has no
// single-writer limit to work around.
func openPostgres(ctx context.Context, dsn string) (write, read *sql.DB, err error) {
	if write, err = sql.Open("pgx", dsn); err != nil {
		return nil, nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	write.SetMaxOpenConns(postgresConns)
	write.SetMaxIdleConns(postgresConns)
	write.SetConnMaxIdleTime(postgresIdle)
	if err := ping(ctx, write, "postgres"); err != nil {
		write.Close()
		return nil, nil, err
	}
	return write, write, nil
}

func ping(ctx context.Context, db *sql.DB, name string) error {
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: connect to %s: %w", name, err)
	}
	return nil
}

// rebindNumbered rewrites PostgreSQL's $N placeholders to SQLite's ?N.
// Numbered parameters keep their number, so a query may use $2 before $1 or
// use $1 twice, which a rewrite to bare ? (as dex does) silently breaks.
// Quoted text is copied unchanged, so a literal '$1' stays a literal.
func rebindNumbered(q string) string {
	if !strings.Contains(q, "$") {
		return q
	}
	b := []byte(q)
	var quote byte // the open quote character, or 0 outside quotes
	for i, c := range b {
		switch {
		case quote != 0:
			// SQL escapes a quote by doubling it ('it''s'), which closes
			// and reopens the quote here: the effect is the same.
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9':
			b[i] = '?'
		}
	}
	return string(b)
}
