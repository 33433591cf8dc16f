package server_test

// Issue 6, item 2: the PreSignUp, PostConfirmation, PreAuthentication and
// PostAuthentication triggers, each a real aws-lambda-go handler served over
// the Lambda Invoke API.

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// trigMode is the ClientMetadata (or validationData) key that picks how a
// test function answers.
const trigMode = "trig-mode"

type trigEnv struct {
	w      *wire
	admin  *cip.Client
	lambda *fakeLambda
	n      int
}

func newTrigEnv(t *testing.T, b backend, opts ...wireOption) *trigEnv {
	l := newFakeLambda(t)
	w := newWire(t, b, append(opts, withLambdaEndpoint(l.URL))...)
	return &trigEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: l}
}

// pool creates a pool with lc and an app client allowing password sign-in.
func (e *trigEnv) pool(t *testing.T, lc *types.LambdaConfigType) (poolID, clientID string) {
	t.Helper()
	e.n++
	p := createPool(t, e.admin, &cip.CreateUserPoolInput{
		PoolName: aws.String(fmt.Sprintf("trig%d", e.n)), LambdaConfig: lc,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	c := createClient(t, e.admin, &cip.CreateUserPoolClientInput{
		UserPoolId: p.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	return aws.ToString(p.Id), aws.ToString(c.ClientId)
}

func trigSignUp(ctx context.Context, c *cip.Client, clientID, username string, meta map[string]string) (*cip.SignUpOutput, error) {
	return c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(username), Password: aws.String("Passw0rd!x"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(username + "@example.com")}},
		ValidationData: []types.AttributeType{{Name: aws.String("invite"), Value: aws.String("abc")}},
		ClientMetadata: meta,
	})
}

func trigGetUser(t *testing.T, c *cip.Client, poolID, username string) (*cip.AdminGetUserOutput, error) {
	t.Helper()
	return c.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
}

func trigAttr(out *cip.AdminGetUserOutput, name string) string {
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func TestPreSignUpTrigger(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := e.lambda.handle("pre-sign-up", func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
			switch ev.Request.ClientMetadata[trigMode] {
			case "error":
				return ev, errors.New("not on the list")
			case "confirm":
				ev.Response.AutoConfirmUser = true
				ev.Response.AutoVerifyEmail = true
			case "verify-only":
				ev.Response.AutoVerifyEmail = true
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{PreSignUp: aws.String(arn)})

		t.Run("event and default answer", func(t *testing.T) {
			meta := map[string]string{"k": "v"}
			out, err := trigSignUp(ctx, e.admin, clientID, "ann", meta)
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if out.UserConfirmed || out.CodeDeliveryDetails == nil {
				t.Errorf("UserConfirmed = %v, CodeDeliveryDetails = %v; want false and a code sent", out.UserConfirmed, out.CodeDeliveryDetails)
			}
			evs, raws := lambdaEvents[events.CognitoEventUserPoolsPreSignup](t, e.lambda, "pre-sign-up")
			ev, raw := evs[len(evs)-1], raws[len(raws)-1]
			if ev.TriggerSource != "PreSignUp_SignUp" || ev.UserPoolID != poolID || ev.UserName != "ann" || ev.CallerContext.ClientID != clientID || ev.Version != "1" || ev.Region != "us-east-1" {
				t.Errorf("header = %+v", ev.CognitoEventUserPoolsHeader)
			}
			if ev.Request.UserAttributes["email"] != "ann@example.com" || ev.Request.ValidationData["invite"] != "abc" || ev.Request.ClientMetadata["k"] != "v" {
				t.Errorf("request = %+v", ev.Request)
			}
			resp, _ := raw["response"].(map[string]any)
			for _, k := range []string{"autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone"} {
				if resp[k] != false {
					t.Errorf("response.%s = %#v, want false", k, resp[k])
				}
			}
			u, err := trigGetUser(t, e.admin, poolID, "ann")
			if err != nil || u.UserStatus != types.UserStatusTypeUnconfirmed {
				t.Fatalf("AdminGetUser = %v, %v; want UNCONFIRMED", u, err)
			}
		})
		t.Run("autoConfirmUser and autoVerifyEmail", func(t *testing.T) {
			out, err := trigSignUp(ctx, e.admin, clientID, "bob", map[string]string{trigMode: "confirm"})
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if !out.UserConfirmed || out.CodeDeliveryDetails != nil {
				t.Errorf("UserConfirmed = %v, CodeDeliveryDetails = %v; want true and no code", out.UserConfirmed, out.CodeDeliveryDetails)
			}
			u, err := trigGetUser(t, e.admin, poolID, "bob")
			if err != nil || u.UserStatus != types.UserStatusTypeConfirmed || trigAttr(u, "email_verified") != "true" {
				t.Fatalf("AdminGetUser = %+v, %v; want CONFIRMED with a verified email", u, err)
			}
			if msgs := attrsMessages(t, e.w.URL, poolID, "bob"); len(msgs) != 0 {
				t.Errorf("%d messages sent, want none", len(msgs))
			}
			if _, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Passw0rd!x"},
			}); err != nil {
				t.Errorf("sign-in of the auto-confirmed user: %v", err)
			}
		})
		t.Run("autoVerifyEmail without autoConfirmUser", func(t *testing.T) {
			out, err := trigSignUp(ctx, e.admin, clientID, "cat", map[string]string{trigMode: "verify-only"})
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			u, err := trigGetUser(t, e.admin, poolID, "cat")
			if err != nil || out.UserConfirmed || u.UserStatus != types.UserStatusTypeUnconfirmed || trigAttr(u, "email_verified") == "true" {
				t.Fatalf("AdminGetUser = %+v, %v; want UNCONFIRMED, email not verified", u, err)
			}
		})
		t.Run("failure writes nothing", func(t *testing.T) {
			_, err := trigSignUp(ctx, e.admin, clientID, "dan", map[string]string{trigMode: "error"})
			wantAPIError[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error not on the list.")
			_, err = trigGetUser(t, e.admin, poolID, "dan")
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			if msgs := attrsMessages(t, e.w.URL, poolID, "dan"); len(msgs) != 0 {
				t.Errorf("%d messages sent, want none", len(msgs))
			}
		})
		t.Run("AdminCreateUser", func(t *testing.T) {
			_, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String("eve"), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("eve@example.com")}},
				ClientMetadata: map[string]string{trigMode: "confirm"},
			})
			if err != nil {
				t.Fatalf("AdminCreateUser: %v", err)
			}
			evs, raws := lambdaEvents[events.CognitoEventUserPoolsPreSignup](t, e.lambda, "pre-sign-up")
			ev, raw := evs[len(evs)-1], raws[len(raws)-1]
			if ev.TriggerSource != "PreSignUp_AdminCreateUser" || ev.CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" || ev.UserName != "eve" {
				t.Errorf("header = %+v", ev.CognitoEventUserPoolsHeader)
			}
			if req, _ := raw["request"].(map[string]any); req["validationData"] != nil {
				t.Errorf("validationData = %#v, want null", req["validationData"])
			}
			u, err := trigGetUser(t, e.admin, poolID, "eve")
			if err != nil || u.UserStatus != types.UserStatusTypeForceChangePassword || trigAttr(u, "email_verified") != "true" {
				t.Fatalf("AdminGetUser = %+v, %v; want FORCE_CHANGE_PASSWORD with a verified email", u, err)
			}
			_, err = e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String("fay"), MessageAction: types.MessageActionTypeSuppress,
				ClientMetadata: map[string]string{trigMode: "error"},
			})
			wantAPIError[*types.UserLambdaValidationException](t, err, "PreSignUp failed with error not on the list.")
			_, err = trigGetUser(t, e.admin, poolID, "fay")
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})
	})
}

