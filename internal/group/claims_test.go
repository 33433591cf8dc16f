package group

import (
	"slices"
	"testing"

	"github.com/cognate/cognate/internal/store"
)

func TestTokenClaims(t *testing.T) {
	p := func(v int32) *int32 { return &v }
	g := func(name string, prec *int32, role string) store.Group {
		return store.Group{Name: name, Precedence: prec, RoleArn: role}
	}
	const a, b, c = "arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b", "arn:aws:iam::123456789012:role/c"
	for _, tc := range []struct {
		name      string
		groups    []store.Group // in token order, as store.UserGroups gives them
		roles     []string
		preferred string
	}{
		{name: "no groups"},
		{name: "groups without roles", groups: []store.Group{g("x", p(1), ""), g("y", nil, "")}},
		{name: "one group with a role, no precedence", groups: []store.Group{g("x", nil, a)}, roles: []string{a}, preferred: a},
		{name: "lowest precedence wins", groups: []store.Group{g("x", p(0), b), g("y", p(5), a)}, roles: []string{b, a}, preferred: b},
		{name: "precedence beats none", groups: []store.Group{g("x", p(7), b), g("y", nil, a)}, roles: []string{b, a}, preferred: b},
		{name: "a tie with different roles sets none", groups: []store.Group{g("x", p(1), a), g("y", p(1), b), g("z", p(2), c)}, roles: []string{a, b, c}},
		{name: "a tie with the same role sets it", groups: []store.Group{g("x", p(1), a), g("y", p(1), a), g("z", p(2), c)}, roles: []string{a, c}, preferred: a},
		{name: "groups without precedence tie", groups: []store.Group{g("x", nil, a), g("y", nil, b)}, roles: []string{a, b}},
		{name: "a group without a role is passed over", groups: []store.Group{g("x", p(0), ""), g("y", p(3), b)}, roles: []string{b}, preferred: b},
		{name: "a roleless group does not break a tie", groups: []store.Group{g("w", p(1), ""), g("x", p(1), a), g("y", p(2), b)}, roles: []string{a, b}, preferred: a},
		{name: "a tie lower down does not matter", groups: []store.Group{g("x", p(0), a), g("y", p(1), b), g("z", p(1), c)}, roles: []string{a, b, c}, preferred: a},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groups, roles, preferred := TokenClaims(tc.groups)
			var names []string
			for _, g := range tc.groups {
				names = append(names, g.Name)
			}
			if !slices.Equal(groups, names) {
				t.Errorf("groups %q, want %q", groups, names)
			}
			if !slices.Equal(roles, tc.roles) {
				t.Errorf("roles %q, want %q", roles, tc.roles)
			}
			if preferred != tc.preferred {
				t.Errorf("preferred %q, want %q", preferred, tc.preferred)
			}
		})
	}
}
