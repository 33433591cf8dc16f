package store

import (
	"context"
	"time"
)

// User is one user of a pool. The columns the store indexes are explicit
// fields; everything else (attributes, password hash, sealed SRP verifier,
// pending codes, revocation marks, MFA settings) lives in Data, a JSON
// document owned by the user package, so that new Cognito features need no
// migration and an update stays one row.
type User struct {
	PoolID string
	// Key is the lookup key of the username: the username folded to lower
	// case unless the pool is case sensitive. Unique in the pool.
	Key string
	// Username is the username as Cognito shows it (for UsernameAttributes
	// pools, the sub).
	Username  string
	Sub       string // unique in the pool
	Status    string // UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, …
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Filter holds the values ListUsers can filter on, by attribute name:
	// email, phone_number, name, given_name, family_name, preferred_username.
	// Missing names are stored as absent (NULL), never matched.
	Filter map[string]string
	// Aliases are the values that must be unique in the pool besides the
	// username, by kind ("email", "phone_number", "preferred_username"),
	// already normalised by the user package (folded to lower case where
	// Cognito compares without case). A conflict with another user's alias
	// of the same kind is an *AliasConflict.
	Aliases map[string]string
	Data    []byte
}

// FilterAttributes are the attribute names User.Filter may hold, besides
// the username, status, sub and enabled state which are columns already.
var FilterAttributes = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

// AliasConflict reports that a create or update would give a second user
// the same username, sub or alias. Field is "username", "sub" or the alias
// kind. errors.Is(err, ErrAlreadyExists) holds for it.
type AliasConflict struct {
	Field string
}

func (e *AliasConflict) Error() string { return "store: " + e.Field + " already in use" }

// Is makes errors.Is(err, ErrAlreadyExists) true.
func (e *AliasConflict) Is(target error) bool { return target == ErrAlreadyExists }

// UserChange is what one user transaction writes: the user row and the rows
// that must be written with it, or not at all.
type UserChange struct {
	User User
	// Messages to deliver after the commit (verification codes, invitations).
	Messages []Message
	// RefreshTokens issued by this change (a sign-in).
	RefreshTokens []RefreshToken
	// RevokeFamilies marks every refresh token of these origin_jti families
	// revoked at RevokedAt.
	RevokeFamilies []string
	// RevokeTokens marks these refresh tokens (by hash) revoked at
	// RevokedAt: a rotated refresh token.
	RevokeTokens []string
	// RevokeAllRefreshTokens revokes every refresh token of the user
	// (GlobalSignOut, AdminDisableUser).
	RevokeAllRefreshTokens bool
	RevokedAt              time.Time
	// RotateToken is a refresh token (by hash) this change rotates out. It
	// must still be usable at RotatedAt (never revoked, or revoked after
	// RotatedAt: inside a grace period), else the whole change fails with
	// ErrRevoked; it is revoked at RevokedAt unless a grace period already
	// runs. Checked and written in the change's transaction, so of several
	// changes rotating one token only those the grace period allows win.
	RotateToken string
	RotatedAt   time.Time
}

// UserQuery selects users for ListUsers. Attribute is "" (all users), one
// of FilterAttributes, or "username", "sub", "cognito:user_status", "status"
// (Enabled/Disabled as "true"/"false" in Value).
type UserQuery struct {
	Attribute string
	Value     string
	Prefix    bool // match Value as a prefix (the ^= operator) rather than exactly
	Limit     int
	// Cursor continues a previous page: the Next of the last result.
	Cursor string
}

// UserPage is one page of ListUsers.
type UserPage struct {
	Users []User
	Next  string // "" on the last page
}

// RefreshToken is an issued refresh token. Only a hash of the token is
// kept, so the database never holds a usable token.
type RefreshToken struct {
	Hash      string // hex SHA-256 of the token
	PoolID    string
	UserKey   string
	ClientID  string
	OriginJTI string // the family: every access token from it shares this id
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time // zero while live
	// Data is the user package's document (device key, rotation state).
	Data []byte
}

