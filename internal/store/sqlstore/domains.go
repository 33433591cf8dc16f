package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cognate/cognate/internal/store"
)

const (
	domainCols = "name, pool_id, kind, settings, created_ms, updated_ms"

	// One statement checks that the pool exists and has no domain of the
	// kind; pool_domains_kind catches the race of two such inserts.
	insertDomain = "INSERT INTO pool_domains (" + domainCols + ") SELECT $1, $2, $3, $4, $5, $6 " +
		"WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = $2) " +
		"AND NOT EXISTS (SELECT 1 FROM pool_domains WHERE pool_id = $2 AND kind = $3)"
	selectDomain      = "SELECT " + domainCols + " FROM pool_domains WHERE name = $1"
	selectPoolDomains = "SELECT " + domainCols + " FROM pool_domains WHERE pool_id = $1 ORDER BY kind DESC"
	updateDomain      = "UPDATE pool_domains SET settings = $2, created_ms = $3, updated_ms = $4 WHERE name = $1"
	deleteDomain      = "DELETE FROM pool_domains WHERE name = $1"
	domainKindTaken   = "SELECT EXISTS (SELECT 1 FROM user_pools WHERE id = $1), " +
		"EXISTS (SELECT 1 FROM pool_domains WHERE pool_id = $1 AND kind = $2)"
)

func domainKind(custom bool) string {
	if custom {
		return "custom"
	}
	return "prefix"
}

func scanDomain(r rowScanner) (store.Domain, error) {
	var (
		d                store.Domain
		kind, settings   string
		created, updated int64
	)
	if err := r.Scan(&d.Name, &d.PoolID, &kind, &settings, &created, &updated); err != nil {
		return store.Domain{}, err
	}
	d.Custom = kind == "custom"
	d.Settings = []byte(settings)
	d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
	return d, nil
}

// CreateDomain inserts a domain (see store.DomainStore).
func (s *Store) CreateDomain(ctx context.Context, d store.Domain) error {
	kind := domainKind(d.Custom)
	err := s.exec(ctx, insertDomain, d.Name, d.PoolID, kind, string(d.Settings), toMillis(d.CreatedAt), toMillis(d.UpdatedAt))
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) && !isUniqueViolation(err) {
		return fail(err, "create domain %q", d.Name)
	}
	// Nothing was inserted, or a unique key refused it: say which rule.
	var poolExists, kindTaken bool
	if qerr := s.queryRow(ctx, domainKindTaken, d.PoolID, kind).Scan(&poolExists, &kindTaken); qerr != nil {
		return fail(qerr, "create domain %q", d.Name)
	}
	switch {
	case !poolExists:
		return fmt.Errorf("sqlstore: create domain %q: user pool %q: %w", d.Name, d.PoolID, store.ErrNotFound)
	case kindTaken && errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: create domain %q: user pool %q has a %s domain: %w", d.Name, d.PoolID, kind, store.ErrLimitExceeded)
	case kindTaken:
		// A unique violation while the pool now has a domain of the kind:
		// the pool's own race, unless the name is taken too.
		if _, gerr := s.GetDomain(ctx, d.Name); gerr == nil {
			return fmt.Errorf("sqlstore: create domain %q: %w", d.Name, store.ErrAlreadyExists)
		}
		return fmt.Errorf("sqlstore: create domain %q: user pool %q has a %s domain: %w", d.Name, d.PoolID, kind, store.ErrLimitExceeded)
	}
	return fmt.Errorf("sqlstore: create domain %q: %w", d.Name, store.ErrAlreadyExists)
}

// GetDomain returns a domain by name, or store.ErrNotFound.
func (s *Store) GetDomain(ctx context.Context, name string) (store.Domain, error) {
	if !storable(name) {
		return store.Domain{}, fmt.Errorf("sqlstore: get domain: %w", store.ErrNotFound)
	}
	d, err := scanDomain(s.queryRow(ctx, selectDomain, name))
	if err != nil {
		return store.Domain{}, fail(err, "get domain %q", name)
	}
	return d, nil
}

// PoolDomains returns a pool's domains, prefix before custom.
func (s *Store) PoolDomains(ctx context.Context, poolID string) ([]store.Domain, error) {
	rows, err := s.queryRows(ctx, selectPoolDomains, poolID)
	if err != nil {
		return nil, fail(err, "list domains of user pool %q", poolID)
	}
	defer rows.Close()
	var out []store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, fail(err, "list domains of user pool %q", poolID)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list domains of user pool %q", poolID)
	}
	return out, nil
}

// UpdateDomain applies fn to a domain in one transaction.
func (s *Store) UpdateDomain(ctx context.Context, name string, fn func(store.Domain) (store.Domain, error)) (store.Domain, error) {
	if !storable(name) {
		return store.Domain{}, fmt.Errorf("sqlstore: update domain: %w", store.ErrNotFound)
	}
	sel := selectDomain
	if s.dialect == dialectPostgres {
		sel += " FOR UPDATE"
	}
	var out store.Domain
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanDomain(tx.QueryRowContext(ctx, sel, name))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		if next.Name != cur.Name || next.PoolID != cur.PoolID || next.Custom != cur.Custom {
			return &updaterError{fmt.Errorf("sqlstore: update domain %q: the updater changed its name, pool or kind", name)}
		}
		res, err := tx.ExecContext(ctx, updateDomain, name, string(next.Settings), toMillis(next.CreatedAt), toMillis(next.UpdatedAt))
		if err := oneRow(res, err); err != nil {
			return err
		}
		next.CreatedAt, next.UpdatedAt = truncate(next.CreatedAt), truncate(next.UpdatedAt)
		out = next
		return nil
	})
	if err != nil {
		return store.Domain{}, fail(err, "update domain %q", name)
	}
	return out, nil
}

// DeleteDomain removes a domain; store.ErrNotFound if absent.
func (s *Store) DeleteDomain(ctx context.Context, name string) error {
	if !storable(name) {
		return fmt.Errorf("sqlstore: delete domain: %w", store.ErrNotFound)
	}
	if err := s.exec(ctx, deleteDomain, name); err != nil {
		return fail(err, "delete domain %q", name)
	}
	return nil
}
