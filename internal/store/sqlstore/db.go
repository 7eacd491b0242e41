package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/latchauth/latch/internal/store"
)

var _ store.Store = (*DB)(nil)

// Config selects a database.
type Config struct {
	// Driver is "sqlite" or "postgres". When empty, a DSN starting with
	// postgres:// or postgresql:// selects postgres, anything else sqlite.
	Driver string
	// DSN is a SQLite file name or URI (":memory:" for a private in-memory
	// database), or a PostgreSQL URL or key=value string.
	DSN string
}

// DB is the SQL implementation of store.Store, for SQLite and PostgreSQL.
// A DB from Open uses its connection pools; the DB that InTx hands to its
// function is bound to one transaction instead.
type DB struct {
	*conns
	tx    *sql.Tx // nil outside InTx
	depth int     // savepoint nesting inside tx
}

// conns is what a DB and every transaction-bound copy of it share.
type conns struct {
	d *dialect
	// write takes every write outside a transaction and every transaction.
	// For SQLite it has exactly one connection: SQLite allows one writer at
	// a time anyway, and queueing writers in database/sql instead of in the
	// file lock means 50 concurrent writers wait their turn rather than
	// failing with SQLITE_BUSY or deadlocking on a lock upgrade.
	write *sql.DB
	// read takes reads outside a transaction. For SQLite it is a separate
	// pool of query_only connections, which WAL lets read while the writer
	// commits. For PostgreSQL and in-memory SQLite it is write itself.
	read *sql.DB
	// wstmts and rstmts are the hot-path statements prepared on write and
	// read (the same value when the pools are the same).
	wstmts, rstmts *stmts
}

// Open connects to the database cfg names, applies pending migrations and
// prepares the hot-path statements.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	d, err := pickDialect(cfg)
	if err != nil {
		return nil, err
	}
	c := &conns{d: d}
	if c.write, c.read, err = d.open(ctx, cfg.DSN); err != nil {
		return nil, err
	}
	// Migrations are the one place the store reads the wall clock: the
	// time only records when an operator's upgrade ran.
	if err := migrate(ctx, c.write, d, time.Now()); err != nil {
		c.close()
		return nil, err
	}
	if c.wstmts, err = prepare(ctx, c.write, d); err != nil {
		c.close()
		return nil, err
	}
	c.rstmts = c.wstmts
	if c.read != c.write {
		if c.rstmts, err = prepare(ctx, c.read, d); err != nil {
			c.close()
			return nil, err
		}
	}
	return &DB{conns: c}, nil
}

func pickDialect(cfg Config) (*dialect, error) {
	switch cfg.Driver {
	case "sqlite":
		return sqliteDialect, nil
	case "postgres":
		return postgresDialect, nil
	case "":
		if strings.HasPrefix(cfg.DSN, "postgres://") || strings.HasPrefix(cfg.DSN, "postgresql://") {
			return postgresDialect, nil
		}
		return sqliteDialect, nil
	}
	return nil, fmt.Errorf("sqlstore: unknown driver %q (want sqlite or postgres)", cfg.Driver)
}

func (c *conns) close() error {
	var errs []error
	if c.rstmts != nil && c.rstmts != c.wstmts {
		errs = append(errs, c.rstmts.close())
	}
	if c.wstmts != nil {
		errs = append(errs, c.wstmts.close())
	}
	if c.read != nil && c.read != c.write {
		errs = append(errs, c.read.Close())
	}
	if c.write != nil {
		errs = append(errs, c.write.Close())
	}
	return errors.Join(errs...)
}

// Close releases the statements and connections. It fails on a DB bound
// to a transaction: only the DB from Open owns them.
func (db *DB) Close() error {
	if db.tx != nil {
		return errors.New("sqlstore: Close called on a transaction's store")
	}
	return db.close()
}

