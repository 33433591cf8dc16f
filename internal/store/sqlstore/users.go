package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/store"
)

// Users are one row each (userCols); their aliases are mirrored into
// user_aliases, whose UNIQUE (pool_id, kind, value) constraint is what keeps
// an alias unique in its pool. The user row keeps a JSON copy of the
// aliases, so that reading a user, and diffing its aliases on update, is one
// row.
const (
	userCols = "pool_id, user_key, username, sub, status, enabled, created_ms, updated_ms, " +
		"email, phone_number, name, given_name, family_name, preferred_username, aliases, data"
	// uUserCols is userCols qualified for a join.
	uUserCols = "u.pool_id, u.user_key, u.username, u.sub, u.status, u.enabled, u.created_ms, u.updated_ms, " +
		"u.email, u.phone_number, u.name, u.given_name, u.family_name, u.preferred_username, u.aliases, u.data"

	// ON CONFLICT DO NOTHING rather than an error: a unique violation
	// aborts a PostgreSQL transaction, and CreateUser still has to find out
	// which constraint it hit (userTaken) to report it.
	insertUser = "INSERT INTO users (" + userCols + ") VALUES " +
		"($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING"
	userTaken = "SELECT EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND user_key = $2), " +
		"EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND sub = $3)"
	selectUser        = "SELECT " + userCols + " FROM users WHERE pool_id = $1 AND user_key = $2"
	selectUserBySub   = "SELECT " + userCols + " FROM users WHERE pool_id = $1 AND sub = $2"
	selectUserByAlias = "SELECT " + uUserCols + " FROM user_aliases a " +
		"JOIN users u ON u.pool_id = a.pool_id AND u.user_key = a.user_key " +
		"WHERE a.pool_id = $1 AND a.kind = $2 AND a.value = $3"
	// Aliases and refresh tokens go with the user by ON DELETE CASCADE;
	// messages stay.
	deleteUser = "DELETE FROM users WHERE pool_id = $1 AND user_key = $2"
	countUsers = "SELECT count(*) FROM users WHERE pool_id = $1"

	refreshTokenCols   = "pool_id, hash, user_key, client_id, origin_jti, auth_ms, created_ms, expires_ms, revoked_ms, data"
	selectRefreshToken = "SELECT " + refreshTokenCols + " FROM refresh_tokens WHERE pool_id = $1 AND hash = $2"
	// revokeRefreshTokens is completed by revokeTokensQuery. A token keeps
	// the time it was first revoked.
	revokeRefreshTokens = "UPDATE refresh_tokens SET revoked_ms = $3 WHERE pool_id = $1 AND user_key = $2 AND revoked_ms IS NULL"
	// rotateRefreshToken revokes a token that is still usable, keeping the
	// end of a grace period that already runs.
	rotateRefreshToken = "UPDATE refresh_tokens SET revoked_ms = COALESCE(revoked_ms, $4) " +
		"WHERE pool_id = $1 AND user_key = $2 AND hash = $3 AND (revoked_ms IS NULL OR revoked_ms > $5)"
)

// filterColumns are the names in User.Filter, which are also their columns,
// in the order of userCols; they are ListUsers attributes of the same name.
// They must be store.FilterAttributes (TestFilterColumns): a new filterable
// attribute needs a migration that adds its column and index.
var filterColumns = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

func scanUser(r rowScanner) (store.User, error) {
	var (
		u                store.User
		created, updated int64
		filter           [6]sql.NullString
		aliases          string
		data             string
	)
	if err := r.Scan(&u.PoolID, &u.Key, &u.Username, &u.Sub, &u.Status, &u.Enabled, &created, &updated,
		&filter[0], &filter[1], &filter[2], &filter[3], &filter[4], &filter[5], &aliases, &data); err != nil {
		return store.User{}, err
	}
	u.CreatedAt, u.UpdatedAt = fromMillis(created), fromMillis(updated)
	for i, f := range filter {
		if f.Valid {
			if u.Filter == nil {
				u.Filter = make(map[string]string, len(filter))
			}
			u.Filter[filterColumns[i]] = f.String
		}
	}
	if aliases != "" && aliases != "{}" {
		if err := json.Unmarshal([]byte(aliases), &u.Aliases); err != nil {
			return store.User{}, fmt.Errorf("decode the aliases column: %w", err)
		}
	}
	if data != "" {
		u.Data = []byte(data)
	}
	return u, nil
}

