package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/sqlstore"
	"github.com/cognate/cognate/internal/store/storetest"
)

// postgresAdminDSN is a superuser URL on a server the tests may create
// databases on; .ci/postgres.sh starts one and prints it.
func postgresAdminDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("COGNATE_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			// A CI run that silently skips the PostgreSQL backend tests
			// nothing about it.
			t.Fatal("COGNATE_TEST_POSTGRES_DSN is not set and CI=true: the PostgreSQL tests must run in CI (source .ci/postgres.sh first)")
		}
		t.Skip("COGNATE_TEST_POSTGRES_DSN is not set: skipping PostgreSQL tests. To run them: eval \"$(.ci/postgres.sh start)\"; go test ./internal/store/...; .ci/postgres.sh stop")
	}
	return dsn
}

// freshPostgresDatabase creates an empty database for one test, so tests
// run in parallel and leave nothing behind, and returns its URL. The
// database is dropped at cleanup (after the test's stores are closed, as
// cleanups run last-registered first).
func freshPostgresDatabase(t *testing.T) string {
	t.Helper()
	admin := postgresAdminDSN(t)
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("COGNATE_TEST_POSTGRES_DSN must be a postgres:// URL (got a value that does not parse as one: %v)", err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer db.Close()

	name := "cognate_test_" + strings.ToLower(rand.Text())
	// The default collation is made linguistic where the server can (ICU),
	// so that a schema relying on the database's collation for byte-order
	// pagination fails here instead of on a user's server.
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"); err != nil {
		t.Logf("CREATE DATABASE with an ICU collation failed (%v); using the server default", err)
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatalf("create database %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("open admin connection to drop %s: %v", name, err)
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

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
	dsn := freshPostgresDatabase(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		return openPostgres(t, freshPostgresSchema(t, dsn, fmt.Sprintf("conformance_%d", n.Add(1))))
	})
}

// freshPostgresSchema creates an empty schema in the database at dsn and
// returns a URL whose connections work in it (search_path). The schema goes
// with the database.
func freshPostgresSchema(t *testing.T, dsn, name string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Instances of a scaled-out deployment start at the same moment against one
// database; all must come up, and the migrations must run exactly once.
func TestPostgresConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := freshPostgresDatabase(t)
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
	dsn := freshPostgresDatabase(t)
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
