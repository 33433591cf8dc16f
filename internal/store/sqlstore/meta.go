package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/cognate/cognate/internal/store"
)

const (
	signingKeyCols     = "pool_id, kid, key_use, created_ms, private_key, public_key"
	listSigningKeys    = "SELECT " + signingKeyCols + " FROM signing_keys WHERE pool_id = $1 ORDER BY created_ms, kid"
	selectMeta         = "SELECT value FROM meta WHERE name = $1"
	upsertMeta         = "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value"
	insertMetaIfAbsent = "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
)

// AddSigningKeys stores signing keys, of one pool or several, in one
// statement: store.ErrAlreadyExists if a pool already has a key's kid,
// store.ErrNotFound if a key's pool does not exist; nothing is stored then.
func (s *Store) AddSigningKeys(ctx context.Context, keys ...store.SigningKey) error {
	if len(keys) == 0 {
		return nil
	}
	const cols = 6
	var b strings.Builder
	b.WriteString("INSERT INTO signing_keys (" + signingKeyCols + ") VALUES ")
	args := make([]any, 0, cols*len(keys))
	for i, k := range keys {
		args = append(args, k.PoolID, k.KID, k.Use, toMillis(k.CreatedAt), nilIfEmpty(k.Private), nilIfEmpty(k.Public))
		if i > 0 {
			b.WriteString(", ")
		}
		placeholders(&b, i*cols, cols)
	}
	err := s.retry(ctx, func() error {
		_, err := s.db.ExecContext(ctx, b.String(), args...)
		return err
	})
	if err != nil {
		return fail(err, "add signing keys of user pool %q", keys[0].PoolID)
	}
	return nil
}

// ListSigningKeys returns a pool's signing keys, oldest first (then by kid).
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, listSigningKeys, poolID)
	if err != nil {
		return nil, fail(err, "list signing keys of user pool %q", poolID)
	}
	defer rows.Close()
	var out []store.SigningKey
	for rows.Next() {
		var (
			k       store.SigningKey
			created int64
		)
		if err := rows.Scan(&k.PoolID, &k.KID, &k.Use, &created, &k.Private, &k.Public); err != nil {
			return nil, fail(err, "list signing keys of user pool %q", poolID)
		}
		k.CreatedAt = fromMillis(created)
		k.Private, k.Public = nilIfEmpty(k.Private), nilIfEmpty(k.Public)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list signing keys of user pool %q", poolID)
	}
	return out, nil
}

// GetMeta returns a server-wide value, or store.ErrNotFound. An empty value
// reads back as nil.
func (s *Store) GetMeta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	if err := s.db.QueryRowContext(ctx, selectMeta, key).Scan(&v); err != nil {
		return nil, fail(err, "get meta value %q", key)
	}
	return nilIfEmpty(v), nil
}

// PutMeta sets a server-wide value.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte) error {
	if err := s.exec(ctx, upsertMeta, key, nilIfEmpty(value)); err != nil {
		return fail(err, "put meta value %q", key)
	}
	return nil
}

// PutMetaIfAbsent inserts a value unless the key has one, and returns the
// stored value. An INSERT … ON CONFLICT DO NOTHING decides the race: on
// PostgreSQL a second inserter waits for the first to commit and then does
// nothing; the SELECT that follows (a new snapshot at READ COMMITTED) sees
// the winner's value. SQLite serialises the transactions.
func (s *Store) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insertMetaIfAbsent, key, nilIfEmpty(value)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, selectMeta, key).Scan(&stored)
	})
	if err != nil {
		return nil, fail(err, "put meta value %q if absent", key)
	}
	return nilIfEmpty(stored), nil
}
