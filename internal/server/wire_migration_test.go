package server_test

// Issue 6, item 2: the UserMigration trigger, a real aws-lambda-go handler
// served over the Lambda Invoke API.

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestUserMigrationTrigger(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := e.lambda.handle("migrate", func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
			mode := ev.CognitoEventUserPoolsMigrateUserRequest.ClientMetadata[trigMode]
			if mode == "error" {
				return ev, errors.New("legacy store says no")
			}
			if mode == "unknown" || (ev.TriggerSource == "UserMigration_Authentication" && ev.CognitoEventUserPoolsMigrateUserRequest.Password != "0ld-Passw0rd!") {
				return ev, nil // no user
			}
			ev.CognitoEventUserPoolsMigrateUserResponse.UserAttributes = map[string]string{
				"email": ev.UserName + "@example.com", "email_verified": "true",
			}
			ev.CognitoEventUserPoolsMigrateUserResponse.MessageAction = "SUPPRESS"
			if mode == "reset" {
				ev.CognitoEventUserPoolsMigrateUserResponse.FinalUserStatus = "RESET_REQUIRED"
			} else {
				ev.CognitoEventUserPoolsMigrateUserResponse.FinalUserStatus = "CONFIRMED"
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{UserMigration: aws.String(arn)})
		signIn := func(username, pw string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
			return e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": pw}, ClientMetadata: meta,
			})
		}
		calls := func() int {
			evs, _ := lambdaEvents[events.CognitoEventUserPoolsMigrateUser](t, e.lambda, "migrate")
			return len(evs)
		}

		t.Run("sign-in migrates once", func(t *testing.T) {
			out, err := signIn("ann", "0ld-Passw0rd!", map[string]string{"k": "v"})
			if err != nil || out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
				t.Fatalf("InitiateAuth = %+v, %v; want tokens", out, err)
			}
			evs, raws := lambdaEvents[events.CognitoEventUserPoolsMigrateUser](t, e.lambda, "migrate")
			ev, raw := evs[len(evs)-1], raws[len(raws)-1]
			if ev.TriggerSource != "UserMigration_Authentication" || ev.UserName != "ann" || ev.UserPoolID != poolID || ev.CallerContext.ClientID != clientID {
				t.Errorf("header = %+v", ev.CognitoEventUserPoolsHeader)
			}
			req := ev.CognitoEventUserPoolsMigrateUserRequest
			if req.Password != "0ld-Passw0rd!" || req.ValidationData["k"] != "v" || req.ClientMetadata["k"] != "v" {
				t.Errorf("request = %+v", req)
			}
			if _, ok := raw["response"].(map[string]any); !ok {
				t.Errorf("response = %#v, want an object", raw["response"])
			}
			u, err := trigGetUser(t, e.admin, poolID, "ann")
			if err != nil || u.UserStatus != types.UserStatusTypeConfirmed || trigAttr(u, "email") != "ann@example.com" || trigAttr(u, "sub") == "" {
				t.Fatalf("AdminGetUser = %+v, %v; want CONFIRMED with the migrated email", u, err)
			}
			n := calls()
			if _, err := signIn("ann", "0ld-Passw0rd!", nil); err != nil {
				t.Fatalf("second sign-in: %v", err)
			}
			if calls() != n {
				t.Errorf("the second sign-in called the function again")
			}
			_, err = signIn("ann", "wrong-Passw0rd!", nil)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})
		t.Run("no user", func(t *testing.T) {
			_, err := signIn("bob", "not-the-password", nil)
			var nf *types.UserNotFoundException
			var na *types.NotAuthorizedException
			if !errors.As(err, &nf) && !errors.As(err, &na) {
				t.Fatalf("InitiateAuth: %v; want the unknown-user answer", err)
			}
			if _, err := trigGetUser(t, e.admin, poolID, "bob"); err == nil {
				t.Errorf("user bob was created")
			}
		})
		t.Run("RESET_REQUIRED", func(t *testing.T) {
			_, err := signIn("cat", "0ld-Passw0rd!", map[string]string{trigMode: "reset"})
			wantAPIError[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")
			u, err := trigGetUser(t, e.admin, poolID, "cat")
			if err != nil || u.UserStatus != types.UserStatusTypeResetRequired {
				t.Fatalf("AdminGetUser = %+v, %v; want RESET_REQUIRED", u, err)
			}
		})
		t.Run("ForgotPassword", func(t *testing.T) {
			out, err := e.admin.ForgotPassword(ctx, &cip.ForgotPasswordInput{
				ClientId: aws.String(clientID), Username: aws.String("dan"), ClientMetadata: map[string]string{"k": "f"},
			})
			if err != nil || out.CodeDeliveryDetails == nil {
				t.Fatalf("ForgotPassword = %+v, %v; want a code sent", out, err)
			}
			evs, raws := lambdaEvents[events.CognitoEventUserPoolsMigrateUser](t, e.lambda, "migrate")
			ev, raw := evs[len(evs)-1], raws[len(raws)-1]
			if ev.TriggerSource != "UserMigration_ForgotPassword" || ev.UserName != "dan" || ev.CognitoEventUserPoolsMigrateUserRequest.ClientMetadata["k"] != "f" {
				t.Errorf("event = %+v", ev)
			}
			if req, _ := raw["request"].(map[string]any); req["password"] != nil {
				t.Errorf("password = %#v, want none", req["password"])
			}
			u, err := trigGetUser(t, e.admin, poolID, "dan")
			if err != nil || u.UserStatus != types.UserStatusTypeResetRequired {
				t.Fatalf("AdminGetUser = %+v, %v; want RESET_REQUIRED", u, err)
			}
			if msgs := attrsMessages(t, e.w.URL, poolID, "dan"); len(msgs) != 1 {
				t.Errorf("%d messages sent, want the reset code", len(msgs))
			}
		})
		t.Run("failure creates nothing", func(t *testing.T) {
			_, err := signIn("eve", "0ld-Passw0rd!", map[string]string{trigMode: "error"})
			wantAPIError[*types.UserLambdaValidationException](t, err, "UserMigration failed with error legacy store says no.")
			_, err = trigGetUser(t, e.admin, poolID, "eve")
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			_, err = e.admin.ForgotPassword(ctx, &cip.ForgotPasswordInput{
				ClientId: aws.String(clientID), Username: aws.String("eve"), ClientMetadata: map[string]string{trigMode: "error"},
			})
			wantAPIError[*types.UserLambdaValidationException](t, err, "UserMigration failed with error legacy store says no.")
			_, err = trigGetUser(t, e.admin, poolID, "eve")
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})
	})
}

