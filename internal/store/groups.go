package store

import (
	"cmp"
	"context"
	"time"
)

// Group is a group of a user pool. Names are case sensitive and unique in
// the pool; a user belongs to any number of groups.
type Group struct {
	PoolID      string
	Name        string
	Description string // "" when none
	// Precedence orders a user's groups in tokens: lower first. nil means
	// the group has none (it comes after every group that has one).
	Precedence *int32
	RoleArn    string // "" when none
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// GroupPage is one page of ListGroups or ListGroupsForUser.
type GroupPage struct {
	Groups []Group
	Next   string // "" on the last page
}

// CompareTokenOrder orders groups as tokens list them: by precedence, lowest
// first, groups without a precedence after all that have one, and ties by
// name in byte order. UserGroups returns a user's groups in this order.
func CompareTokenOrder(a, b Group) int {
	switch {
	case a.Precedence == nil && b.Precedence != nil:
		return 1
	case a.Precedence != nil && b.Precedence == nil:
		return -1
	case a.Precedence != nil && *a.Precedence != *b.Precedence:
		return cmp.Compare(*a.Precedence, *b.Precedence)
	}
	return cmp.Compare(a.Name, b.Name)
}

// GroupStore is the part of Store that holds groups and their members.
// Every method is scoped by pool id; the updater contract of Store applies.
// Memberships go with their group (DeleteGroup), their user (DeleteUser) and
// their pool (DeleteUserPool).
//
// The list methods take a limit (at least 1) and a cursor: "" for the first
// page, else the Next of the previous page of the same list. A cursor this
// store did not hand out for the same list gives an error wrapping
// ErrBadCursor. A pool, group or user that does not exist simply has nothing
// to list: callers that must tell the two apart look it up first.
type GroupStore interface {
	// CreateGroup inserts a group: ErrAlreadyExists if the pool has a group
	// of that name, ErrNotFound if the pool does not exist, ErrLimitExceeded
	// if the pool has max groups already (max <= 0: no limit).
	CreateGroup(ctx context.Context, g Group, max int) error
	// GetGroup returns a group, or ErrNotFound.
	GetGroup(ctx context.Context, poolID, name string) (Group, error)
	// UpdateGroup applies fn to the group in one transaction; ErrNotFound if
	// it does not exist. The pool id and name cannot change.
	UpdateGroup(ctx context.Context, poolID, name string, fn func(Group) (Group, error)) (Group, error)
	// DeleteGroup removes a group and its memberships; ErrNotFound if absent.
	DeleteGroup(ctx context.Context, poolID, name string) error
	// ListGroups returns a page of the pool's groups ordered by name.
	ListGroups(ctx context.Context, poolID string, limit int, cursor string) (GroupPage, error)

	// AddUserToGroup makes a user (by key) a member of a group. Adding a
	// member again changes nothing. ErrNotFound if the group or the user
	// does not exist; ErrLimitExceeded if the user is a member of max other
	// groups already (max <= 0: no limit).
	AddUserToGroup(ctx context.Context, poolID, group, userKey string, max int) error
	// RemoveUserFromGroup ends a membership; removing a non-member (or from
	// a group or user that does not exist) changes nothing and is no error.
	RemoveUserFromGroup(ctx context.Context, poolID, group, userKey string) error
	// ListGroupsForUser returns a page of a user's groups ordered by name.
	ListGroupsForUser(ctx context.Context, poolID, userKey string, limit int, cursor string) (GroupPage, error)
	// ListUsersInGroup returns a page of a group's members ordered by key.
	ListUsersInGroup(ctx context.Context, poolID, group string, limit int, cursor string) (UserPage, error)
	// UserGroups returns every group of a user in token order
	// (CompareTokenOrder): what a sign-in or refresh puts in the tokens.
	UserGroups(ctx context.Context, poolID, userKey string) ([]Group, error)
}
