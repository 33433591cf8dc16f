// Package sqlstore is the one SQL implementation of store.Store. It serves
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx via
// database/sql) with the same statements, owns the embedded per-dialect
// migrations, and is the boundary where driver errors become store errors
// and where transactions are retried on serialization failures.
package sqlstore
