package user

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
	"github.com/cognate/cognate/internal/userpool"
)

// Sealer seals secrets at rest (SRP verifiers) and in flight (sessions).
type Sealer interface {
	Seal(plaintext, aad []byte) []byte
	Open(sealed, aad []byte) ([]byte, error)
	// MAC is a keyed, deterministic digest (simulated answers, shadow keys).
	MAC(data []byte) []byte
}

// Service implements the user operations. Dependencies are explicit fields,
// wired in internal/server.
type Service struct {
	Store     store.Store
	Pools     *userpool.Service
	Tokens    *token.Service
	Passwords *password.Hasher
	Sealer    Sealer
	Now       func() time.Time
	Rand      io.Reader // nil: crypto/rand
	Logger    *slog.Logger
	// Triggers invokes the pool's Lambda triggers; nil runs none.
	Triggers *trigger.Invoker
	// CanDeliver reports whether a medium (EMAIL, SMS) can reach users;
	// nil means always.
	CanDeliver func(medium string) bool
	// Kick wakes the message dispatcher after a commit that wrote messages.
	Kick      func()
	PublicURL string

	// pace times the simulated answers of PreventUserExistenceErrors
	// (shadow.go).
	pace pacer
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Service) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// pool is a user pool as this package reads it.
type pool struct {
	*userpool.Pool
}

func (s *Service) pool(ctx context.Context, id string) (pool, error) {
	p, err := s.Pools.GetPool(ctx, id)
	if err != nil {
		return pool{}, err
	}
	caller.From(ctx).PoolID = id
	return pool{p}, nil
}

func (p pool) id() string { return p.Record.ID }

// caseSensitive follows UsernameConfiguration; AWS documents true as the
// default when the pool does not set it.
func (p pool) caseSensitive() bool {
	if c := p.Config.UsernameConfiguration; c != nil && c.CaseSensitive != nil {
		return *c.CaseSensitive
	}
	return true
}

// fold returns the lookup form of a username or alias.
func (p pool) fold(s string) string {
	if p.caseSensitive() {
		return s
	}
	return strings.ToLower(s)
}

func (p pool) usernameAttribute(attr string) bool {
	return slices.Contains(p.Config.UsernameAttributes, attr)
}

func (p pool) aliasAttribute(attr string) bool {
	return slices.Contains(p.Config.AliasAttributes, attr)
}

func (p pool) autoVerified(attr string) bool {
	return slices.Contains(p.Config.AutoVerifiedAttributes, attr)
}

// schema returns the schema entry of an attribute name, if any.
func (p pool) schema(name string) (model.SchemaAttributeType, bool) {
	for _, a := range p.Config.SchemaAttributes {
		if deref(a.Name) == name {
			return a, true
		}
	}
	return model.SchemaAttributeType{}, false
}

func (p pool) passwordPolicy() *model.PasswordPolicyType {
	if p.Config.Policies != nil {
		return p.Config.Policies.PasswordPolicy
	}
	return nil
}

// aliases computes the values that must be unique in the pool besides the
// username: in UsernameAttributes pools the email and phone number whether
// verified or not; in AliasAttributes pools a verified email or phone
// number and any preferred_username.
func (p pool) aliases(r *Record) map[string]string {
	out := map[string]string{}
	for _, attr := range []string{"email", "phone_number"} {
		v, ok := r.Get(attr)
		if !ok || v == "" {
			continue
		}
		if p.usernameAttribute(attr) || (p.aliasAttribute(attr) && r.verified(attr)) {
			out[attr] = p.fold(v)
		}
	}
	if v, ok := r.Get("preferred_username"); ok && v != "" && p.aliasAttribute("preferred_username") {
		out["preferred_username"] = p.fold(v)
	}
	return out
}

// filterValues are the attribute values ListUsers can filter on.
func filterValues(r *Record) map[string]string {
	out := map[string]string{}
	for _, name := range store.FilterAttributes {
		if v, ok := r.Get(name); ok {
			out[name] = v
		}
	}
	return out
}

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

// isAnswer reports whether err is one of Cognito's answers (a
// *model.Error) rather than a failure of the store or of Cognate itself,
// which must reach the caller as InternalErrorException.
func isAnswer(err error) bool {
	var me *model.Error
	return errors.As(err, &me)
}

// userNotFound is Cognito's answer for a missing user on the admin API.
func userNotFound() *model.Error {
	return model.Errorf(model.UserNotFoundException, "User does not exist.")
}

// notFound maps a store miss to UserNotFoundException.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return userNotFound()
	}
	return err
}

func invalidParameter(format string, args ...any) *model.Error {
	return model.Errorf(model.InvalidParameterException, format, args...)
}

func notAuthorized(format string, args ...any) *model.Error {
	return model.Errorf(model.NotAuthorizedException, format, args...)
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