// userArgs returns the arguments of insertUser (the columns of userCols in
// order), after checking what the schema cannot: that Filter holds only
// filterable attributes and that aliases are well formed.
func userArgs(u store.User) ([]any, error) {
	args := make([]any, 0, 16)
	args = append(args, u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, toMillis(u.CreatedAt), toMillis(u.UpdatedAt))
	for _, col := range filterColumns {
		if v, ok := u.Filter[col]; ok {
			args = append(args, v)
		} else {
			args = append(args, nil)
		}
	}
	for name := range u.Filter {
		if !slices.Contains(filterColumns, name) {
			return nil, fmt.Errorf("the user's Filter has %q, which is not one of %q", name, filterColumns)
		}
	}
	for kind, value := range u.Aliases {
		if kind == "" || value == "" {
			return nil, fmt.Errorf("the user has an alias of kind %q with an empty kind or value", kind)
		}
		if !storable(kind) || !storable(value) {
			return nil, fmt.Errorf("the user's %q alias: %w", kind, errUnstorable)
		}
	}
	aliases := "{}"
	if len(u.Aliases) > 0 {
		b, err := json.Marshal(u.Aliases) // keys sorted: the same map gives the same text
		if err != nil {
			return nil, err
		}
		aliases = string(b)
	}
	args = append(args, aliases, string(u.Data))
	if err := checkText(args); err != nil {
		return nil, fmt.Errorf("the user: %w", err)
	}
	return args, nil
}

var errUnstorable = errors.New("a text value is not valid UTF-8 or holds a NUL byte")

// storable reports whether s can be stored in a text column by every
// backend: PostgreSQL refuses invalid UTF-8 and NUL, which SQLite would
// keep, so both refuse them here and behave alike.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// checkText checks every string among args with storable.
func checkText(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && !storable(s) {
			return errUnstorable
		}
	}
	return nil
}

// CreateUser inserts a user with its aliases, messages and refresh tokens in
// one transaction: *store.AliasConflict if the key ("username"), the sub or
// an alias is taken, store.ErrNotFound if the pool does not exist.
func (s *Store) CreateUser(ctx context.Context, c store.UserChange) error {
	u := c.User
	args, err := userArgs(u)
	if err != nil {
		return fmt.Errorf("sqlstore: create user in user pool %q: %w", u.PoolID, err)
	}
	if err := checkRevocations(c); err != nil {
		return fmt.Errorf("sqlstore: create user in user pool %q: %w", u.PoolID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, insertUser, args...)
		if err != nil {
			return err // a missing pool is a foreign-key violation: ErrNotFound
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var keyTaken, subTaken bool
			if err := s.txQueryRow(ctx, tx, userTaken, u.PoolID, u.Key, u.Sub).Scan(&keyTaken, &subTaken); err != nil {
				return err
			}
			switch {
			case keyTaken:
				return &store.AliasConflict{Field: "username"}
			case subTaken:
				return &store.AliasConflict{Field: "sub"}
			}
			// The conflicting row was deleted between the two statements.
			return fmt.Errorf("%w: the conflicting user vanished; try again", store.ErrConflict)
		}
		return s.writeUserRows(ctx, tx, u, nil, c)
	})
	if err != nil {
		return userFail(err, "create user in user pool %q", u.PoolID)
	}
	return nil
}

// userFail is fail for the user methods: an *store.AliasConflict and an
// updater's error come back as they are.
func userFail(err error, what string, args ...any) error {
	if ac, ok := errors.AsType[*store.AliasConflict](err); ok {
		return ac
	}
	return fail(err, what, args...)
}