// Message is a verification code, invitation or other message on its way
// to a user, kept in the outbox until delivered and readable afterwards
// (the inspection API). Body and Code are sealed by the message package.
type Message struct {
	ID             string // time-ordered: messages sort by CreatedAt, then ID
	PoolID         string
	UserKey        string
	CreatedAt      time.Time
	DeliveryMedium string // EMAIL or SMS
	Destination    string
	AttributeName  string
	TriggerSource  string
	Subject        string
	Body           []byte
	Code           []byte
	// Delivery state, owned by the dispatcher.
	Delivered     bool
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
}

// SigningKey is one of a pool's token signing keys. Private is sealed by the
// token package; Public is the JWK as the JWKS document shows it.
type SigningKey struct {
	PoolID    string
	KID       string
	Use       string // "access" or "id"
	CreatedAt time.Time
	Private   []byte
	Public    []byte
}

// UserStore is the part of Store that holds users and what hangs off them.
// Every method is scoped by pool id; the updater contract of Store applies.
type UserStore interface {
	// CreateUser inserts a user with its messages and refresh tokens;
	// *AliasConflict if the key, sub or an alias is taken, ErrNotFound if
	// the pool does not exist.
	CreateUser(ctx context.Context, c UserChange) error
	// GetUser returns a user by key, or ErrNotFound.
	GetUser(ctx context.Context, poolID, key string) (User, error)
	// GetUserBySub returns a user by sub, or ErrNotFound.
	GetUserBySub(ctx context.Context, poolID, sub string) (User, error)
	// GetUserByAlias returns the user holding an alias, or ErrNotFound.
	GetUserByAlias(ctx context.Context, poolID, kind, value string) (User, error)
	// UpdateUser applies fn to the user in one transaction and writes the
	// change; *AliasConflict if the new aliases are taken. The key, sub and
	// pool id cannot change.
	UpdateUser(ctx context.Context, poolID, key string, fn func(User) (UserChange, error)) (User, error)
	// DeleteUser removes a user and its refresh tokens; ErrNotFound if absent.
	DeleteUser(ctx context.Context, poolID, key string) error
	// ListUsers returns a page of users matching q, in a stable order.
	ListUsers(ctx context.Context, poolID string, q UserQuery) (UserPage, error)
	// CountUsers returns the number of users in the pool.
	CountUsers(ctx context.Context, poolID string) (int, error)

	// GetRefreshToken returns a refresh token by hash, or ErrNotFound.
	GetRefreshToken(ctx context.Context, poolID, hash string) (RefreshToken, error)

	// ListMessages returns the pool's messages, of one user when userKey is
	// not "", oldest first.
	ListMessages(ctx context.Context, poolID, userKey string) ([]Message, error)
	// ClaimMessages leases up to limit undelivered messages whose
	// NextAttemptAt has passed, across all pools, for lease; another caller
	// does not get them until the lease ends. For the dispatcher.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// FinishMessage records a delivery attempt: delivered, or failed with
	// the error and the time of the next attempt.
	FinishMessage(ctx context.Context, poolID, id string, delivered bool, lastError string, next time.Time) error

	// AddSigningKeys stores signing keys of a pool.
	AddSigningKeys(ctx context.Context, keys ...SigningKey) error
	// ListSigningKeys returns a pool's signing keys, oldest first.
	ListSigningKeys(ctx context.Context, poolID string) ([]SigningKey, error)

	// UpdateShadow applies fn, in one transaction, to the shadow record of
	// key in a pool: what the user package keeps about a login that names
	// no user (PreventUserExistenceErrors), so that it is throttled as a
	// real user is. fn gets the record's data (nil when there is none or it
	// expired at now) and returns the data to keep and when it expires; nil
	// data deletes it. Expired records of the pool are deleted on the way.
	// ErrNotFound if the pool does not exist.
	UpdateShadow(ctx context.Context, poolID, key string, now time.Time, fn func(data []byte) ([]byte, time.Time, error)) error

	// GetMeta returns a server-wide value (the local keyring, the clock
	// offset), or ErrNotFound.
	GetMeta(ctx context.Context, key string) ([]byte, error)
	// PutMeta sets a server-wide value.
	PutMeta(ctx context.Context, key string, value []byte) error
	// PutMetaIfAbsent sets a value unless one exists, and returns the value
	// that is stored afterwards: the first writer wins, so instances that
	// start together agree.
	PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
}
