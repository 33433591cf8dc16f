package store

import (
	"context"
	"errors"
	"time"
)

// Errors every backend returns instead of driver errors, so the domain never
// needs to know which database it talks to.
var (
	// ErrNotFound: the record (or its user pool) does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrAlreadyExists: a record with the same key or unique value exists.
	ErrAlreadyExists = errors.New("store: already exists")
	// ErrConflict: the transaction could not be serialised even after retries.
	ErrConflict = errors.New("store: conflict")
	// ErrBadCursor: a ListUsers cursor that this store did not hand out, or
	// that belongs to another query.
	ErrBadCursor = errors.New("store: bad cursor")
	// ErrLimitExceeded: the write would go past a quota the caller gave.
	ErrLimitExceeded = errors.New("store: limit exceeded")
	// ErrRevoked: a refresh token a change rotates out was revoked already.
	ErrRevoked = errors.New("store: refresh token revoked")
)

// UserPool is one user pool. Settings is a JSON document owned by the
// userpool package (the pool's configuration as DescribeUserPool returns it);
// the store keeps it opaque so that new Cognito settings need no migration.
type UserPool struct {
	ID        string // "<region>_<9 alphanumerics>"
	Name      string
	CreatedAt time.Time // kept to the millisecond
	UpdatedAt time.Time // kept to the millisecond
	Settings  []byte
}

// AppClient is one app client of a user pool. Settings is, like the pool's,
// a JSON document owned by the userpool package.
type AppClient struct {
	PoolID    string
	ID        string // globally unique: unsigned calls find their pool from it
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Settings  []byte
}

// Store is the persistence contract. Every method that touches pool-owned
// rows is scoped by the pool id; LookupAppClient is the one global lookup.
//
// Update methods take an updater: a pure function from the current record to
// the new one. It may run more than once (the store retries on serialization
// failures and busy databases), so it must not send mail, call Lambda or
// touch anything but its argument. Returning an error aborts the update,
// leaves nothing written, and the error is returned unchanged.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error

	// CreateUserPool inserts a pool; ErrAlreadyExists if the id is taken.
	CreateUserPool(ctx context.Context, p UserPool) error
	// GetUserPool returns a pool or ErrNotFound.
	GetUserPool(ctx context.Context, id string) (UserPool, error)
	// UpdateUserPool applies fn to the pool in one transaction. The id
	// cannot change; UpdatedAt is whatever fn sets.
	UpdateUserPool(ctx context.Context, id string, fn func(UserPool) (UserPool, error)) (UserPool, error)
	// DeleteUserPool removes the pool and everything it owns, atomically.
	DeleteUserPool(ctx context.Context, id string) error
	// ListUserPools returns up to limit pools ordered by id, with ids
	// strictly greater than after ("" starts at the beginning).
	ListUserPools(ctx context.Context, limit int, after string) ([]UserPool, error)

	// CreateAppClient inserts a client; ErrNotFound if its pool does not
	// exist, ErrAlreadyExists if the client id is taken (in any pool).
	CreateAppClient(ctx context.Context, c AppClient) error
	// GetAppClient returns a client of the pool or ErrNotFound.
	GetAppClient(ctx context.Context, poolID, clientID string) (AppClient, error)
	// UpdateAppClient applies fn to the client in one transaction.
	UpdateAppClient(ctx context.Context, poolID, clientID string, fn func(AppClient) (AppClient, error)) (AppClient, error)
	// DeleteAppClient removes a client of the pool or returns ErrNotFound.
	DeleteAppClient(ctx context.Context, poolID, clientID string) error
	// ListAppClients returns up to limit clients of the pool ordered by id,
	// with ids strictly greater than after.
	ListAppClients(ctx context.Context, poolID string, limit int, after string) ([]AppClient, error)
	// LookupAppClient finds a client by id alone, whatever its pool: the
	// one global lookup, used by operations that carry only a client id.
	LookupAppClient(ctx context.Context, clientID string) (AppClient, error)

	// UserStore: users, aliases, refresh tokens, the outbox, signing keys
	// and server-wide meta values (users.go).
	UserStore
	// GroupStore: groups and their members (groups.go).
	GroupStore
	// DomainStore: the domains of the OAuth 2.0 endpoints (domains.go).
	DomainStore
	// ResourceServerStore: OAuth 2.0 resource servers (resourceservers.go).
	ResourceServerStore
}
