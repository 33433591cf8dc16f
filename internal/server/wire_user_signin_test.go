package server_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

var (
	userUUIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	userCodePattern = regexp.MustCompile(`^[0-9]{6}$`)
)

// The path of a new user from SignUp to GlobalSignOut, as an application
// walks it. The machine clock stands still and the test moves it in steps
// of 100 ms, so that the sign-out and the sign-ins around it fall in one
// second: revocation is exact to the millisecond (decision 17).
func TestUserSignUpConfirmSignInWalkThrough(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		step := func() { clk.Advance(100 * time.Millisecond) }
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)

		// SignUp.
		up, err := e.c.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(clientID), Username: aws.String("alice"), Password: aws.String(userPassword),
			UserAttributes: userAttrs("email", "alice@example.com", "name", "Alice Liddell"),
		})
		if err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		if up.UserConfirmed {
			t.Errorf("SignUp: UserConfirmed = true, want false")
		}
		sub := aws.ToString(up.UserSub)
		if !userUUIDPattern.MatchString(sub) {
			t.Errorf("SignUp: UserSub = %q, want a UUID", sub)
		}
		wantDelivery := &types.CodeDeliveryDetailsType{
			Destination: aws.String("a***@e***"), DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email"),
		}
		if d := diff(wantDelivery, up.CodeDeliveryDetails); d != "" {
			t.Errorf("SignUp CodeDeliveryDetails (-want +got):\n%s", d)
		}
		got := e.adminGetUser(t, poolID, "alice")
		if got.UserStatus != types.UserStatusTypeUnconfirmed {
			t.Errorf("after SignUp: UserStatus = %s, want UNCONFIRMED", got.UserStatus)
		}
		if v, ok := userAttrMap(got.UserAttributes)["email_verified"]; ok && v == "true" {
			t.Errorf("after SignUp: email_verified = %q", v)
		}

		// The code, as the inspection API shows the message.
		msg := e.lastMessage(t, poolID, "alice")
		if msg.DeliveryMedium != "EMAIL" || msg.Destination != "alice@example.com" || msg.AttributeName != "email" ||
			msg.TriggerSource != "CustomMessage_SignUp" || msg.Username != "alice" {
			t.Errorf("sign-up message = %+v", msg)
		}
		code := msg.Code
		if !userCodePattern.MatchString(code) || !strings.Contains(msg.Body, code) {
			t.Fatalf("sign-up code %q (body %q)", code, msg.Body)
		}

		// Not confirmed yet: no sign-in.
		_, err = e.passwordAuth(clientID, "alice", userPassword)
		wantAPIError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")

		// A wrong code, then the right one.
		_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("alice"), ConfirmationCode: aws.String(userOtherCode(code))})
		wantAPIError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
		if _, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("alice"), ConfirmationCode: aws.String(code)}); err != nil {
			t.Fatalf("ConfirmSignUp with the right code: %v", err)
		}
		got = e.adminGetUser(t, poolID, "alice")
		if got.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("after ConfirmSignUp: UserStatus = %s, want CONFIRMED", got.UserStatus)
		}
		wantAttrs := map[string]string{"sub": sub, "email": "alice@example.com", "name": "Alice Liddell", "email_verified": "true"}
		if d := cmp.Diff(wantAttrs, userAttrMap(got.UserAttributes)); d != "" {
			t.Errorf("AdminGetUser attributes after confirming (-want +got):\n%s", d)
		}
		_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("alice"), ConfirmationCode: aws.String(code)})
		wantAPIError[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is CONFIRMED")

		// Sign in.
		out, err := e.passwordAuth(clientID, "alice", userPassword)
		if err != nil {
			t.Fatalf("InitiateAuth USER_PASSWORD_AUTH: %v", err)
		}
		if out.ChallengeName != "" || out.Session != nil {
			t.Errorf("InitiateAuth: challenge %q, session %v; want tokens only", out.ChallengeName, out.Session)
		}
		first := out.AuthenticationResult
		if first == nil || aws.ToString(first.AccessToken) == "" || aws.ToString(first.IdToken) == "" || aws.ToString(first.RefreshToken) == "" {
			t.Fatalf("InitiateAuth: incomplete tokens %+v", first)
		}
		if first.ExpiresIn != 3600 || aws.ToString(first.TokenType) != "Bearer" {
			t.Errorf("InitiateAuth: ExpiresIn %d, TokenType %q; want 3600, Bearer", first.ExpiresIn, aws.ToString(first.TokenType))
		}
		access := userJWTClaims(t, aws.ToString(first.AccessToken))
		if access["token_use"] != "access" || access["sub"] != sub || access["username"] != "alice" || access["client_id"] != clientID ||
			access["scope"] != "aws.cognito.signin.user.admin" {
			t.Errorf("access token claims = %v", access)
		}
		idc := userJWTClaims(t, aws.ToString(first.IdToken))
		if idc["token_use"] != "id" || idc["email"] != "alice@example.com" || idc["email_verified"] != true || idc["aud"] != clientID || idc["cognito:username"] != "alice" {
			t.Errorf("ID token claims = %v", idc)
		}

		// GetUser.
		step()
		me := e.mustGetUser(t, aws.ToString(first.AccessToken))
		if aws.ToString(me.Username) != "alice" {
			t.Errorf("GetUser: Username = %q", aws.ToString(me.Username))
		}
		if d := cmp.Diff(wantAttrs, userAttrMap(me.UserAttributes)); d != "" {
			t.Errorf("GetUser attributes (-want +got):\n%s", d)
		}

		// REFRESH_TOKEN_AUTH: new access and ID tokens, no new refresh token.
		step()
		ref, err := e.refreshAuth(clientID, aws.ToString(first.RefreshToken))
		if err != nil {
			t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
		}
		refreshed := ref.AuthenticationResult
		if refreshed == nil || aws.ToString(refreshed.AccessToken) == "" || aws.ToString(refreshed.IdToken) == "" {
			t.Fatalf("REFRESH_TOKEN_AUTH: incomplete tokens %+v", refreshed)
		}
		if refreshed.RefreshToken != nil {
			t.Errorf("REFRESH_TOKEN_AUTH returned a refresh token")
		}
		if aws.ToString(refreshed.AccessToken) == aws.ToString(first.AccessToken) {
			t.Errorf("REFRESH_TOKEN_AUTH returned the same access token")
		}
		if refreshed.ExpiresIn != 3600 || aws.ToString(refreshed.TokenType) != "Bearer" {
			t.Errorf("REFRESH_TOKEN_AUTH: ExpiresIn %d, TokenType %q", refreshed.ExpiresIn, aws.ToString(refreshed.TokenType))
		}
		if rc := userJWTClaims(t, aws.ToString(refreshed.AccessToken)); fmt.Sprint(rc["auth_time"]) != fmt.Sprint(access["auth_time"]) || rc["auth_time"] == nil {
			t.Errorf("refreshed auth_time %v, want the sign-in's %v", rc["auth_time"], access["auth_time"])
		}
		e.mustGetUser(t, aws.ToString(refreshed.AccessToken))

		// GlobalSignOut revokes every token issued before it.
		step()
		if _, err := e.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: refreshed.AccessToken}); err != nil {
			t.Fatalf("GlobalSignOut: %v", err)
		}
		step()
		for name, tok := range map[string]*string{"first": first.AccessToken, "refreshed": refreshed.AccessToken} {
			_, err = e.getUser(aws.ToString(tok))
			if err == nil {
				t.Errorf("GetUser with the %s access token after GlobalSignOut succeeded", name)
				continue
			}
			wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
		}
		_, err = e.refreshAuth(clientID, aws.ToString(first.RefreshToken))
		wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")

		// A sign-in after the sign-out, in the same second, is not revoked.
		again := e.signIn(t, clientID, "alice", userPassword)
		if a, b := userJWTClaims(t, aws.ToString(again.AccessToken))["iat"], access["iat"]; fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("test setup: iat %v and %v differ; the clock should have stayed in one second", a, b)
		}
		e.mustGetUser(t, aws.ToString(again.AccessToken))
		if _, err := e.refreshAuth(clientID, aws.ToString(again.RefreshToken)); err != nil {
			t.Errorf("REFRESH_TOKEN_AUTH with the refresh token issued after the sign-out: %v", err)
		}
		// And the old ones stay revoked.
		_, err = e.getUser(aws.ToString(first.AccessToken))
		wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
	})
}

