package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/store"
)

const (
	messageCols = "pool_id, id, user_key, created_ms, medium, destination, attribute, trigger_source, " +
		"subject, body, code, delivered, attempts, next_attempt_ms, lease_until_ms, last_error"
	messageColCount = 16

	listPoolMessages = "SELECT " + messageCols + " FROM outbox WHERE pool_id = $1 ORDER BY created_ms, id"
	listUserMessages = "SELECT " + messageCols + " FROM outbox WHERE pool_id = $1 AND user_key = $2 ORDER BY created_ms, id"

	// claimMessages leases messages with one conditional UPDATE, the
	// portable replacement for SELECT … FOR UPDATE SKIP LOCKED (which
	// YugabyteDB lacks at SERIALIZABLE). The inner SELECT picks candidates
	// through outbox_due; the outer WHERE repeats the condition so that it
	// is checked again on the row as it is when the UPDATE gets to it:
	//   - PostgreSQL (READ COMMITTED): a claimer that reaches a row another
	//     claimer is leasing waits for that transaction, then re-evaluates
	//     the WHERE on the new row version, finds the lease and skips it;
	//   - CockroachDB, YugabyteDB (SERIALIZABLE): the loser gets 40001 and
	//     the retry loop runs the claim again;
	//   - SQLite: writers are serialised.
	// So a message is never leased to two claimers at once.
	// $1 now, $2 lease end, $3 limit.
	claimCond     = "NOT delivered AND next_attempt_ms <= $1 AND (lease_until_ms IS NULL OR lease_until_ms <= $1)"
	claimMessages = "UPDATE outbox SET lease_until_ms = $2 WHERE (pool_id, id) IN (" +
		"SELECT pool_id, id FROM outbox WHERE " + claimCond + " ORDER BY next_attempt_ms LIMIT $3" +
		") AND " + claimCond + " RETURNING " + messageCols

	// finishMessage leaves a delivered message alone: a claimer whose lease
	// ran out must not undo another's delivery.
	finishMessage = "UPDATE outbox SET delivered = $3, attempts = attempts + 1, last_error = $4, " +
		"next_attempt_ms = $5, lease_until_ms = NULL WHERE pool_id = $1 AND id = $2 AND NOT delivered"
	messageDelivered = "SELECT delivered FROM outbox WHERE pool_id = $1 AND id = $2"
)

func scanMessage(r rowScanner) (store.Message, error) {
	var (
		m             store.Message
		created, next int64
		lease         sql.NullInt64
		attempts      int64
		body, code    []byte
	)
	if err := r.Scan(&m.PoolID, &m.ID, &m.UserKey, &created, &m.DeliveryMedium, &m.Destination, &m.AttributeName,
		&m.TriggerSource, &m.Subject, &body, &code, &m.Delivered, &attempts, &next, &lease, &m.LastError); err != nil {
		return store.Message{}, err
	}
	m.CreatedAt, m.NextAttemptAt = fromMillis(created), fromMillis(next)
	m.Attempts = int(attempts)
	m.Body, m.Code = nilIfEmpty(body), nilIfEmpty(code)
	return m, nil
}

// nilIfEmpty maps empty byte slices to nil, both ways: SQLite binds an
// empty non-nil slice as NULL anyway, so empty is stored as NULL everywhere
// and read back as nil.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func insertMessagesQuery(poolID, key string, ms []store.Message) (string, []any, error) {
	var b strings.Builder
	b.WriteString("INSERT INTO outbox (" + messageCols + ") VALUES ")
	args := make([]any, 0, messageColCount*len(ms))
	for i, m := range ms {
		if err := owner("message", m.ID, poolID, key, m.PoolID, m.UserKey); err != nil {
			return "", nil, err
		}
		// A message starts without a lease; the dispatcher owns the rest
		// of the delivery state, which is written as given.
		args = append(args, poolID, m.ID, key, toMillis(m.CreatedAt), m.DeliveryMedium, m.Destination, m.AttributeName,
			m.TriggerSource, m.Subject, nilIfEmpty(m.Body), nilIfEmpty(m.Code), m.Delivered, int64(m.Attempts),
			toMillis(m.NextAttemptAt), nil, m.LastError)
		if err := checkText(args[len(args)-messageColCount:]); err != nil {
			return "", nil, fmt.Errorf("a message: %w", err)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		placeholders(&b, i*messageColCount, messageColCount)
	}
	return b.String(), args, nil
}

func (s *Store) queryMessages(ctx context.Context, query string, args ...any) ([]store.Message, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ListMessages returns the pool's messages, or one user's when userKey is
// not "", by CreatedAt and then ID.
func (s *Store) ListMessages(ctx context.Context, poolID, userKey string) ([]store.Message, error) {
	var (
		out []store.Message
		err error
	)
	if userKey == "" {
		out, err = s.queryMessages(ctx, listPoolMessages, poolID)
	} else {
		out, err = s.queryMessages(ctx, listUserMessages, poolID, userKey)
	}
	if err != nil {
		return nil, fail(err, "list messages of user pool %q", poolID)
	}
	return out, nil
}

// ClaimMessages leases up to limit undelivered messages, of any pool, whose
// NextAttemptAt is not after now and whose lease (if any) has ended, until
// now+lease. The most overdue come first; the result is ordered like
// ListMessages. The lease is kept to the millisecond and must be at least
// one, or a leased message would be claimable again at once.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.Message, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlstore: claim messages: limit %d is not positive", limit)
	}
	if lease < time.Millisecond {
		return nil, fmt.Errorf("sqlstore: claim messages: lease %v is shorter than a millisecond", lease)
	}
	var out []store.Message
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, claimMessages, toMillis(now), toMillis(now)+lease.Milliseconds(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fail(err, "claim messages")
	}
	slices.SortFunc(out, func(a, b store.Message) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// FinishMessage records a delivery attempt and ends the message's lease:
// delivered, or failed with lastError and due again at next. A message that
// is already delivered stays as it is (nil error); store.ErrNotFound if it
// does not exist.
func (s *Store) FinishMessage(ctx context.Context, poolID, id string, delivered bool, lastError string, next time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, finishMessage, poolID, id, delivered, lastError, toMillis(next))
		if err := oneRow(res, err); !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var done bool
		return tx.QueryRowContext(ctx, messageDelivered, poolID, id).Scan(&done) // ErrNoRows if absent
	})
	if err != nil {
		return fail(err, "finish message %q of user pool %q", id, poolID)
	}
	return nil
}
