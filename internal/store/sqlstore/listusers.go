package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/store"
)

// ListUsers pages through a pool's users in (value, key) order of the
// filtered column, or key order without a filter. Every page is one range
// scan of the column's index (users_<column>, or the primary key):
//
//   - exact match:  col = $v AND user_key > $last      ORDER BY user_key
//   - prefix match: col >= $v AND col < next($v)       ORDER BY col, user_key
//     and on later pages the row value (col, user_key) > ($lastv, $lastk)
//     replaces the lower bound, so that the index seek starts at the cursor.
//
// next(v) is v with its last code point incremented: in byte order (SQLite's
// BINARY collation, PostgreSQL's COLLATE "C", and UTF-8 keeps code point
// order) it is the least string above every string that starts with v, so
// the range holds exactly the values with the prefix. No LIKE, whose index
// use depends on collation and pragmas.
//
// The cursor is base64url JSON of the last row's (value, key) and a
// fingerprint of the query, so that a cursor from another query is
// rejected rather than silently skipping users.

// listColumn describes how a ListUsers attribute is stored.
type listColumn struct {
	col    string
	unique bool // sub: one row per value, so the order is the column alone
	bool   bool // status: the enabled column, "true"/"false"
}

var listColumns = map[string]listColumn{
	"username":            {col: "username"},
	"sub":                 {col: "sub", unique: true},
	"cognito:user_status": {col: "status"},
	"status":              {col: "enabled", bool: true},
	"email":               {col: "email"},
	"phone_number":        {col: "phone_number"},
	"name":                {col: "name"},
	"given_name":          {col: "given_name"},
	"family_name":         {col: "family_name"},
	"preferred_username":  {col: "preferred_username"},
}

// userCursor is what a ListUsers cursor holds.
type userCursor struct {
	Query string `json:"q"`           // fingerprint of the query it continues
	Value string `json:"v,omitempty"` // last row's value of the ordering column (prefix queries)
	Key   string `json:"k"`           // last row's key
}

func queryFingerprint(q store.UserQuery) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %t %q", q.Attribute, q.Prefix, q.Value)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

func decodeCursor(q store.UserQuery) (*userCursor, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", store.ErrBadCursor)
	}
	var c userCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", store.ErrBadCursor, err)
	}
	if c.Query != queryFingerprint(q) {
		return nil, fmt.Errorf("%w: the cursor continues another query", store.ErrBadCursor)
	}
	return &c, nil
}

func encodeCursor(q store.UserQuery, value, key string) string {
	b, _ := json.Marshal(userCursor{Query: queryFingerprint(q), Value: value, Key: key}) // cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// prefixEnd returns the least string greater than every string that starts
// with p, in byte order, and false if there is none (p is empty or all
// U+10FFFF). The result is valid UTF-8 when p is, which PostgreSQL insists
// on for text parameters.
func prefixEnd(p string) (string, bool) {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		switch {
		case r == utf8.MaxRune:
			continue // no successor: carry into the previous code point
		case r == 0xD7FF:
			r = 0xE000 // skip the surrogates, which UTF-8 cannot hold
		default:
			r++
		}
		return p + string(r), true
	}
	return "", false
}

// listPlan is a ListUsers query: its SQL, its arguments, and how to cursor
// from its last row.
type listPlan struct {
	sql   string
	args  []any
	empty bool                    // nothing can match: no query needed
	value func(store.User) string // the ordering column's value, for the cursor; nil if ordered by key
}

