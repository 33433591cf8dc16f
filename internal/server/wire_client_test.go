package server_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

var clientIDPattern = regexp.MustCompile(`^[a-z0-9]{26}$`)

func createClient(t *testing.T, c *cip.Client, in *cip.CreateUserPoolClientInput) *types.UserPoolClientType {
	t.Helper()
	out, err := c.CreateUserPoolClient(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return out.UserPoolClient
}

func describeClient(t *testing.T, c *cip.Client, poolID, clientID *string) *types.UserPoolClientType {
	t.Helper()
	out, err := c.DescribeUserPoolClient(context.Background(), &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: clientID})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	return out.UserPoolClient
}

func TestUserPoolClients(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		pool := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName: aws.String("apps"),
			Schema:   []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
		})
		// A pool where email is required: a client that writes attributes must
		// be able to write it.
		strict := createPool(t, c, &cip.CreateUserPoolInput{
			PoolName: aws.String("strict"),
			Schema:   []types.SchemaAttributeType{{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)}},
		})

		t.Run("defaults without secret", func(t *testing.T) {
			t.Parallel()
			created := createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("web")})
			if !clientIDPattern.MatchString(aws.ToString(created.ClientId)) {
				t.Errorf("ClientId = %q, want %s", aws.ToString(created.ClientId), clientIDPattern)
			}
			got := describeClient(t, c, pool.Id, created.ClientId)
			if d := diff(created, got); d != "" {
				t.Errorf("Create and Describe disagree (-create +describe):\n%s", d)
			}
			if got.ClientSecret != nil {
				t.Errorf("ClientSecret = %q, want none", *got.ClientSecret)
			}
			if aws.ToString(got.UserPoolId) != *pool.Id || aws.ToString(got.ClientName) != "web" {
				t.Errorf("UserPoolId/ClientName = %q/%q", aws.ToString(got.UserPoolId), aws.ToString(got.ClientName))
			}
			if got.ReadAttributes != nil || got.WriteAttributes != nil {
				t.Errorf("Read/WriteAttributes = %v/%v, want absent when not set", got.ReadAttributes, got.WriteAttributes)
			}
			if !aws.ToBool(got.EnableTokenRevocation) {
				t.Errorf("EnableTokenRevocation = %v, want true", got.EnableTokenRevocation)
			}
			if aws.ToInt32(got.AuthSessionValidity) != 3 {
				t.Errorf("AuthSessionValidity = %v, want 3", got.AuthSessionValidity)
			}
			if got.RefreshTokenValidity != 30 {
				t.Errorf("RefreshTokenValidity = %d, want 30", got.RefreshTokenValidity)
			}
			if aws.ToBool(got.AllowedOAuthFlowsUserPoolClient) {
				t.Errorf("AllowedOAuthFlowsUserPoolClient = true, want false")
			}
			if got.CreationDate == nil || got.LastModifiedDate == nil {
				t.Errorf("dates missing: %v %v", got.CreationDate, got.LastModifiedDate)
			}
		})

		t.Run("generated secret", func(t *testing.T) {
			t.Parallel()
			created := createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("server"), GenerateSecret: true})
			if n := len(aws.ToString(created.ClientSecret)); n != 51 {
				t.Errorf("ClientSecret has %d characters, want 51", n)
			}
			got := describeClient(t, c, pool.Id, created.ClientId)
			if aws.ToString(got.ClientSecret) != aws.ToString(created.ClientSecret) {
				t.Errorf("DescribeUserPoolClient secret %q, created %q", aws.ToString(got.ClientSecret), aws.ToString(created.ClientSecret))
			}
		})

		t.Run("everything given is described", func(t *testing.T) {
			t.Parallel()
			in := &cip.CreateUserPoolClientInput{
				UserPoolId:                      pool.Id,
				ClientName:                      aws.String("full"),
				ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				ReadAttributes:                  []string{"email", "email_verified", "custom:tenant"},
				WriteAttributes:                 []string{"email", "name", "custom:tenant"},
				AccessTokenValidity:             aws.Int32(2),
				IdTokenValidity:                 aws.Int32(30),
				RefreshTokenValidity:            10,
				TokenValidityUnits:              &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays},
				CallbackURLs:                    []string{"https://app.example.com/callback", "http://localhost:3000/callback"},
				LogoutURLs:                      []string{"https://app.example.com/logout"},
				DefaultRedirectURI:              aws.String("https://app.example.com/callback"),
				AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
				AllowedOAuthScopes:              []string{"openid", "email"},
				AllowedOAuthFlowsUserPoolClient: true,
				SupportedIdentityProviders:      []string{"COGNITO"},
				PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
				EnableTokenRevocation:           aws.Bool(false),
				AuthSessionValidity:             aws.Int32(10),
			}
			created := createClient(t, c, in)
			got := describeClient(t, c, pool.Id, created.ClientId)
			want := &types.UserPoolClientType{
				UserPoolId:                               pool.Id,
				ClientId:                                 created.ClientId,
				ClientName:                               in.ClientName,
				ExplicitAuthFlows:                        in.ExplicitAuthFlows,
				ReadAttributes:                           in.ReadAttributes,
				WriteAttributes:                          in.WriteAttributes,
				AccessTokenValidity:                      in.AccessTokenValidity,
				IdTokenValidity:                          in.IdTokenValidity,
				RefreshTokenValidity:                     10,
				TokenValidityUnits:                       in.TokenValidityUnits,
				CallbackURLs:                             in.CallbackURLs,
				LogoutURLs:                               in.LogoutURLs,
				DefaultRedirectURI:                       in.DefaultRedirectURI,
				AllowedOAuthFlows:                        in.AllowedOAuthFlows,
				AllowedOAuthScopes:                       in.AllowedOAuthScopes,
				AllowedOAuthFlowsUserPoolClient:          aws.Bool(true),
				SupportedIdentityProviders:               in.SupportedIdentityProviders,
				PreventUserExistenceErrors:               types.PreventUserExistenceErrorTypesEnabled,
				EnableTokenRevocation:                    aws.Bool(false),
				EnablePropagateAdditionalUserContextData: aws.Bool(false),
				AuthSessionValidity:                      aws.Int32(10),
				CreationDate:                             created.CreationDate,
				LastModifiedDate:                         created.LastModifiedDate,
			}
			if d := diff(want, got); d != "" {
				t.Errorf("DescribeUserPoolClient (-want +got):\n%s", d)
			}
		})

		rejected := []struct {
			name string
			in   *cip.CreateUserPoolClientInput
			msg  string
		}{
			{
				name: "email_verified is not writable",
				in:   &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, WriteAttributes: []string{"email", "email_verified"}},
				msg:  "Invalid write attributes specified while creating a client",
			},
			{
				name: "phone_number_verified is not writable",
				in:   &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, WriteAttributes: []string{"phone_number_verified"}},
				msg:  "Invalid write attributes specified while creating a client",
			},
			{
				name: "write attributes omit a required attribute",
				in:   &cip.CreateUserPoolClientInput{UserPoolId: strict.Id, WriteAttributes: []string{"name"}},
				msg:  "Invalid write attributes specified while creating a client",
			},
			{
				name: "unknown read attribute",
				in:   &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ReadAttributes: []string{"custom:nope"}},
				msg:  "Invalid read attributes specified while creating a client",
			},
			{
				name: "access token of 2 days",
				in: &cip.CreateUserPoolClientInput{
					UserPoolId: pool.Id, AccessTokenValidity: aws.Int32(2),
					TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays},
				},
				msg: "Invalid range for token validity.",
			},
			{
				name: "access token of 1 minute",
				in: &cip.CreateUserPoolClientInput{
					UserPoolId: pool.Id, AccessTokenValidity: aws.Int32(1),
					TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
				},
				msg: "Invalid range for token validity.",
			},
			{
				name: "ID token of 1 minute",
				in: &cip.CreateUserPoolClientInput{
					UserPoolId: pool.Id, IdTokenValidity: aws.Int32(1),
					TokenValidityUnits: &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes},
				},
				msg: "Invalid range for token validity.",
			},
			{
				name: "refresh token of 11 years",
				in:   &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, RefreshTokenValidity: 4016},
				msg:  "Invalid range for token validity.",
			},
		}
		for _, tc := range rejected {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.in.ClientName = aws.String("rejected")
				_, err := c.CreateUserPoolClient(ctx, tc.in)
				wantAPIError[*types.InvalidParameterException](t, err, tc.msg)
			})
		}

		t.Run("write attributes with every required attribute", func(t *testing.T) {
			t.Parallel()
			createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: strict.Id, ClientName: aws.String("ok"), WriteAttributes: []string{"email", "name"}})
		})

		t.Run("update resets omitted members and keeps the secret", func(t *testing.T) {
			t.Parallel()
			created := createClient(t, c, &cip.CreateUserPoolClientInput{
				UserPoolId: pool.Id, ClientName: aws.String("before"), GenerateSecret: true,
				ReadAttributes: []string{"email"}, WriteAttributes: []string{"email"},
				AccessTokenValidity: aws.Int32(15), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
				CallbackURLs: []string{"https://app.example.com/cb"}, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
				AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true,
				EnableTokenRevocation: aws.Bool(false), AuthSessionValidity: aws.Int32(12),
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
			})
			out, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
				UserPoolId: pool.Id, ClientId: created.ClientId,
				ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
			})
			if err != nil {
				t.Fatalf("UpdateUserPoolClient: %v", err)
			}
			got := describeClient(t, c, pool.Id, created.ClientId)
			if d := diff(out.UserPoolClient, got); d != "" {
				t.Errorf("Update and Describe disagree (-update +describe):\n%s", d)
			}
			want := &types.UserPoolClientType{
				UserPoolId: pool.Id, ClientId: created.ClientId, ClientName: aws.String("before"),
				ClientSecret:                             created.ClientSecret,
				ExplicitAuthFlows:                        []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				RefreshTokenValidity:                     30,
				TokenValidityUnits:                       &types.TokenValidityUnitsType{},
				AllowedOAuthFlowsUserPoolClient:          aws.Bool(false),
				EnableTokenRevocation:                    aws.Bool(true),
				EnablePropagateAdditionalUserContextData: aws.Bool(false),
				AuthSessionValidity:                      aws.Int32(3),
				CreationDate:                             created.CreationDate,
				LastModifiedDate:                         got.LastModifiedDate,
			}
			if d := diff(want, got); d != "" {
				t.Errorf("after update (-want +got):\n%s", d)
			}

			_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
				UserPoolId: pool.Id, ClientId: created.ClientId, ClientName: aws.String("after"),
				WriteAttributes: []string{"email_verified"},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid write attributes specified while updating a client")
			if n := aws.ToString(describeClient(t, c, pool.Id, created.ClientId).ClientName); n != "before" {
				t.Errorf("ClientName = %q after a rejected update, want before", n)
			}
		})

		t.Run("delete", func(t *testing.T) {
			t.Parallel()
			created := createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("doomed")})
			if _, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool.Id, ClientId: created.ClientId}); err != nil {
				t.Fatalf("DeleteUserPoolClient: %v", err)
			}
			msg := "User pool client " + *created.ClientId + " does not exist."
			_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: created.ClientId})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool.Id, ClientId: created.ClientId})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
		})

		t.Run("client of another pool", func(t *testing.T) {
			t.Parallel()
			other := createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: strict.Id, ClientName: aws.String("strict-app")})
			msg := "User pool client " + *other.ClientId + " does not exist."
			_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: other.ClientId})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: other.ClientId})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool.Id, ClientId: other.ClientId})
			wantAPIError[*types.ResourceNotFoundException](t, err, msg)
			describeClient(t, c, strict.Id, other.ClientId) // untouched
		})
	})
}

