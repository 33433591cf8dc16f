package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cognate/cognate/internal/store"
)

// Real serialization failures are hard to provoke on demand (Postgres at
// READ COMMITTED with FOR UPDATE queues instead of failing), so the retry
// loop is tested here with the errors the drivers would return.
func TestRetry(t *testing.T) {
	s := &Store{log: slog.New(slog.DiscardHandler)}
	serialization := fmt.Errorf("commit: %w", &pgconn.PgError{Code: "40001"})
	deadlock := &pgconn.PgError{Code: "40P01"}
	unique := &pgconn.PgError{Code: "23505"}

	for _, tc := range []struct {
		name      string
		errs      []error // returned by successive attempts; nil after the last
		wantCalls int
		want      func(error) bool
	}{
		{"success", nil, 1, func(err error) bool { return err == nil }},
		{"retried until it succeeds", []error{serialization, deadlock, serialization}, 4, func(err error) bool { return err == nil }},
		{"not retried on other errors", []error{unique}, 1, func(err error) bool { return errors.Is(err, unique) }},
		{"gives up with ErrConflict", repeat(serialization, maxAttempts+5), maxAttempts, func(err error) bool { return errors.Is(err, store.ErrConflict) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := s.retry(t.Context(), func() error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.wantCalls || !tc.want(err) {
				t.Errorf("retry: %d calls, error %v; want %d calls and the expected error", calls, err, tc.wantCalls)
			}
		})
	}
}

func TestRetryKeepsUpdaterErrors(t *testing.T) {
	s := &Store{log: slog.New(slog.DiscardHandler)}
	// An updater that itself returns a driver error that looks retryable
	// must still see it handed back unchanged, not retried.
	own := &pgconn.PgError{Code: "40001"}
	calls := 0
	err := s.retry(t.Context(), func() error {
		calls++
		return &updaterError{own}
	})
	if calls != 1 {
		t.Errorf("updater error retried: %d calls", calls)
	}
	if got := fail(err, "update %q", "x"); got != error(own) {
		t.Errorf("fail(updater error) = %v, want the updater's own error", got)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	s := &Store{log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	err := s.retry(ctx, func() error {
		calls++
		cancel()
		return &pgconn.PgError{Code: "40001"}
	})
	if calls != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("retry after cancel: %d calls, error %v; want 1 call and context.Canceled", calls, err)
	}
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
