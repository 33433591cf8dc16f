// Package pgtest gives tests a throwaway PostgreSQL database or schema on
// the server named by COGNATE_TEST_POSTGRES_DSN (.ci/postgres.sh starts
// one). It is imported only by tests: the storage suites of sqlstore and
// the wire tests of internal/server share it.
package pgtest
