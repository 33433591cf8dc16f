package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvDSN names the variable holding a superuser URL of a server the tests
// may create databases on.
const EnvDSN = "COGNATE_TEST_POSTGRES_DSN"

var notice sync.Once

// AdminDSN returns the superuser URL, or skips the test when none is set;
// with CI=true it fails instead, since a CI run that silently skips the
// PostgreSQL half tests nothing about it. The first skip prints a note on
// stderr so that a local `go test ./...` says what it left out.
func AdminDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(EnvDSN + " is not set and CI=true: the PostgreSQL tests must run in CI (source .ci/postgres.sh first)")
		}
		const msg = EnvDSN + ` is not set: the PostgreSQL tests were skipped. To run them: eval "$(bash .ci/postgres.sh start)"; go test ./...; bash .ci/postgres.sh stop`
		notice.Do(func() { fmt.Fprintln(os.Stderr, "NOTE: "+msg) })
		tb.Skip(msg)
	}
	return dsn
}

// NewName is a database name no other test run uses.
func NewName(prefix string) string {
	return prefix + strings.ToLower(rand.Text())
}

// CreateDatabase creates the database name on the admin server and returns
// its URL. Its default collation is made linguistic where the server can
// (ICU), so that a schema relying on the database's collation for
// byte-order pagination fails here instead of on a user's server.
func CreateDatabase(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvDSN)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", fmt.Errorf("open admin connection: %w", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"); err != nil {
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropDatabase drops the database name, cutting off its connections.
func DropDatabase(admin, name string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return fmt.Errorf("open admin connection to drop %s: %w", name, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Database creates an empty database for one test and returns its URL; it
// is dropped at cleanup (after the test's stores are closed, as cleanups
// run last-registered first).
func Database(t testing.TB) string {
	t.Helper()
	admin := AdminDSN(t)
	name := NewName("cognate_test_")
	dsn, err := CreateDatabase(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := DropDatabase(admin, name); err != nil {
			t.Error(err)
		}
	})
	return dsn
}

// Schema creates an empty schema in the database at dsn and returns a URL
// whose connections work in it (search_path): as isolated as a database of
// its own, since the store names its tables unqualified, at a fraction of
// the cost of CREATE DATABASE. The schema goes with the database.
func Schema(t testing.TB, dsn, name string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
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
