// Package sqlstore is the one implementation of store.Store, for SQLite
// (modernc.org/sqlite, pure Go) and PostgreSQL (pgx). The two differ only in
// a small dialect struct (placeholders, error codes, time columns, pool
// settings) and in their migration files; every query is written once, in
// the SQL both accept, with $N placeholders that SQLite gets as ?N.
//
// Open applies the embedded, forward-only migrations of migrations/<dialect>.
// Times are kept in UTC at microsecond precision: INTEGER microseconds since
// the Unix epoch on SQLite, TIMESTAMPTZ on PostgreSQL. JSON values (user
// metadata, session factors and claims) are TEXT on SQLite and JSONB on
// PostgreSQL, written through this package's own record types, since the
// domain types carry no JSON tags.
//
// On SQLite every write goes through a single connection and reads through
// a pool of read-only connections; see conns.
package sqlstore
