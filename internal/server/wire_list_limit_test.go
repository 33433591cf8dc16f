package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// A Limit of 0, which the model allows (0..60), asks for a page of the
// default 60 on every list operation whose model allows it (issue 12, item
// 6: ListUsers answered 500). What AWS answers is not recorded for
// ListUsers, ListGroups or ListUsersInGroup; 60 is inferred (moto treats 0 as
// its default too). For AdminListGroupsForUser a 2018 recording
// (aws/aws-sdk-js#2193) shows AWS refusing 0 with a validation error naming
// an internal 'maxItems' member, which AWS called a bug; Cognate answers as
// for the other three. The operations whose model starts at 1
// (ListUserPoolClients, ListUserPools) refuse 0 at validation.
func TestListLimitZero(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		pool := aws.String(poolID)
		const n = 61 // one more than a page
		if _, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("all")}); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			name := aws.String(fmt.Sprintf("user-%02d", i))
			if _, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: name, MessageAction: types.MessageActionTypeSuppress}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: name, GroupName: aws.String("all")}); err != nil {
				t.Fatal(err)
			}
			if i < n-1 {
				group := aws.String(fmt.Sprintf("group-%02d", i))
				if _, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: group}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("user-00"), GroupName: group}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// user-00 is in 61 groups ("all" and group-00…group-59); the pool
		// has 61 users and 61 groups.

		page := func(t *testing.T, what string, got int, next *string) {
			t.Helper()
			if got != 60 || next == nil {
				t.Errorf("%s with Limit 0: %d items, next token %v; want a page of 60 and a token", what, got, next != nil)
			}
		}
		for _, limit := range []*int32{aws.Int32(0), nil} {
			t.Run(fmt.Sprintf("Limit %v", aws.ToInt32(limit)), func(t *testing.T) {
				users, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Limit: limit})
				if err != nil {
					t.Fatalf("ListUsers: %v", err)
				}
				page(t, "ListUsers", len(users.Users), users.PaginationToken)
				rest, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Limit: limit, PaginationToken: users.PaginationToken})
				if err != nil || len(rest.Users) != 1 || rest.PaginationToken != nil {
					t.Errorf("ListUsers second page: %v, %v", err, rest)
				}
				groups, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: limit})
				if err != nil {
					t.Fatalf("ListGroups: %v", err)
				}
				page(t, "ListGroups", len(groups.Groups), groups.NextToken)
				members, err := e.c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("all"), Limit: limit})
				if err != nil {
					t.Fatalf("ListUsersInGroup: %v", err)
				}
				page(t, "ListUsersInGroup", len(members.Users), members.NextToken)
				of, err := e.c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("user-00"), Limit: limit})
				if err != nil {
					t.Fatalf("AdminListGroupsForUser: %v", err)
				}
				page(t, "AdminListGroupsForUser", len(of.Groups), of.NextToken)
			})
		}
		t.Run("MaxResults 0", func(t *testing.T) {
			_, err := e.c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool, MaxResults: aws.Int32(0)})
			wantAPIError[*types.InvalidParameterException](t, err,
				"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
			_, err = e.c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(0)})
			wantAPIError[*types.InvalidParameterException](t, err,
				"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
		})
	})
}
