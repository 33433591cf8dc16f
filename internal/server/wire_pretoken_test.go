package server_test

// Issue 6, item 2: the PreTokenGeneration trigger, V1 and V2 events, each a
// real aws-lambda-go handler served over the Lambda Invoke API.

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate/cognate/internal/store"
)

// refreshCountingStore counts the refresh tokens user transactions commit.
type refreshCountingStore struct {
	store.Store
	n atomic.Int64
}

func (s *refreshCountingStore) UpdateUser(ctx context.Context, poolID, key string, fn func(store.User) (store.UserChange, error)) (store.User, error) {
	var added int
	u, err := s.Store.UpdateUser(ctx, poolID, key, func(u store.User) (store.UserChange, error) {
		ch, err := fn(u)
		added = len(ch.RefreshTokens)
		return ch, err
	})
	if err == nil {
		s.n.Add(int64(added))
	}
	return u, err
}

func TestPreTokenGenerationTrigger(t *testing.T) {
	eachBackend(t, testPreTokenGenerationTrigger)
}

func testPreTokenGenerationTrigger(t *testing.T, b backend) {
	ctx := context.Background()
	counting := &refreshCountingStore{Store: b.open(t)}
	l := newFakeLambda(t)
	w := newWire(t, b, withStore(counting), withLambdaEndpoint(l.URL))
	e := &trigEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: l}

	v1 := l.handle("pretoken-v1", func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
		if ev.UserName == "fail" {
			return ev, errors.New("no tokens for you")
		}
		ev.Response.ClaimsOverrideDetails = events.ClaimsOverrideDetails{
			ClaimsToAddOrOverride: map[string]string{
				"tier": "gold", "email": "override@example.com",
				// Protected: ignored.
				"sub": "evil", "iss": "evil", "aud": "evil", "cognito:username": "evil", "token_use": "evil", "exp": "1",
			},
			ClaimsToSuppress: []string{"email_verified", "auth_time", "iat"},
			GroupOverrideDetails: events.GroupConfiguration{
				GroupsToOverride:   []string{"admins", "ops"},
				IAMRolesToOverride: []string{"arn:aws:iam::123456789012:role/admins"},
				PreferredRole:      aws.String("arn:aws:iam::123456789012:role/admins"),
			},
		}
		return ev, nil
	})
	poolID, clientID := e.pool(t, &types.LambdaConfigType{PreTokenGeneration: aws.String(v1)})
	newUser := func(poolID, name string) {
		t.Helper()
		if _, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
			},
		}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID), Username: aws.String(name), Password: aws.String("Passw0rd!x"), Permanent: true,
		}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}
	}
	signIn := func(clientID, name string) (*cip.InitiateAuthOutput, error) {
		return e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Passw0rd!x"},
		})
	}
	newUser(poolID, "ann")
	newUser(poolID, "fail")

	checkV1 := func(t *testing.T, res *types.AuthenticationResultType) {
		t.Helper()
		id := userJWTClaims(t, aws.ToString(res.IdToken))
		access := userJWTClaims(t, aws.ToString(res.AccessToken))
		if id["tier"] != "gold" || id["email"] != "override@example.com" {
			t.Errorf("ID token tier/email = %v/%v", id["tier"], id["email"])
		}
		if _, ok := id["email_verified"]; ok {
			t.Errorf("email_verified not suppressed: %v", id)
		}
		if id["sub"] != access["sub"] || id["sub"] == "evil" || id["cognito:username"] != "ann" || id["aud"] != clientID ||
			id["token_use"] != "id" || id["iss"] == "evil" || id["auth_time"] == nil || id["iat"] == nil || id["exp"] == "1" {
			t.Errorf("protected claims changed: %v", id)
		}
		groups := []any{"admins", "ops"}
		if !reflect.DeepEqual(id["cognito:groups"], groups) || !reflect.DeepEqual(access["cognito:groups"], groups) {
			t.Errorf("cognito:groups = %v (ID), %v (access); want %v in both", id["cognito:groups"], access["cognito:groups"], groups)
		}
		if !reflect.DeepEqual(id["cognito:roles"], []any{"arn:aws:iam::123456789012:role/admins"}) ||
			id["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admins" {
			t.Errorf("roles = %v, preferred = %v", id["cognito:roles"], id["cognito:preferred_role"])
		}
		if _, ok := access["tier"]; ok {
			t.Errorf("a V1 answer changed the access token: %v", access)
		}
		order := jwtClaimOrder(t, aws.ToString(res.IdToken))
		if order[len(order)-1] != "tier" {
			t.Errorf("ID claim order = %v, want the added claim last", order)
		}
	}

	t.Run("V1 sign-in and refresh", func(t *testing.T) {
		out, err := signIn(clientID, "ann")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("InitiateAuth = %v, %v", out, err)
		}
		checkV1(t, out.AuthenticationResult)
		ref, err := e.admin.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)},
		})
		if err != nil {
			t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
		}
		checkV1(t, ref.AuthenticationResult)
		evs, raws := lambdaEvents[events.CognitoEventUserPoolsPreTokenGen](t, l, "pretoken-v1")
		if len(evs) != 2 {
			t.Fatalf("%d PreTokenGeneration calls, want 2", len(evs))
		}
		if evs[0].TriggerSource != "TokenGeneration_Authentication" || evs[1].TriggerSource != "TokenGeneration_RefreshTokens" {
			t.Errorf("trigger sources = %q, %q", evs[0].TriggerSource, evs[1].TriggerSource)
		}
		if ev := evs[0]; ev.UserName != "ann" || ev.CallerContext.ClientID != clientID || ev.Request.UserAttributes["email"] != "ann@example.com" ||
			ev.Request.GroupConfiguration.GroupsToOverride == nil || ev.Request.GroupConfiguration.PreferredRole != nil {
			t.Errorf("event = %+v", ev)
		}
		if resp, _ := raws[0]["response"].(map[string]any); resp == nil || resp["claimsOverrideDetails"] != nil {
			t.Errorf("response sent = %#v, want {\"claimsOverrideDetails\":null}", raws[0]["response"])
		}
	})

	t.Run("a failing function fails the sign-in and writes no refresh token", func(t *testing.T) {
		before := counting.n.Load()
		out, err := signIn(clientID, "fail")
		wantAPIError[*types.UserLambdaValidationException](t, err, "PreTokenGeneration failed with error no tokens for you.")
		if out != nil {
			t.Errorf("tokens issued: %+v", out)
		}
		if n := counting.n.Load(); n != before {
			t.Errorf("%d refresh tokens written by a failed sign-in", n-before)
		}
	})

	v2 := l.handle("pretoken-v2", func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
		ev.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
			IDTokenGeneration: events.IDTokenGenerationV2_0{
				ClaimsToAddOrOverride: map[string]any{"level": 3, "sub": "evil"},
			},
			AccessTokenGeneration: events.AccessTokenGenerationV2_0{
				ClaimsToAddOrOverride: map[string]any{"tenant": "t1", "perms": []string{"a", "b"}, "client_id": "evil", "username": "evil"},
				ClaimsToSuppress:      []string{"cognito:groups"},
				ScopesToAdd:           []string{"api/read"},
				ScopesToSuppress:      []string{"aws.cognito.signin.user.admin"},
			},
		}
		return ev, nil
	})
	pool2, client2 := e.pool(t, &types.LambdaConfigType{
		PreTokenGeneration: aws.String(v2),
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(v2), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20,
		},
	})
	newUser(pool2, "bob")

	t.Run("V2 access-token claims and scopes", func(t *testing.T) {
		out, err := signIn(client2, "bob")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("InitiateAuth = %v, %v", out, err)
		}
		res := out.AuthenticationResult
		id := userJWTClaims(t, aws.ToString(res.IdToken))
		access := userJWTClaims(t, aws.ToString(res.AccessToken))
		if n, _ := id["level"].(interface{ String() string }); n == nil || n.String() != "3" || id["sub"] == "evil" {
			t.Errorf("ID token level/sub = %v/%v", id["level"], id["sub"])
		}
		if access["tenant"] != "t1" || !reflect.DeepEqual(access["perms"], []any{"a", "b"}) ||
			access["client_id"] != client2 || access["username"] != "bob" || access["scope"] != "api/read" {
			t.Errorf("access token = %v", access)
		}
		evs, _ := lambdaEvents[events.CognitoEventUserPoolsPreTokenGenV2_0](t, l, "pretoken-v2")
		if len(evs) != 1 || evs[0].TriggerSource != "TokenGeneration_Authentication" ||
			!reflect.DeepEqual(evs[0].Request.Scopes, []string{"aws.cognito.signin.user.admin"}) {
			t.Errorf("V2 events = %+v", evs)
		}
		// Without aws.cognito.signin.user.admin the token cannot call
		// the user API, as in Cognito.
		_, err = e.admin.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		wantAPIError[*types.NotAuthorizedException](t, err, "Access Token does not have required scopes")

		got, err := e.admin.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: aws.String(client2), RefreshToken: res.RefreshToken,
		})
		if err != nil {
			t.Fatalf("GetTokensFromRefreshToken: %v", err)
		}
		if a := userJWTClaims(t, aws.ToString(got.AuthenticationResult.AccessToken)); a["tenant"] != "t1" || a["scope"] != "api/read" {
			t.Errorf("refreshed access token = %v", a)
		}
		evs, _ = lambdaEvents[events.CognitoEventUserPoolsPreTokenGenV2_0](t, l, "pretoken-v2")
		if len(evs) != 2 || evs[1].TriggerSource != "TokenGeneration_RefreshTokens" {
			t.Errorf("V2 events after refresh = %+v", evs)
		}
	})
}