// Sign-up and sign-in failures, each with Cognito's exact type and text.
func TestUserSignUpAndSignInErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString},
			},
		})
		strictPool := e.newPool(t, &cip.CreateUserPoolInput{
			PoolName: aws.String("strict"),
			Schema: []types.SchemaAttributeType{
				{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
				{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			},
		})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		strictClient := aws.ToString(e.newClient(t, strictPool, nil).ClientId)
		hiding := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
		}).ClientId)
		srpOnly := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		}).ClientId)
		secretClient := e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
		signUp := func(client, username, password string, attributes ...types.AttributeType) error {
			_, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String(username), Password: aws.String(password), UserAttributes: attributes})
			return err
		}

		t.Run("wrong password", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "wrongpw", userPassword)
			_, err := e.passwordAuth(clientID, "wrongpw", "Wrong-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("unknown user", func(t *testing.T) {
			t.Parallel()
			_, err := e.passwordAuth(clientID, "nobody", userPassword)
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			_, err = e.passwordAuth(hiding, "nobody", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("unconfirmed user", func(t *testing.T) {
			t.Parallel()
			if err := signUp(clientID, "pending", userPassword, userAttrs("email", "pending@example.com")...); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			_, err := e.passwordAuth(clientID, "pending", userPassword)
			wantAPIError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
		})

		t.Run("flow not enabled and not supported", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "flows", userPassword)
			_, err := e.passwordAuth(srpOnly, "flows", userPassword)
			wantAPIError[*types.InvalidParameterException](t, err, "USER_PASSWORD_AUTH flow not enabled for this client")
			_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: aws.String(clientID),
				AuthParameters: map[string]string{"USERNAME": "flows", "PASSWORD": userPassword},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "Initiate Auth method not supported.")
		})

		t.Run("missing parameters", func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				params map[string]string
				want   string
			}{
				{map[string]string{"PASSWORD": userPassword}, "Missing required parameter USERNAME"},
				{map[string]string{"USERNAME": "someone"}, "Missing required parameter PASSWORD"},
				{nil, "Missing required parameter USERNAME"},
			} {
				_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), AuthParameters: tc.params})
				wantAPIError[*types.InvalidParameterException](t, err, tc.want)
			}
			_, err := e.refreshAuth(clientID, "")
			wantAPIError[*types.InvalidParameterException](t, err, "Missing required parameter REFRESH_TOKEN")
		})

		t.Run("disabled user", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "disabled", userPassword)
			old := e.signIn(t, clientID, "disabled", userPassword)
			if _, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("disabled")}); err != nil {
				t.Fatalf("AdminDisableUser: %v", err)
			}
			if got := e.adminGetUser(t, poolID, "disabled"); got.Enabled {
				t.Errorf("AdminGetUser after AdminDisableUser: Enabled = true")
			}
			_, err := e.passwordAuth(clientID, "disabled", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "User is disabled.")
			_, err = e.getUser(aws.ToString(old.AccessToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "User is disabled.")
			_, err = e.refreshAuth(clientID, aws.ToString(old.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "")

			if _, err := e.c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("disabled")}); err != nil {
				t.Fatalf("AdminEnableUser: %v", err)
			}
			_, err = e.getUser(aws.ToString(old.AccessToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			_, err = e.refreshAuth(clientID, aws.ToString(old.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
			fresh := e.signIn(t, clientID, "disabled", userPassword)
			e.mustGetUser(t, aws.ToString(fresh.AccessToken))
		})

		t.Run("password policy", func(t *testing.T) {
			t.Parallel()
			for i, tc := range []struct{ password, reason string }{
				{"Aa1!", "Password not long enough"},
				{"password1!", "Password must have uppercase characters"},
				{"PASSWORD1!", "Password must have lowercase characters"},
				{"Password!!", "Password must have numeric characters"},
				{"Password11", "Password must have symbol characters"},
			} {
				err := signUp(clientID, fmt.Sprintf("weak%d", i), tc.password, userAttrs("email", "weak@example.com")...)
				wantAPIError[*types.InvalidPasswordException](t, err, "Password did not conform with policy: "+tc.reason)
			}
			// Nothing was created.
			_, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String("weak0")})
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})

		t.Run("username exists", func(t *testing.T) {
			t.Parallel()
			if err := signUp(clientID, "taken", userPassword, userAttrs("email", "taken@example.com")...); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			err := signUp(clientID, "taken", userPassword, userAttrs("email", "other@example.com")...)
			wantAPIError[*types.UsernameExistsException](t, err, "User already exists")
		})

		t.Run("schema", func(t *testing.T) {
			t.Parallel()
			err := signUp(clientID, "schema1", userPassword, userAttrs("email", "s@example.com", "custom:x", "1")...)
			wantAPIError[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\n")
			err = signUp(strictClient, "schema2", userPassword, userAttrs("email", "s@example.com")...)
			wantAPIError[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: name.formatted: The attribute is required\n")
			err = signUp(strictClient, "schema3", userPassword, userAttrs("name", "Sam")...)
			wantAPIError[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: email: The attribute is required\n")
			if err := signUp(strictClient, "schema4", userPassword, userAttrs("name", "Sam", "email", "s@example.com")...); err != nil {
				t.Errorf("SignUp with every required attribute: %v", err)
			}
			// Verified flags and custom attributes without a write grant are
			// not the client's to write.
			err = signUp(clientID, "schema5", userPassword, userAttrs("email", "s@example.com", "email_verified", "true")...)
			wantAPIError[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
			err = signUp(clientID, "schema6", userPassword, userAttrs("email", "s@example.com", "custom:tenant", "acme")...)
			wantAPIError[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
			for _, name := range []string{"schema1", "schema2", "schema3", "schema5", "schema6"} {
				_, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
				wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			}
		})

		t.Run("unknown client", func(t *testing.T) {
			t.Parallel()
			_, err := e.passwordAuth("nosuchclient0000000000000a", "someone", userPassword)
			wantAPIError[*types.ResourceNotFoundException](t, err, "")
			err = signUp("nosuchclient0000000000000a", "someone", userPassword)
			wantAPIError[*types.ResourceNotFoundException](t, err, "")
		})

		t.Run("USER_SRP_AUTH failures", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "srpuser", userPassword)
			if out, err := userSRPSignIn(t, e.c, e.c, poolID, clientID, "srpuser", userPassword); err != nil || out.AuthenticationResult == nil {
				t.Fatalf("USER_SRP_AUTH: %v", err)
			}
			_, err := userSRPSignIn(t, e.c, e.c, poolID, clientID, "srpuser", "Wrong-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			// An unknown user: told at once, or, when the client hides who
			// exists, only after a handshake that cannot succeed.
			_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID),
				AuthParameters: map[string]string{"USERNAME": "nobody", "SRP_A": newUserSRPClient(t).srpA()},
			})
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			_, err = userSRPSignIn(t, e.c, e.c, poolID, hiding, "nobody", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			// The state of the user is told after the password is proved.
			if err := signUp(clientID, "srppending", userPassword, userAttrs("email", "srppending@example.com")...); err != nil {
				t.Fatal(err)
			}
			_, err = userSRPSignIn(t, e.c, e.c, poolID, clientID, "srppending", userPassword)
			wantAPIError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
			// Missing parameters and a client without the flow.
			_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID), AuthParameters: map[string]string{"USERNAME": "srpuser"},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "Missing required parameter SRP_A")
			passwordOnly := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
				in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
			}).ClientId)
			_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(passwordOnly),
				AuthParameters: map[string]string{"USERNAME": "srpuser", "SRP_A": newUserSRPClient(t).srpA()},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "USER_SRP_AUTH flow not enabled for this client")
		})

		t.Run("confirmation codes", func(t *testing.T) {
			t.Parallel()
			if err := signUp(clientID, "coder", userPassword, userAttrs("email", "coder@example.com")...); err != nil {
				t.Fatal(err)
			}
			first := e.lastCode(t, poolID, "coder")
			confirm := func(code string) error {
				_, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("coder"), ConfirmationCode: aws.String(code)})
				return err
			}
			// A new code replaces the old one.
			out, err := e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("coder")})
			if err != nil {
				t.Fatalf("ResendConfirmationCode: %v", err)
			}
			if d := aws.ToString(out.CodeDeliveryDetails.Destination); d != "c***@e***" {
				t.Errorf("ResendConfirmationCode Destination %q", d)
			}
			second := e.lastMessage(t, poolID, "coder")
			if second.TriggerSource != "CustomMessage_ResendCode" {
				t.Errorf("resent message trigger %q", second.TriggerSource)
			}
			if first != second.Code {
				wantAPIError[*types.CodeMismatchException](t, confirm(first), "Invalid verification code provided, please try again.")
			}
			// Wrong guesses run out.
			limited := false
			for i := 0; i < 10 && !limited; i++ {
				err := confirm(userOtherCode(second.Code))
				var le *types.LimitExceededException
				if errors.As(err, &le) {
					wantAPIError[*types.LimitExceededException](t, err, "Attempt limit exceeded, please try after some time.")
					limited = true
					continue
				}
				wantAPIError[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
			}
			if !limited {
				t.Errorf("10 wrong codes and no LimitExceededException")
			}
			if _, err := e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("coder")}); err != nil {
				t.Fatalf("ResendConfirmationCode: %v", err)
			}
			if err := confirm(e.lastCode(t, poolID, "coder")); err != nil {
				t.Errorf("ConfirmSignUp with a fresh code after the limit: %v", err)
			}
			_, err = e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("coder")})
			wantAPIError[*types.InvalidParameterException](t, err, "User is already confirmed.")
		})

		t.Run("AdminUserGlobalSignOut and DeleteUser", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "signedout", userPassword)
			tok := e.signIn(t, clientID, "signedout", userPassword)
			if _, err := e.c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(poolID), Username: aws.String("signedout")}); err != nil {
				t.Fatalf("AdminUserGlobalSignOut: %v", err)
			}
			_, err := e.getUser(aws.ToString(tok.AccessToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			_, err = e.refreshAuth(clientID, aws.ToString(tok.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")

			tok = e.signIn(t, clientID, "signedout", userPassword)
			if _, err := e.c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tok.AccessToken}); err != nil {
				t.Fatalf("DeleteUser: %v", err)
			}
			_, err = e.getUser(aws.ToString(tok.AccessToken))
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			_, err = e.passwordAuth(clientID, "signedout", userPassword)
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})

		t.Run("secret hash", func(t *testing.T) {
			t.Parallel()
			id, secret := aws.ToString(secretClient.ClientId), aws.ToString(secretClient.ClientSecret)
			if secret == "" {
				t.Fatal("GenerateSecret gave no ClientSecret")
			}
			e.confirmedUser(t, poolID, "secretive", userPassword)
			_, err := e.passwordAuth(id, "secretive", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Client "+id+" is configured for secret but secret was not received")
			_, err = e.passwordAuth(id, "secretive", userPassword, "SECRET_HASH", userSecretHash("not-the-secret", "secretive", id))
			wantAPIError[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+id)
			out, err := e.passwordAuth(id, "secretive", userPassword, "SECRET_HASH", userSecretHash(secret, "secretive", id))
			if err != nil || out.AuthenticationResult == nil {
				t.Fatalf("InitiateAuth with the right SECRET_HASH: %v", err)
			}
			// SignUp checks it too.
			err = signUp(id, "secret2", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Client "+id+" is configured for secret but secret was not received")
			_, err = e.c.SignUp(ctx, &cip.SignUpInput{
				ClientId: aws.String(id), Username: aws.String("secret2"), Password: aws.String(userPassword),
				SecretHash: aws.String(userSecretHash(secret, "secret2", id)), UserAttributes: userAttrs("email", "secret2@example.com"),
			})
			if err != nil {
				t.Errorf("SignUp with the right SecretHash: %v", err)
			}
			// REFRESH_TOKEN_AUTH takes the hash of the username too.
			_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(id),
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken), "SECRET_HASH": userSecretHash(secret, "secretive", id)},
			})
			if err != nil {
				t.Errorf("REFRESH_TOKEN_AUTH with SECRET_HASH: %v", err)
			}
		})
	})
}