// InTx runs fn with a Store bound to one transaction, committing when fn
// returns nil and rolling back when it returns an error or panics. fn's
// error is returned as is.
//
// A call on a transaction's Store reuses that transaction inside a
// SAVEPOINT: if the inner fn fails, only its own writes are undone and the
// outer transaction stays usable, on both dialects (on PostgreSQL a failed
// statement would otherwise poison the whole transaction). Multi-statement
// methods such as CreateUser rely on this to stay all-or-nothing inside a
// caller's transaction.
//
// fn must do all its work through the Store it is given: on SQLite the
// transaction holds the only write connection, so a write through the
// outer DB would wait for it until ctx ends.
func (db *DB) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if db.tx != nil {
		return db.savepoint(ctx, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback() // fn's error, or its panic, is what matters
		}
	}()
	if err := fn(&DB{conns: db.conns, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	committed = true
	return nil
}

// savepoint runs fn inside a savepoint of db's transaction. Names are
// numbered by depth, so nested savepoints never shadow each other.
func (db *DB) savepoint(ctx context.Context, fn func(tx store.Store) error) error {
	inner := &DB{conns: db.conns, tx: db.tx, depth: db.depth + 1}
	name := "latch_sp" + strconv.Itoa(inner.depth)
	if _, err := db.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("sqlstore: savepoint: %w", err)
	}
	released := false
	defer func() {
		if !released {
			// Errors here leave the outer transaction failing on its next
			// statement, which reports them; fn's error is what matters.
			_, _ = db.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name)
			_, _ = db.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		}
	}()
	if err := fn(inner); err != nil {
		return err
	}
	if _, err := db.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("sqlstore: release savepoint: %w", err)
	}
	released = true
	return nil
}

// inTx runs fn in a transaction for methods that write more than one
// statement; inside InTx it runs in a savepoint of the caller's, so the
// method stays all-or-nothing even if the caller goes on after its error.
func (db *DB) inTx(ctx context.Context, fn func(tx *DB) error) error {
	return db.InTx(ctx, func(tx store.Store) error { return fn(tx.(*DB)) })
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader returns where reads go: the transaction, or the read pool.
func (db *DB) reader() querier {
	if db.tx != nil {
		return db.tx
	}
	return db.read
}

// writer returns where writes go: the transaction, or the write pool.
func (db *DB) writer() querier {
	if db.tx != nil {
		return db.tx
	}
	return db.write
}

// exec runs a write.
func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.writer().ExecContext(ctx, db.d.rebind(q), args...)
}

// execOne runs a write that must change one row. It returns sql.ErrNoRows
// when it changed none.
func (db *DB) execOne(ctx context.Context, q string, args ...any) error {
	res, err := db.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// insert runs an INSERT … ON CONFLICT DO NOTHING. A refused row comes back
// as store.ErrConflict without raising a database error, which on
// PostgreSQL would abort the caller's transaction.
func (db *DB) insert(ctx context.Context, q string, args ...any) error {
	res, err := db.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrConflict
	}
	return nil
}

// query runs a read.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.reader().QueryContext(ctx, db.d.rebind(q), args...)
}

// queryRow runs a read of one row.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.reader().QueryRowContext(ctx, db.d.rebind(q), args...)
}

// writeRow runs a write that returns one row (UPDATE … RETURNING).
func (db *DB) writeRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.writer().QueryRowContext(ctx, db.d.rebind(q), args...)
}

// ts converts t for a time column.
func (db *DB) ts(t time.Time) any { return db.d.time(t) }

// nts converts t for a nullable time column.
func (db *DB) nts(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.d.time(*t)
}

// fail wraps err with the operation it interrupted, mapping what the
// database reports onto the store's sentinels: no row is ErrNotFound, a
// unique violation ErrConflict, and a foreign key violation (the row refers
// to a user or project that does not exist) ErrNotFound. The driver's error
// stays in the message but not in the chain, so no caller depends on it.
func (db *DB) fail(err error, format string, args ...any) error {
	op := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrConsumed), errors.Is(err, store.ErrMismatch):
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
	case db.d.isConflict(err):
		return fmt.Errorf("sqlstore: %s: %w: %v", op, store.ErrConflict, err)
	case db.d.isMissingRef(err):
		return fmt.Errorf("sqlstore: %s: %w: %v", op, store.ErrNotFound, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
