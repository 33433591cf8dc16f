package user

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

// filterable are the attributes ListUsers can filter on.
var filterable = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

// filter is a parsed ListUsers Filter: `attr = "value"` or `attr ^= "value"`.
type filter struct {
	attr   string
	value  string
	prefix bool
}

var errFilter = invalidParameter("Error while parsing filter.")

// parseFilter parses Cognito's filter grammar: an attribute name, `=` or
// `^=` with optional spaces around it, and a double-quoted value in which
// `\"` and `\\` are escapes. An empty filter lists everyone.
func parseFilter(s string) (*filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	i := strings.IndexAny(s, "=^ ")
	if i <= 0 {
		return nil, errFilter
	}
	f := &filter{attr: s[:i]}
	rest := strings.TrimLeft(s[i:], " ")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, errFilter
	}
	rest = strings.TrimLeft(rest, " ")
	if len(rest) < 2 || rest[0] != '"' {
		return nil, errFilter
	}
	var b strings.Builder
	closed := false
	for j := 1; j < len(rest); j++ {
		ch := rest[j]
		if ch == '\\' && j+1 < len(rest) {
			j++
			b.WriteByte(rest[j])
			continue
		}
		if ch == '"' {
			if strings.TrimSpace(rest[j+1:]) != "" {
				return nil, errFilter
			}
			closed = true
			break
		}
		b.WriteByte(ch)
	}
	if !closed {
		return nil, errFilter
	}
	f.value = b.String()
	if !slices.Contains(filterable, f.attr) {
		return nil, errFilter
	}
	return f, nil
}

// ListUsers lists a pool's users, optionally filtered, a page at a time.
func (s *Service) ListUsers(ctx context.Context, in *model.ListUsersRequest) (*model.ListUsersResponse, error) {
	p, err := s.pool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	f, err := parseFilter(deref(in.Filter))
	if err != nil {
		return nil, err
	}
	for _, name := range in.AttributesToGet {
		if _, ok := p.schema(name); !ok && name != "sub" {
			return nil, invalidParameter("One or more requested attributes do not exist.")
		}
	}
	// Limit is 0..60 in the model. What AWS answers for 0 is not recorded;
	// like an absent Limit it means a page of 60 here (inferred; moto does
	// the same, and so do Cognate's group listings). The store wants a
	// positive limit.
	q := store.UserQuery{Limit: 60, Cursor: deref(in.PaginationToken)}
	if in.Limit != nil && *in.Limit > 0 {
		q.Limit = int(*in.Limit)
	}
	if f != nil {
		q.Attribute, q.Value, q.Prefix = f.attr, f.value, f.prefix
		switch f.attr {
		case "status":
			switch f.value {
			case "Enabled":
				q.Value = "true"
			case "Disabled":
				q.Value = "false"
			default:
				q.Value = "none"
			}
		}
	}
	page, err := s.Store.ListUsers(ctx, p.id(), q)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, invalidParameter("Invalid pagination token.")
	}
	if err != nil {
		return nil, err
	}
	var keep func(string) bool
	if in.AttributesToGet != nil {
		keep = func(name string) bool { return slices.Contains(in.AttributesToGet, name) }
	}
	out := &model.ListUsersResponse{Users: make([]model.UserType, 0, len(page.Users))}
	for _, u := range page.Users {
		r, err := decodeRecord(u)
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, userType(u, r, keep))
	}
	if page.Next != "" {
		out.PaginationToken = ptr(page.Next)
	}
	return out, nil
}