// writeUserRows writes what hangs off a user row that has just been
// inserted or updated: the alias rows that changed from old to u.Aliases,
// the revocations, the new refresh tokens and the messages. Revocations
// come before the inserts, so that they apply to the tokens that existed
// before this change and never to the ones it issues.
func (s *Store) writeUserRows(ctx context.Context, tx *sql.Tx, u store.User, old map[string]string, c store.UserChange) error {
	if err := s.syncAliases(ctx, tx, u, old); err != nil {
		return err
	}
	if c.RotateToken != "" {
		res, err := s.txExec(ctx, tx, rotateRefreshToken, u.PoolID, u.Key, c.RotateToken, toMillis(c.RevokedAt), toMillis(c.RotatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return &updaterError{fmt.Errorf("sqlstore: rotate a refresh token of user pool %q: %w", u.PoolID, store.ErrRevoked)}
		}
	}
	if q, args := revokeTokensQuery(u.PoolID, u.Key, c); q != "" {
		if _, err := s.txExec(ctx, tx, q, args...); err != nil {
			return err
		}
	}
	if len(c.RefreshTokens) > 0 {
		q, args, err := insertRefreshTokensQuery(u.PoolID, u.Key, c.RefreshTokens)
		if err != nil {
			return &updaterError{fmt.Errorf("sqlstore: user change in user pool %q: %w", u.PoolID, err)}
		}
		if _, err := s.txExec(ctx, tx, q, args...); err != nil {
			return err
		}
	}
	if len(c.Messages) > 0 {
		q, args, err := insertMessagesQuery(u.PoolID, u.Key, c.Messages)
		if err != nil {
			return &updaterError{fmt.Errorf("sqlstore: user change in user pool %q: %w", u.PoolID, err)}
		}
		if _, err := s.txExec(ctx, tx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// syncAliases makes the user's alias rows match u.Aliases, given the
// aliases the user had (old): one DELETE for the kinds that went away or
// changed, one INSERT for the kinds that are new or changed. The INSERT
// skips (ON CONFLICT DO NOTHING) rather than fails on a value another user
// holds, and returns the kinds it did insert; a kind missing from them is
// taken. The user's own rows for those kinds were deleted just before and
// the user row is locked, so no other constraint can be the one hit. On
// PostgreSQL, a concurrent transaction inserting the same value makes the
// INSERT wait for its outcome, so the answer is never a guess.
func (s *Store) syncAliases(ctx context.Context, tx *sql.Tx, u store.User, old map[string]string) error {
	var gone, added []string
	for kind, v := range old {
		if nv, ok := u.Aliases[kind]; !ok || nv != v {
			gone = append(gone, kind)
		}
	}
	for kind, v := range u.Aliases {
		if ov, ok := old[kind]; !ok || ov != v {
			added = append(added, kind)
		}
	}
	if len(gone) > 0 {
		slices.Sort(gone)
		var b strings.Builder
		b.WriteString("DELETE FROM user_aliases WHERE pool_id = $1 AND user_key = $2 AND kind IN (")
		args := []any{u.PoolID, u.Key}
		for i, kind := range gone {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, kind)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteString(")")
		if _, err := s.txExec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
	}
	if len(added) == 0 {
		return nil
	}
	slices.Sort(added) // the first taken kind in this order is the one reported
	var b strings.Builder
	b.WriteString("INSERT INTO user_aliases (pool_id, user_key, kind, value) VALUES ")
	args := []any{u.PoolID, u.Key}
	for i, kind := range added {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, kind, u.Aliases[kind])
		n := len(args)
		fmt.Fprintf(&b, "($1, $2, $%d, $%d)", n-1, n)
	}
	b.WriteString(" ON CONFLICT DO NOTHING RETURNING kind")
	rows, err := s.txQuery(ctx, tx, b.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	inserted := make(map[string]bool, len(added))
	for rows.Next() {
		var kind string
		if err := rows.Scan(&kind); err != nil {
			return err
		}
		inserted[kind] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, kind := range added {
		if !inserted[kind] {
			return &store.AliasConflict{Field: kind}
		}
	}
	return nil
}

// checkRevocations rejects a change that revokes without saying when: a
// zero RevokedAt would be stored as "never revoked".
func checkRevocations(c store.UserChange) error {
	if (c.RevokeAllRefreshTokens || len(c.RevokeFamilies) > 0 || len(c.RevokeTokens) > 0 || c.RotateToken != "") && c.RevokedAt.IsZero() {
		return errors.New("the change revokes refresh tokens but RevokedAt is zero")
	}
	return nil
}

// revokeTokensQuery returns the one UPDATE that applies c's revocations to
// the user's tokens, or "" if it has none.
func revokeTokensQuery(poolID, key string, c store.UserChange) (string, []any) {
	args := []any{poolID, key, toMillis(c.RevokedAt)}
	if c.RevokeAllRefreshTokens {
		return revokeRefreshTokens, args
	}
	if len(c.RevokeFamilies) == 0 && len(c.RevokeTokens) == 0 {
		return "", nil
	}
	var b strings.Builder
	b.WriteString(revokeRefreshTokens)
	b.WriteString(" AND (")
	list := func(col string, vals []string) {
		b.WriteString(col + " IN (")
		for i, v := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteString(")")
	}
	if len(c.RevokeFamilies) > 0 {
		list("origin_jti", c.RevokeFamilies)
	}
	if len(c.RevokeTokens) > 0 {
		if len(c.RevokeFamilies) > 0 {
			b.WriteString(" OR ")
		}
		list("hash", c.RevokeTokens)
	}
	b.WriteString(")")
	return b.String(), args
}

// owner checks a row written with a user change: it belongs to that user,
// whose pool id and key it gets; it may leave them empty but not contradict
// them.
func owner(what, id, poolID, key, rowPool, rowKey string) error {
	if id == "" {
		return fmt.Errorf("a %s has an empty id", what)
	}
	if (rowPool != "" && rowPool != poolID) || (rowKey != "" && rowKey != key) {
		return fmt.Errorf("a %s of pool %q names another user or pool than the change it came with (pool %q)",
			what, rowPool, poolID)
	}
	return nil
}

func insertRefreshTokensQuery(poolID, key string, ts []store.RefreshToken) (string, []any, error) {
	const cols = 10
	var b strings.Builder
	b.WriteString("INSERT INTO refresh_tokens (" + refreshTokenCols + ") VALUES ")
	args := make([]any, 0, cols*len(ts))
	for i, t := range ts {
		if err := owner("refresh token", t.Hash, poolID, key, t.PoolID, t.UserKey); err != nil {
			return "", nil, err
		}
		var revoked any
		if !t.RevokedAt.IsZero() {
			revoked = toMillis(t.RevokedAt)
		}
		args = append(args, poolID, t.Hash, key, t.ClientID, t.OriginJTI,
			toMillis(t.AuthTime), toMillis(t.CreatedAt), toMillis(t.ExpiresAt), revoked, string(t.Data))
		if err := checkText(args[len(args)-cols:]); err != nil {
			return "", nil, fmt.Errorf("a refresh token: %w", err)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		placeholders(&b, i*cols, cols)
	}
	return b.String(), args, nil
}

// placeholders writes "($first+1, …, $first+n)".
func placeholders(b *strings.Builder, first, n int) {
	b.WriteByte('(')
	for j := 1; j <= n; j++ {
		if j > 1 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + j))
	}
	b.WriteByte(')')
}

// GetUser returns a user by key, or store.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (store.User, error) {
	if !storable(key) {
		return store.User{}, fmt.Errorf("sqlstore: get user of user pool %q: %w", poolID, store.ErrNotFound)
	}
	u, err := scanUser(s.queryRow(ctx, selectUser, poolID, key))
	if err != nil {
		return store.User{}, fail(err, "get user of user pool %q", poolID)
	}
	return u, nil
}

// GetUserBySub returns a user by sub, or store.ErrNotFound.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (store.User, error) {
	if !storable(sub) {
		return store.User{}, fmt.Errorf("sqlstore: get user by sub of user pool %q: %w", poolID, store.ErrNotFound)
	}
	u, err := scanUser(s.queryRow(ctx, selectUserBySub, poolID, sub))
	if err != nil {
		return store.User{}, fail(err, "get user by sub of user pool %q", poolID)
	}
	return u, nil
}

// GetUserByAlias returns the user holding an alias, or store.ErrNotFound.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, kind, value string) (store.User, error) {
	if !storable(kind) || !storable(value) {
		return store.User{}, fmt.Errorf("sqlstore: get user by %s alias of user pool %q: %w", kind, poolID, store.ErrNotFound)
	}
	u, err := scanUser(s.queryRow(ctx, selectUserByAlias, poolID, kind, value))
	if err != nil {
		return store.User{}, fail(err, "get user by %s alias of user pool %q", kind, poolID)
	}
	return u, nil
}

// UpdateUser reads the user (locking its row), applies fn and writes the
// change in one transaction, rerunning all of it if the transaction has to
// be retried: the user row, the alias rows that changed, the revocations,
// the new refresh tokens and the messages. An fn that changes the pool id,
// the key or the sub is rejected with an error and nothing is written.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(store.User) (store.UserChange, error)) (store.User, error) {
	var out store.User
	var prepare string // the UPDATE used, prepared after the transaction
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanUser(s.txQueryRow(ctx, tx, s.q.selectUserForUpdate, poolID, key))
		if err != nil {
			return err
		}
		old := maps.Clone(cur.Aliases) // fn may change cur's maps in place
		was, err := userArgs(cur)      // so the row as read is taken first
		if err != nil {
			return err
		}
		sub := cur.Sub
		c, err := fn(cur)
		if err != nil {
			return &updaterError{err}
		}
		u := c.User
		if u.PoolID != poolID || u.Key != key || u.Sub != sub {
			return &updaterError{fmt.Errorf("sqlstore: update user of user pool %q: the updater changed the pool id, key or sub (pool id now %q)",
				poolID, u.PoolID)}
		}
		if err := checkRevocations(c); err != nil {
			return &updaterError{fmt.Errorf("sqlstore: update user of user pool %q: %w", poolID, err)}
		}
		args, err := userArgs(u)
		if err != nil {
			return &updaterError{fmt.Errorf("sqlstore: update user of user pool %q: %w", poolID, err)}
		}
		if q, set := changedColumns(was, args); q != "" {
			res, err := s.txExec(ctx, tx, q, set...)
			if err := oneRow(res, err); err != nil {
				return err
			}
			prepare = q
		}
		if err := s.writeUserRows(ctx, tx, u, old, c); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = truncate(u.CreatedAt), truncate(u.UpdatedAt)
		out = u
		return nil
	})
	if err != nil {
		return store.User{}, userFail(err, "update user of user pool %q", poolID)
	}
	if prepare != "" {
		s.stmt(ctx, prepare, false) // statements cannot be prepared inside a transaction
	}
	return out, nil
}

