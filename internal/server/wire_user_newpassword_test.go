package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// The attributes an answer to NEW_PASSWORD_REQUIRED carries follow
// UpdateUserAttributes' rules for a client: a changed email is no longer
// verified, an immutable attribute that has a value stays as it is, the
// verified flags are not the client's to write, and a required (even
// immutable) attribute the user lacked can still be given.
func TestUserNewPasswordAttributes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			Policies:               userPolicy(),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(false)},
				{Name: aws.String("nickname"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			},
		})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)

		// challenge creates a user as an administrator would (a verified
		// email, a nickname, no name) and signs in with the temporary
		// password; it returns the NEW_PASSWORD_REQUIRED session.
		challenge := func(t *testing.T, username string) string {
			t.Helper()
			if _, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(username),
				UserAttributes:    userAttrs("email", "mallory@example.com", "email_verified", "true", "nickname", "mal"),
				TemporaryPassword: aws.String("Temp-Passw0rd"), MessageAction: types.MessageActionTypeSuppress,
			}); err != nil {
				t.Fatalf("AdminCreateUser(%s): %v", username, err)
			}
			out, err := e.passwordAuth(clientID, username, "Temp-Passw0rd")
			if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("InitiateAuth(%s): %v %+v", username, err, out)
			}
			return aws.ToString(out.Session)
		}
		respond := func(session, username string, nv ...string) (*cip.RespondToAuthChallengeOutput, error) {
			resp := map[string]string{"USERNAME": username, "NEW_PASSWORD": "N3w-Passw0rd"}
			for i := 0; i+1 < len(nv); i += 2 {
				resp["userAttributes."+nv[i]] = nv[i+1]
			}
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
				Session: aws.String(session), ChallengeResponses: resp,
			})
		}
		// unchanged checks that a refused answer wrote nothing: the user
		// still has the temporary password and the attributes it was
		// created with.
		unchanged := func(t *testing.T, username string) {
			t.Helper()
			u := e.adminGetUser(t, poolID, username)
			if u.UserStatus != types.UserStatusTypeForceChangePassword {
				t.Errorf("after a refused answer: %s, want FORCE_CHANGE_PASSWORD", u.UserStatus)
			}
			a := userAttrMap(u.UserAttributes)
			if a["email"] != "mallory@example.com" || a["email_verified"] != "true" || a["nickname"] != "mal" || a["name"] != "" {
				t.Errorf("after a refused answer: attributes %v", a)
			}
		}

		t.Run("a changed email is not verified", func(t *testing.T) {
			session := challenge(t, "changer")
			out, err := respond(session, "changer", "name", "Mallory", "email", "ceo@victim.test")
			if err != nil {
				t.Fatalf("RespondToAuthChallenge: %v", err)
			}
			if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
				t.Fatalf("RespondToAuthChallenge issued no tokens: %+v", out)
			}
			u := e.adminGetUser(t, poolID, "changer")
			a := userAttrMap(u.UserAttributes)
			if a["email"] != "ceo@victim.test" || a["email_verified"] != "false" {
				t.Errorf("after answering with a new email: email=%q email_verified=%q, want ceo@victim.test and false", a["email"], a["email_verified"])
			}
			if u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("after answering: %s, want CONFIRMED", u.UserStatus)
			}
		})

		t.Run("the same email stays verified", func(t *testing.T) {
			session := challenge(t, "keeper")
			if _, err := respond(session, "keeper", "name", "Keeper", "email", "mallory@example.com"); err != nil {
				t.Fatalf("RespondToAuthChallenge: %v", err)
			}
			if a := userAttrMap(e.adminGetUser(t, poolID, "keeper").UserAttributes); a["email_verified"] != "true" {
				t.Errorf("answering with the email the user has: email_verified=%q, want true", a["email_verified"])
			}
		})

		t.Run("an immutable attribute with a value is refused", func(t *testing.T) {
			session := challenge(t, "renamer")
			_, err := respond(session, "renamer", "name", "Renamer", "nickname", "boss", "email", "ceo@victim.test")
			wantAPIError[*types.InvalidParameterException](t, err, "user.nickname: Attribute cannot be updated.\n")
			unchanged(t, "renamer")
		})

		t.Run("the verified flags are refused", func(t *testing.T) {
			session := challenge(t, "verifier")
			_, err := respond(session, "verifier", "name", "Verifier", "email_verified", "true")
			wantAPIError[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
			_, err = respond(session, "verifier", "name", "Verifier", "sub", "00000000-0000-0000-0000-000000000000")
			wantAPIError[*types.InvalidParameterException](t, err, "Cannot modify the non-mutable attribute sub")
			unchanged(t, "verifier")
		})

		t.Run("a required immutable attribute the user lacked is accepted", func(t *testing.T) {
			session := challenge(t, "newcomer")
			_, err := respond(session, "newcomer")
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid attributes given, name is missing")
			out, err := respond(session, "newcomer", "name", "Newcomer")
			if err != nil {
				t.Fatalf("RespondToAuthChallenge with the missing name: %v", err)
			}
			if out.AuthenticationResult == nil {
				t.Fatalf("RespondToAuthChallenge issued no tokens: %+v", out)
			}
			a := userAttrMap(e.mustGetUser(t, aws.ToString(out.AuthenticationResult.AccessToken)).UserAttributes)
			if a["name"] != "Newcomer" || a["email"] != "mallory@example.com" || a["email_verified"] != "true" || a["nickname"] != "mal" {
				t.Errorf("after answering with the name: %v", a)
			}
		})
	})
}
