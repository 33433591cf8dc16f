package server

import (
	"slices"

	"github.com/cognate/cognate/internal/group"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// ImplementedOperations lists the operations that have a handler, sorted, so
// that the wire tests can tell NotImplementedException apart from a bug.
func ImplementedOperations() []string {
	var names []string
	for name := range handlers(&userpool.Service{}, &user.Service{}, &group.Service{}, &token.Service{}) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