// userColumns are userCols one by one, userArgs' order.
var userColumns = strings.Split(userCols, ", ")

// changedColumns returns an UPDATE of the columns whose value differs
// between two userArgs, with its arguments, or "" when none does. Writing
// only those keeps SQLite from rewriting the entries of the nine indexes on
// users that an attribute change does not touch, which was most of an
// update's pages. The few distinct statements are prepared once each.
func changedColumns(was, now []any) (string, []any) {
	var b strings.Builder
	set := []any{now[0], now[1]}
	for i := 2; i < len(now); i++ { // not the key (pool_id, user_key)
		if userColumns[i] == "sub" || was[i] == now[i] { // sub never changes
			continue
		}
		set = append(set, now[i])
		if len(set) == 3 {
			b.WriteString("UPDATE users SET ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = $%d", userColumns[i], len(set))
	}
	if len(set) == 2 {
		return "", nil
	}
	b.WriteString(" WHERE pool_id = $1 AND user_key = $2")
	return b.String(), set
}

// DeleteUser removes a user with its aliases and refresh tokens (by
// cascade, in one statement); its messages stay. store.ErrNotFound if absent.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	if err := s.exec(ctx, deleteUser, poolID, key); err != nil {
		return fail(err, "delete user of user pool %q", poolID)
	}
	return nil
}