// Repeated wrong passwords lock the user out for a while; moving the server
// clock through the inspection API lifts the lock. The machine clock stands
// still, so the lock cannot run out by itself during the test.
func TestUserLockout(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b, withClock(userFrozenClock()))
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "guesser", userPassword)

		locked := 0
		for i := 1; i <= 10 && locked == 0; i++ {
			_, err := e.passwordAuth(clientID, "guesser", fmt.Sprintf("Wrong-%d-Passw0rd", i))
			ae := wantAPIError[*types.NotAuthorizedException](t, err, "")
			switch ae.ErrorMessage() {
			case "Incorrect username or password.":
			case "Password attempts exceeded":
				locked = i
			default:
				t.Fatalf("attempt %d: message %q", i, ae.ErrorMessage())
			}
		}
		if locked == 0 {
			t.Fatal("10 wrong passwords in a row did not lock the user out")
		}
		if locked < 5 {
			t.Errorf("locked out after %d attempts; Cognito allows at least 5", locked-1)
		}
		// While locked, even the right password is refused.
		_, err := e.passwordAuth(clientID, "guesser", userPassword)
		wantAPIError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")

		e.advance(t, 15*time.Minute)
		tok := e.signIn(t, clientID, "guesser", userPassword)
		e.mustGetUser(t, aws.ToString(tok.AccessToken))
		// The count starts again after a good sign-in.
		_, err = e.passwordAuth(clientID, "guesser", "Wrong-again-Passw0rd")
		wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	})
}
