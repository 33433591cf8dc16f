package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/store/storetest"
)

func openSQLite(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), path, sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		return openSQLite(t, filepath.Join(t.TempDir(), "cognate.db"))
	})
}

// rawSQLite opens the file behind the store's back, to inspect or tamper
// with the bookkeeping the store keeps.
func rawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type appliedMigration struct {
	version   int64
	name      string
	checksum  string
	appliedAt int64
}

func appliedMigrations(t *testing.T, db *sql.DB) []appliedMigration {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	var out []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.version, &m.name, &m.checksum, &m.appliedAt); err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return out
}

func TestSQLiteReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cognate.db")
	ctx := t.Context()

	s := openSQLite(t, path)
	p := store.UserPool{ID: "us-east-1_reopen123", Name: "kept", CreatedAt: time.UnixMilli(1700000000123).UTC(),
		UpdatedAt: time.UnixMilli(1700000000456).UTC(), Settings: []byte(`{"kept":true}`)}
	if err := s.CreateUserPool(ctx, p); err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	if err := s.CreateAppClient(ctx, store.AppClient{PoolID: p.ID, ID: "keptclient", Settings: []byte(`{}`)}); err != nil {
		t.Fatalf("CreateAppClient: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	before := appliedMigrations(t, rawSQLite(t, path))
	if len(before) == 0 || before[0].version != 1 || before[0].name != "init" {
		t.Fatalf("schema_migrations after the first Open: %+v, want version 1 \"init\" first", before)
	}

	s = openSQLite(t, path)
	got, err := s.GetUserPool(ctx, p.ID)
	if err != nil {
		t.Fatalf("GetUserPool after reopening: %v", err)
	}
	if got.Name != p.Name || string(got.Settings) != string(p.Settings) || !got.UpdatedAt.Equal(p.UpdatedAt) {
		t.Errorf("pool after reopening: %+v, want %+v", got, p)
	}
	if _, err := s.LookupAppClient(ctx, "keptclient"); err != nil {
		t.Errorf("LookupAppClient after reopening: %v", err)
	}
	after := appliedMigrations(t, rawSQLite(t, path))
	if len(after) != len(before) {
		t.Fatalf("schema_migrations after reopening: %+v, want %+v", after, before)
	}
	for i := range before {
		if after[i] != before[i] {
			t.Errorf("migration %d re-applied on reopen: %+v, was %+v", before[i].version, after[i], before[i])
		}
	}
}

func TestSQLiteChecksumMismatch(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cognate.db")
	if err := openSQLite(t, path).Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := rawSQLite(t, path).ExecContext(t.Context(), "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1"); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	s, err := sqlstore.Open(t.Context(), path, sqlstore.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a database whose applied migration has another checksum")
	}
	if !strings.Contains(err.Error(), "migrations/sqlite/0001_init.sql") {
		t.Errorf("Open error %q does not name the migration file", err)
	}
}

func TestSQLiteBadPaths(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")} {
		s, err := sqlstore.Open(t.Context(), path, sqlstore.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// A path with characters that mean something in a SQLite URI must still
// name that file.
func TestSQLiteOddPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	s := openSQLite(t, path)
	if err := s.CreateUserPool(t.Context(), store.UserPool{ID: "us-east-1_oddpath12", Settings: []byte(`{}`)}); err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	if n := len(appliedMigrations(t, rawSQLite(t, "file:"+strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)))); n == 0 {
		t.Errorf("no migrations recorded in %q: the store wrote somewhere else", path)
	}
}

func TestSQLiteContextCancelled(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, filepath.Join(t.TempDir(), "cognate.db"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.UpdateUserPool(ctx, "us-east-1_whatever1", func(p store.UserPool) (store.UserPool, error) { return p, nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateUserPool with a cancelled context: got %v, want context.Canceled", err)
	}
}

// Options.SQLiteSync sets PRAGMA synchronous on every pooled connection of
// a real file: 1 (NORMAL) by default, 2 (FULL) when asked, with WAL either
// way.
func TestSQLiteSynchronous(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opt  sqlstore.SQLiteSync
		want int
	}{{sqlstore.SyncNormal, 1}, {sqlstore.SyncFull, 2}} {
		t.Run(tc.opt.String(), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "cognate.db")
			s, err := sqlstore.Open(t.Context(), path, sqlstore.Options{SQLiteSync: tc.opt})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			// Hold several connections at once, so that the check covers
			// more than the one the migrations used.
			var conns []*sql.Conn
			for range 3 {
				c, err := s.DB().Conn(t.Context())
				if err != nil {
					t.Fatalf("Conn: %v", err)
				}
				conns = append(conns, c)
			}
			for i, c := range conns {
				var got int
				var journal string
				if err := c.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&got); err != nil {
					t.Fatalf("PRAGMA synchronous: %v", err)
				}
				if err := c.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&journal); err != nil {
					t.Fatalf("PRAGMA journal_mode: %v", err)
				}
				if got != tc.want || journal != "wal" {
					t.Errorf("connection %d: synchronous=%d journal_mode=%s, want synchronous=%d journal_mode=wal", i, got, journal, tc.want)
				}
				c.Close()
			}
		})
	}
}

func TestParseSQLiteSync(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]sqlstore.SQLiteSync{"normal": sqlstore.SyncNormal, "full": sqlstore.SyncFull} {
		got, err := sqlstore.ParseSQLiteSync(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseSQLiteSync(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "FULL", "off", "extra", "2"} {
		if _, err := sqlstore.ParseSQLiteSync(in); err == nil {
			t.Errorf("ParseSQLiteSync(%q) accepted", in)
		}
	}
	if _, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), sqlstore.Options{SQLiteSync: 7}); err == nil {
		t.Error("Open accepted an unknown SQLiteSync")
	}
}
