package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cognate/cognate/internal/store"
)

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(dest ...any) error }

func scanPool(r rowScanner) (store.UserPool, error) {
	var (
		p                store.UserPool
		created, updated int64
	)
	if err := r.Scan(&p.ID, &p.Name, &created, &updated, &p.Settings); err != nil {
		return store.UserPool{}, err
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, nil
}

// CreateUserPool inserts a pool; store.ErrAlreadyExists if the id is taken.
func (s *Store) CreateUserPool(ctx context.Context, p store.UserPool) error {
	err := s.exec(ctx, insertPool,
		p.ID, p.Name, toMillis(p.CreatedAt), toMillis(p.UpdatedAt), string(p.Settings))
	if err != nil {
		return fail(err, "create user pool %q", p.ID)
	}
	return nil
}

// GetUserPool returns a pool or store.ErrNotFound.
func (s *Store) GetUserPool(ctx context.Context, id string) (store.UserPool, error) {
	p, err := scanPool(s.queryRow(ctx, selectPool, id))
	if err != nil {
		return store.UserPool{}, fail(err, "get user pool %q", id)
	}
	return p, nil
}

// UpdateUserPool reads the pool, applies fn and writes the result back in
// one transaction, rerunning all three if the transaction has to be
// retried. An fn that changes the id is rejected with an error and nothing
// is written: the id is the key, and an updater that moves it is a bug.
func (s *Store) UpdateUserPool(ctx context.Context, id string, fn func(store.UserPool) (store.UserPool, error)) (store.UserPool, error) {
	var out store.UserPool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanPool(tx.QueryRowContext(ctx, s.q.selectPoolForUpdate, id))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		if next.ID != id {
			return &updaterError{fmt.Errorf("sqlstore: update user pool %q: updater changed the id to %q", id, next.ID)}
		}
		res, err := tx.ExecContext(ctx, updatePool,
			id, next.Name, toMillis(next.CreatedAt), toMillis(next.UpdatedAt), string(next.Settings))
		if err := oneRow(res, err); err != nil {
			return err
		}
		next.CreatedAt, next.UpdatedAt = truncate(next.CreatedAt), truncate(next.UpdatedAt)
		out = next
		return nil
	})
	if err != nil {
		return store.UserPool{}, fail(err, "update user pool %q", id)
	}
	return out, nil
}

// DeleteUserPool removes the pool and, by cascade, its clients.
func (s *Store) DeleteUserPool(ctx context.Context, id string) error {
	if err := s.exec(ctx, deletePool, id); err != nil {
		return fail(err, "delete user pool %q", id)
	}
	return nil
}

// ListUserPools returns up to limit pools with ids after after, by id.
func (s *Store) ListUserPools(ctx context.Context, limit int, after string) ([]store.UserPool, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlstore: list user pools: limit %d is not positive", limit)
	}
	rows, err := s.db.QueryContext(ctx, listPools, after, limit)
	if err != nil {
		return nil, fail(err, "list user pools")
	}
	defer rows.Close()
	out := make([]store.UserPool, 0, min(limit, 64))
	for rows.Next() {
		p, err := scanPool(rows)
		if err != nil {
			return nil, fail(err, "list user pools")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list user pools")
	}
	return out, nil
}

// exec runs one write statement in its own implicit transaction, retried
// like inTx, and reports sql.ErrNoRows if it touched no row: every write
// here addresses exactly one row.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	return s.retry(ctx, func() error {
		return oneRow(s.db.ExecContext(ctx, query, args...))
	})
}

// oneRow turns a write that matched no row into sql.ErrNoRows.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
