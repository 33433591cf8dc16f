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
const (
	freeFailures = 5
	maxLockout   = 15 * time.Minute
)

func (s *Service) checkLockout(r *Record) error {
	if r.LockedUntil > s.now().UnixMilli() {
		return notAuthorized("Password attempts exceeded")
	}
	return nil
}

// recordFailure counts a wrong password in its own transaction, so that a
// failed sign-in is remembered although the request fails.
func (s *Service) recordFailure(ctx context.Context, p pool, key string) error {
	_, err := s.update(ctx, p, key, func(u *store.User, r *Record) (store.UserChange, error) {
		r.FailedSignIns++
		if over := r.FailedSignIns - freeFailures; over > 0 {
			lock := maxLockout
			if over < 20 {
				lock = min(time.Second<<(over-1), maxLockout)
			}
			r.LockedUntil = s.now().Add(lock).UnixMilli()
		}
		return store.UserChange{}, nil
	})
	return err
}
