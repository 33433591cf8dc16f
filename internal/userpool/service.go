package userpool

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// Service implements the pool and app-client operations.
type Service struct {
	Store     store.Store
	AccountID string           // 12 digits, for ARNs
	Now       func() time.Time // injected so tests control time
	Rand      io.Reader        // injected so tests can be deterministic; nil means crypto/rand
	// NewKeys makes a new pool's token signing keys (token.Service); nil
	// creates pools without keys, which only tests of this package do.
	NewKeys func(ctx context.Context, poolID string) ([]store.SigningKey, error)
	// Deleted is told when a pool is gone, so caches can drop it.
	Deleted func(poolID string)

	pools   cache[*Pool]
	clients cache[*Client]
}

// wallClock is the machine time for cache ages: the server clock can be
// moved forward by tests, which must not make entries live longer.
func wallClock() time.Time { return time.Now() }

// forgetPool drops a pool and its clients from the caches.
func (s *Service) forgetPool(id string) {
	s.pools.drop(id)
	s.clients.dropPool(id)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// randomString returns n characters drawn uniformly from alphabet.
func (s *Service) randomString(n int, alphabet string) (string, error) {
	out := make([]byte, n)
	buf := make([]byte, 1)
	// Rejection sampling keeps the draw uniform for any alphabet size.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := io.ReadFull(s.rand(), buf); err != nil {
			return "", err
		}
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out), nil
}

const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// Pool is a user pool with its settings decoded.
type Pool struct {
	Record store.UserPool
	Config model.UserPoolType // as DescribeUserPool shows it, without the dynamic members
	MFA    MFA                // SetUserPoolMfaConfig's settings (mfa.go)
}

// GetPool returns a pool or Cognito's ResourceNotFoundException.
// The result is shared: callers must not modify it.
func (s *Service) GetPool(ctx context.Context, id string) (*Pool, error) {
	if p, ok := s.pools.get(id, wallClock()); ok {
		return p, nil
	}
	rec, err := s.Store.GetUserPool(ctx, id)
	if err != nil {
		return nil, poolError(err, id)
	}
	p, err := decodePool(rec)
	if err != nil {
		return nil, err
	}
	s.pools.put(id, id, p, wallClock())
	return p, nil
}

func decodePool(rec store.UserPool) (*Pool, error) {
	p := &Pool{Record: rec, MFA: decodeMFA(rec.Settings)}
	if err := json.Unmarshal(rec.Settings, &p.Config); err != nil {
		return nil, fmt.Errorf("user pool %s: corrupt settings: %w", rec.ID, err)
	}
	p.Config.Id = ptr(rec.ID)
	p.Config.Name = ptr(rec.Name)
	p.Config.CreationDate = model.NewTime(rec.CreatedAt)
	p.Config.LastModifiedDate = model.NewTime(rec.UpdatedAt)
	return p, nil
}

func encodeSettings(cfg model.UserPoolType) ([]byte, error) {
	// Members the store keeps in their own columns, or that are computed
	// when described, are not part of the settings document.
	cfg.Id, cfg.Name, cfg.CreationDate, cfg.LastModifiedDate, cfg.EstimatedNumberOfUsers = nil, nil, nil, nil, nil
	return json.Marshal(cfg)
}

func poolNotFound(id string) *model.Error {
	return model.Errorf(model.ResourceNotFoundException, "User pool %s does not exist.", id)
}

// poolError maps a store error about a pool to what Cognito answers.
func poolError(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return poolNotFound(id)
	}
	return err
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// sameMembers copies the members that two API shapes share by name (a
// Create request's settings into the struct its Update twin also fills),
// through their JSON form: the generated types have no other common ground,
// and these are management calls, not the hot path.
func sameMembers(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}
