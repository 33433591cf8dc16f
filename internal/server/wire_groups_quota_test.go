package server_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/group"
)

// Cognito's group quotas through the SDK: 10,000 groups per pool and 100
// groups per user. What is refused is not written, and adding an existing
// membership again at the quota is still no error.
func TestGroupQuotas(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.confirmedUser(t, poolID, "alice", userPassword)
		e.confirmedUser(t, poolID, "bob", userPassword)

		// The pool's groups, made by a few callers at once.
		names := make(chan string)
		go func() {
			for i := range group.MaxGroupsPerPool {
				names <- fmt.Sprintf("g%05d", i)
			}
			close(names)
		}()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				for name := range names {
					_, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(name)})
					if err != nil {
						errs <- fmt.Errorf("CreateGroup(%s): %w", name, err)
						for range names {
						}
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		_, err := e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("one-too-many")})
		wantAPIError[*types.LimitExceededException](t, err,
			fmt.Sprintf("User pool %s already has the maximum number of groups (10000).", poolID))
		_, err = e.c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("one-too-many")})
		wantAPIError[*types.ResourceNotFoundException](t, err, "Group not found.")
		_, err = e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("g00000")})
		wantAPIError[*types.GroupExistsException](t, err, "")

		// alice joins 100 groups; the 101st is refused.
		for i := range group.MaxGroupsPerUser {
			e.addToGroup(t, poolID, "alice", fmt.Sprintf("g%05d", i))
		}
		add := func(user, g string) error {
			_, err := e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
				UserPoolId: aws.String(poolID), Username: aws.String(user), GroupName: aws.String(g),
			})
			return err
		}
		// The model lists no quota error for AdminAddUserToGroup, so the SDK
		// reports a generic API error carrying the type.
		if got := wantAPIError[*smithy.GenericAPIError](t, add("alice", "g09999"),
			"The user is already a member of the maximum number of groups (100)."); got.ErrorCode() != "LimitExceededException" {
			t.Errorf("error type %q, want LimitExceededException", got.ErrorCode())
		}
		if got := e.groupsOf(t, poolID, "alice", 60); len(got) != 100 {
			t.Errorf("alice is in %d groups after the refusal, want 100", len(got))
		}
		if err := add("alice", "g00042"); err != nil {
			t.Errorf("adding alice again to one of her groups at the quota: %v", err)
		}
		if err := add("bob", "g09999"); err != nil {
			t.Errorf("another user is not limited by alice's memberships: %v", err)
		}
		// A missing group is still "Group not found." at the quota.
		wantAPIError[*types.ResourceNotFoundException](t, add("alice", "nosuch"), "Group not found.")
		// Leaving a group makes room.
		if _, err := e.c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{
			UserPoolId: aws.String(poolID), Username: aws.String("alice"), GroupName: aws.String("g00000"),
		}); err != nil {
			t.Fatal(err)
		}
		if err := add("alice", "g09999"); err != nil {
			t.Errorf("AdminAddUserToGroup after leaving a group: %v", err)
		}
	})
}
