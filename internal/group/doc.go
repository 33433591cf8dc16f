// Package group owns user pool groups: CreateGroup, GetGroup, UpdateGroup,
// DeleteGroup and ListGroups, the memberships (AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup), and
// the rule that turns a user's groups into the cognito:groups, cognito:roles
// and cognito:preferred_role claims (TokenClaims), which the user package
// applies whenever it issues tokens.
//
// Groups are a package of their own rather than part of userpool because
// they hang off users as much as off pools: the membership operations name
// users the way the admin user operations do (username, alias or sub), which
// this package asks of the user package through the small Users interface
// instead of importing it, so that the user package can import TokenClaims.
package group
