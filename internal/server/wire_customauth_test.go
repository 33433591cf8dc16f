package server_test

// Issue 6, item 2: CUSTOM_AUTH with DefineAuthChallenge, CreateAuthChallenge
// and VerifyAuthChallengeResponse, each a real aws-lambda-go handler served
// over the Lambda Invoke API.

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCustomAuthTriggers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		define := e.lambda.handle("define", func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			switch ev.Request.ClientMetadata[trigMode] {
			case "fail":
				ev.Response.FailAuthentication = true
				return ev, nil
			case "error":
				return ev, errors.New("define is down")
			}
			n := len(ev.Request.Session)
			switch {
			case n > 0 && ev.Request.Session[n-1].ChallengeResult:
				ev.Response.IssueTokens = true
			case n >= 3:
				ev.Response.FailAuthentication = true
			default:
				ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
			}
			return ev, nil
		})
		create := e.lambda.handle("create", func(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
			ev.Response.PublicChallengeParameters = map[string]string{"question": "2+2"}
			ev.Response.PrivateChallengeParameters = map[string]string{"answer": "4"}
			ev.Response.ChallengeMetadata = "ROUND"
			return ev, nil
		})
		verify := e.lambda.handle("verify", func(_ context.Context, ev events.CognitoEventUserPoolsVerifyAuthChallenge) (events.CognitoEventUserPoolsVerifyAuthChallenge, error) {
			ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer == ev.Request.PrivateChallengeParameters["answer"]
			return ev, nil
		})
		poolID, _ := e.pool(t, &types.LambdaConfigType{
			DefineAuthChallenge: aws.String(define), CreateAuthChallenge: aws.String(create), VerifyAuthChallengeResponse: aws.String(verify),
		})
		c := createClient(t, e.admin, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(poolID), ClientName: aws.String("custom"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		})
		clientID := aws.ToString(c.ClientId)
		if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String("ann"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}},
		}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID), Username: aws.String("ann"), Password: aws.String("Passw0rd!x"), Permanent: true,
		}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		start := func(meta map[string]string) (*cip.InitiateAuthOutput, error) {
			return e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
				AuthParameters: map[string]string{"USERNAME": "ann"}, ClientMetadata: meta,
			})
		}
		answer := func(session *string, a string) (*cip.RespondToAuthChallengeOutput, error) {
			return e.admin.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
				ChallengeResponses: map[string]string{"USERNAME": "ann", "ANSWER": a},
			})
		}

		t.Run("wrong then right answer", func(t *testing.T) {
			out, err := start(map[string]string{"k": "v"})
			if err != nil || out.ChallengeName != types.ChallengeNameTypeCustomChallenge {
				t.Fatalf("InitiateAuth = %+v, %v", out, err)
			}
			if out.ChallengeParameters["question"] != "2+2" || out.ChallengeParameters["USERNAME"] != "ann" || out.ChallengeParameters["answer"] != "" {
				t.Errorf("ChallengeParameters = %v", out.ChallengeParameters)
			}
			r1, err := answer(out.Session, "5")
			if err != nil || r1.ChallengeName != types.ChallengeNameTypeCustomChallenge || r1.Session == nil {
				t.Fatalf("wrong answer = %+v, %v", r1, err)
			}
			r2, err := answer(r1.Session, "4")
			if err != nil || r2.AuthenticationResult == nil || r2.AuthenticationResult.AccessToken == nil {
				t.Fatalf("right answer = %+v, %v", r2, err)
			}
			defs, _ := lambdaEvents[events.CognitoEventUserPoolsDefineAuthChallenge](t, e.lambda, "define")
			if len(defs) != 3 {
				t.Fatalf("%d DefineAuthChallenge calls, want 3", len(defs))
			}
			if d := defs[0]; d.TriggerSource != "DefineAuthChallenge_Authentication" || len(d.Request.Session) != 0 ||
				d.Request.ClientMetadata["k"] != "v" || d.Request.UserAttributes["email"] != "ann@example.com" {
				t.Errorf("first DefineAuthChallenge event = %+v", d)
			}
			s := defs[2].Request.Session
			if len(s) != 2 || s[0].ChallengeResult || !s[1].ChallengeResult || s[1].ChallengeName != "CUSTOM_CHALLENGE" || s[1].ChallengeMetadata != "ROUND" {
				t.Errorf("third DefineAuthChallenge session = %+v", s)
			}
			vs, _ := lambdaEvents[events.CognitoEventUserPoolsVerifyAuthChallenge](t, e.lambda, "verify")
			if len(vs) != 2 || vs[0].TriggerSource != "VerifyAuthChallengeResponse_Authentication" || vs[0].Request.PrivateChallengeParameters["answer"] != "4" {
				t.Errorf("VerifyAuthChallengeResponse events = %+v", vs)
			}
			cs, _ := lambdaEvents[events.CognitoEventUserPoolsCreateAuthChallenge](t, e.lambda, "create")
			if len(cs) != 2 || cs[0].TriggerSource != "CreateAuthChallenge_Authentication" || cs[0].Request.ChallengeName != "CUSTOM_CHALLENGE" {
				t.Errorf("CreateAuthChallenge events = %+v", cs)
			}
		})
		t.Run("failAuthentication", func(t *testing.T) {
			_, err := start(map[string]string{trigMode: "fail"})
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})
		t.Run("three wrong answers fail", func(t *testing.T) {
			out, err := start(nil)
			if err != nil {
				t.Fatal(err)
			}
			sess := out.Session
			for i := range 2 {
				r, err := answer(sess, "wrong")
				if err != nil {
					t.Fatalf("answer %d: %v", i, err)
				}
				sess = r.Session
			}
			_, err = answer(sess, "wrong")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})
		t.Run("a session answers once", func(t *testing.T) {
			// Replaying the first round's session would show
			// DefineAuthChallenge one result forever: wrong answers without
			// end, then the right one. Each session is used up instead.
			out, err := start(nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := answer(out.Session, "wrong"); err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"wrong", "4"} {
				_, err = answer(out.Session, a)
				wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
			}
			// A right answer's session cannot mint tokens twice either.
			out, err = start(nil)
			if err != nil {
				t.Fatal(err)
			}
			if r, err := answer(out.Session, "4"); err != nil || r.AuthenticationResult == nil {
				t.Fatalf("right answer = %+v, %v", r, err)
			}
			_, err = answer(out.Session, "4")
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
		})
		t.Run("tampered session", func(t *testing.T) {
			out, err := start(nil)
			if err != nil {
				t.Fatal(err)
			}
			b := []byte(aws.ToString(out.Session))
			if b[10] == 'A' {
				b[10] = 'B'
			} else {
				b[10] = 'A'
			}
			_, err = answer(aws.String(string(b)), "4")
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user.")
		})
		t.Run("Lambda error", func(t *testing.T) {
			_, err := start(map[string]string{trigMode: "error"})
			wantAPIError[*types.UserLambdaValidationException](t, err, "DefineAuthChallenge failed with error define is down.")
		})
		t.Run("flow must be allowed", func(t *testing.T) {
			_, other := e.pool(t, &types.LambdaConfigType{DefineAuthChallenge: aws.String(define)})
			_, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(other), AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "ann"},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "CUSTOM_AUTH flow not enabled for this client")
		})
		t.Run("unknown user with PreventUserExistenceErrors", func(t *testing.T) {
			// The Define Auth Challenge trigger's documentation: the
			// functions see userNotFound true and the flow runs on, so the
			// caller cannot tell; it can never end in tokens.
			hide := createClient(t, e.admin, &cip.CreateUserPoolClientInput{
				UserPoolId: aws.String(poolID), ClientName: aws.String("hide"),
				ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
			})
			before, _ := lambdaEvents[events.CognitoEventUserPoolsDefineAuthChallenge](t, e.lambda, "define")
			out, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: hide.ClientId, AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "nobody"},
			})
			if err != nil || out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["question"] != "2+2" ||
				out.ChallengeParameters["USERNAME"] != "nobody" {
				t.Fatalf("InitiateAuth = %+v, %v; want the CUSTOM_CHALLENGE a real user gets", out, err)
			}
			_, err = e.admin.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: hide.ClientId, ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "nobody", "ANSWER": "4"},
			})
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			defs, raws := lambdaEvents[events.CognitoEventUserPoolsDefineAuthChallenge](t, e.lambda, "define")
			if len(defs) != len(before)+2 {
				t.Fatalf("%d DefineAuthChallenge calls, want 2", len(defs)-len(before))
			}
			for i, d := range defs[len(before):] {
				if !d.Request.UserNotFound || len(d.Request.UserAttributes) != 0 || d.UserName != "nobody" {
					t.Errorf("DefineAuthChallenge %d: userNotFound %v, userAttributes %v, userName %q", i, d.Request.UserNotFound, d.Request.UserAttributes, d.UserName)
				}
			}
			if s := defs[len(defs)-1].Request.Session; len(s) != 1 || !s[0].ChallengeResult {
				t.Errorf("second DefineAuthChallenge session = %+v", s)
			}
			if req, _ := raws[len(raws)-1]["request"].(map[string]any); req["userNotFound"] != true {
				t.Errorf("raw request = %v, want userNotFound true", req)
			}
			cs, _ := lambdaEvents[events.CognitoEventUserPoolsCreateAuthChallenge](t, e.lambda, "create")
			vs, _ := lambdaEvents[events.CognitoEventUserPoolsVerifyAuthChallenge](t, e.lambda, "verify")
			if !cs[len(cs)-1].Request.UserNotFound || !vs[len(vs)-1].Request.UserNotFound {
				t.Errorf("CreateAuthChallenge / VerifyAuthChallengeResponse userNotFound = %v / %v, want true",
					cs[len(cs)-1].Request.UserNotFound, vs[len(vs)-1].Request.UserNotFound)
			}
			// A LEGACY client still answers UserNotFoundException.
			_, err = e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "nobody"},
			})
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})
		t.Run("no DefineAuthChallenge", func(t *testing.T) {
			p, _ := e.pool(t, nil)
			c := createClient(t, e.admin, &cip.CreateUserPoolClientInput{
				UserPoolId: aws.String(p), ClientName: aws.String("custom"),
				ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
			})
			_, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: c.ClientId, AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "ann"},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "Custom auth lambda trigger is not configured for the user pool.")
		})
	})
}
