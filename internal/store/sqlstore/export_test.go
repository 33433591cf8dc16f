package sqlstore

import (
	"database/sql"
	"testing"

	"github.com/cognate/cognate/internal/store"
)

// Hooks for the external tests that look at query plans.

func (s *Store) DB() *sql.DB { return s.db }

// PlanListUsers returns the statement and arguments ListUsers would run for
// q, or ok false when it would run none.
func PlanListUsers(poolID string, q store.UserQuery) (query string, args []any, ok bool, err error) {
	p, err := planListUsers(poolID, q)
	return p.sql, p.args, !p.empty, err
}

// ClaimMessagesSQL is ClaimMessages' statement; its arguments are now, the
// lease end and the limit.
const ClaimMessagesSQL = claimMessages

// EncodeCursorForTest makes the cursor ListUsers would hand out after a
// row with this value and key.
func EncodeCursorForTest(q store.UserQuery, value, key string) string {
	return encodeCursor(q, value, key)
}

const UserColsForTest = userCols

// PostgresMigrations is the number of embedded PostgreSQL migrations.
func PostgresMigrations(t *testing.T) int {
	ms, err := loadMigrations(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}
