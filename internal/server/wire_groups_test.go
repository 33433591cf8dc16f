package server_test

// Wire tests of groups: the nine group operations through the Go SDK, their
// errors and pagination, and memberships cleaned up with their user or
// group. The group claims of tokens are in wire_groups_tokens_test.go.

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const (
	groupRoleA = "arn:aws:iam::123456789012:role/admins"
	groupRoleB = "arn:aws:iam::123456789012:role/editors"
	groupRoleC = "arn:aws:iam::123456789012:role/readers"
)

func (e *userEnv) createGroup(t *testing.T, poolID, name string, precedence *int32, role string) *types.GroupType {
	t.Helper()
	in := &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(name), Precedence: precedence}
	if role != "" {
		in.RoleArn = aws.String(role)
	}
	out, err := e.c.CreateGroup(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return out.Group
}

func (e *userEnv) addToGroup(t *testing.T, poolID, username, group string) {
	t.Helper()
	_, err := e.c.AdminAddUserToGroup(context.Background(), &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), GroupName: aws.String(group),
	})
	if err != nil {
		t.Fatalf("AdminAddUserToGroup(%s, %s): %v", username, group, err)
	}
}

func (e *userEnv) removeFromGroup(t *testing.T, poolID, username, group string) {
	t.Helper()
	_, err := e.c.AdminRemoveUserFromGroup(context.Background(), &cip.AdminRemoveUserFromGroupInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username), GroupName: aws.String(group),
	})
	if err != nil {
		t.Fatalf("AdminRemoveUserFromGroup(%s, %s): %v", username, group, err)
	}
}

// groupsOf walks AdminListGroupsForUser with pages of limit.
func (e *userEnv) groupsOf(t *testing.T, poolID, username string, limit int32) []string {
	t.Helper()
	var names []string
	var next *string
	for range 100 {
		out, err := e.c.AdminListGroupsForUser(context.Background(), &cip.AdminListGroupsForUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String(username), Limit: aws.Int32(limit), NextToken: next,
		})
		if err != nil {
			t.Fatalf("AdminListGroupsForUser(%s): %v", username, err)
		}
		if len(out.Groups) > int(limit) {
			t.Fatalf("AdminListGroupsForUser: %d groups with Limit %d", len(out.Groups), limit)
		}
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		if next = out.NextToken; next == nil {
			return names
		}
	}
	t.Fatal("AdminListGroupsForUser does not end")
	return nil
}

// membersOf walks ListUsersInGroup with pages of limit.
func (e *userEnv) membersOf(t *testing.T, poolID, group string, limit int32) []types.UserType {
	t.Helper()
	var users []types.UserType
	var next *string
	for range 100 {
		out, err := e.c.ListUsersInGroup(context.Background(), &cip.ListUsersInGroupInput{
			UserPoolId: aws.String(poolID), GroupName: aws.String(group), Limit: aws.Int32(limit), NextToken: next,
		})
		if err != nil {
			t.Fatalf("ListUsersInGroup(%s): %v", group, err)
		}
		if len(out.Users) > int(limit) {
			t.Fatalf("ListUsersInGroup: %d users with Limit %d", len(out.Users), limit)
		}
		users = append(users, out.Users...)
		if next = out.NextToken; next == nil {
			return users
		}
	}
	t.Fatal("ListUsersInGroup does not end")
	return nil
}

func usernames(us []types.UserType) []string {
	var names []string
	for _, u := range us {
		names = append(names, aws.ToString(u.Username))
	}
	return names
}

