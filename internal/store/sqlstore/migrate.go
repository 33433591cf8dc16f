package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Migrations are forward-only SQL files, one folder per dialect, named
// NNNN_name.sql. A file's checksum is recorded when it is applied, so an
// edit to an applied migration is caught instead of silently diverging
// between databases that did and did not run the edited version.
//
//go:embed migrations
var migrationFS embed.FS

var migrationName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+)\.sql$`)

type migration struct {
	version  int64
	name     string
	file     string // path inside migrationFS, for error messages
	sql      string
	checksum string
}

func loadMigrations(d dialect) ([]migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read embedded migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("sqlstore: embedded migration %s/%s is not named NNNN_name.sql", dir, e.Name())
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: embedded migration %s/%s: %w", dir, e.Name(), err)
		}
		file := path.Join(dir, e.Name())
		body, err := migrationFS.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read embedded migration %s: %w", file, err)
		}
		sum := sha256.Sum256(body)
		ms = append(ms, migration{version: v, name: m[2], file: file, sql: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(ms, func(a, b migration) int { return int(a.version - b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share version %d", ms[i-1].file, ms[i].file, ms[i].version)
		}
	}
	return ms, nil
}

// Bookkeeping tables, created before any migration runs. On PostgreSQL the
// one-row schema_migrations_lock table is what concurrent starters queue on
// (SELECT ... FOR UPDATE); advisory locks would be simpler but CockroachDB
// lacks them and YugabyteDB hides them behind a flag. SQLite needs no lock
// row: every transaction begins IMMEDIATE and so already excludes others.
const (
	bootstrapSQLite = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	checksum   TEXT    NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`
	bootstrapPostgres = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	name       TEXT   NOT NULL,
	checksum   TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_migrations_lock (
	id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1)
);
INSERT INTO schema_migrations_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING`

	lockMigrations     = "SELECT id FROM schema_migrations_lock WHERE id = 1 FOR UPDATE"
	selectMigrations   = "SELECT version, name, checksum FROM schema_migrations"
	selectMigration    = "SELECT checksum FROM schema_migrations WHERE version = $1"
	insertMigration    = "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)"
	bootstrapAttempts  = 10
	bootstrapRetryWait = 20 * time.Millisecond
)

// migrate brings the schema up to date. Starting instances race here, so
// each pending migration is applied in its own transaction that first takes
// the lock and then re-checks whether another instance applied it meanwhile.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	if err := s.bootstrap(ctx); err != nil {
		return err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	known := make(map[int64]bool, len(ms))
	for _, m := range ms {
		known[m.version] = true
		if sum, ok := applied[m.version]; ok {
			if err := checkSum(m, sum); err != nil {
				return err
			}
			continue
		}
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.apply(ctx, tx, m) }); err != nil {
			return err
		}
	}
	for v := range applied {
		if !known[v] {
			// A newer binary has migrated this database. Refusing to start
			// would break rolling upgrades, and forward-only migrations are
			// meant to keep older code working.
			s.log.WarnContext(ctx, "database has a migration this binary does not know", "version", v)
		}
	}
	return nil
}

// bootstrap creates the bookkeeping tables. Two PostgreSQL sessions running
// CREATE TABLE IF NOT EXISTS at the same moment can both miss the table, and
// the loser then fails on a catalog unique index (23505), with
// duplicate_table (42P07) or with duplicate_object (42710, the table's row
// type); by then the table exists, so trying again succeeds.
func (s *Store) bootstrap(ctx context.Context) error {
	q := bootstrapSQLite
	if s.dialect == dialectPostgres {
		q = bootstrapPostgres
	}
	var err error
	for range bootstrapAttempts {
		if _, err = s.db.ExecContext(ctx, q); err == nil {
			return nil
		}
		if !retryable(err) && !bootstrapRace(err) {
			break
		}
		if serr := sleep(ctx, bootstrapRetryWait); serr != nil {
			err = serr
			break
		}
	}
	return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
}

func bootstrapRace(err error) bool {
	pe, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")
}

func (s *Store) appliedMigrations(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, selectMigrations)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]string)
	for rows.Next() {
		var (
			v         int64
			name, sum string
		)
		if err := rows.Scan(&v, &name, &sum); err != nil {
			return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
		}
		applied[v] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	return applied, nil
}

func (s *Store) apply(ctx context.Context, tx *sql.Tx, m migration) error {
	if s.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, lockMigrations); err != nil {
			return fmt.Errorf("sqlstore: lock schema_migrations_lock: %w", err)
		}
	}
	var sum string
	switch err := tx.QueryRowContext(ctx, selectMigration, m.version).Scan(&sum); {
	case err == nil:
		return checkSum(m, sum) // another instance got there first
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	// Without arguments both drivers run the whole file, all its
	// statements, inside this transaction.
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("sqlstore: apply migration %s: %w", m.file, err)
	}
	if _, err := tx.ExecContext(ctx, insertMigration, m.version, m.name, m.checksum, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: record migration %s: %w", m.file, err)
	}
	s.log.InfoContext(ctx, "applied migration", "version", m.version, "name", m.name)
	return nil
}

func checkSum(m migration, applied string) error {
	if applied != m.checksum {
		return fmt.Errorf("sqlstore: migration %s was changed after it was applied (checksum %s in schema_migrations, %s in the file); migrations are forward-only: add a new one instead",
			m.file, applied, m.checksum)
	}
	return nil
}
