package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cognate/cognate/internal/store"
)

// Groups are one row each in pool_groups; memberships are rows of
// group_members, which cascade from both their group and their user, so
// that DeleteGroup, DeleteUser and DeleteUserPool are each one statement.
const (
	groupCols  = "pool_id, name, description, precedence, role_arn, created_ms, updated_ms"
	gGroupCols = "g.pool_id, g.name, g.description, g.precedence, g.role_arn, g.created_ms, g.updated_ms"

	// The quota is checked by the insert itself, so that no other statement
	// runs between the count and the write ($8 <= 0: no limit). A taken
	// name passes the check, to fail on the key: it is the first error.
	insertGroup = "INSERT INTO pool_groups (" + groupCols + ") SELECT $1, $2, $3, $4, $5, $6, $7 " +
		"WHERE $8 <= 0 OR (SELECT count(*) FROM pool_groups WHERE pool_id = $1) < $8 " +
		"OR EXISTS (SELECT 1 FROM pool_groups WHERE pool_id = $1 AND name = $2)"
	selectGroup = "SELECT " + groupCols + " FROM pool_groups WHERE pool_id = $1 AND name = $2"
	updateGroup = "UPDATE pool_groups SET description = $3, precedence = $4, role_arn = $5, created_ms = $6, updated_ms = $7 " +
		"WHERE pool_id = $1 AND name = $2"
	deleteGroup = "DELETE FROM pool_groups WHERE pool_id = $1 AND name = $2"
	listGroups  = "SELECT " + groupCols + " FROM pool_groups WHERE pool_id = $1 AND name > $2 ORDER BY name LIMIT $3"

	// A missing group or user is a foreign-key violation (ErrNotFound); a
	// membership that exists already is left as it is.
	// ($4 <= 0: no limit). A membership that exists already passes the
	// quota check and is left as it is by ON CONFLICT.
	insertMember = "INSERT INTO group_members (pool_id, group_name, user_key) SELECT $1, $2, $3 " +
		"WHERE $4 <= 0 OR (SELECT count(*) FROM group_members WHERE pool_id = $1 AND user_key = $3) < $4 " +
		"OR EXISTS (SELECT 1 FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_key = $3) " +
		"ON CONFLICT DO NOTHING"
	selectMember   = "SELECT 1 FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_key = $3"
	deleteMember   = "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2 AND user_key = $3"
	listUserGroups = "SELECT " + gGroupCols + " FROM group_members m " +
		"JOIN pool_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name " +
		"WHERE m.pool_id = $1 AND m.user_key = $2 AND m.group_name > $3 ORDER BY m.group_name LIMIT $4"
	listGroupUsers = "SELECT " + uUserCols + " FROM group_members m " +
		"JOIN users u ON u.pool_id = m.pool_id AND u.user_key = m.user_key " +
		"WHERE m.pool_id = $1 AND m.group_name = $2 AND m.user_key > $3 ORDER BY m.user_key LIMIT $4"
	// Token order (store.CompareTokenOrder): precedence, lowest first, the
	// groups without one last, then name. A boolean sorts false first on
	// both engines.
	selectTokenGroups = "SELECT " + gGroupCols + " FROM group_members m " +
		"JOIN pool_groups g ON g.pool_id = m.pool_id AND g.name = m.group_name " +
		"WHERE m.pool_id = $1 AND m.user_key = $2 ORDER BY g.precedence IS NULL, g.precedence, g.name"
)

func scanGroup(r rowScanner) (store.Group, error) {
	var (
		g                store.Group
		precedence       sql.NullInt32
		created, updated int64
	)
	if err := r.Scan(&g.PoolID, &g.Name, &g.Description, &precedence, &g.RoleArn, &created, &updated); err != nil {
		return store.Group{}, err
	}
	if precedence.Valid {
		p := precedence.Int32
		g.Precedence = &p
	}
	g.CreatedAt, g.UpdatedAt = fromMillis(created), fromMillis(updated)
	return g, nil
}

// groupArgs are the columns of groupCols for g, after checking that every
// text can be stored.
func groupArgs(g store.Group) ([]any, error) {
	var precedence any
	if g.Precedence != nil {
		precedence = *g.Precedence
	}
	args := []any{g.PoolID, g.Name, g.Description, precedence, g.RoleArn, toMillis(g.CreatedAt), toMillis(g.UpdatedAt)}
	if g.Name == "" {
		return nil, fmt.Errorf("the group has an empty name")
	}
	if err := checkText(args); err != nil {
		return nil, fmt.Errorf("the group: %w", err)
	}
	return args, nil
}

