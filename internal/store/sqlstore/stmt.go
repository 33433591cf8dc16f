package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds the statement cache; the store's SQL has a few dozen
// shapes (the variable ones differ only by how many rows they write).
const maxStmts = 512

// stmts caches prepared statements by SQL text. Parsing a statement cost
// SQLite more than executing it on the hot path (a user read and update),
// so each shape is prepared once per store; database/sql keeps one prepared
// copy per connection behind each *sql.Stmt.
type stmts struct {
	m  sync.Map // string → *sql.Stmt
	n  int
	mu sync.Mutex
}

// stmt returns the prepared statement for q, or nil when it is not
// prepared (the caller then runs q directly, which reports any error).
// Inside a transaction it only looks: preparing takes a connection from the
// pool, and a transaction that waits for one while holding its own can
// deadlock the pool. Statements used in transactions are prepared when the
// store opens (prepareTxStatements).
func (s *Store) stmt(ctx context.Context, q string, inTx bool) *sql.Stmt {
	if st, ok := s.cache.m.Load(q); ok {
		return st.(*sql.Stmt)
	}
	if inTx {
		return nil
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if st, ok := s.cache.m.Load(q); ok {
		return st.(*sql.Stmt)
	}
	if s.cache.n >= maxStmts {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	s.cache.m.Store(q, st)
	s.cache.n++
	return st
}

// queryRow runs a single-row query with a prepared statement.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q, false); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, q, args...)
}

// txQueryRow, txQuery and txExec run a statement inside tx, prepared.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q, true); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q, true); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, q, true); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// closeStmts releases the prepared statements.
func (s *Store) closeStmts() {
	s.cache.m.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
}

// prepareTxStatements prepares the fixed statements of the user
// transactions, the hot path, before any transaction runs.
func (s *Store) prepareTxStatements(ctx context.Context) {
	for _, q := range []string{s.q.selectUserForUpdate, insertUser, userTaken} {
		s.stmt(ctx, q, false)
	}
}
