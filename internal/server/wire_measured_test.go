package server_test

// Issue 11: behaviour Amazon Cognito was measured doing, where an earlier
// rule of Cognate's was inferred (cognito-behaviour.md §8). Each test runs
// on SQLite and PostgreSQL.

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// §8.1–8.3: AdminCreateUser creates a user it cannot invite, refusing only
// a medium the request names; booleans take any case.
func TestMeasuredAdminCreateUserDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			Schema: []types.SchemaAttributeType{{Name: aws.String("flag"), AttributeDataType: types.AttributeDataTypeBoolean, Mutable: aws.Bool(true)}},
		})
		clientID := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = userTestFlows
			in.WriteAttributes = []string{"email", "custom:flag"}
		}).ClientId)
		create := func(name string, mediums []types.DeliveryMediumType, nv ...string) (*cip.AdminCreateUserOutput, error) {
			return e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), TemporaryPassword: aws.String("Tempor@ryPassword123"),
				UserAttributes: userAttrs(nv...), DesiredDeliveryMediums: mediums,
			})
		}
		gone := func(name string) {
			t.Helper()
			_, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		}

		// A username alone, the default medium (SMS) and no phone number:
		// created, FORCE_CHANGE_PASSWORD, enabled, nothing sent.
		out, err := create("test@example.com", nil)
		if err != nil {
			t.Fatalf("AdminCreateUser by username alone: %v", err)
		}
		if out.User.UserStatus != types.UserStatusTypeForceChangePassword || !out.User.Enabled {
			t.Errorf("user = %s enabled %v, want FORCE_CHANGE_PASSWORD and enabled", out.User.UserStatus, out.User.Enabled)
		}
		if msgs := e.messages(t, poolID, "test@example.com"); len(msgs) != 0 {
			t.Errorf("messages = %+v, want none", msgs)
		}
		// The user signs in with the temporary password (NEW_PASSWORD_REQUIRED),
		// as moto's aws_verified test_authorize_user_with_force_password_change_status does.
		auth, err := e.passwordAuth(clientID, "test@example.com", "Tempor@ryPassword123")
		if err != nil || auth.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("InitiateAuth = %v, %v; want NEW_PASSWORD_REQUIRED", auth, err)
		}

		// An email but the default medium: created, nothing sent.
		if _, err := create("emailonly", nil, "email", "e@example.com", "email_verified", "True"); err != nil {
			t.Fatalf("AdminCreateUser with an email and the default medium: %v", err)
		}
		if msgs := e.messages(t, poolID, "emailonly"); len(msgs) != 0 {
			t.Errorf("messages = %+v, want none (the default medium is SMS)", msgs)
		}
		// "True" verified the email: it is stored as "true" and ForgotPassword
		// delivers to it (moto's aws_verified test_forgot_password_with_email_delivery_details).
		if got := userAttrMap(e.adminGetUser(t, poolID, "emailonly").UserAttributes)["email_verified"]; got != "true" {
			t.Errorf("email_verified = %q, want true", got)
		}
		if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID),
			Username: aws.String("emailonly"), Password: aws.String(userPassword), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		fp, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("emailonly")})
		if err != nil {
			t.Fatalf("ForgotPassword: %v", err)
		}
		if d := fp.CodeDeliveryDetails; d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.Destination) != "e***@e***" {
			t.Errorf("ForgotPassword CodeDeliveryDetails = %+v, want EMAIL to e***@e***", d)
		}

		// A named medium needs its attribute; EMAIL is checked first.
		_, err = create("noemail", []types.DeliveryMediumType{types.DeliveryMediumTypeEmail})
		wantAPIError[*types.InvalidParameterException](t, err, "No email provided but desired delivery medium was Email")
		gone("noemail")
		_, err = create("phoneonly", []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms}, "phone_number", "+15555550100")
		wantAPIError[*types.InvalidParameterException](t, err, "No email provided but desired delivery medium was Email")
		gone("phoneonly")
		_, err = create("nophone", []types.DeliveryMediumType{types.DeliveryMediumTypeSms}, "email", "n@example.com")
		wantAPIError[*types.InvalidParameterException](t, err, "No phone_number provided but desired delivery medium was Sms")
		gone("nophone")

		// A named medium with its attribute is sent.
		if _, err := create("invited", []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}, "email", "i@example.com"); err != nil {
			t.Fatalf("AdminCreateUser EMAIL: %v", err)
		}
		if m := e.lastMessage(t, poolID, "invited"); m.DeliveryMedium != "EMAIL" || m.TriggerSource != "CustomMessage_AdminCreateUser" {
			t.Errorf("invitation = %+v", m)
		}
		// RESEND follows the same rule.
		_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("test@example.com"),
			MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
		wantAPIError[*types.InvalidParameterException](t, err, "No email provided but desired delivery medium was Email")
		if _, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("test@example.com"),
			MessageAction: types.MessageActionTypeResend}); err != nil {
			t.Fatalf("AdminCreateUser RESEND with the default medium: %v", err)
		}

		// Custom booleans take any case too, and are stored lowercase.
		tok := e.signIn(t, clientID, "emailonly", userPassword)
		if _, err := e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken,
			UserAttributes: userAttrs("custom:flag", "FALSE")}); err != nil {
			t.Fatalf("UpdateUserAttributes custom:flag FALSE: %v", err)
		}
		if got := userAttrMap(e.adminGetUser(t, poolID, "emailonly").UserAttributes)["custom:flag"]; got != "false" {
			t.Errorf("custom:flag = %q, want false", got)
		}
		_, err = e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: userAttrs("custom:flag", "yes")})
		wantAPIError[*types.InvalidParameterException](t, err, "user.custom:flag: Boolean is not valid\n")
	})
}

