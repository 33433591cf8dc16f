package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cognate/cognate/internal/store"
)

const (
	resourceServerCols = "pool_id, identifier, name, scopes, created_ms, updated_ms"

	// One statement checks the pool and the quota and inserts ($7 <= 0: no
	// limit); an identifier the pool has passes the quota check and hits
	// the primary key.
	insertResourceServer = "INSERT INTO resource_servers (" + resourceServerCols + ") SELECT $1, $2, $3, $4, $5, $6 " +
		"WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = $1) AND ($7 <= 0 " +
		"OR (SELECT count(*) FROM resource_servers WHERE pool_id = $1) < $7 " +
		"OR EXISTS (SELECT 1 FROM resource_servers WHERE pool_id = $1 AND identifier = $2))"
	selectResourceServer = "SELECT " + resourceServerCols + " FROM resource_servers WHERE pool_id = $1 AND identifier = $2"
	updateResourceServer = "UPDATE resource_servers SET name = $3, scopes = $4, created_ms = $5, updated_ms = $6 " +
		"WHERE pool_id = $1 AND identifier = $2"
	deleteResourceServer = "DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2"
	listResourceServers  = "SELECT " + resourceServerCols + " FROM resource_servers WHERE pool_id = $1 AND identifier > $2 " +
		"ORDER BY identifier LIMIT $3"
)

func scanResourceServer(r rowScanner) (store.ResourceServer, error) {
	var (
		rs               store.ResourceServer
		scopes           string
		created, updated int64
	)
	if err := r.Scan(&rs.PoolID, &rs.Identifier, &rs.Name, &scopes, &created, &updated); err != nil {
		return store.ResourceServer{}, err
	}
	rs.Scopes = []byte(scopes)
	rs.CreatedAt, rs.UpdatedAt = fromMillis(created), fromMillis(updated)
	return rs, nil
}

// CreateResourceServer inserts a resource server (see store.ResourceServerStore).
func (s *Store) CreateResourceServer(ctx context.Context, r store.ResourceServer, max int) error {
	args := []any{r.PoolID, r.Identifier, r.Name, string(r.Scopes), toMillis(r.CreatedAt), toMillis(r.UpdatedAt)}
	if err := checkText(args); err != nil {
		return fmt.Errorf("sqlstore: create resource server in user pool %q: %w", r.PoolID, err)
	}
	// The pool's row is locked first on PostgreSQL, so that parallel
	// creates count one after the other (SQLite's write lock does this).
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == dialectPostgres {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM user_pools WHERE id = $1 FOR UPDATE", r.PoolID).Scan(&one); err != nil {
				return err
			}
		}
		return oneRow(tx.ExecContext(ctx, insertResourceServer, append(args, max)...))
	})
	if errors.Is(err, sql.ErrNoRows) {
		if _, perr := s.GetUserPool(ctx, r.PoolID); errors.Is(perr, store.ErrNotFound) {
			return fmt.Errorf("sqlstore: create resource server: user pool %q: %w", r.PoolID, store.ErrNotFound)
		}
		return fmt.Errorf("sqlstore: create resource server in user pool %q: %d resource servers: %w", r.PoolID, max, store.ErrLimitExceeded)
	}
	if err != nil {
		return fail(err, "create resource server in user pool %q", r.PoolID)
	}
	return nil
}

// GetResourceServer returns a resource server, or store.ErrNotFound.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (store.ResourceServer, error) {
	if !storable(identifier) {
		return store.ResourceServer{}, fmt.Errorf("sqlstore: get resource server of user pool %q: %w", poolID, store.ErrNotFound)
	}
	rs, err := scanResourceServer(s.queryRow(ctx, selectResourceServer, poolID, identifier))
	if err != nil {
		return store.ResourceServer{}, fail(err, "get resource server of user pool %q", poolID)
	}
	return rs, nil
}

// UpdateResourceServer applies fn to a resource server in one transaction.
func (s *Store) UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(store.ResourceServer) (store.ResourceServer, error)) (store.ResourceServer, error) {
	if !storable(identifier) {
		return store.ResourceServer{}, fmt.Errorf("sqlstore: update resource server of user pool %q: %w", poolID, store.ErrNotFound)
	}
	sel := selectResourceServer
	if s.dialect == dialectPostgres {
		sel += " FOR UPDATE"
	}
	var out store.ResourceServer
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanResourceServer(tx.QueryRowContext(ctx, sel, poolID, identifier))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		if next.PoolID != poolID || next.Identifier != identifier {
			return &updaterError{fmt.Errorf("sqlstore: update resource server %q: the updater changed its pool or identifier", identifier)}
		}
		args := []any{poolID, identifier, next.Name, string(next.Scopes), toMillis(next.CreatedAt), toMillis(next.UpdatedAt)}
		if err := checkText(args); err != nil {
			return &updaterError{err}
		}
		if err := oneRow(tx.ExecContext(ctx, updateResourceServer, args...)); err != nil {
			return err
		}
		next.CreatedAt, next.UpdatedAt = truncate(next.CreatedAt), truncate(next.UpdatedAt)
		out = next
		return nil
	})
	if err != nil {
		return store.ResourceServer{}, fail(err, "update resource server of user pool %q", poolID)
	}
	return out, nil
}

// DeleteResourceServer removes a resource server; store.ErrNotFound if absent.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if !storable(identifier) {
		return fmt.Errorf("sqlstore: delete resource server of user pool %q: %w", poolID, store.ErrNotFound)
	}
	if err := s.exec(ctx, deleteResourceServer, poolID, identifier); err != nil {
		return fail(err, "delete resource server of user pool %q", poolID)
	}
	return nil
}

// ListResourceServers returns a page of a pool's resource servers.
func (s *Store) ListResourceServers(ctx context.Context, poolID string, limit int, after string) ([]store.ResourceServer, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlstore: list resource servers: limit %d is not positive", limit)
	}
	if !storable(after) {
		return nil, nil
	}
	rows, err := s.queryRows(ctx, listResourceServers, poolID, after, limit)
	if err != nil {
		return nil, fail(err, "list resource servers of user pool %q", poolID)
	}
	defer rows.Close()
	var out []store.ResourceServer
	for rows.Next() {
		rs, err := scanResourceServer(rows)
		if err != nil {
			return nil, fail(err, "list resource servers of user pool %q", poolID)
		}
		out = append(out, rs)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list resource servers of user pool %q", poolID)
	}
	return out, nil
}
