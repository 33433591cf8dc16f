package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"
)

// What a user may sign in with: the username, an email that is the
// username, a verified alias, any case in a case-insensitive pool; and the
// sub wherever the admin API takes a Username.
func TestUserUsernamesAndAliases(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		emailPool := e.newPool(t, &cip.CreateUserPoolInput{
			PoolName:               aws.String("email-as-username"),
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		emailClient := aws.ToString(e.newClient(t, emailPool, nil).ClientId)
		foldPool := e.newPool(t, &cip.CreateUserPoolInput{
			PoolName:              aws.String("case-insensitive"),
			UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		})
		foldClient := aws.ToString(e.newClient(t, foldPool, nil).ClientId)
		exactPool := e.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("case-sensitive")})
		exactClient := aws.ToString(e.newClient(t, exactPool, nil).ClientId)
		aliasPool := e.newPool(t, &cip.CreateUserPoolInput{
			PoolName:               aws.String("email-alias"),
			AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		aliasClient := aws.ToString(e.newClient(t, aliasPool, nil).ClientId)
		signUp := func(client, username string, attributes ...types.AttributeType) (*cip.SignUpOutput, error) {
			return e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(username), Password: aws.String(userPassword), UserAttributes: attributes})
		}
		confirm := func(t *testing.T, pool, client, username string) {
			t.Helper()
			code := e.lastCode(t, pool, username)
			if _, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(client), Username: aws.String(username), ConfirmationCode: aws.String(code)}); err != nil {
				t.Fatalf("ConfirmSignUp(%s): %v", username, err)
			}
		}

		t.Run("email as username", func(t *testing.T) {
			t.Parallel()
			up, err := signUp(emailClient, "carol@example.com")
			if err != nil {
				t.Fatalf("SignUp with an email username: %v", err)
			}
			sub := aws.ToString(up.UserSub)
			if d := aws.ToString(up.CodeDeliveryDetails.Destination); d != "c***@e***" {
				t.Errorf("CodeDeliveryDetails.Destination = %q", d)
			}
			confirm(t, emailPool, emailClient, "carol@example.com")
			got := e.adminGetUser(t, emailPool, "carol@example.com")
			if aws.ToString(got.Username) != sub {
				t.Errorf("AdminGetUser Username = %q, want the sub %q", aws.ToString(got.Username), sub)
			}
			if a := userAttrMap(got.UserAttributes); a["email"] != "carol@example.com" || a["email_verified"] != "true" {
				t.Errorf("attributes %v", a)
			}
			tok := e.signIn(t, emailClient, "carol@example.com", userPassword)
			if c := userJWTClaims(t, aws.ToString(tok.AccessToken)); c["username"] != sub {
				t.Errorf("access token username = %v, want the sub", c["username"])
			}
			if me := e.mustGetUser(t, aws.ToString(tok.AccessToken)); aws.ToString(me.Username) != sub {
				t.Errorf("GetUser Username = %q, want the sub", aws.ToString(me.Username))
			}
			// The sub is accepted wherever the admin API takes a Username.
			if got := e.adminGetUser(t, emailPool, sub); aws.ToString(got.Username) != sub {
				t.Errorf("AdminGetUser by sub: %q", aws.ToString(got.Username))
			}
			if _, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(emailPool), Username: aws.String(sub)}); err != nil {
				t.Errorf("AdminDisableUser by sub: %v", err)
			}
			if _, err := e.c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(emailPool), Username: aws.String(sub)}); err != nil {
				t.Errorf("AdminEnableUser by sub: %v", err)
			}

			_, err = signUp(emailClient, "carol@example.com")
			wantAPIError[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
			_, err = signUp(emailClient, "carol")
			wantAPIError[*types.InvalidParameterException](t, err, "Username should be an email.")
			_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(emailPool), Username: aws.String("carol@example.com"), MessageAction: types.MessageActionTypeSuppress})
			wantAPIError[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
		})

		t.Run("case-insensitive pool", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, foldPool, "Dave", userPassword)
			for _, name := range []string{"Dave", "dave", "DAVE"} {
				e.signIn(t, foldClient, name, userPassword)
			}
			if got := e.adminGetUser(t, foldPool, "dAVE"); aws.ToString(got.Username) != "dave" && aws.ToString(got.Username) != "Dave" {
				t.Errorf("AdminGetUser in another case: Username %q", aws.ToString(got.Username))
			}
			_, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(foldPool), Username: aws.String("DAVE"), MessageAction: types.MessageActionTypeSuppress})
			wantAPIError[*types.UsernameExistsException](t, err, "User account already exists")
		})

		t.Run("case-sensitive pool", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, exactPool, "Erin", userPassword)
			e.signIn(t, exactClient, "Erin", userPassword)
			// The sub stands for the username in admin calls of any pool.
			sub := userAttrMap(e.adminGetUser(t, exactPool, "Erin").UserAttributes)["sub"]
			if got := e.adminGetUser(t, exactPool, sub); aws.ToString(got.Username) != "Erin" {
				t.Errorf("AdminGetUser by sub: %q", aws.ToString(got.Username))
			}
			_, err := e.passwordAuth(exactClient, "erin", userPassword)
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			// Another case is another user.
			e.confirmedUser(t, exactPool, "erin", "Other-Passw0rd")
			e.signIn(t, exactClient, "erin", "Other-Passw0rd")
			_, err = e.passwordAuth(exactClient, "erin", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("email alias", func(t *testing.T) {
			t.Parallel()
			if _, err := signUp(aliasClient, "frank", userAttrs("email", "frank@example.com")...); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			// Not verified yet, so not an alias yet.
			_, err := e.passwordAuth(aliasClient, "frank@example.com", userPassword)
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			confirm(t, aliasPool, aliasClient, "frank")
			tok := e.signIn(t, aliasClient, "frank@example.com", userPassword)
			if me := e.mustGetUser(t, aws.ToString(tok.AccessToken)); aws.ToString(me.Username) != "frank" {
				t.Errorf("GetUser after alias sign-in: Username %q", aws.ToString(me.Username))
			}
			e.signIn(t, aliasClient, "frank", userPassword)
			if got := e.adminGetUser(t, aliasPool, "frank@example.com"); aws.ToString(got.Username) != "frank" {
				t.Errorf("AdminGetUser by alias: %q", aws.ToString(got.Username))
			}

			// Another user may sign up with the same email, but confirming it
			// would make it a second alias: AliasExistsException, unless
			// ForceAliasCreation moves the alias to the new user.
			for _, name := range []string{"frank2", "frank3"} {
				if _, err := signUp(aliasClient, name, userAttrs("email", "frank@example.com")...); err != nil {
					t.Fatalf("SignUp of %s with a taken, unverified email: %v", name, err)
				}
			}
			code := e.lastCode(t, aliasPool, "frank2")
			_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(aliasClient), Username: aws.String("frank2"), ConfirmationCode: aws.String(code)})
			wantAPIError[*types.AliasExistsException](t, err, "An account with the given email already exists.")
			if s := e.adminGetUser(t, aliasPool, "frank2").UserStatus; s != types.UserStatusTypeUnconfirmed {
				t.Errorf("frank2 after the refused confirmation: %s", s)
			}
			e.signIn(t, aliasClient, "frank@example.com", userPassword) // still frank's

			code = e.lastCode(t, aliasPool, "frank3")
			if _, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(aliasClient), Username: aws.String("frank3"), ConfirmationCode: aws.String(code), ForceAliasCreation: true,
			}); err != nil {
				t.Errorf("ConfirmSignUp with ForceAliasCreation: %v", err)
			} else {
				moved := e.signIn(t, aliasClient, "frank@example.com", userPassword)
				if me := e.mustGetUser(t, aws.ToString(moved.AccessToken)); aws.ToString(me.Username) != "frank3" {
					t.Errorf("after ForceAliasCreation the email signs in %q, want frank3", aws.ToString(me.Username))
				}
				if v := userAttrMap(e.adminGetUser(t, aliasPool, "frank").UserAttributes)["email_verified"]; v != "false" {
					t.Errorf("the alias's previous owner: email_verified %q, want false", v)
				}
			}

			// The same for AdminCreateUser with a verified email.
			verified := func(name string, force bool) error {
				_, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
					UserPoolId: aws.String(aliasPool), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
					UserAttributes: userAttrs("email", "ivy@example.com", "email_verified", "true"), ForceAliasCreation: force,
				})
				return err
			}
			if err := verified("ivy", false); err != nil {
				t.Fatalf("AdminCreateUser: %v", err)
			}
			// The SDK model does not list AliasExistsException for
			// AdminCreateUser, though the API reference names it: the SDK shows
			// a generic API error with that code.
			err = verified("ivy2", false)
			if ae := wantAPIError[smithy.APIError](t, err, "An account with the given email already exists."); ae.ErrorCode() != "AliasExistsException" {
				t.Errorf("AdminCreateUser with a taken verified alias: %s, want AliasExistsException", ae.ErrorCode())
			}
			if err := verified("ivy3", true); err != nil {
				t.Errorf("AdminCreateUser with ForceAliasCreation: %v", err)
			}

			_, err = signUp(aliasClient, "grace@example.com", userAttrs("email", "grace@example.com")...)
			wantAPIError[*types.InvalidParameterException](t, err, "Username cannot be of email format, since user pool is configured for email alias.")
			_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(aliasPool), Username: aws.String("grace@example.com"), MessageAction: types.MessageActionTypeSuppress})
			wantAPIError[*types.InvalidParameterException](t, err, "Username cannot be of email format, since user pool is configured for email alias.")
		})
	})
}
