package server

import (
	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/userpool"
)

// handlers is the operation table: every implemented operation, by name. An
// operation of the model that is missing here answers NotImplementedException.
func handlers(pools *userpool.Service) map[string]api.Handler {
	return map[string]api.Handler{
		"CreateUserPool":      api.Op(pools.CreateUserPool),
		"DescribeUserPool":    api.Op(pools.DescribeUserPool),
		"UpdateUserPool":      api.Op(pools.UpdateUserPool),
		"DeleteUserPool":      api.Op(pools.DeleteUserPool),
		"ListUserPools":       api.Op(pools.ListUserPools),
		"AddCustomAttributes": api.Op(pools.AddCustomAttributes),
		"GetCSVHeader":        api.Op(pools.GetCSVHeader),
		"TagResource":         api.Op(pools.TagResource),
		"UntagResource":       api.Op(pools.UntagResource),
		"ListTagsForResource": api.Op(pools.ListTagsForResource),

		"CreateUserPoolClient":   api.Op(pools.CreateUserPoolClient),
		"DescribeUserPoolClient": api.Op(pools.DescribeUserPoolClient),
		"UpdateUserPoolClient":   api.Op(pools.UpdateUserPoolClient),
		"DeleteUserPoolClient":   api.Op(pools.DeleteUserPoolClient),
		"ListUserPoolClients":    api.Op(pools.ListUserPoolClients),
	}
}
