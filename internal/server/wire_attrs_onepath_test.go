package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// UpdateUserAttributes of attributes that send no code reads the user once,
// inside its transaction. Every check of the token's user still holds
// there, in authenticate's order and before the attribute rules, and a
// refused request writes nothing.
func TestUpdateUserAttributesChecksTheTokensUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{{
			Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
		}}})
		clientID := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.WriteAttributes = []string{"name", "custom:tier"}
		}).ClientId)
		update := func(token string, nv ...string) error {
			_, err := e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(token), UserAttributes: userAttrs(nv...)})
			return err
		}
		attrsOf := func(name string) map[string]string {
			return userAttrMap(e.adminGetUser(t, poolID, name).UserAttributes)
		}
		admin := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}

		t.Run("the change lands", func(t *testing.T) {
			e.confirmedUser(t, poolID, "ann", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "ann", userPassword).AccessToken)
			if err := update(tok, "name", "Ann", "custom:tier", "gold"); err != nil {
				t.Fatal(err)
			}
			if got := attrsOf("ann"); got["name"] != "Ann" || got["custom:tier"] != "gold" {
				t.Errorf("AdminGetUser after the update: %v", got)
			}
		})
		t.Run("a signed-out token", func(t *testing.T) {
			e.confirmedUser(t, poolID, "bob", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "bob", userPassword).AccessToken)
			_, err := e.c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(poolID), Username: aws.String("bob")})
			admin(err)
			wantAPIError[*types.NotAuthorizedException](t, update(tok, "name", "Bob"), "Access Token has been revoked")
			if _, ok := attrsOf("bob")["name"]; ok {
				t.Error("a revoked token's update was written")
			}
		})
		t.Run("a disabled user, before the attribute rules", func(t *testing.T) {
			e.confirmedUser(t, poolID, "cat", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "cat", userPassword).AccessToken)
			_, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("cat")})
			admin(err)
			wantAPIError[*types.NotAuthorizedException](t, update(tok, "custom:tier", "gold"), "User is disabled.")
			wantAPIError[*types.NotAuthorizedException](t, update(tok, "custom:nosuch", "x"), "User is disabled.")
			if _, ok := attrsOf("cat")["custom:tier"]; ok {
				t.Error("a disabled user's update was written")
			}
		})
		t.Run("a deleted user", func(t *testing.T) {
			e.confirmedUser(t, poolID, "dan", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "dan", userPassword).AccessToken)
			_, err := e.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String("dan")})
			admin(err)
			wantAPIError[*types.UserNotFoundException](t, update(tok, "name", "Dan"), "User does not exist.")
		})
		t.Run("a deleted user whose name was taken again", func(t *testing.T) {
			e.confirmedUser(t, poolID, "eve", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "eve", userPassword).AccessToken)
			_, err := e.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String("eve")})
			admin(err)
			e.confirmedUser(t, poolID, "eve", userPassword)
			wantAPIError[*types.UserNotFoundException](t, update(tok, "name", "Old Eve"), "User does not exist.")
			if got, ok := attrsOf("eve")["name"]; ok {
				t.Errorf("the old token changed the new eve: name = %q", got)
			}
		})
		t.Run("attribute rules after the user's checks pass", func(t *testing.T) {
			e.confirmedUser(t, poolID, "fay", userPassword)
			tok := aws.ToString(e.signIn(t, clientID, "fay", userPassword).AccessToken)
			err := update(tok, "custom:nosuch", "x")
			wantAPIError[*types.InvalidParameterException](t, err, "")
			if _, ok := attrsOf("fay")["custom:nosuch"]; ok {
				t.Error("a refused attribute was written")
			}
		})
	})
}