// planListUsers turns q into one statement that fetches up to q.Limit+1
// users (one more than the page, to know whether there is a next page).
func planListUsers(poolID string, q store.UserQuery) (listPlan, error) {
	if q.Limit < 1 {
		return listPlan{}, fmt.Errorf("limit %d is not positive", q.Limit)
	}
	cur, err := decodeCursor(q)
	if err != nil {
		return listPlan{}, err
	}
	var lc listColumn
	if q.Attribute != "" {
		var ok bool
		if lc, ok = listColumns[q.Attribute]; !ok {
			return listPlan{}, fmt.Errorf("cannot filter on attribute %q", q.Attribute)
		}
	}

	var (
		b    strings.Builder
		args = []any{poolID}
		p    listPlan
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	afterKey := func() {
		if cur != nil {
			b.WriteString(" AND user_key > " + arg(cur.Key))
		}
	}
	b.WriteString("SELECT " + userCols + " FROM users WHERE pool_id = $1")
	prefix := q.Prefix
	if lc.col != "" && !storable(q.Value) {
		// No stored value is invalid UTF-8 or holds NUL (and PostgreSQL
		// would refuse the parameter): nothing matches.
		p.empty = true
	}
	if lc.bool && !p.empty {
		// The enabled column holds a boolean: an exact match on "true" or
		// "false", and a prefix is a match on the values it begins.
		t, f := q.Value == "true", q.Value == "false"
		if prefix {
			t, f = strings.HasPrefix("true", q.Value), strings.HasPrefix("false", q.Value)
		}
		switch {
		case t && f: // a prefix of both: every user
			lc, prefix = listColumn{}, false
		case t || f:
			b.WriteString(" AND enabled = " + arg(t))
			prefix = false
		default:
			p.empty = true
		}
	}
	switch {
	case p.empty:
	case lc.col == "":
		afterKey()
		b.WriteString(" ORDER BY user_key")
	case !prefix && lc.unique:
		// At most one row; ordered by the column so that its unique index,
		// not the primary key, is the obvious path.
		b.WriteString(" AND " + lc.col + " = " + arg(q.Value))
		afterKey()
		b.WriteString(" ORDER BY " + lc.col)
	case !prefix:
		if !lc.bool {
			b.WriteString(" AND " + lc.col + " = " + arg(q.Value))
		}
		afterKey()
		b.WriteString(" ORDER BY user_key")
	default:
		switch {
		case cur != nil && lc.unique:
			b.WriteString(" AND " + lc.col + " > " + arg(cur.Value))
		case cur != nil:
			b.WriteString(" AND (" + lc.col + ", user_key) > (" + arg(cur.Value) + ", " + arg(cur.Key) + ")")
		default:
			b.WriteString(" AND " + lc.col + " >= " + arg(q.Value))
		}
		if end, ok := prefixEnd(q.Value); ok {
			b.WriteString(" AND " + lc.col + " < " + arg(end))
		}
		if lc.unique {
			b.WriteString(" ORDER BY " + lc.col)
		} else {
			b.WriteString(" ORDER BY " + lc.col + ", user_key")
		}
		attr := q.Attribute
		p.value = func(u store.User) string { return userValue(u, attr) }
	}
	b.WriteString(" LIMIT " + arg(q.Limit+1))
	p.sql, p.args = b.String(), args
	return p, nil
}

// userValue is u's value of a text ListUsers attribute.
func userValue(u store.User, attr string) string {
	switch attr {
	case "username":
		return u.Username
	case "sub":
		return u.Sub
	case "cognito:user_status":
		return u.Status
	}
	return u.Filter[attr]
}

// ListUsers returns a page of the pool's users matching q, in a stable
// order: by key without a filter or with an exact one, by (value, key) with
// a prefix. A cursor that this store did not hand out for the same query
// gives an error wrapping store.ErrBadCursor.
func (s *Store) ListUsers(ctx context.Context, poolID string, q store.UserQuery) (store.UserPage, error) {
	p, err := planListUsers(poolID, q)
	if err != nil {
		return store.UserPage{}, fmt.Errorf("sqlstore: list users of user pool %q: %w", poolID, err)
	}
	if p.empty {
		return store.UserPage{}, nil
	}
	rows, err := s.db.QueryContext(ctx, p.sql, p.args...)
	if err != nil {
		return store.UserPage{}, fail(err, "list users of user pool %q", poolID)
	}
	defer rows.Close()
	users := make([]store.User, 0, min(q.Limit+1, 64))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return store.UserPage{}, fail(err, "list users of user pool %q", poolID)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return store.UserPage{}, fail(err, "list users of user pool %q", poolID)
	}
	page := store.UserPage{Users: users}
	if len(users) > q.Limit {
		page.Users = users[:q.Limit]
		last := page.Users[q.Limit-1]
		value := ""
		if p.value != nil {
			value = p.value(last)
		}
		page.Next = encodeCursor(q, value, last.Key)
	}
	return page, nil
}