// TestGroupsCRUD: create, get, update (omitted members kept), delete, with
// Cognito's errors.
func TestGroupsCRUD(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := newFakeClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		created := clk.Now().Truncate(time.Millisecond)

		out, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{
			UserPoolId: aws.String(poolID), GroupName: aws.String("admins"), Description: aws.String("The admins"),
			RoleArn: aws.String(groupRoleA), Precedence: aws.Int32(3),
		})
		if err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
		want := &types.GroupType{
			GroupName: aws.String("admins"), UserPoolId: aws.String(poolID), Description: aws.String("The admins"),
			RoleArn: aws.String(groupRoleA), Precedence: aws.Int32(3), CreationDate: &created, LastModifiedDate: &created,
		}
		if d := diff(want, out.Group); d != "" {
			t.Errorf("CreateGroup result (-want +got):\n%s", d)
		}
		got, err := e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
		if err != nil {
			t.Fatalf("GetGroup: %v", err)
		}
		if d := diff(want, got.Group); d != "" {
			t.Errorf("GetGroup (-want +got):\n%s", d)
		}

		// A minimal group has no description, role or precedence.
		bare := e.createGroup(t, poolID, "bare", nil, "")
		if bare.Description != nil || bare.RoleArn != nil || bare.Precedence != nil {
			t.Errorf("a group created without them has description %v, role %v, precedence %v", bare.Description, bare.RoleArn, bare.Precedence)
		}

		_, err = e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
		wantAPIError[*types.GroupExistsException](t, err, "A group with the name admins already exists.")
		// Names are case sensitive: another case is another group.
		e.createGroup(t, poolID, "Admins", aws.Int32(1), "")

		// UpdateGroup changes what it is given and keeps the rest.
		clk.Advance(time.Minute)
		modified := clk.Now().Truncate(time.Millisecond)
		up, err := e.c.UpdateGroup(ctx, &cip.UpdateGroupInput{
			UserPoolId: aws.String(poolID), GroupName: aws.String("admins"), Description: aws.String("New description"), Precedence: aws.Int32(0),
		})
		if err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		want.Description, want.Precedence, want.LastModifiedDate = aws.String("New description"), aws.Int32(0), &modified
		if d := diff(want, up.Group); d != "" {
			t.Errorf("UpdateGroup result (-want +got):\n%s", d)
		}
		up, err = e.c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins"), RoleArn: aws.String(groupRoleB)})
		if err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		want.RoleArn = aws.String(groupRoleB)
		if d := diff(want, up.Group); d != "" {
			t.Errorf("UpdateGroup of the role only (-want +got):\n%s", d)
		}
		got, _ = e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
		if d := diff(want, got.Group); d != "" {
			t.Errorf("GetGroup after the updates (-want +got):\n%s", d)
		}

		if _, err := e.c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")}); err != nil {
			t.Fatalf("DeleteGroup: %v", err)
		}
		const notFound = "Group not found."
		for name, call := range map[string]func() error{
			"GetGroup after delete": func() error {
				_, err := e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
				return err
			},
			"GetGroup in another case": func() error {
				_, err := e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("BARE")})
				return err
			},
			"UpdateGroup": func() error {
				_, err := e.c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins"), Precedence: aws.Int32(1)})
				return err
			},
			"DeleteGroup twice": func() error {
				_, err := e.c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) { wantAPIError[*types.ResourceNotFoundException](t, call(), notFound) })
		}
		// The name is free again.
		e.createGroup(t, poolID, "admins", nil, "")
	})
}

// Every group operation on a pool that does not exist answers
// ResourceNotFoundException with the pool's id.
func TestGroupsMissingPool(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		const id = "us-east-1_XXXXXXXXX"
		pool, group, user := aws.String(id), aws.String("admins"), aws.String("alice")
		for name, call := range map[string]func() error{
			"CreateGroup": func() error {
				_, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: group})
				return err
			},
			"GetGroup": func() error {
				_, err := e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: group})
				return err
			},
			"UpdateGroup": func() error {
				_, err := e.c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: group})
				return err
			},
			"DeleteGroup": func() error {
				_, err := e.c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: group})
				return err
			},
			"ListGroups": func() error { _, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool}); return err },
			"AdminAddUserToGroup": func() error {
				_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: user, GroupName: group})
				return err
			},
			"AdminRemoveUserFromGroup": func() error {
				_, err := e.c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: user, GroupName: group})
				return err
			},
			"AdminListGroupsForUser": func() error {
				_, err := e.c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: user})
				return err
			},
			"ListUsersInGroup": func() error {
				_, err := e.c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: group})
				return err
			},
		} {
			t.Run(name, func(t *testing.T) {
				wantAPIError[*types.ResourceNotFoundException](t, call(), "User pool "+id+" does not exist.")
			})
		}
	})
}

