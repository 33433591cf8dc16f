package server_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// ListUsers: filters, pages, and the attributes it returns.
func TestUserListUsers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "lu-ann", userPassword, userAttrs("email", "ann@example.com", "name", "Ann")...)
		e.confirmedUser(t, poolID, "lu-anna", userPassword, userAttrs("email", "anna@example.org", "name", "Anna")...)
		e.confirmedUser(t, poolID, "lu-cat", userPassword, userAttrs("email", "cat@example.com")...)
		if _, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("lu-cat")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("lu-bob"), Password: aws.String(userPassword), UserAttributes: userAttrs("email", "bob@example.com")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("lu-dan"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		annSub := userAttrMap(e.adminGetUser(t, poolID, "lu-ann").UserAttributes)["sub"]
		everyone := []string{"lu-ann", "lu-anna", "lu-bob", "lu-cat", "lu-dan"}

		list := func(t *testing.T, in *cip.ListUsersInput) *cip.ListUsersOutput {
			t.Helper()
			in.UserPoolId = aws.String(poolID)
			out, err := e.c.ListUsers(ctx, in)
			if err != nil {
				t.Fatalf("ListUsers(%v): %v", aws.ToString(in.Filter), err)
			}
			return out
		}
		names := func(users []types.UserType) []string {
			var out []string
			for _, u := range users {
				out = append(out, aws.ToString(u.Username))
			}
			slices.Sort(out)
			return out
		}

		t.Run("filters", func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				filter string
				want   []string
			}{
				{"", everyone},
				{`email = "ann@example.com"`, []string{"lu-ann"}},
				{`email ^= "ann"`, []string{"lu-ann", "lu-anna"}},
				{`email ^= "nobody"`, nil},
				{`username = "lu-bob"`, []string{"lu-bob"}},
				{`username ^= "lu-a"`, []string{"lu-ann", "lu-anna"}},
				{`name = "Anna"`, []string{"lu-anna"}},
				{`sub = "` + annSub + `"`, []string{"lu-ann"}},
				{`cognito:user_status = "CONFIRMED"`, []string{"lu-ann", "lu-anna", "lu-cat"}},
				{`cognito:user_status = "UNCONFIRMED"`, []string{"lu-bob"}},
				{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{"lu-dan"}},
				{`status = "Disabled"`, []string{"lu-cat"}},
				{`status = "Enabled"`, []string{"lu-ann", "lu-anna", "lu-bob", "lu-dan"}},
			} {
				got := list(t, &cip.ListUsersInput{Filter: aws.String(tc.filter)})
				if d := cmp.Diff(tc.want, names(got.Users)); d != "" {
					t.Errorf("Filter %s (-want +got):\n%s", tc.filter, d)
				}
				if got.PaginationToken != nil {
					t.Errorf("Filter %s: PaginationToken on the only page", tc.filter)
				}
			}
		})

		t.Run("user fields", func(t *testing.T) {
			t.Parallel()
			got := list(t, &cip.ListUsersInput{Filter: aws.String(`username = "lu-cat"`)})
			if len(got.Users) != 1 {
				t.Fatalf("%d users", len(got.Users))
			}
			u := got.Users[0]
			if u.Enabled || u.UserStatus != types.UserStatusTypeConfirmed || u.UserCreateDate == nil || u.UserLastModifiedDate == nil {
				t.Errorf("ListUsers user %+v", u)
			}
			if a := userAttrMap(u.Attributes); a["email"] != "cat@example.com" || a["sub"] == "" {
				t.Errorf("attributes %v", a)
			}
		})

		t.Run("pages", func(t *testing.T) {
			t.Parallel()
			var seen []string
			var token *string
			pages := 0
			for {
				out := list(t, &cip.ListUsersInput{Limit: aws.Int32(2), PaginationToken: token})
				pages++
				if len(out.Users) > 2 {
					t.Fatalf("page of %d users with Limit 2", len(out.Users))
				}
				seen = append(seen, names(out.Users)...)
				if out.PaginationToken == nil {
					break
				}
				token = out.PaginationToken
				if pages > 5 {
					t.Fatal("pagination does not end")
				}
			}
			slices.Sort(seen)
			if d := cmp.Diff(everyone, seen); d != "" {
				t.Errorf("pages of 2 (-want +got):\n%s", d)
			}
			if pages != 3 {
				t.Errorf("%d pages of 2 for 5 users, want 3", pages)
			}
			// Pages of a filtered list.
			first := list(t, &cip.ListUsersInput{Filter: aws.String(`email ^= "ann"`), Limit: aws.Int32(1)})
			if len(first.Users) != 1 || first.PaginationToken == nil {
				t.Fatalf("first filtered page: %d users, token %v", len(first.Users), first.PaginationToken)
			}
			second := list(t, &cip.ListUsersInput{Filter: aws.String(`email ^= "ann"`), Limit: aws.Int32(1), PaginationToken: first.PaginationToken})
			if d := cmp.Diff([]string{"lu-ann", "lu-anna"}, names(append(first.Users, second.Users...))); d != "" {
				t.Errorf("filtered pages (-want +got):\n%s", d)
			}
			if second.PaginationToken != nil {
				third := list(t, &cip.ListUsersInput{Filter: aws.String(`email ^= "ann"`), Limit: aws.Int32(1), PaginationToken: second.PaginationToken})
				if len(third.Users) != 0 || third.PaginationToken != nil {
					t.Errorf("third filtered page: %v", names(third.Users))
				}
			}
		})

		t.Run("AttributesToGet", func(t *testing.T) {
			t.Parallel()
			got := list(t, &cip.ListUsersInput{AttributesToGet: []string{"email"}, Filter: aws.String(`username ^= "lu-ann"`)})
			if len(got.Users) != 2 {
				t.Fatalf("%d users", len(got.Users))
			}
			for _, u := range got.Users {
				if a := userAttrMap(u.Attributes); len(a) != 1 || a["email"] == "" {
					t.Errorf("%s: attributes %v, want only email", aws.ToString(u.Username), a)
				}
			}
			got = list(t, &cip.ListUsersInput{AttributesToGet: []string{"sub", "name"}, Filter: aws.String(`username = "lu-ann"`)})
			if d := cmp.Diff(map[string]string{"sub": annSub, "name": "Ann"}, userAttrMap(got.Users[0].Attributes)); d != "" {
				t.Errorf("AttributesToGet sub, name (-want +got):\n%s", d)
			}
			_, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), AttributesToGet: []string{"custom:nope"}})
			wantAPIError[*types.InvalidParameterException](t, err, "")
		})

		t.Run("bad filters", func(t *testing.T) {
			t.Parallel()
			for _, f := range []string{
				`email = ann@example.com`,
				`email = "unterminated`,
				`email ~ "x"`,
				`nosuch = "x"`,
				`email = "a" and name = "b"`,
				`= "x"`,
			} {
				_, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID), Filter: aws.String(f)})
				if err == nil {
					t.Errorf("Filter %s accepted", f)
					continue
				}
				wantAPIError[*types.InvalidParameterException](t, err, "Error while parsing filter.")
			}
		})
	})
}
