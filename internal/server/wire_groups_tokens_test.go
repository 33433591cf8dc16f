package server_test

// Wire tests of the group claims of tokens: cognito:groups, cognito:roles
// and cognito:preferred_role after a sign-in and after a refresh.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// jwtClaimOrder returns the claim names of a JWT's payload in the order the
// token has them.
func jwtClaimOrder(t *testing.T, tok string) []string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for dec.More() {
		name, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// claimStrings is a claim that holds a list of strings, nil if absent.
func claimStrings(t *testing.T, claims map[string]any, name string) []string {
	t.Helper()
	v, ok := claims[name]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("claim %s is %T, want a list", name, v)
	}
	out := []string{}
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}

// The tokens of a sign-in carry the user's groups: cognito:groups in both
// (right after sub, ordered by precedence, groups without one last, ties by
// name), cognito:roles and cognito:preferred_role in the ID token, at
// Cognito's places. A refresh reflects the memberships of its moment.
func TestGroupTokenClaims(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		client := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "alice", userPassword, userAttrs("email", "alice@example.com", "email_verified", "true")...)
		e.confirmedUser(t, poolID, "bob", userPassword)

		// Without groups, none of the three claims.
		plain := e.signIn(t, client, "bob", userPassword)
		for _, tok := range []string{aws.ToString(plain.AccessToken), aws.ToString(plain.IdToken)} {
			for _, name := range jwtClaimOrder(t, tok) {
				if strings.HasPrefix(name, "cognito:groups") || strings.HasPrefix(name, "cognito:roles") || name == "cognito:preferred_role" {
					t.Errorf("a user in no group has claim %s", name)
				}
			}
		}

		e.createGroup(t, poolID, "readers", nil, groupRoleC)
		e.createGroup(t, poolID, "editors", aws.Int32(5), groupRoleB)
		e.createGroup(t, poolID, "admins", aws.Int32(1), groupRoleA)
		e.createGroup(t, poolID, "auditors", aws.Int32(1), "") // ties with admins, has no role
		e.createGroup(t, poolID, "Zebras", nil, "")
		for _, g := range []string{"readers", "Zebras", "editors", "admins", "auditors"} {
			e.addToGroup(t, poolID, "alice", g)
		}

		res := e.signIn(t, client, "alice", userPassword)
		check := func(t *testing.T, res *types.AuthenticationResultType, groups, roles []string, preferred string) {
			t.Helper()
			access, id := aws.ToString(res.AccessToken), aws.ToString(res.IdToken)
			ac, ic := userJWTClaims(t, access), userJWTClaims(t, id)
			if got := claimStrings(t, ac, "cognito:groups"); !slices.Equal(got, groups) {
				t.Errorf("access token cognito:groups = %q, want %q", got, groups)
			}
			if got := claimStrings(t, ic, "cognito:groups"); !slices.Equal(got, groups) {
				t.Errorf("ID token cognito:groups = %q, want %q", got, groups)
			}
			if got := claimStrings(t, ic, "cognito:roles"); !slices.Equal(got, roles) {
				t.Errorf("ID token cognito:roles = %q, want %q", got, roles)
			}
			if got, _ := ic["cognito:preferred_role"].(string); got != preferred {
				t.Errorf("ID token cognito:preferred_role = %q, want %q", got, preferred)
			}
			for _, name := range []string{"cognito:roles", "cognito:preferred_role"} {
				if _, ok := ac[name]; ok {
					t.Errorf("the access token has %s", name)
				}
			}
			wantAccess := []string{"sub", "cognito:groups", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp", "iat", "jti", "username"}
			if len(groups) == 0 {
				wantAccess = slices.Delete(wantAccess, 1, 2)
			}
			if got := jwtClaimOrder(t, access); !slices.Equal(got, wantAccess) {
				t.Errorf("access token claims %q\nwant %q", got, wantAccess)
			}
			wantID := []string{"sub", "cognito:groups", "email_verified", "cognito:preferred_role", "iss", "cognito:username",
				"origin_jti", "cognito:roles", "aud", "event_id", "token_use", "auth_time", "exp", "iat", "jti", "email"}
			wantID = slices.DeleteFunc(wantID, func(n string) bool {
				return (n == "cognito:groups" && len(groups) == 0) || (n == "cognito:roles" && len(roles) == 0) ||
					(n == "cognito:preferred_role" && preferred == "")
			})
			if got := jwtClaimOrder(t, id); !slices.Equal(got, wantID) {
				t.Errorf("ID token claims %q\nwant %q", got, wantID)
			}
		}
		t.Run("sign-in", func(t *testing.T) {
			// admins and auditors tie at 1 and go by name; auditors has no role,
			// so admins' role is preferred.
			check(t, res, []string{"admins", "auditors", "editors", "Zebras", "readers"}, []string{groupRoleA, groupRoleB, groupRoleC}, groupRoleA)
		})

		// Change the memberships and precedences, then refresh.
		e.removeFromGroup(t, poolID, "alice", "admins")
		if _, err := e.c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("editors"), Precedence: aws.Int32(0)}); err != nil {
			t.Fatal(err)
		}
		t.Run("refresh", func(t *testing.T) {
			out, err := e.refreshAuth(client, aws.ToString(res.RefreshToken))
			if err != nil {
				t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
			}
			check(t, out.AuthenticationResult, []string{"editors", "auditors", "Zebras", "readers"}, []string{groupRoleB, groupRoleC}, groupRoleB)
		})

		// Two groups level at the top with different roles: no preferred role.
		e.createGroup(t, poolID, "rivals", aws.Int32(0), groupRoleA)
		e.addToGroup(t, poolID, "alice", "rivals")
		t.Run("tie", func(t *testing.T) {
			check(t, e.signIn(t, client, "alice", userPassword),
				[]string{"editors", "rivals", "auditors", "Zebras", "readers"}, []string{groupRoleB, groupRoleA, groupRoleC}, "")
		})

		// GetTokensFromRefreshToken too; and with every group gone, no claims.
		for _, g := range []string{"rivals", "editors", "auditors", "Zebras"} {
			e.removeFromGroup(t, poolID, "alice", g)
		}
		if _, err := e.c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String("readers")}); err != nil {
			t.Fatal(err)
		}
		t.Run("no groups left", func(t *testing.T) {
			out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
				ClientId: aws.String(client), RefreshToken: res.RefreshToken,
			})
			if err != nil {
				t.Fatalf("GetTokensFromRefreshToken: %v", err)
			}
			check(t, out.AuthenticationResult, nil, nil, "")
		})
	})
}