// enableSMSMFA in the function's answer turns SMS MFA on for the migrated
// user, so that in an OPTIONAL pool the migrating sign-in itself already
// asks for the SMS code. aws-lambda-go's response type lacks the field, so
// this function answers with a map.
func TestUserMigrationEnablesSMSMFA(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := e.lambda.handle("migrate-mfa", func(_ context.Context, ev map[string]any) (map[string]any, error) {
			phone := map[string]any{"phone_number": "+15555550100"}
			if ev["userName"] == "nophone" {
				phone = map[string]any{"email": "nophone@example.com"}
			}
			ev["response"] = map[string]any{"userAttributes": phone, "finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS", "enableSMSMFA": true}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{UserMigration: aws.String(arn)})
		if _, err := e.admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
			UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional,
			SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("SMS code {####}")},
		}); err != nil {
			t.Fatal(err)
		}
		signIn := func(username string) (*cip.InitiateAuthOutput, error) {
			return e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": "0ld-Passw0rd!"},
			})
		}
		out, err := signIn("amy")
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSmsMfa || out.AuthenticationResult != nil {
			t.Fatalf("InitiateAuth of a user migrated with enableSMSMFA = %+v, %v; want SMS_MFA and no tokens", out, err)
		}
		got, err := e.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String("amy")})
		if err != nil || len(got.UserMFASettingList) != 1 || got.UserMFASettingList[0] != "SMS_MFA" {
			t.Errorf("AdminGetUser MFA settings = %v, %v", got.UserMFASettingList, err)
		}
		_, err = signIn("nophone")
		// A refused migration answers UserNotFoundException (AWS's Knowledge
		// Center on migration trigger errors; the wording is inferred).
		wantAPIError[*types.UserNotFoundException](t, err, "Error during migration: enableSMSMFA needs a phone_number attribute")
		if _, err := e.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String("nophone")}); err == nil {
			t.Error("a refused migration created the user")
		}
	})
}
