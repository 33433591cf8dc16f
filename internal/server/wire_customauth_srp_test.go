package server_test

// Issue 6, item 2: the SRP_A variant of CUSTOM_AUTH, where the first
// DefineAuthChallenge sees [SRP_A: true] and answers PASSWORD_VERIFIER (as
// AWS's Define Auth Challenge page describes), PASSWORD_VERIFIER follows as in
// USER_SRP_AUTH, and one CUSTOM_CHALLENGE comes after, driven by the Go
// SRP client of the USER_SRP_AUTH wire tests.

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCustomAuthSRPA(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newTrigEnv(t, b)
		ctx := context.Background()
		define := e.lambda.handle("define", func(_ context.Context, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallenge, error) {
			s := ev.Request.Session
			switch n := len(s); {
			case n == 1 && s[0].ChallengeName == "SRP_A" && s[0].ChallengeResult:
				ev.Response.ChallengeName = "PASSWORD_VERIFIER"
			case n == 2 && s[0].ChallengeName == "SRP_A" && s[1].ChallengeName == "PASSWORD_VERIFIER" && s[1].ChallengeResult:
				ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
			case n == 3 && s[2].ChallengeName == "CUSTOM_CHALLENGE" && s[2].ChallengeResult:
				ev.Response.IssueTokens = true
			default:
				ev.Response.FailAuthentication = true
			}
			return ev, nil
		})
		create := e.lambda.handle("create", func(_ context.Context, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallenge, error) {
			ev.Response.PublicChallengeParameters = map[string]string{"question": "2+2"}
			ev.Response.PrivateChallengeParameters = map[string]string{"answer": "4"}
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
			UserPoolId: aws.String(poolID), ClientName: aws.String("custom-srp"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		})
		clientID := aws.ToString(c.ClientId)
		if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String("ann"), MessageAction: types.MessageActionTypeSuppress,
		}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID), Username: aws.String("ann"), Password: aws.String("Passw0rd!x"), Permanent: true,
		}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
		// verifier runs InitiateAuth CUSTOM_AUTH with SRP_A, as
		// amazon-cognito-identity-js sends it, and answers PASSWORD_VERIFIER.
		verifier := func(t *testing.T, password string) (*cip.RespondToAuthChallengeOutput, error) {
			t.Helper()
			cl := newUserSRPClient(t)
			out, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
				AuthParameters: map[string]string{"USERNAME": "ann", "SRP_A": cl.srpA(), "CHALLENGE_NAME": "SRP_A"},
			})
			if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
				t.Fatalf("InitiateAuth = %+v, %v", out, err)
			}
			if out.ChallengeParameters["USER_ID_FOR_SRP"] != "ann" || out.ChallengeParameters["SRP_B"] == "" {
				t.Errorf("ChallengeParameters = %v", out.ChallengeParameters)
			}
			return e.admin.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: out.Session,
				ChallengeResponses: cl.respond(t, poolID, password, out.ChallengeParameters, time.Now()),
			})
		}

		t.Run("SRP_A, PASSWORD_VERIFIER, CUSTOM_CHALLENGE", func(t *testing.T) {
			r1, err := verifier(t, "Passw0rd!x")
			if err != nil || r1.ChallengeName != types.ChallengeNameTypeCustomChallenge || r1.ChallengeParameters["question"] != "2+2" {
				t.Fatalf("PASSWORD_VERIFIER = %+v, %v", r1, err)
			}
			r2, err := e.admin.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: r1.Session,
				ChallengeResponses: map[string]string{"USERNAME": "ann", "ANSWER": "4"},
			})
			if err != nil || r2.AuthenticationResult == nil || r2.AuthenticationResult.AccessToken == nil {
				t.Fatalf("CUSTOM_CHALLENGE = %+v, %v", r2, err)
			}
			defs, _ := lambdaEvents[events.CognitoEventUserPoolsDefineAuthChallenge](t, e.lambda, "define")
			if len(defs) != 3 || len(defs[0].Request.Session) != 1 || defs[0].Request.Session[0].ChallengeName != "SRP_A" || !defs[0].Request.Session[0].ChallengeResult {
				t.Fatalf("DefineAuthChallenge events = %+v", defs)
			}
			s := defs[1].Request.Session
			if len(s) != 2 || s[0].ChallengeName != "SRP_A" || !s[0].ChallengeResult || s[1].ChallengeName != "PASSWORD_VERIFIER" || !s[1].ChallengeResult {
				t.Errorf("second DefineAuthChallenge session = %+v", s)
			}
			if s := defs[2].Request.Session; len(s) != 3 || s[2].ChallengeName != "CUSTOM_CHALLENGE" || !s[2].ChallengeResult {
				t.Errorf("third DefineAuthChallenge session = %+v", s)
			}
			cs, _ := lambdaEvents[events.CognitoEventUserPoolsCreateAuthChallenge](t, e.lambda, "create")
			if len(cs) != 1 {
				t.Errorf("%d CreateAuthChallenge calls, want 1", len(cs))
			}
		})
		t.Run("wrong password fails", func(t *testing.T) {
			_, err := verifier(t, "Wr0ngPass!x")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			defs, _ := lambdaEvents[events.CognitoEventUserPoolsDefineAuthChallenge](t, e.lambda, "define")
			if s := defs[len(defs)-1].Request.Session; len(s) != 2 || s[1].ChallengeName != "PASSWORD_VERIFIER" || s[1].ChallengeResult {
				t.Errorf("last DefineAuthChallenge session = %+v", s)
			}
		})
		t.Run("invalid SRP_A", func(t *testing.T) {
			_, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
				ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeCustomAuth,
				AuthParameters: map[string]string{"USERNAME": "ann", "SRP_A": "zz"},
			})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid SRP_A")
		})
	})
}