// §8.10 and §8.11: a software token verified within MFA_SETUP is the user's
// factor even when the challenge is left unanswered, and a code is used once.
func TestMeasuredTotpSetupUnanswered(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOn)
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "carol", userPassword)

		out, err := e.passwordAuth(clientID, "carol", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup {
			t.Fatalf("InitiateAuth = %v, %v; want MFA_SETUP", out, err)
		}
		assoc, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
		if err != nil {
			t.Fatalf("AssociateSoftwareToken: %v", err)
		}
		secret := aws.ToString(assoc.SecretCode)
		code := totp(t, secret, clk.Now())
		ver, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(code)})
		if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess {
			t.Fatalf("VerifySoftwareToken = %v, %v", ver, err)
		}
		// MFA_SETUP left unanswered: the next sign-in asks for the code.
		out, err = e.passwordAuth(clientID, "carol", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("InitiateAuth = %v, %v; want SOFTWARE_TOKEN_MFA", out, err)
		}
		if got := e.adminGetUser(t, poolID, "carol"); aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
			t.Errorf("PreferredMfaSetting = %v, want SOFTWARE_TOKEN_MFA", got.PreferredMfaSetting)
		}
		answer := func(code string) (*cip.RespondToAuthChallengeOutput, error) {
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
				ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "carol", "SOFTWARE_TOKEN_MFA_CODE": code}})
		}
		// The code VerifySoftwareToken accepted is spent.
		_, err = answer(code)
		wantAPIError[*types.ExpiredCodeException](t, err, "Your software token has already been used once.")
		// A reused code is not a wrong guess: five of them lock nothing.
		for range 5 {
			_, err = answer(code)
			wantAPIError[*types.ExpiredCodeException](t, err, "Your software token has already been used once.")
		}
		clk.Advance(30 * time.Second)
		res, err := answer(totp(t, secret, clk.Now()))
		if err != nil || res.AuthenticationResult == nil {
			t.Fatalf("RespondToAuthChallenge with the next code: %v", err)
		}
	})
}

