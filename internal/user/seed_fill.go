package user

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// FillUser names filler user i of Fill: an email-shaped username that is
// also its email.
func FillUser(i int) string { return fmt.Sprintf("filler%07d@example.com", i) }

// Fill adds n confirmed users to a pool quickly, to measure how Cognate
// behaves as a pool grows (cognate seed fill, BENCHMARKS.md). Each is a
// complete user: a sub, an email, every attribute given in attrs, and one
// password hash computed once and shared, so that they can sign in with
// USER_PASSWORD_AUTH. What they lack is an SRP verifier (a modular
// exponentiation each, an hour for a million users): USER_SRP_AUTH refuses
// them as for a user without a password. Users are inserted by the store
// one transaction each, as AdminCreateUser would, without triggers or
// messages; names already taken are skipped.
func (s *Service) Fill(ctx context.Context, poolID string, from, n int, password string, attrs []model.AttributeType, progress func(done int)) error {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, password)
	if err != nil {
		return err
	}
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
		once       sync.Once
		firstErr   error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)-1) + from
				if i >= from+n || ctx.Err() != nil {
					return
				}
				if err := s.fillOne(ctx, p, FillUser(i), hash, attrs); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				if d := done.Add(1); progress != nil && d%10000 == 0 {
					progress(int(d))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (s *Service) fillOne(ctx context.Context, p pool, name, hash string, extra []model.AttributeType) error {
	in := append([]model.AttributeType{{Name: ptr("email"), Value: ptr(name)}}, extra...)
	attrs, err := newUserAttributes(p, in, true, nil)
	if err != nil {
		return err
	}
	sub := uuid.NewString()
	username, implied, err := newUsername(p, name, sub)
	if err != nil {
		return err
	}
	rec := &Record{Attributes: append([]Attribute{{"sub", sub}}, attrs...)}
	if implied != nil {
		rec.Set(implied.Name, implied.Value)
	}
	now := s.now()
	rec.PasswordHash, rec.PasswordSetAt = hash, now.UnixMilli()
	u := store.User{
		PoolID: p.id(), Key: p.fold(username), Username: username, Sub: sub,
		Status: model.UserStatusTypeConfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.finish(p, &u, rec); err != nil {
		return err
	}
	err = s.Store.CreateUser(ctx, store.UserChange{User: u})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil
	}
	return err
}