// CountUsers returns the number of users in the pool.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, countUsers, poolID).Scan(&n); err != nil {
		return 0, fail(err, "count users of user pool %q", poolID)
	}
	return n, nil
}

func scanRefreshToken(r rowScanner) (store.RefreshToken, error) {
	var (
		t                      store.RefreshToken
		auth, created, expires int64
		revoked                sql.NullInt64
		data                   string
	)
	if err := r.Scan(&t.PoolID, &t.Hash, &t.UserKey, &t.ClientID, &t.OriginJTI, &auth, &created, &expires, &revoked, &data); err != nil {
		return store.RefreshToken{}, err
	}
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMillis(auth), fromMillis(created), fromMillis(expires)
	if revoked.Valid {
		t.RevokedAt = fromMillis(revoked.Int64)
	}
	if data != "" {
		t.Data = []byte(data)
	}
	return t, nil
}

// GetRefreshToken returns a refresh token by hash, or store.ErrNotFound.
func (s *Store) GetRefreshToken(ctx context.Context, poolID, hash string) (store.RefreshToken, error) {
	t, err := scanRefreshToken(s.db.QueryRowContext(ctx, selectRefreshToken, poolID, hash))
	if err != nil {
		return store.RefreshToken{}, fail(err, "get refresh token of user pool %q", poolID)
	}
	return t, nil
}