// §8.4–8.8: the checks and texts of sign-in AWS was recorded answering.
func TestMeasuredSignInTexts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)

		// An unconfirmed user is told so whatever the password.
		if _, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("dave"), Password: aws.String(userPassword)}); err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		for _, pw := range []string{userPassword, "Wr0ng-Passw0rd"} {
			_, err := e.passwordAuth(clientID, "dave", pw)
			wantAPIError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
		}
		cl := newUserSRPClient(t)
		srpOut, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID),
			AuthParameters: map[string]string{"USERNAME": "dave", "SRP_A": cl.srpA()}})
		if err != nil {
			t.Fatalf("InitiateAuth USER_SRP_AUTH: %v", err)
		}
		_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: cl.respond(t, poolID, "Wr0ng-Passw0rd", srpOut.ChallengeParameters, time.Now())})
		wantAPIError[*types.UserNotConfirmedException](t, err, "User is not confirmed.")

		// A challenge that continues a Session, answered without one.
		e.confirmedUser(t, poolID, "erin", userPassword)
		if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("erin"),
			Password: aws.String("Temp-Passw0rd"), Permanent: false}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		if out, err := e.passwordAuth(clientID, "erin", "Temp-Passw0rd"); err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("InitiateAuth = %v, %v; want NEW_PASSWORD_REQUIRED", out, err)
		}
		for _, ch := range []types.ChallengeNameType{types.ChallengeNameTypeNewPasswordRequired, types.ChallengeNameTypeMfaSetup, types.ChallengeNameTypeSmsMfa} {
			_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: ch,
				ChallengeResponses: map[string]string{"USERNAME": "erin", "NEW_PASSWORD": "N3w-Passw0rd!", "SMS_MFA_CODE": "123456"}})
			wantAPIError[*types.InvalidParameterException](t, err, "Missing required parameter Session")
		}
		_, err = e.c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ChallengeResponses: map[string]string{"USERNAME": "erin", "NEW_PASSWORD": "N3w-Passw0rd!"}})
		wantAPIError[*types.InvalidParameterException](t, err, "Missing required parameter Session")
		if got := e.adminGetUser(t, poolID, "erin").UserStatus; got != types.UserStatusTypeForceChangePassword {
			t.Errorf("status = %s after refused answers, want FORCE_CHANGE_PASSWORD", got)
		}

		// A refresh token Cognito does not know, malformed or merely unknown.
		for _, rt := range []string{"not-a-refresh-token", "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d"} {
			_, err = e.refreshAuth(clientID, rt)
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid Refresh Token.")
		}

		// AdminResetUserPassword of a disabled user.
		if _, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("erin")}); err != nil {
			t.Fatalf("AdminDisableUser: %v", err)
		}
		_, err = e.c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("erin")})
		wantAPIError[*types.NotAuthorizedException](t, err, "User is disabled")
		if got := e.adminGetUser(t, poolID, "erin").UserStatus; got != types.UserStatusTypeForceChangePassword {
			t.Errorf("status = %s after a refused reset, want FORCE_CHANGE_PASSWORD", got)
		}
	})
}

// §8.9: PASSWORD_VERIFIER takes TIMESTAMP only in Cognito's exact form, and a
// successful answer carries no Session.
func TestMeasuredSRPTimestamp(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := &fakeClock{now: time.Date(2026, 9, 5, 8, 4, 3, 0, time.UTC)} // Saturday 5 September
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "frank", userPassword)
		try := func(stamp string) (*cip.RespondToAuthChallengeOutput, error) {
			cl := newUserSRPClient(t)
			out, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID),
				AuthParameters: map[string]string{"USERNAME": "frank", "SRP_A": cl.srpA()}})
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: cl.respondStamped(t, poolID, userPassword, out.ChallengeParameters, stamp)})
		}
		for _, stamp := range []string{
			"Sat Sep 05 08:04:03 UTC 2026", // zero-padded day
			"Fri Sep 5 08:04:03 UTC 2026",  // the wrong weekday
			"Sat Sep 5 8:04:03 UTC 2026",   // one-digit hour
			"Sat Sep  5 08:04:03 UTC 2026", // space-padded day
			"Sat Sep 5 08:04:03 GMT 2026",
			"2026-09-05T08:04:03Z",
		} {
			_, err := try(stamp)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		}
		// Five refused answers counted as wrong passwords; reset them.
		if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("frank"),
			Password: aws.String(userPassword), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		res, err := try("Sat Sep 5 08:04:03 UTC 2026")
		if err != nil || res.AuthenticationResult == nil {
			t.Fatalf("PASSWORD_VERIFIER with Cognito's form: %v", err)
		}
		if res.Session != nil {
			t.Errorf("a successful PASSWORD_VERIFIER carries Session %q, want none", aws.ToString(res.Session))
		}
	})
}

