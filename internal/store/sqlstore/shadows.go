package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

const (
	// Making the row exist first (a pool that does not exist fails the
	// foreign key) gives PostgreSQL a row to lock, so two transactions on
	// a new key queue on it instead of both inserting.
	ensureShadow = "INSERT INTO shadows (pool_id, shadow_key, data, expires_ms) " +
		"SELECT $1, $2, $3, 0 WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = $1) ON CONFLICT (pool_id, shadow_key) DO NOTHING"
	selectShadow  = "SELECT data, expires_ms FROM shadows WHERE pool_id = $1 AND shadow_key = $2"
	updateShadow  = "UPDATE shadows SET data = $3, expires_ms = $4 WHERE pool_id = $1 AND shadow_key = $2"
	deleteShadow  = "DELETE FROM shadows WHERE pool_id = $1 AND shadow_key = $2"
	expireShadows = "DELETE FROM shadows WHERE pool_id = $1 AND expires_ms <= $2 AND shadow_key <> $3"
)

// UpdateShadow reads the shadow record of key (locking it), applies fn and
// writes the result in one transaction, deleting the pool's expired records
// on the way, so that they never outlive their use.
func (s *Store) UpdateShadow(ctx context.Context, poolID, key string, now time.Time, fn func([]byte) ([]byte, time.Time, error)) error {
	if !storable(key) {
		return fail(errUnstorable, "update shadow record of user pool %q", poolID)
	}
	sel := selectShadow
	if s.dialect == dialectPostgres {
		sel += " FOR UPDATE"
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, ensureShadow, poolID, key, []byte{}); err != nil {
			return err
		}
		var data []byte
		var expires int64
		// No row even after the insert (sql.ErrNoRows): the pool does not
		// exist.
		if err := s.txQueryRow(ctx, tx, sel, poolID, key).Scan(&data, &expires); err != nil {
			return err
		}
		if expires <= toMillis(now) {
			data = nil
		}
		next, until, err := fn(nilIfEmpty(data))
		if err != nil {
			return &updaterError{err}
		}
		if len(next) == 0 {
			_, err = s.txExec(ctx, tx, deleteShadow, poolID, key)
		} else {
			_, err = s.txExec(ctx, tx, updateShadow, poolID, key, next, toMillis(until))
		}
		if err != nil {
			return err
		}
		_, err = s.txExec(ctx, tx, expireShadows, poolID, toMillis(now), key)
		return err
	})
	if err != nil {
		return fail(err, "update shadow record of user pool %q", poolID)
	}
	return nil
}
