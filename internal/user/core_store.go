package user

import (
	"context"
	"errors"

	"github.com/cognate/cognate/internal/store"
)

// lookup finds a user by what a caller may pass as a username: the
// username itself, an alias (email, phone number or preferred_username
// where the pool makes them aliases or usernames) or the sub.
func (s *Service) lookup(ctx context.Context, p pool, login string) (store.User, error) {
	u, err := s.Store.GetUser(ctx, p.id(), p.fold(login))
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	for _, kind := range []string{"email", "phone_number", "preferred_username"} {
		if !p.usernameAttribute(kind) && !p.aliasAttribute(kind) {
			continue
		}
		u, err = s.Store.GetUserByAlias(ctx, p.id(), kind, p.fold(login))
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return u, err
		}
	}
	return s.Store.GetUserBySub(ctx, p.id(), login)
}

// Resolve finds a user of a pool by username, alias or sub, for the
// inspection API.
func (s *Service) Resolve(ctx context.Context, poolID, name string) (userKey, username string, err error) {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return "", "", err
	}
	u, err := s.lookup(ctx, p, name)
	if err != nil {
		return "", "", err
	}
	return u.Key, u.Username, nil
}

// releaseAlias unverifies the email or phone number another user holds as
// an alias, so that it can move to a new holder (ForceAliasCreation).
func (s *Service) releaseAlias(ctx context.Context, p pool, kind, value, except string) error {
	other, err := s.Store.GetUserByAlias(ctx, p.id(), kind, value)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || other.Key == except {
		return err
	}
	_, err = s.update(ctx, p, other.Key, func(o *store.User, or *Record) (store.UserChange, error) {
		or.Set(kind+"_verified", "false")
		o.UpdatedAt = s.now()
		return store.UserChange{}, nil
	})
	return err
}

// forceAlias runs write; when it fails because an alias is taken and the
// caller asked for ForceAliasCreation, the alias moves and write runs again.
func (s *Service) forceAlias(ctx context.Context, p pool, force bool, aliases func() map[string]string, except string, write func() error) error {
	err := write()
	var c *store.AliasConflict
	if !force || !errors.As(err, &c) || c.Field == "username" || c.Field == "sub" || !p.aliasAttribute(c.Field) {
		return err
	}
	if err := s.releaseAlias(ctx, p, c.Field, aliases()[c.Field], except); err != nil {
		return err
	}
	return write()
}

// adminUser finds a user for the admin API by username, alias or sub.
func (s *Service) adminUser(ctx context.Context, poolID, login string) (pool, store.User, error) {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return pool{}, store.User{}, err
	}
	u, err := s.lookup(ctx, p, login)
	if err != nil {
		return pool{}, store.User{}, notFound(err)
	}
	return p, u, nil
}

// update runs fn on a user's record inside one store transaction and
// writes the result; fn returns the extra rows of the change.
func (s *Service) update(ctx context.Context, p pool, key string, fn func(u *store.User, r *Record) (store.UserChange, error)) (store.User, error) {
	u, err := s.Store.UpdateUser(ctx, p.id(), key, func(u store.User) (store.UserChange, error) {
		r, err := decodeRecord(u)
		if err != nil {
			return store.UserChange{}, err
		}
		change, err := fn(&u, r)
		if err != nil {
			return store.UserChange{}, err
		}
		if err := s.finish(p, &u, r); err != nil {
			return store.UserChange{}, err
		}
		change.User = u
		return change, nil
	})
	if err != nil {
		return store.User{}, notFound(err)
	}
	return u, nil
}

// finish writes the record into the row with the derived columns.
func (s *Service) finish(p pool, u *store.User, r *Record) error {
	data, err := r.encode()
	if err != nil {
		return err
	}
	u.Data = data
	u.Filter = filterValues(r)
	u.Aliases = p.aliases(r)
	return nil
}

// readUser reads a user row by key and decodes its record; a missing user
// is UserNotFoundException.
func (s *Service) readUser(ctx context.Context, p pool, key string) (store.User, *Record, error) {
	u, err := s.Store.GetUser(ctx, p.id(), key)
	if err != nil {
		return store.User{}, nil, notFound(err)
	}
	r, err := decodeRecord(u)
	if err != nil {
		return store.User{}, nil, err
	}
	return u, r, nil
}
