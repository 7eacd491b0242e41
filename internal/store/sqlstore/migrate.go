package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// migrationFS holds the forward-only migrations, one directory per dialect
// with the same file names in each (migrate_test.go checks the parity).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrationNames returns the dialect's migration files in the order they
// apply: by name, so 0002_x.sql follows 0001_init.sql.
func migrationNames(d *dialect) ([]string, error) {
	names, err := fs.Glob(migrationFS, path.Join("migrations", d.name, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// migrate applies every migration not yet recorded in schema_migrations,
// each in its own transaction with its record, so a failed migration
// leaves no trace and the next start retries it. now stamps applied_at.
//
// Processes starting at once on one database take turns: every
// transaction here first takes the dialect's migration lock (on SQLite,
// BEGIN IMMEDIATE on the writer already is one), and the record is
// inserted with ON CONFLICT DO NOTHING before the migration runs, so a
// version another process applied meanwhile is skipped.
func migrate(ctx context.Context, db *sql.DB, d *dialect, now time.Time) error {
	err := migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, d.migrationsTable)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
	}
	names, err := migrationNames(d)
	if err != nil {
		return fmt.Errorf("sqlstore: list migrations: %w", err)
	}
	for _, name := range names {
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return fmt.Errorf("sqlstore: migrate %s: %w", name, err)
		}
		err = migrationTx(ctx, db, d, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`),
				strings.TrimSuffix(path.Base(name), ".sql"), d.time(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err // already applied (err is nil)
			}
			_, err = tx.ExecContext(ctx, string(body))
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlstore: migrate %s: %w", name, err)
		}
	}
	return nil
}

// migrationTx runs fn in a transaction holding the migration lock.
func migrationTx(ctx context.Context, db *sql.DB, d *dialect, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	if d.migrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.migrationLock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
