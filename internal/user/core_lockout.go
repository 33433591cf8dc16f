package user

import (
	"context"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// Failed sign-in throttling. Cognito locks a user out temporarily after
// repeated wrong passwords, with a lock that grows with each further
// failure; Cognate allows 5 failures, then locks for 1 s, doubling per
// failure up to 15 minutes. A correct password (or a new one) resets it.
//
// A password check is slow (argon2id, or an SRP exponentiation), so
// parallel guesses must not each read the counter before any of them has
// counted: every check of a password is reserved first, in one store
// transaction that refuses a locked user and counts the attempt as a
// failure in advance (reserveAttempt). Only as many checks as the
// sequential limit allows ever run, on any number of instances sharing the
// database. A correct password then settles its own reservation: it clears
// the failures reserved before it, never those reserved after it, so the
// outcome is that of the attempts taken one by one in reservation order,
// and a success inside a burst cannot reset the burst's count.
const (
	freeFailures = 5
	maxLockout   = 15 * time.Minute
)

// attempt is a reserved password check: its place in the user's sequence
// of attempts (Record.AttemptSeq). The zero attempt settles nothing.
type attempt struct{ seq int64 }

func (s *Service) checkLockout(r *Record) error {
	if r.LockedUntil > s.now().UnixMilli() {
		return notAuthorized("Password attempts exceeded")
	}
	return nil
}

// countFailure counts one failed attempt and sets the lock it earns. It is
// pure: it runs inside store updaters.
func (s *Service) countFailure(r *Record) {
	r.AttemptSeq++
	r.FailedSignIns++
	if over := r.FailedSignIns - freeFailures; over > 0 {
		lock := maxLockout
		if over < 20 {
			lock = min(time.Second<<(over-1), maxLockout)
		}
		r.LockedUntil = s.now().Add(lock).UnixMilli()
	}
}

// settle records that the reserved attempt a proved the password: only the
// attempts reserved after it still count as failures.
func (r *Record) settle(a attempt) {
	if a.seq == 0 {
		return
	}
	r.FailedSignIns = min(r.FailedSignIns, int(r.AttemptSeq-a.seq))
	if r.FailedSignIns <= freeFailures {
		r.LockedUntil = 0
	}
}

// resetFailures clears the count where the proof and the reset are one
// transaction (a new password, a code checked in the updater).
func (r *Record) resetFailures() { r.FailedSignIns, r.LockedUntil = 0, 0 }

// reserveAttempt reserves one check of a user's password before it runs:
// in one transaction it applies pre (a check of the user's state that must
// come first, such as confirmation; nil for none), refuses a locked user,
// and counts the attempt as a failure. It returns the attempt and the user
// as the transaction left them.
func (s *Service) reserveAttempt(ctx context.Context, p pool, key string, pre func(u store.User, r *Record) error) (attempt, store.User, *Record, error) {
	var a attempt
	var rec *Record
	u, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		if pre != nil {
			if err := pre(*u, r); err != nil {
				return store.UserChange{}, err
			}
		}
		if err := s.checkLockout(r); err != nil {
			return store.UserChange{}, err
		}
		s.countFailure(r)
		a, rec = attempt{seq: r.AttemptSeq}, r
		return store.UserChange{}, nil
	})
	if err != nil {
		return attempt{}, store.User{}, nil, err
	}
	return a, u, rec, nil
}

// settleAttempt settles a reserved attempt in a transaction of its own,
// for a correct password that leads to no token-issuing write (a
// challenge, or a refusal of the user's state).
func (s *Service) settleAttempt(ctx context.Context, p pool, key string, a attempt) error {
	if a.seq == 0 {
		return nil
	}
	_, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		r.settle(a)
		return store.UserChange{}, nil
	})
	return err
}

// guess checks one guess at a user's password under a reserved attempt:
// reserveAttempt, then check (the slow part, outside any transaction). An
// error of check itself (overload, a cancelled request) is no guess: the
// reservation is released. ok false is a wrong password, already counted.
func (s *Service) guess(ctx context.Context, p pool, key string, pre func(store.User, *Record) error, check func(store.User, *Record) (bool, error)) (a attempt, u store.User, r *Record, ok bool, err error) {
	a, u, r, err = s.reserveAttempt(ctx, p, key, pre)
	if err != nil {
		return attempt{}, u, nil, false, err
	}
	ok, err = check(u, r)
	if err != nil {
		// Released in the background of this request's failure: a
		// cancelled request's context cannot carry the write.
		if rerr := s.releaseAttempt(context.WithoutCancel(ctx), p, key); rerr != nil {
			s.log().ErrorContext(ctx, "releasing a password attempt", "error", rerr)
		}
		return attempt{}, u, nil, false, err
	}
	return a, u, r, ok, nil
}

// releaseAttempt takes back one reserved attempt that was never checked.
func (s *Service) releaseAttempt(ctx context.Context, p pool, key string) error {
	_, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		if r.FailedSignIns > 0 {
			r.FailedSignIns--
		}
		if r.FailedSignIns <= freeFailures {
			r.LockedUntil = 0
		}
		return store.UserChange{}, nil
	})
	return err
}
