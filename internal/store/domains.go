package store

import (
	"context"
	"time"
)

// Domain is the domain a user pool's OAuth 2.0 endpoints and login pages
// are served on: a prefix (Cognito's <prefix>.auth.<region>.amazoncognito.com)
// or a custom domain. Names are unique across the whole store, as they are
// across AWS; a pool has at most one of each kind.
type Domain struct {
	Name   string // the prefix or the custom domain, lowercase
	PoolID string
	Custom bool
	// Settings is a JSON document owned by the package that manages
	// domains (certificate, managed login version, version counter).
	Settings  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DomainStore is the part of Store that holds user pool domains. A pool's
// domains go with it (DeleteUserPool).
type DomainStore interface {
	// CreateDomain inserts a domain: ErrAlreadyExists if any pool has a
	// domain of that name, ErrLimitExceeded if the pool has a domain of
	// that kind already, ErrNotFound if the pool does not exist.
	CreateDomain(ctx context.Context, d Domain) error
	// GetDomain returns a domain by name, or ErrNotFound.
	GetDomain(ctx context.Context, name string) (Domain, error)
	// PoolDomains returns a pool's domains, prefix before custom.
	PoolDomains(ctx context.Context, poolID string) ([]Domain, error)
	// UpdateDomain applies fn to the domain in one transaction; ErrNotFound
	// if it does not exist. The name, pool and kind cannot change.
	UpdateDomain(ctx context.Context, name string, fn func(Domain) (Domain, error)) (Domain, error)
	// DeleteDomain removes a domain; ErrNotFound if absent.
	DeleteDomain(ctx context.Context, name string) error
}
