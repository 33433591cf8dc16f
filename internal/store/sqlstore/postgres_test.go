package sqlstore_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/store/storetest"
)

func openPostgres(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	// One database for the run (dropped at its end), and a schema per
	// subtest: as isolated as a database each, since every statement names
	// its tables unqualified, but a CREATE SCHEMA costs a fraction of a
	// CREATE DATABASE, which dominated the suite's time.
	dsn := pgtest.Database(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		return openPostgres(t, pgtest.Schema(t, dsn, fmt.Sprintf("conformance_%d", n.Add(1))))
	})
}

// Instances of a scaled-out deployment start at the same moment against one
// database; all must come up, and the migrations must run exactly once.
func TestPostgresConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Database(t)
	const instances = 8
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, instances)
	)
	for range instances {
		wg.Go(func() {
			<-start
			s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{})
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Ping(t.Context())
			s.Close()
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	var n, v, last int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*), min(version), max(version) FROM schema_migrations").Scan(&n, &v, &last); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if want := sqlstore.PostgresMigrations(t); n != want || v != 1 || last != want {
		t.Errorf("schema_migrations has %d rows, versions %d to %d; want each of 1 to %d exactly once", n, v, last, want)
	}
	// And the schema is usable by a store opened afterwards.
	s := openPostgres(t, dsn)
	if err := s.CreateUserPool(t.Context(), store.UserPool{ID: "us-east-1_afteropen", Settings: []byte(`{}`)}); err != nil {
		t.Errorf("CreateUserPool after concurrent Opens: %v", err)
	}
}

func TestPostgresReopenAndChecksumMismatch(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Database(t)
	if err := openPostgres(t, dsn).Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	var appliedAt int64
	if err := db.QueryRowContext(t.Context(), "SELECT max(applied_at) FROM schema_migrations").Scan(&appliedAt); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}

	if err := openPostgres(t, dsn).Close(); err != nil {
		t.Fatalf("Close after reopening: %v", err)
	}
	var n int
	var again int64
	if err := db.QueryRowContext(t.Context(), "SELECT count(*), max(applied_at) FROM schema_migrations").Scan(&n, &again); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if want := sqlstore.PostgresMigrations(t); n != want || again != appliedAt {
		t.Errorf("after reopening: %d migrations, last applied_at %d; want %d, %d (not re-run)", n, again, want, appliedAt)
	}

	if _, err := db.ExecContext(t.Context(), "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1"); err != nil {
		t.Fatalf("tamper: %v", err)
	}
	s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a database whose applied migration has another checksum")
	}
	if !strings.Contains(err.Error(), "migrations/postgres/0001_init.sql") {
		t.Errorf("Open error %q does not name the migration file", err)
	}
}

func TestPostgresBadDSN(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://postgres@127.0.0.1:notaport/x",
		// Nothing listens on port 1; Open must fail, not hang or panic.
		"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=5",
	} {
		s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", dsn)
		}
	}
}
