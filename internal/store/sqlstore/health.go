package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// countPending counts undelivered messages due before $1: the outbox
// backlog, without the messages the dispatcher gave up on. The outbox_due
// index covers it.
const countPending = "SELECT COUNT(*) FROM outbox WHERE NOT delivered AND next_attempt_ms < $1"

// Ready reports whether the store can serve: the database answers and every
// migration this binary knows is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if _, ok := applied[m.version]; !ok {
			return fmt.Errorf("sqlstore: migration %d (%s) is not applied", m.version, m.name)
		}
	}
	return nil
}

// DBStats returns the connection pool's statistics.
func (s *Store) DBStats() sql.DBStats { return s.db.Stats() }

// PendingMessages counts the undelivered outbox messages whose next attempt
// is before before (pass the dispatcher's give-up time to leave out the
// messages it gave up on).
func (s *Store) PendingMessages(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, countPending, toMillis(before)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count pending messages: %w", err)
	}
	return n, nil
}
