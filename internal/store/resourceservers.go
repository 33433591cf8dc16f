package store

import (
	"context"
	"time"
)

// ResourceServer is an OAuth 2.0 resource server of a user pool: an
// identifier (unique in the pool, case sensitive) whose scopes app clients
// may be allowed and client-credentials tokens carry.
type ResourceServer struct {
	PoolID     string
	Identifier string
	Name       string
	// Scopes is a JSON document owned by the package that manages resource
	// servers (the scope names and descriptions, in request order).
	Scopes    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ResourceServerStore is the part of Store that holds resource servers;
// they go with their pool (DeleteUserPool).
type ResourceServerStore interface {
	// CreateResourceServer inserts one: ErrAlreadyExists if the pool has
	// that identifier, ErrNotFound if the pool does not exist,
	// ErrLimitExceeded if it has max already (max <= 0: no limit).
	CreateResourceServer(ctx context.Context, r ResourceServer, max int) error
	// GetResourceServer returns one, or ErrNotFound.
	GetResourceServer(ctx context.Context, poolID, identifier string) (ResourceServer, error)
	// UpdateResourceServer applies fn in one transaction; ErrNotFound if
	// absent. The pool and identifier cannot change.
	UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(ResourceServer) (ResourceServer, error)) (ResourceServer, error)
	// DeleteResourceServer removes one; ErrNotFound if absent.
	DeleteResourceServer(ctx context.Context, poolID, identifier string) error
	// ListResourceServers returns up to limit of the pool's resource
	// servers with identifiers after after, in byte order.
	ListResourceServers(ctx context.Context, poolID string, limit int, after string) ([]ResourceServer, error)
}
