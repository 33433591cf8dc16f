package sqlstore

import (
	"slices"
	"testing"

	"github.com/cognate/cognate/internal/store"
)

// The store must have a column for every attribute the contract lets a
// user filter on, and ListUsers must accept each of them.
func TestFilterColumns(t *testing.T) {
	if !slices.Equal(filterColumns, store.FilterAttributes) {
		t.Errorf("filter columns %q, store.FilterAttributes %q: add a migration for the new attribute's column and index", filterColumns, store.FilterAttributes)
	}
	for _, a := range append(slices.Clone(store.FilterAttributes), "username", "sub", "cognito:user_status", "status") {
		if _, ok := listColumns[a]; !ok {
			t.Errorf("ListUsers cannot filter on %q", a)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"ab", "ac", true},
		{"a\x7f", "a\u0080", true},
		{"\u00ff", "\u0100", true},
		{"z\U0010FFFF", "{", true},
		{"\U0010FFFF\U0010FFFF", "", false},
		{"\uD7FF", "\uE000", true},
		{"\uFFFF", "\U00010000", true},
	} {
		got, ok := prefixEnd(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("prefixEnd(%q) = %q, %t; want %q, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