// §8.14: PreTokenGenerationConfig alone configures the trigger; the two
// members are kept the same, and different ARNs are refused.
func TestMeasuredPreTokenGenerationConfig(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		l := newFakeLambda(t)
		w := newWire(t, b, withLambdaEndpoint(l.URL))
		e := &trigEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: l}
		v2 := l.handle("pretoken-v2only", func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			ev.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
				AccessTokenGeneration: events.AccessTokenGenerationV2_0{ClaimsToAddOrOverride: map[string]interface{}{"tier": "gold"}},
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(v2), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20,
		}})
		if lc := describePool(t, e.admin, poolID).LambdaConfig; aws.ToString(lc.PreTokenGeneration) != v2 {
			t.Errorf("DescribeUserPool PreTokenGeneration = %v, want %s", lc.PreTokenGeneration, v2)
		}
		if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("gina"),
			MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("gina"),
			Password: aws.String(userPassword), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		out, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID),
			AuthParameters: map[string]string{"USERNAME": "gina", "PASSWORD": userPassword}})
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		evs, raw := lambdaEvents[events.CognitoEventUserPoolsPreTokenGenV2_0](t, l, "pretoken-v2only")
		if len(evs) != 1 || evs[0].Version != "2" {
			t.Fatalf("the V2 function ran %d times (versions %v), want once with the V2 event", len(evs), raw)
		}
		if got := userJWTClaims(t, aws.ToString(out.AuthenticationResult.AccessToken))["tier"]; got != "gold" {
			t.Errorf("access token tier = %v, want gold from the V2 function", got)
		}

		// The legacy member alone shows the V1 configuration.
		other := "arn:aws:lambda:us-east-1:" + testAccount + ":function:legacy"
		legacyPool, _ := e.pool(t, &types.LambdaConfigType{PreTokenGeneration: aws.String(other)})
		if c := describePool(t, e.admin, legacyPool).LambdaConfig.PreTokenGenerationConfig; c == nil ||
			aws.ToString(c.LambdaArn) != other || c.LambdaVersion != types.PreTokenGenerationLambdaVersionTypeV10 {
			t.Errorf("DescribeUserPool PreTokenGenerationConfig = %+v, want V1_0 %s", c, other)
		}
		// Both, with different functions: refused, nothing changed.
		_, err = e.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(poolID), LambdaConfig: &types.LambdaConfigType{
			PreTokenGeneration:       aws.String(other),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(v2), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20},
		}})
		wantAPIError[*types.InvalidParameterException](t, err, "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same.")
		if lc := describePool(t, e.admin, poolID).LambdaConfig; aws.ToString(lc.PreTokenGeneration) != v2 {
			t.Errorf("after a refused update PreTokenGeneration = %v, want %s", lc.PreTokenGeneration, v2)
		}
	})
}

// §8.15: an invalid phone number or email answers AWS's text, without a
// schema prefix, on every path that takes attributes.
func TestMeasuredContactFormatTexts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "hana", userPassword)
		tok := e.signIn(t, clientID, "hana", userPassword)
		for _, c := range []struct{ attr, value, msg string }{
			{"phone_number", "5555550100", "Invalid phone number format."},
			{"phone_number", "+1 555 555 0100", "Invalid phone number format."},
			{"email", "not-an-email", "Invalid email address format."},
		} {
			_, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("signup-" + c.attr),
				Password: aws.String(userPassword), UserAttributes: userAttrs(c.attr, c.value)})
			wantAPIError[*types.InvalidParameterException](t, err, c.msg)
			_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("admin-" + c.attr),
				UserAttributes: userAttrs(c.attr, c.value), MessageAction: types.MessageActionTypeSuppress})
			wantAPIError[*types.InvalidParameterException](t, err, c.msg)
			_, err = e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: userAttrs(c.attr, c.value)})
			wantAPIError[*types.InvalidParameterException](t, err, c.msg)
			_, err = e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(poolID), Username: aws.String("hana"),
				UserAttributes: userAttrs(c.attr, c.value)})
			wantAPIError[*types.InvalidParameterException](t, err, c.msg)
		}
	})
}

