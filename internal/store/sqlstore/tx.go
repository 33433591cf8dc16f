package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cognate/cognate/internal/store"
)

// Retry budget for transactions that lose a serialization race. Postgres
// (READ COMMITTED plus FOR UPDATE) rarely needs it; CockroachDB, which runs
// SERIALIZABLE and expects clients to retry 40001, does. The backoff is
// jittered so that transactions which collided do not collide again in step.
const (
	maxAttempts = 10
	backoffBase = time.Millisecond
	backoffMax  = 50 * time.Millisecond
)

// updaterError carries an error returned by a caller's updater through the
// transaction machinery, so that it is neither retried nor mapped and is
// handed back exactly as the updater returned it.
type updaterError struct{ err error }

func (e *updaterError) Error() string { return e.err.Error() }

// inTx runs fn in a transaction, committing if fn succeeds. If the
// transaction fails for a reason that a rerun can fix, the whole of it, fn
// included, is run again (see retry).
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.retry(ctx, func() error { return s.txOnce(ctx, fn) })
}

// retry runs attempt until it succeeds, fails for a reason a rerun cannot
// fix, or has failed maxAttempts times with serialization failures,
// deadlocks or a busy database, which gives store.ErrConflict.
func (s *Store) retry(ctx context.Context, attempt func() error) error {
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || !retryable(err) {
			return err
		}
		if n >= maxAttempts {
			return fmt.Errorf("%w after %d attempts: %v", store.ErrConflict, n, err)
		}
		s.log.DebugContext(ctx, "retrying", "attempt", n, "err", err)
		if err := sleep(ctx, backoff(n)); err != nil {
			return err
		}
	}
}

func (s *Store) txOnce(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.dialect == dialectSQLite {
		// SQLite runs one writer at a time. Letting transactions queue on
		// its lock means its busy handler, which sleeps and polls; queueing
		// them here hands the lock over as soon as it is free. Another
		// process on the same file still meets busy_timeout as before.
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one worth reporting
		return err
	}
	return tx.Commit()
}

// backoff returns a random delay in [d/2, d) where d doubles per attempt up
// to backoffMax.
func backoff(attempt int) time.Duration {
	d := backoffMax
	if attempt < 16 {
		d = min(backoffBase<<attempt, backoffMax)
	}
	return d/2 + rand.N(d/2)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryable reports whether rerunning the transaction may succeed.
func retryable(err error) bool {
	var ue *updaterError
	if errors.As(err, &ue) {
		return false
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "40001" || pe.Code == "40P01" // serialization_failure, deadlock_detected
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff { // primary code; extended codes are enabled
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// fail turns an error from the database into the error the caller sees:
// store.ErrNotFound, store.ErrAlreadyExists, an updater's own error
// unchanged, or anything else wrapped with what was being done.
func fail(err error, what string, args ...any) error {
	if ue, ok := errors.AsType[*updaterError](err); ok {
		return ue.err
	}
	op := fmt.Sprintf(what, args...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
	case isUniqueViolation(err):
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrAlreadyExists)
	case isForeignKeyViolation(err):
		// The parent vanished between our existence check and the insert
		// (a concurrent delete): to the caller it simply is not there.
		return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

func isUniqueViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23505"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23503"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// truncate gives t as it will read back: to the millisecond, in UTC.
func truncate(t time.Time) time.Time { return fromMillis(toMillis(t)) }