// CreateGroup inserts a group: store.ErrAlreadyExists if the pool has a
// group of that name, store.ErrNotFound if the pool does not exist,
// store.ErrLimitExceeded if it has max groups already.
func (s *Store) CreateGroup(ctx context.Context, g store.Group, max int) error {
	args, err := groupArgs(g)
	if err != nil {
		return fmt.Errorf("sqlstore: create group in user pool %q: %w", g.PoolID, err)
	}
	err = s.exec(ctx, insertGroup, append(args, max)...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: create group in user pool %q: %d groups: %w", g.PoolID, max, store.ErrLimitExceeded)
	}
	if err != nil {
		return fail(err, "create group in user pool %q", g.PoolID)
	}
	return nil
}

// GetGroup returns a group, or store.ErrNotFound.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (store.Group, error) {
	if !storable(name) {
		return store.Group{}, fmt.Errorf("sqlstore: get group of user pool %q: %w", poolID, store.ErrNotFound)
	}
	g, err := scanGroup(s.queryRow(ctx, selectGroup, poolID, name))
	if err != nil {
		return store.Group{}, fail(err, "get group of user pool %q", poolID)
	}
	return g, nil
}

// UpdateGroup reads the group (locking its row), applies fn and writes the
// result in one transaction, rerunning all of it if the transaction has to
// be retried. An fn that changes the pool id or the name is rejected with
// an error and nothing is written.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(store.Group) (store.Group, error)) (store.Group, error) {
	if !storable(name) {
		return store.Group{}, fmt.Errorf("sqlstore: update group of user pool %q: %w", poolID, store.ErrNotFound)
	}
	sel := selectGroup
	if s.dialect == dialectPostgres {
		sel += " FOR UPDATE"
	}
	var out store.Group
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanGroup(s.txQueryRow(ctx, tx, sel, poolID, name))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		if next.PoolID != poolID || next.Name != name {
			return &updaterError{fmt.Errorf("sqlstore: update group of user pool %q: the updater changed the pool id or name", poolID)}
		}
		args, err := groupArgs(next)
		if err != nil {
			return &updaterError{fmt.Errorf("sqlstore: update group of user pool %q: %w", poolID, err)}
		}
		res, err := s.txExec(ctx, tx, updateGroup, args...)
		if err := oneRow(res, err); err != nil {
			return err
		}
		next.CreatedAt, next.UpdatedAt = truncate(next.CreatedAt), truncate(next.UpdatedAt)
		out = next
		return nil
	})
	if err != nil {
		return store.Group{}, fail(err, "update group of user pool %q", poolID)
	}
	return out, nil
}

// DeleteGroup removes a group and, by cascade, its memberships, in one
// statement; store.ErrNotFound if absent.
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	if !storable(name) {
		return fmt.Errorf("sqlstore: delete group of user pool %q: %w", poolID, store.ErrNotFound)
	}
	if err := s.exec(ctx, deleteGroup, poolID, name); err != nil {
		return fail(err, "delete group of user pool %q", poolID)
	}
	return nil
}

// ListGroups returns a page of the pool's groups by name.
func (s *Store) ListGroups(ctx context.Context, poolID string, limit int, cursor string) (store.GroupPage, error) {
	return s.groupPage(ctx, listGroups, "groups", poolID, "", limit, cursor)
}

// ListGroupsForUser returns a page of a user's groups by name.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, userKey string, limit int, cursor string) (store.GroupPage, error) {
	return s.groupPage(ctx, listUserGroups, "user groups", poolID, userKey, limit, cursor)
}

// groupPage runs a list of groups by name; scope is the user key of
// listUserGroups ("" for listGroups, which has no such argument).
func (s *Store) groupPage(ctx context.Context, q, kind, poolID, scope string, limit int, cursor string) (store.GroupPage, error) {
	what := "list " + kind + " of user pool %q"
	after, err := checkPage(kind, poolID, scope, limit, cursor)
	if err != nil {
		return store.GroupPage{}, fmt.Errorf("sqlstore: "+what+": %w", poolID, err)
	}
	if !storable(scope) {
		return store.GroupPage{}, nil // no user has such a key
	}
	args := []any{poolID, after, limit + 1}
	if q == listUserGroups {
		args = []any{poolID, scope, after, limit + 1}
	}
	rows, err := s.queryRows(ctx, q, args...)
	if err != nil {
		return store.GroupPage{}, fail(err, what, poolID)
	}
	defer rows.Close()
	groups := make([]store.Group, 0, min(limit+1, 64))
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return store.GroupPage{}, fail(err, what, poolID)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return store.GroupPage{}, fail(err, what, poolID)
	}
	page := store.GroupPage{Groups: groups}
	if len(groups) > limit {
		page.Groups = groups[:limit]
		page.Next = encodePageCursor(kind, poolID, scope, groups[limit-1].Name)
	}
	return page, nil
}