func TestListUserPoolClientsPagination(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		pool := createPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("many")})
		other := createPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
		createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: other.Id, ClientName: aws.String("elsewhere")})
		var want []string
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			want = append(want, *createClient(t, c, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String(name)}).ClientId)
		}
		slices.Sort(want)

		var got []string
		var sizes []int
		var token *string
		for page := 0; ; page++ {
			if page > 5 {
				t.Fatal("pagination does not end")
			}
			out, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool.Id, MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				t.Fatalf("ListUserPoolClients page %d: %v", page, err)
			}
			sizes = append(sizes, len(out.UserPoolClients))
			for _, cl := range out.UserPoolClients {
				got = append(got, aws.ToString(cl.ClientId))
				if aws.ToString(cl.UserPoolId) != *pool.Id || cl.ClientName == nil {
					t.Errorf("client description %+v", cl)
				}
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if d := cmp.Diff([]int{2, 2, 1}, sizes); d != "" {
			t.Errorf("page sizes (-want +got):\n%s", d)
		}
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("clients listed (-want +got):\n%s", d)
		}

		// Without MaxResults, one page holds them all.
		out, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool.Id})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UserPoolClients) != 5 || out.NextToken != nil {
			t.Errorf("ListUserPoolClients without MaxResults: %d clients, NextToken %v", len(out.UserPoolClients), out.NextToken)
		}
	})
}