func TestPostConfirmationTrigger(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := e.lambda.handle("post-confirmation", func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			if ev.Request.ClientMetadata[trigMode] == "error" {
				return ev, errors.New("welcome mail failed")
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{PostConfirmation: aws.String(arn)})
		code := func(t *testing.T, username string) string {
			msgs := attrsMessages(t, e.w.URL, poolID, username)
			if len(msgs) == 0 {
				t.Fatalf("no message for %s", username)
			}
			return msgs[len(msgs)-1].Code
		}

		t.Run("ConfirmSignUp", func(t *testing.T) {
			if _, err := trigSignUp(ctx, e.admin, clientID, "ann", nil); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if _, err := e.admin.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(clientID), Username: aws.String("ann"), ConfirmationCode: aws.String(code(t, "ann")),
				ClientMetadata: map[string]string{"k": "v"},
			}); err != nil {
				t.Fatalf("ConfirmSignUp: %v", err)
			}
			evs, raws := lambdaEvents[events.CognitoEventUserPoolsPostConfirmation](t, e.lambda, "post-confirmation")
			if len(evs) != 1 {
				t.Fatalf("%d calls, want 1", len(evs))
			}
			ev := evs[0]
			if ev.TriggerSource != "PostConfirmation_ConfirmSignUp" || ev.CallerContext.ClientID != clientID || ev.UserName != "ann" {
				t.Errorf("header = %+v", ev.CognitoEventUserPoolsHeader)
			}
			ua := ev.Request.UserAttributes
			if ua["cognito:user_status"] != "CONFIRMED" || ua["email_verified"] != "true" || ua["sub"] == "" || ev.Request.ClientMetadata["k"] != "v" {
				t.Errorf("request = %+v", ev.Request)
			}
			if resp, _ := raws[0]["response"].(map[string]any); resp == nil || len(resp) != 0 {
				t.Errorf("response = %#v, want {}", raws[0]["response"])
			}
		})
		t.Run("failure is reported, the confirmation stays", func(t *testing.T) {
			if _, err := trigSignUp(ctx, e.admin, clientID, "bob", nil); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			_, err := e.admin.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(clientID), Username: aws.String("bob"), ConfirmationCode: aws.String(code(t, "bob")),
				ClientMetadata: map[string]string{trigMode: "error"},
			})
			wantAPIError[*types.UserLambdaValidationException](t, err, "PostConfirmation failed with error welcome mail failed.")
			u, err := trigGetUser(t, e.admin, poolID, "bob")
			if err != nil || u.UserStatus != types.UserStatusTypeConfirmed {
				t.Fatalf("AdminGetUser = %+v, %v; want CONFIRMED", u, err)
			}
		})
		t.Run("ConfirmForgotPassword", func(t *testing.T) {
			if _, err := e.admin.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("ann")}); err != nil {
				t.Fatalf("ForgotPassword: %v", err)
			}
			if _, err := e.admin.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
				ClientId: aws.String(clientID), Username: aws.String("ann"), ConfirmationCode: aws.String(code(t, "ann")),
				Password: aws.String("N3wPassw0rd!"), ClientMetadata: map[string]string{"k": "w"},
			}); err != nil {
				t.Fatalf("ConfirmForgotPassword: %v", err)
			}
			evs, _ := lambdaEvents[events.CognitoEventUserPoolsPostConfirmation](t, e.lambda, "post-confirmation")
			ev := evs[len(evs)-1]
			if ev.TriggerSource != "PostConfirmation_ConfirmForgotPassword" || ev.UserName != "ann" || ev.Request.ClientMetadata["k"] != "w" {
				t.Errorf("event = %+v", ev)
			}
		})
		t.Run("AdminConfirmSignUp", func(t *testing.T) {
			if _, err := trigSignUp(ctx, e.admin, clientID, "cat", nil); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if _, err := e.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(poolID), Username: aws.String("cat")}); err != nil {
				t.Fatalf("AdminConfirmSignUp: %v", err)
			}
			evs, _ := lambdaEvents[events.CognitoEventUserPoolsPostConfirmation](t, e.lambda, "post-confirmation")
			ev := evs[len(evs)-1]
			if ev.TriggerSource != "PostConfirmation_ConfirmSignUp" || ev.UserName != "cat" || ev.CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" {
				t.Errorf("event = %+v", ev.CognitoEventUserPoolsHeader)
			}
		})
	})
}

