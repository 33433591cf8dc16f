package server

import (
	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/group"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// handlers is the operation table: every implemented operation, by name. An
// operation of the model that is missing here answers NotImplementedException.
func handlers(pools *userpool.Service, users *user.Service, groups *group.Service, tokens *token.Service) map[string]api.Handler {
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

		"SetUserPoolMfaConfig": api.Op(pools.SetUserPoolMfaConfig),
		"GetUserPoolMfaConfig": api.Op(pools.GetUserPoolMfaConfig),

		"CreateUserPoolClient":   api.Op(pools.CreateUserPoolClient),
		"DescribeUserPoolClient": api.Op(pools.DescribeUserPoolClient),
		"UpdateUserPoolClient":   api.Op(pools.UpdateUserPoolClient),
		"DeleteUserPoolClient":   api.Op(pools.DeleteUserPoolClient),
		"ListUserPoolClients":    api.Op(pools.ListUserPoolClients),

		"CreateUserPoolDomain":   api.Op(pools.CreateUserPoolDomain),
		"DescribeUserPoolDomain": api.Op(pools.DescribeUserPoolDomain),
		"UpdateUserPoolDomain":   api.Op(pools.UpdateUserPoolDomain),
		"DeleteUserPoolDomain":   api.Op(pools.DeleteUserPoolDomain),

		"SignUp":                 api.Op(users.SignUp),
		"ConfirmSignUp":          api.Op(users.ConfirmSignUp),
		"ResendConfirmationCode": api.Op(users.ResendConfirmationCode),
		"AdminCreateUser":        api.Op(users.AdminCreateUser),
		"AdminConfirmSignUp":     api.Op(users.AdminConfirmSignUp),
		"AdminGetUser":           api.Op(users.AdminGetUser),
		"AdminDeleteUser":        api.Op(users.AdminDeleteUser),
		"AdminDisableUser":       api.Op(users.AdminDisableUser),
		"AdminEnableUser":        api.Op(users.AdminEnableUser),
		"AdminSetUserPassword":   api.Op(users.AdminSetUserPassword),
		"AdminResetUserPassword": api.Op(users.AdminResetUserPassword),
		"AdminUserGlobalSignOut": api.Op(users.AdminUserGlobalSignOut),
		"ListUsers":              api.Op(users.ListUsers),
		"GetUser":                api.Op(users.GetUser),
		"DeleteUser":             api.Op(users.DeleteUser),
		"GlobalSignOut":          api.Op(users.GlobalSignOut),
		"ChangePassword":         api.Op(users.ChangePassword),
		"ForgotPassword":         api.Op(users.ForgotPassword),
		"ConfirmForgotPassword":  api.Op(users.ConfirmForgotPassword),
		"RevokeToken":            api.Op(users.RevokeToken),

		"AssociateSoftwareToken":    api.Op(users.AssociateSoftwareToken),
		"VerifySoftwareToken":       api.Op(users.VerifySoftwareToken),
		"SetUserMFAPreference":      api.Op(users.SetUserMFAPreference),
		"AdminSetUserMFAPreference": api.Op(users.AdminSetUserMFAPreference),

		"UpdateUserAttributes":             api.Op(users.UpdateUserAttributes),
		"AdminUpdateUserAttributes":        api.Op(users.AdminUpdateUserAttributes),
		"DeleteUserAttributes":             api.Op(users.DeleteUserAttributes),
		"AdminDeleteUserAttributes":        api.Op(users.AdminDeleteUserAttributes),
		"GetUserAttributeVerificationCode": api.Op(users.GetUserAttributeVerificationCode),
		"VerifyUserAttribute":              api.Op(users.VerifyUserAttribute),

		"InitiateAuth":                api.Op(users.InitiateAuth),
		"AdminInitiateAuth":           api.Op(users.AdminInitiateAuth),
		"RespondToAuthChallenge":      api.Op(users.RespondToAuthChallenge),
		"AdminRespondToAuthChallenge": api.Op(users.AdminRespondToAuthChallenge),
		"GetTokensFromRefreshToken":   api.Op(users.GetTokensFromRefreshToken),
		"GetSigningCertificate":       api.Op(tokens.GetSigningCertificate),

		"CreateGroup":              api.Op(groups.CreateGroup),
		"GetGroup":                 api.Op(groups.GetGroup),
		"UpdateGroup":              api.Op(groups.UpdateGroup),
		"DeleteGroup":              api.Op(groups.DeleteGroup),
		"ListGroups":               api.Op(groups.ListGroups),
		"AdminAddUserToGroup":      api.Op(groups.AdminAddUserToGroup),
		"AdminRemoveUserFromGroup": api.Op(groups.AdminRemoveUserFromGroup),
		"AdminListGroupsForUser":   api.Op(groups.AdminListGroupsForUser),
		"ListUsersInGroup":         api.Op(groups.ListUsersInGroup),
	}
}