// ListGroups pages by name in byte order; a page is at most Limit groups
// and the last page has no NextToken.
func TestListGroupsPagination(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		other := e.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
		e.createGroup(t, other, "elsewhere", nil, "")

		empty, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(poolID)})
		if err != nil || len(empty.Groups) != 0 || empty.NextToken != nil {
			t.Fatalf("ListGroups of a pool without groups: %v, %v, %v", empty.Groups, empty.NextToken, err)
		}
		names := []string{"readers", "Admins", "admins", "zeta", "éditeurs", "0-first", "b.c"}
		for i, name := range names {
			e.createGroup(t, poolID, name, aws.Int32(int32(i)), "")
		}
		sorted := slices.Sorted(slices.Values(names))
		for _, limit := range []int32{1, 3, 7, 60} {
			var listed []string
			var next *string
			for page := 0; ; page++ {
				out, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(limit), NextToken: next})
				if err != nil {
					t.Fatalf("ListGroups(limit %d, page %d): %v", limit, page, err)
				}
				if len(out.Groups) > int(limit) || page > len(names) {
					t.Fatalf("ListGroups(limit %d): a page of %d, or no end", limit, len(out.Groups))
				}
				for _, g := range out.Groups {
					listed = append(listed, aws.ToString(g.GroupName))
					if aws.ToString(g.UserPoolId) != poolID || g.CreationDate == nil || g.LastModifiedDate == nil || g.Precedence == nil {
						t.Errorf("listed group %+v lacks its pool, dates or precedence", g)
					}
				}
				if next = out.NextToken; next == nil {
					break
				}
			}
			if !slices.Equal(listed, sorted) {
				t.Errorf("ListGroups with Limit %d: %q, want %q", limit, listed, sorted)
			}
		}
		all, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(poolID)})
		if err != nil || len(all.Groups) != len(names) || all.NextToken != nil {
			t.Errorf("ListGroups without Limit: %d groups, next %v, %v", len(all.Groups), all.NextToken, err)
		}
		first, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(2)})
		if err != nil || first.NextToken == nil {
			t.Fatalf("ListGroups: %v", err)
		}
		for _, tc := range []struct{ pool, token string }{
			{poolID, "bm90LWEtdG9rZW4"},
			{poolID, aws.ToString(first.NextToken) + "x"},
			{other, aws.ToString(first.NextToken)}, // another pool's list
		} {
			_, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(tc.pool), NextToken: aws.String(tc.token)})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid pagination token.")
		}
		_, err = e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(poolID), Limit: aws.Int32(61)})
		wantAPIError[*types.InvalidParameterException](t, err,
			"1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60")
	})
}

// Memberships: users named by username, alias or sub; adding and removing
// twice; both lists paged; Cognito's errors for a missing user or group.
func TestGroupMemberships(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
		for _, name := range []string{"bob", "alice", "carol", "Dave"} {
			e.confirmedUser(t, poolID, name, userPassword, userAttrs("email", name+"@example.com", "email_verified", "true")...)
		}
		for _, g := range []string{"admins", "editors", "readers", "zz"} {
			e.createGroup(t, poolID, g, nil, "")
		}
		sub := userAttrMap(e.adminGetUser(t, poolID, "carol").UserAttributes)["sub"]

		e.addToGroup(t, poolID, "alice", "admins")
		e.addToGroup(t, poolID, "bob@example.com", "admins") // by alias
		e.addToGroup(t, poolID, sub, "admins")               // by sub
		e.addToGroup(t, poolID, "Dave", "admins")
		e.addToGroup(t, poolID, "alice", "admins") // again: no error, no duplicate
		for _, g := range []string{"zz", "readers", "editors"} {
			e.addToGroup(t, poolID, "alice", g)
		}
		for _, limit := range []int32{1, 2, 60} {
			if got, want := e.groupsOf(t, poolID, "alice", limit), []string{"admins", "editors", "readers", "zz"}; !slices.Equal(got, want) {
				t.Errorf("AdminListGroupsForUser(alice, Limit %d) = %q, want %q", limit, got, want)
			}
			if got, want := usernames(e.membersOf(t, poolID, "admins", limit)), []string{"Dave", "alice", "bob", "carol"}; !slices.Equal(got, want) {
				t.Errorf("ListUsersInGroup(admins, Limit %d) = %q, want %q", limit, got, want)
			}
		}
		if got := e.groupsOf(t, poolID, "alice@example.com", 60); len(got) != 4 {
			t.Errorf("AdminListGroupsForUser by alias: %q", got)
		}
		// ListUsersInGroup shows users as ListUsers does.
		members := e.membersOf(t, poolID, "admins", 60)
		alice := members[1]
		if attrs := userAttrMap(alice.Attributes); attrs["email"] != "alice@example.com" || attrs["sub"] == "" ||
			alice.UserStatus != types.UserStatusTypeConfirmed || !alice.Enabled || alice.UserCreateDate == nil || alice.UserLastModifiedDate == nil {
			t.Errorf("ListUsersInGroup user: %+v", alice)
		}
		listed, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Filter: aws.String(`username = "alice"`)})
		if err != nil || len(listed.Users) != 1 {
			t.Fatalf("ListUsers: %v", err)
		}
		if d := diff(listed.Users[0], alice); d != "" {
			t.Errorf("ListUsersInGroup and ListUsers disagree on alice (-ListUsers +ListUsersInGroup):\n%s", d)
		}

		e.removeFromGroup(t, poolID, "alice", "admins")
		e.removeFromGroup(t, poolID, "alice", "admins") // again: no error
		e.removeFromGroup(t, poolID, "carol", "zz")     // never a member: no error
		e.removeFromGroup(t, poolID, sub, "admins")
		if got, want := usernames(e.membersOf(t, poolID, "admins", 60)), []string{"Dave", "bob"}; !slices.Equal(got, want) {
			t.Errorf("members of admins after removals: %q, want %q", got, want)
		}
		if got, want := e.groupsOf(t, poolID, "alice", 60), []string{"editors", "readers", "zz"}; !slices.Equal(got, want) {
			t.Errorf("groups of alice after removals: %q, want %q", got, want)
		}
		if got := e.groupsOf(t, poolID, "carol", 60); len(got) != 0 {
			t.Errorf("groups of carol: %q", got)
		}

		pool := aws.String(poolID)
		for name, tc := range map[string]struct {
			call func() error
			msg  string
			typ  string
		}{
			"add a missing user": {func() error {
				_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("nobody"), GroupName: aws.String("admins")})
				return err
			}, "User does not exist.", "user"},
			"add a user in another case": {func() error {
				_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("dave"), GroupName: aws.String("admins")})
				return err
			}, "User does not exist.", "user"},
			"add to a missing group": {func() error {
				_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("alice"), GroupName: aws.String("nosuch")})
				return err
			}, "Group not found.", "resource"},
			"add to a group in another case": {func() error {
				_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("alice"), GroupName: aws.String("Admins")})
				return err
			}, "Group not found.", "resource"},
			"remove a missing user": {func() error {
				_, err := e.c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String("nobody"), GroupName: aws.String("admins")})
				return err
			}, "User does not exist.", "user"},
			"remove from a missing group": {func() error {
				_, err := e.c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String("alice"), GroupName: aws.String("nosuch")})
				return err
			}, "Group not found.", "resource"},
			"list groups of a missing user": {func() error {
				_, err := e.c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("nobody")})
				return err
			}, "User does not exist.", "user"},
			"list users of a missing group": {func() error {
				_, err := e.c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("nosuch")})
				return err
			}, "Group not found.", "resource"},
			"a bad NextToken for AdminListGroupsForUser": {func() error {
				_, err := e.c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("alice"), NextToken: aws.String("bad")})
				return err
			}, "Invalid pagination token.", "parameter"},
			"a bad NextToken for ListUsersInGroup": {func() error {
				_, err := e.c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("admins"), NextToken: aws.String("bad")})
				return err
			}, "Invalid pagination token.", "parameter"},
		} {
			t.Run(name, func(t *testing.T) {
				switch err := tc.call(); tc.typ {
				case "user":
					wantAPIError[*types.UserNotFoundException](t, err, tc.msg)
				case "resource":
					wantAPIError[*types.ResourceNotFoundException](t, err, tc.msg)
				default:
					wantAPIError[*types.InvalidParameterException](t, err, tc.msg)
				}
			})
		}
	})
}