// App-client rules with AWS's recorded texts (the evidence sweep of issue 11).
func TestMeasuredClientRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		create := func(edit func(*cip.CreateUserPoolClientInput)) error {
			in := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("rules")}
			edit(in)
			_, err := e.c.CreateUserPoolClient(ctx, in)
			return err
		}
		oauth := func(flows []types.OAuthFlowType, scopes []string, callbacks ...string) func(*cip.CreateUserPoolClientInput) {
			return func(in *cip.CreateUserPoolClientInput) {
				in.AllowedOAuthFlowsUserPoolClient = true
				in.AllowedOAuthFlows, in.AllowedOAuthScopes, in.CallbackURLs = flows, scopes, callbacks
			}
		}
		code := []types.OAuthFlowType{types.OAuthFlowTypeCode}
		cc := []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}

		// aws/aws-cdk#7625.
		err := create(func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}
		})
		wantAPIError[*types.InvalidParameterException](t, err, "REFRESH_TOKEN_AUTH should always be allowed.")
		for name, edit := range map[string]func(*cip.CreateUserPoolClientInput){
			"rotation refreshes through GetTokensFromRefreshToken": func(in *cip.CreateUserPoolClientInput) {
				in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}
				in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled}
			},
			"legacy values allow refresh": func(in *cip.CreateUserPoolClientInput) {
				in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAdminNoSrpAuth}
			},
			"http to localhost": oauth(code, []string{"openid"}, "http://localhost:3000/cb"),
		} {
			if err := create(edit); err != nil {
				t.Errorf("%s: CreateUserPoolClient: %v", name, err)
			}
		}

		err = create(oauth(nil, []string{"openid"}, "https://app.example.com/cb"))
		wantAPIError[*types.InvalidParameterException](t, err, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		err = create(oauth(code, nil, "https://app.example.com/cb"))
		wantAPIError[*types.InvalidParameterException](t, err, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		err = create(oauth(code, []string{"openid"}))
		wantAPIError[*types.InvalidOAuthFlowException](t, err, "CallbackUrls can not be empty when code flow or implicit flow is selected")
		err = create(oauth(code, []string{"openid"}, "http://app.example.com/cb"))
		wantAPIError[*types.InvalidParameterException](t, err, "http://app.example.com/cb cannot use the HTTP protocol.")
		err = create(oauth(cc, []string{"email"}))
		wantAPIError[*types.InvalidOAuthFlowException](t, err, "client_credentials flow can not be selected if client does not have a client secret.")
		withSecret := func(edit func(*cip.CreateUserPoolClientInput)) func(*cip.CreateUserPoolClientInput) {
			return func(in *cip.CreateUserPoolClientInput) { edit(in); in.GenerateSecret = true }
		}
		err = create(withSecret(oauth(cc, []string{"openid"})))
		wantAPIError[*types.InvalidOAuthFlowException](t, err, "openid is not supported with client_credentials flow")
		err = create(withSecret(oauth(append(cc, types.OAuthFlowTypeCode), []string{"email"}, "https://app.example.com/cb")))
		wantAPIError[*types.InvalidOAuthFlowException](t, err, "client_credentials flow can not be selected along with code flow or implicit flow.")

		out, err := e.c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID)})
		if err != nil || len(out.UserPoolClients) != 3 {
			t.Errorf("ListUserPoolClients = %d clients, %v; want the 3 accepted ones", len(out.UserPoolClients), err)
		}
	})
}

// GetUserAttributeVerificationCode and VerifyUserAttribute for an attribute
// no code verifies (aws-amplify/amplify-js#3652).
func TestMeasuredVerificationTexts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "ivy", userPassword)
		tok := e.signIn(t, clientID, "ivy", userPassword)
		const msg = "Invalid attribute name. Only phone_number and email can be verified."
		for _, attr := range []string{"given_name", "+60123456789"} {
			_, err := e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: tok.AccessToken, AttributeName: aws.String(attr)})
			wantAPIError[*types.InvalidParameterException](t, err, msg)
			_, err = e.c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: tok.AccessToken, AttributeName: aws.String(attr), Code: aws.String("123456")})
			wantAPIError[*types.InvalidParameterException](t, err, msg)
		}
	})
}

// A UserMigration answer Cognito cannot use is UserNotFoundException (AWS's
// Knowledge Center on migration trigger errors), and nothing is created.
func TestMeasuredMigrationRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := e.lambda.handle("migrate-bad", func(_ context.Context, ev map[string]any) (map[string]any, error) {
			switch ev["userName"] {
			case "status":
				ev["response"] = map[string]any{"userAttributes": map[string]any{"email": "s@example.com"}, "finalUserStatus": "ACTIVE"}
			case "schema":
				ev["response"] = map[string]any{"userAttributes": map[string]any{"custom:nope": "x"}, "finalUserStatus": "CONFIRMED"}
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{UserMigration: aws.String(arn)})
		for name, msg := range map[string]string{
			"status": "Error during migration: invalid finalUserStatus ACTIVE",
			"schema": "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
		} {
			_, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "0ld-Passw0rd!"}})
			wantAPIError[*types.UserNotFoundException](t, err, msg)
			if _, err := e.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)}); err == nil {
				t.Errorf("%s: a refused migration created the user", name)
			}
		}
	})
}
