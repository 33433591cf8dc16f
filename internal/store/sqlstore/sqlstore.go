package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/cognate/cognate/internal/store"
)

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Logger receives migration and retry events; nil discards them.
	Logger *slog.Logger
	// SQLiteSync is SQLite's PRAGMA synchronous. The zero value, SyncNormal,
	// survives a process crash but may lose the last commits on power loss
	// or an OS crash; SyncFull syncs the WAL at every commit. PostgreSQL
	// ignores it: its durability is the server's fsync and
	// synchronous_commit.
	SQLiteSync SQLiteSync
}

// SQLiteSync is a value of SQLite's PRAGMA synchronous.
type SQLiteSync int

const (
	// SyncNormal (synchronous=NORMAL): in WAL mode a commit is written to
	// the WAL without an fsync, which happens at checkpoints. A process
	// crash loses nothing; a power loss or OS crash may roll back the most
	// recent commits (never corrupting the database).
	SyncNormal SQLiteSync = iota
	// SyncFull (synchronous=FULL): every commit fsyncs the WAL before it
	// returns, so a commit that returned survives power loss.
	SyncFull
)

// ParseSQLiteSync reads "normal" or "full" (as --sqlite-sync takes them).
func ParseSQLiteSync(s string) (SQLiteSync, error) {
	switch s {
	case "normal":
		return SyncNormal, nil
	case "full":
		return SyncFull, nil
	}
	return 0, fmt.Errorf("sqlstore: SQLite synchronous %q: want normal or full", s)
}

// String returns the name ParseSQLiteSync reads.
func (y SQLiteSync) String() string {
	switch y {
	case SyncNormal:
		return "normal"
	case SyncFull:
		return "full"
	}
	return fmt.Sprintf("SQLiteSync(%d)", int(y))
}

func (y SQLiteSync) pragma() (string, error) {
	switch y {
	case SyncNormal:
		return "NORMAL", nil
	case SyncFull:
		return "FULL", nil
	}
	return "", fmt.Errorf("sqlstore: unknown %v", y)
}

type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// sqlitePragmas are applied by the driver to every new connection, with
// synchronous (NORMAL or FULL, Options.SQLiteSync) in the middle.
// _txlock=immediate makes BEGIN take the write lock up front: a deferred
// transaction that later upgrades from read to write cannot wait on
// busy_timeout and fails with SQLITE_BUSY under concurrent writers.
func sqlitePragmas(synchronous string) string {
	return "_pragma=journal_mode(WAL)&_pragma=synchronous(" + synchronous + ")" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// Connection pool sizes. SQLite serialises writers anyway (WAL still lets
// readers run beside the writer), so a few connections are enough and each
// one costs a page cache. PostgreSQL gets a bounded pool so that several
// instances cannot exhaust max_connections, and keeps its idle connections
// (database/sql keeps only 2 by default, which makes a busy server reconnect
// constantly).
const (
	sqliteMaxConns   = 4
	postgresMaxConns = 16
)

// Store implements store.Store on SQLite or PostgreSQL.
type Store struct {
	db      *sql.DB
	dialect dialect
	log     *slog.Logger
	q       queries
	cache   stmts
	// writer serialises this process's SQLite transactions (see txOnce).
	writer sync.Mutex
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn and applies pending
// migrations before returning. A dsn starting with postgres:// or
// postgresql:// is a PostgreSQL connection URL; anything else is the path of
// a SQLite database file, created if missing.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var (
		db  *sql.DB
		d   dialect
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		d = dialectPostgres
		db, err = openPostgres(dsn)
	} else {
		d = dialectSQLite
		db, err = openSQLite(dsn, opts.SQLiteSync)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: d, log: log.With("dialect", d.String()), q: newQueries(d)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.prepareTxStatements(ctx)
	return s, nil
}

func openPostgres(dsn string) (*sql.DB, error) {
	// Parsing here rather than in sql.Open rejects a malformed URL at
	// startup instead of at the first query. The DSN may hold a password,
	// so it never goes into an error message.
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: parse PostgreSQL DSN: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	return db, nil
}

func openSQLite(path string, mode SQLiteSync) (*sql.DB, error) {
	synchronous, err := mode.pragma()
	if err != nil {
		return nil, err
	}
	switch {
	case path == "":
		return nil, errors.New("sqlstore: empty database path")
	case path == ":memory:" || strings.HasPrefix(path, "file::memory:"):
		// An in-memory database belongs to one connection; with a pool,
		// each connection would see a different, empty database.
		return nil, errors.New("sqlstore: in-memory SQLite is not supported (each pooled connection would get its own database); use a temporary file")
	}
	// The driver hands "file:" DSNs to SQLite as URIs, where '?' and '#'
	// end the path and '%' escapes: escape them so any path works.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+esc+"?"+sqlitePragmas(synchronous))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open SQLite database %q: %w", path, err)
	}
	db.SetMaxOpenConns(sqliteMaxConns)
	db.SetMaxIdleConns(sqliteMaxConns)
	return db, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	s.closeStmts()
	return s.db.Close()
}
