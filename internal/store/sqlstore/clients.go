package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cognate/cognate/internal/store"
)

func scanClient(r rowScanner) (store.AppClient, error) {
	var (
		c                store.AppClient
		created, updated int64
	)
	if err := r.Scan(&c.PoolID, &c.ID, &c.Name, &created, &updated, &c.Settings); err != nil {
		return store.AppClient{}, err
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}

// CreateAppClient inserts a client: store.ErrNotFound if its pool does not
// exist, store.ErrAlreadyExists if the client id is taken in any pool.
func (s *Store) CreateAppClient(ctx context.Context, c store.AppClient) error {
	err := s.exec(ctx, insertClient,
		c.PoolID, c.ID, c.Name, toMillis(c.CreatedAt), toMillis(c.UpdatedAt), string(c.Settings))
	if err != nil {
		// No row inserted (sql.ErrNoRows) means the pool was missing.
		return fail(err, "create app client %q in user pool %q", c.ID, c.PoolID)
	}
	return nil
}

// GetAppClient returns a client of the pool or store.ErrNotFound.
func (s *Store) GetAppClient(ctx context.Context, poolID, clientID string) (store.AppClient, error) {
	c, err := scanClient(s.queryRow(ctx, selectClient, poolID, clientID))
	if err != nil {
		return store.AppClient{}, fail(err, "get app client %q of user pool %q", clientID, poolID)
	}
	return c, nil
}

// UpdateAppClient reads the client, applies fn and writes the result back
// in one transaction, rerunning all three if the transaction has to be
// retried. An fn that changes the client id or the pool id is rejected with
// an error and nothing is written.
func (s *Store) UpdateAppClient(ctx context.Context, poolID, clientID string, fn func(store.AppClient) (store.AppClient, error)) (store.AppClient, error) {
	var out store.AppClient
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanClient(tx.QueryRowContext(ctx, s.q.selectClientForUpdate, poolID, clientID))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		if next.PoolID != poolID || next.ID != clientID {
			return &updaterError{fmt.Errorf("sqlstore: update app client %q of user pool %q: updater changed the key to client %q of pool %q",
				clientID, poolID, next.ID, next.PoolID)}
		}
		res, err := tx.ExecContext(ctx, updateClient,
			poolID, clientID, next.Name, toMillis(next.CreatedAt), toMillis(next.UpdatedAt), string(next.Settings))
		if err := oneRow(res, err); err != nil {
			return err
		}
		next.CreatedAt, next.UpdatedAt = truncate(next.CreatedAt), truncate(next.UpdatedAt)
		out = next
		return nil
	})
	if err != nil {
		return store.AppClient{}, fail(err, "update app client %q of user pool %q", clientID, poolID)
	}
	return out, nil
}

// DeleteAppClient removes a client of the pool or returns store.ErrNotFound.
func (s *Store) DeleteAppClient(ctx context.Context, poolID, clientID string) error {
	if err := s.exec(ctx, deleteClient, poolID, clientID); err != nil {
		return fail(err, "delete app client %q of user pool %q", clientID, poolID)
	}
	return nil
}

// ListAppClients returns up to limit clients of the pool with ids after
// after, by id. A pool that does not exist simply has no clients: telling
// the two apart would cost a query on every empty page, and the caller has
// usually just read the pool anyway.
func (s *Store) ListAppClients(ctx context.Context, poolID string, limit int, after string) ([]store.AppClient, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlstore: list app clients of user pool %q: limit %d is not positive", poolID, limit)
	}
	rows, err := s.db.QueryContext(ctx, listClients, poolID, after, limit)
	if err != nil {
		return nil, fail(err, "list app clients of user pool %q", poolID)
	}
	defer rows.Close()
	out := make([]store.AppClient, 0, min(limit, 64))
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fail(err, "list app clients of user pool %q", poolID)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list app clients of user pool %q", poolID)
	}
	return out, nil
}

// LookupAppClient finds a client by id alone, whatever its pool.
func (s *Store) LookupAppClient(ctx context.Context, clientID string) (store.AppClient, error) {
	c, err := scanClient(s.queryRow(ctx, lookupClient, clientID))
	if err != nil {
		return store.AppClient{}, fail(err, "look up app client %q", clientID)
	}
	return c, nil
}