func TestAuthenticationTriggers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		pre := e.lambda.handle("pre-auth", func(_ context.Context, ev events.CognitoEventUserPoolsPreAuthentication) (events.CognitoEventUserPoolsPreAuthentication, error) {
			if ev.UserName == "blocked" {
				return ev, errors.New("blocked by policy")
			}
			return ev, nil
		})
		post := e.lambda.handle("post-auth", func(_ context.Context, ev events.CognitoEventUserPoolsPostAuthentication) (events.CognitoEventUserPoolsPostAuthentication, error) {
			if ev.UserName == "postfail" {
				return ev, errors.New("audit log down")
			}
			return ev, nil
		})
		poolID, clientID := e.pool(t, &types.LambdaConfigType{PreAuthentication: aws.String(pre), PostAuthentication: aws.String(post)})
		for _, name := range []string{"ann", "blocked", "postfail"} {
			if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}},
			}); err != nil {
				t.Fatalf("AdminCreateUser: %v", err)
			}
			if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), Password: aws.String("Passw0rd!x"), Permanent: true,
			}); err != nil {
				t.Fatalf("AdminSetUserPassword: %v", err)
			}
		}
		signIn := func(name, pw string, meta map[string]string) (*cip.InitiateAuthOutput, error) {
			return e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": pw}, ClientMetadata: meta,
			})
		}

		t.Run("events", func(t *testing.T) {
			out, err := signIn("ann", "Passw0rd!x", map[string]string{"device": "phone"})
			if err != nil || out.AuthenticationResult == nil {
				t.Fatalf("InitiateAuth = %v, %v", out, err)
			}
			pres, _ := lambdaEvents[events.CognitoEventUserPoolsPreAuthentication](t, e.lambda, "pre-auth")
			posts, raws := lambdaEvents[events.CognitoEventUserPoolsPostAuthentication](t, e.lambda, "post-auth")
			if len(pres) != 1 || len(posts) != 1 {
				t.Fatalf("%d PreAuthentication and %d PostAuthentication calls, want 1 and 1", len(pres), len(posts))
			}
			p := pres[0]
			if p.TriggerSource != "PreAuthentication_Authentication" || p.UserName != "ann" || p.CallerContext.ClientID != clientID ||
				p.Request.ValidationData["device"] != "phone" || p.Request.UserAttributes["email"] != "ann@example.com" {
				t.Errorf("PreAuthentication event = %+v", p)
			}
			q := posts[0]
			if q.TriggerSource != "PostAuthentication_Authentication" || q.UserName != "ann" || q.CallerContext.ClientID != clientID ||
				q.Request.UserAttributes["cognito:user_status"] != "CONFIRMED" || q.Request.NewDeviceUsed {
				t.Errorf("PostAuthentication event = %+v", q)
			}
			if req, _ := raws[0]["request"].(map[string]any); req["clientMetadata"] != nil {
				t.Errorf("PostAuthentication clientMetadata = %#v, want none (InitiateAuth's goes to PreAuthentication only)", req["clientMetadata"])
			}
		})
		t.Run("PreAuthentication runs before the password check", func(t *testing.T) {
			_, err := signIn("blocked", "Wr0ng-password", nil)
			wantAPIError[*types.UserLambdaValidationException](t, err, "PreAuthentication failed with error blocked by policy.")
			_, err = signIn("blocked", "Passw0rd!x", nil)
			wantAPIError[*types.UserLambdaValidationException](t, err, "PreAuthentication failed with error blocked by policy.")
			posts, _ := lambdaEvents[events.CognitoEventUserPoolsPostAuthentication](t, e.lambda, "post-auth")
			for _, p := range posts {
				if p.UserName == "blocked" {
					t.Errorf("PostAuthentication ran for a refused sign-in")
				}
			}
		})
		t.Run("a wrong password does not reach PostAuthentication", func(t *testing.T) {
			_, err := signIn("ann", "Wr0ng-password", nil)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			posts, _ := lambdaEvents[events.CognitoEventUserPoolsPostAuthentication](t, e.lambda, "post-auth")
			if len(posts) != 1 {
				t.Errorf("%d PostAuthentication calls, want 1", len(posts))
			}
		})
		t.Run("PostAuthentication failure fails the sign-in", func(t *testing.T) {
			out, err := signIn("postfail", "Passw0rd!x", nil)
			wantAPIError[*types.UserLambdaValidationException](t, err, "PostAuthentication failed with error audit log down.")
			if out != nil {
				t.Errorf("tokens issued: %+v", out)
			}
		})
	})
}

func TestCustomSenderTriggersRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		arn := aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:sender")
		key := aws.String("arn:aws:kms:us-east-1:" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab")
		for name, lc := range map[string]*types.LambdaConfigType{
			"email": {KMSKeyID: key, CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: arn, LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10}},
			"sms":   {KMSKeyID: key, CustomSMSSender: &types.CustomSMSLambdaVersionConfigType{LambdaArn: arn, LambdaVersion: types.CustomSMSSenderLambdaVersionTypeV10}},
		} {
			_, err := e.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sender-" + name), LambdaConfig: lc})
			wantAPIError[*types.InvalidParameterException](t, err, "Cognate does not support CustomEmailSender/CustomSMSSender triggers (they need KMS).")
			poolID, _ := e.pool(t, nil)
			_, err = e.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(poolID), LambdaConfig: lc})
			wantAPIError[*types.InvalidParameterException](t, err, "Cognate does not support CustomEmailSender/CustomSMSSender triggers (they need KMS).")
		}
	})
}