// Deleting a user or a group takes its memberships with it: a user or group
// created again with the same name starts with none.
func TestGroupMembershipsGoWithUserAndGroup(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		for _, name := range []string{"alice", "bob"} {
			e.confirmedUser(t, poolID, name, userPassword)
		}
		for _, g := range []string{"admins", "editors"} {
			e.createGroup(t, poolID, g, nil, "")
			e.addToGroup(t, poolID, "alice", g)
			e.addToGroup(t, poolID, "bob", g)
		}

		if _, err := e.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String("alice")}); err != nil {
			t.Fatalf("AdminDeleteUser: %v", err)
		}
		for _, g := range []string{"admins", "editors"} {
			if got := usernames(e.membersOf(t, poolID, g, 60)); !slices.Equal(got, []string{"bob"}) {
				t.Errorf("members of %s after alice was deleted: %q", g, got)
			}
		}
		e.confirmedUser(t, poolID, "alice", userPassword)
		if got := e.groupsOf(t, poolID, "alice", 60); len(got) != 0 {
			t.Errorf("groups of a recreated alice: %q", got)
		}

		// A group with members can be deleted; its members lose it.
		if _, err := e.c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("admins")}); err != nil {
			t.Fatalf("DeleteGroup with members: %v", err)
		}
		if got := e.groupsOf(t, poolID, "bob", 60); !slices.Equal(got, []string{"editors"}) {
			t.Errorf("groups of bob after admins was deleted: %q", got)
		}
		e.createGroup(t, poolID, "admins", nil, "")
		if got := e.membersOf(t, poolID, "admins", 60); len(got) != 0 {
			t.Errorf("members of a recreated admins: %q", usernames(got))
		}
	})
}
