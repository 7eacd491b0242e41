package sqlstore

import (
	"context"
	"database/sql"
	"path"
	"time"
)

// SQLDB returns db's write pool, for tests that inspect the schema.
func SQLDB(db *DB) *sql.DB { return db.write }

// Dialect returns db's dialect name.
func Dialect(db *DB) string { return db.d.name }

// MigrationFiles returns the base names of a dialect's embedded migrations.
func MigrationFiles(dialect string) ([]string, error) {
	d := sqliteDialect
	if dialect == postgresDialect.name {
		d = postgresDialect
	}
	names, err := migrationNames(d)
	for i, n := range names {
		names[i] = path.Base(n)
	}
	return names, err
}

// Migrate runs the migration runner on db again.
func Migrate(ctx context.Context, db *DB) error { return migrate(ctx, db.write, db.d, time.Now()) }

// ReadDB returns db's read pool (the write pool for PostgreSQL and
// in-memory SQLite).
func ReadDB(db *DB) *sql.DB { return db.read }
