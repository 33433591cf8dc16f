package user

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
)

// SeedUser is a user as a seed file (internal/seed) declares it.
type SeedUser struct {
	Username   string
	Attributes []model.AttributeType
	// Password is a permanent password (CONFIRMED, or UNCONFIRMED when
	// Unconfirmed); TemporaryPassword makes the user FORCE_CHANGE_PASSWORD.
	// Without either a temporary password is generated.
	Password          *string
	TemporaryPassword *string
	Unconfirmed       bool
}

// SeedFieldError is a seeding error about one member of SeedUser.
type SeedFieldError struct {
	Field string // Attributes, Password, TemporaryPassword
	Err   error
}

func (e *SeedFieldError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e *SeedFieldError) Unwrap() error { return e.Err }

// credentialState is what Record.Seeded hashes: the declared password and
// the status it gives.
func (in *SeedUser) credentialState() (state, pw, status, field string) {
	switch {
	case in.TemporaryPassword != nil:
		return "T\x00" + *in.TemporaryPassword, *in.TemporaryPassword, model.UserStatusTypeForceChangePassword, "TemporaryPassword"
	case in.Password != nil && in.Unconfirmed:
		return "U\x00" + *in.Password, *in.Password, model.UserStatusTypeUnconfirmed, "Password"
	case in.Password != nil:
		return "P\x00" + *in.Password, *in.Password, model.UserStatusTypeConfirmed, "Password"
	}
	return "", "", model.UserStatusTypeForceChangePassword, ""
}

// Seed creates the user, or brings an existing one to what in declares:
// the declared attributes are set (others are kept), and the credentials
// are applied when they differ from those the seed applied last time (a
// user who has since changed a seeded password keeps the new one until the
// seed's password changes). Triggers are not invoked. It reports whether
// anything was written.
func (s *Service) Seed(ctx context.Context, poolID string, in *SeedUser) (changed bool, err error) {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return false, err
	}
	state, pw, status, field := in.credentialState()
	if field != "" {
		if err := password.DidNotConformPasswordPolicy.Check(p.passwordPolicy(), pw); err != nil {
			return false, &SeedFieldError{field, err}
		}
	}
	u, err := s.lookup(ctx, p, in.Username)
	if errors.Is(err, store.ErrNotFound) {
		return true, s.seedNew(ctx, p, in, state, pw, status)
	}
	if err != nil {
		return false, err
	}
	r, err := decodeRecord(u)
	if err != nil {
		return false, err
	}
	attrs, err := newUserAttributes(p, in.Attributes, true, nil)
	if err != nil {
		return false, &SeedFieldError{"Attributes", err}
	}
	var setAttrs []Attribute
	for _, a := range attrs {
		if v, ok := r.Get(a.Name); !ok || v != a.Value {
			setAttrs = append(setAttrs, a)
		}
	}
	newCreds := false
	if state != "" {
		same := false
		if r.Seeded != "" {
			if same, err = s.Passwords.Verify(ctx, r.Seeded, state); err != nil {
				return false, err
			}
		}
		newCreds = !same
	}
	if len(setAttrs) == 0 && !newCreds {
		return false, nil
	}
	var hash, seeded string
	var srpSealed []byte
	if newCreds {
		if hash, srpSealed, err = s.credentials(ctx, p, u.Username, pw); err != nil {
			return false, err
		}
		if seeded, err = s.Passwords.Hash(ctx, state); err != nil {
			return false, err
		}
	}
	_, err = s.update(ctx, p, u.Key, func(u *store.User, r *Record) (store.UserChange, error) {
		now := s.now()
		for _, a := range setAttrs {
			r.Set(a.Name, a.Value)
		}
		if newCreds {
			r.PasswordHash, r.SRP, r.PasswordSetAt, r.Seeded = hash, srpSealed, now.UnixMilli(), seeded
			r.resetFailures()
			u.Status = status
		}
		u.UpdatedAt = now
		return store.UserChange{}, nil
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

func (s *Service) seedNew(ctx context.Context, p pool, in *SeedUser, state, pw, status string) error {
	sub := uuid.NewString()
	username, implied, err := newUsername(p, in.Username, sub)
	if err != nil {
		return &SeedFieldError{"Username", err}
	}
	attrs, err := newUserAttributes(p, in.Attributes, true, nil)
	if err != nil {
		return &SeedFieldError{"Attributes", err}
	}
	rec := &Record{Attributes: append([]Attribute{{"sub", sub}}, attrs...)}
	if implied != nil {
		rec.Set(implied.Name, implied.Value)
	}
	if state == "" {
		if pw, err = password.Generate(p.passwordPolicy(), s.rand()); err != nil {
			return err
		}
	} else if rec.Seeded, err = s.Passwords.Hash(ctx, state); err != nil {
		return err
	}
	hash, srpSealed, err := s.credentials(ctx, p, username, pw)
	if err != nil {
		return err
	}
	now := s.now()
	rec.PasswordHash, rec.SRP, rec.PasswordSetAt = hash, srpSealed, now.UnixMilli()
	u := store.User{
		PoolID: p.id(), Key: p.fold(username), Username: username, Sub: sub,
		Status: status, Enabled: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.finish(p, &u, rec); err != nil {
		return err
	}
	if err := s.Store.CreateUser(ctx, store.UserChange{User: u}); err != nil {
		return fmt.Errorf("creating user %s: %w", username, conflictError(err, p, "User account already exists"))
	}
	return nil
}

// SeedUserKey returns the key of a seeded user for group memberships.
func (s *Service) SeedUserKey(ctx context.Context, poolID, login string) (string, error) {
	p, err := s.pool(ctx, poolID)
	if err != nil {
		return "", err
	}
	u, err := s.lookup(ctx, p, login)
	if err != nil {
		return "", notFound(err)
	}
	return u.Key, nil
}

// ExportAttributes returns a stored user's attributes, sub included.
func ExportAttributes(u store.User) ([]Attribute, error) {
	r, err := decodeRecord(u)
	if err != nil {
		return nil, err
	}
	return r.Attributes, nil
}