// ListUsersInGroup returns a page of a group's members by key.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, limit int, cursor string) (store.UserPage, error) {
	const kind = "group users"
	what := "list users in a group of user pool %q"
	after, err := checkPage(kind, poolID, group, limit, cursor)
	if err != nil {
		return store.UserPage{}, fmt.Errorf("sqlstore: "+what+": %w", poolID, err)
	}
	if !storable(group) {
		return store.UserPage{}, nil
	}
	rows, err := s.queryRows(ctx, listGroupUsers, poolID, group, after, limit+1)
	if err != nil {
		return store.UserPage{}, fail(err, what, poolID)
	}
	defer rows.Close()
	users := make([]store.User, 0, min(limit+1, 64))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return store.UserPage{}, fail(err, what, poolID)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return store.UserPage{}, fail(err, what, poolID)
	}
	page := store.UserPage{Users: users}
	if len(users) > limit {
		page.Users = users[:limit]
		page.Next = encodePageCursor(kind, poolID, group, users[limit-1].Key)
	}
	return page, nil
}

// AddUserToGroup adds a membership; adding it again changes nothing.
// store.ErrNotFound if the group or the user does not exist.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, group, userKey string, max int) error {
	if !storable(group) || !storable(userKey) {
		return fmt.Errorf("sqlstore: add user to group of user pool %q: %w", poolID, store.ErrNotFound)
	}
	err := s.retry(ctx, func() error {
		// No row written: either the membership exists (ON CONFLICT) or the
		// quota refused it; the first one passes the quota check, so a
		// missing membership means the quota.
		res, err := s.db.ExecContext(ctx, insertMember, poolID, group, userKey, max)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var one int
		switch err := s.db.QueryRowContext(ctx, selectMember, poolID, group, userKey).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%d groups: %w", max, store.ErrLimitExceeded)
		default:
			return err
		}
	})
	if err != nil {
		return fail(err, "add user to group of user pool %q", poolID)
	}
	return nil
}

// RemoveUserFromGroup removes a membership if there is one.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, group, userKey string) error {
	if !storable(group) || !storable(userKey) {
		return nil
	}
	err := s.retry(ctx, func() error {
		_, err := s.db.ExecContext(ctx, deleteMember, poolID, group, userKey)
		return err
	})
	if err != nil {
		return fail(err, "remove user from group of user pool %q", poolID)
	}
	return nil
}

// UserGroups returns every group of a user in token order. It runs on
// every sign-in and refresh, so its statement is prepared.
func (s *Store) UserGroups(ctx context.Context, poolID, userKey string) ([]store.Group, error) {
	if !storable(userKey) {
		return nil, nil
	}
	rows, err := s.queryRows(ctx, selectTokenGroups, poolID, userKey)
	if err != nil {
		return nil, fail(err, "list the groups of a user of user pool %q", poolID)
	}
	defer rows.Close()
	var groups []store.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fail(err, "list the groups of a user of user pool %q", poolID)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(err, "list the groups of a user of user pool %q", poolID)
	}
	return groups, nil
}

// queryRows runs a query outside a transaction with a prepared statement.
func (s *Store) queryRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q, false); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, q, args...)
}

// pageCursor is what a group list cursor holds: a fingerprint of the list
// it continues (its kind, pool and group or user) and the last row's name
// or user key. Pages continue strictly after that value, so a cursor stays
// valid when rows are added or removed between pages.
type pageCursor struct {
	List string `json:"q"`
	Last string `json:"k"`
}

func listFingerprint(kind, poolID, scope string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q", kind, poolID, scope)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

func encodePageCursor(kind, poolID, scope, last string) string {
	b, _ := json.Marshal(pageCursor{List: listFingerprint(kind, poolID, scope), Last: last}) // cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkPage checks a list's limit and cursor and returns the value the
// page starts after ("" for the first page).
func checkPage(kind, poolID, scope string, limit int, cursor string) (string, error) {
	if limit < 1 {
		return "", fmt.Errorf("limit %d is not positive", limit)
	}
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", fmt.Errorf("%w: not base64url", store.ErrBadCursor)
	}
	var c pageCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return "", fmt.Errorf("%w: %v", store.ErrBadCursor, err)
	}
	if c.List != listFingerprint(kind, poolID, scope) {
		return "", fmt.Errorf("%w: the cursor continues another list", store.ErrBadCursor)
	}
	if !storable(c.Last) {
		return "", fmt.Errorf("%w: the cursor holds an unstorable value", store.ErrBadCursor)
	}
	return c.Last, nil
}
