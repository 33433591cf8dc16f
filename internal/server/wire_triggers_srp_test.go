package server_test

// PreAuthentication and PostAuthentication on the USER_SRP_AUTH path,
// driven by the Go SRP client of the USER_SRP_AUTH wire tests.

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestAuthenticationTriggersSRP(t *testing.T) {
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
			return ev, nil
		})
		poolID, _ := e.pool(t, &types.LambdaConfigType{PreAuthentication: aws.String(pre), PostAuthentication: aws.String(post)})
		c := createClient(t, e.admin, &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(poolID), ClientName: aws.String("srp"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		})
		clientID := aws.ToString(c.ClientId)
		for _, name := range []string{"ann", "blocked"} {
			if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
			}); err != nil {
				t.Fatalf("AdminCreateUser: %v", err)
			}
			if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(poolID), Username: aws.String(name), Password: aws.String("Passw0rd!x"), Permanent: true,
			}); err != nil {
				t.Fatalf("AdminSetUserPassword: %v", err)
			}
		}

		out, err := userSRPSignIn(t, e.admin, e.admin, poolID, clientID, "ann", "Passw0rd!x")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("USER_SRP_AUTH = %+v, %v", out, err)
		}
		pres, _ := lambdaEvents[events.CognitoEventUserPoolsPreAuthentication](t, e.lambda, "pre-auth")
		if len(pres) != 1 || pres[0].TriggerSource != "PreAuthentication_Authentication" || pres[0].UserName != "ann" {
			t.Errorf("PreAuthentication events = %+v", pres)
		}
		posts, _ := lambdaEvents[events.CognitoEventUserPoolsPostAuthentication](t, e.lambda, "post-auth")
		if len(posts) != 1 || posts[0].TriggerSource != "PostAuthentication_Authentication" || posts[0].UserName != "ann" {
			t.Errorf("PostAuthentication events = %+v", posts)
		}

		_, err = e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "blocked", "SRP_A": newUserSRPClient(t).srpA()},
		})
		wantAPIError[*types.UserLambdaValidationException](t, err, "PreAuthentication failed with error blocked by policy.")
	})
}
