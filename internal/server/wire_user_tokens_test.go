package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// userReplaceClaim re-encodes a JWT's payload with one claim changed and
// keeps the header and the (now wrong) signature.
func userReplaceClaim(t *testing.T, tok, name string, value any) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	claims := userJWTClaims(t, tok)
	claims[name] = value
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// Access tokens that GetUser must refuse, and why.
func TestUserAccessTokenAttacks(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		otherPool := e.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
		otherClient := aws.ToString(e.newClient(t, otherPool, nil).ClientId)
		e.confirmedUser(t, poolID, "target", userPassword, userAttrs("email", "target@example.com")...)
		e.confirmedUser(t, otherPool, "target", userPassword, userAttrs("email", "elsewhere@example.com")...)
		mine := e.signIn(t, clientID, "target", userPassword)
		theirs := e.signIn(t, otherClient, "target", userPassword)
		access := aws.ToString(mine.AccessToken)

		// A token of the same shape from another Cognate (another database):
		// its pool does not exist here.
		stranger := newUserEnv(t, b)
		strangerPool := stranger.newPool(t, &cip.CreateUserPoolInput{})
		strangerClient := aws.ToString(stranger.newClient(t, strangerPool, nil).ClientId)
		stranger.confirmedUser(t, strangerPool, "target", userPassword)
		foreign := aws.ToString(stranger.signIn(t, strangerClient, "target", userPassword).AccessToken)

		// The other pool's own token works for the other pool's user.
		if got := e.mustGetUser(t, aws.ToString(theirs.AccessToken)); userAttrMap(got.UserAttributes)["email"] != "elsewhere@example.com" {
			t.Errorf("GetUser with the other pool's token: %v", userAttrMap(got.UserAttributes))
		}

		myIssuer := userJWTClaims(t, access)["iss"]
		parts := strings.Split(access, ".")
		for name, tok := range map[string]string{
			"garbage":                        "garbage",
			"three garbage parts":            "abc.def.ghi",
			"truncated":                      access[:len(access)-10],
			"signature of another token":     parts[0] + "." + parts[1] + "." + strings.Split(aws.ToString(theirs.AccessToken), ".")[2],
			"tampered username":              userReplaceClaim(t, access, "username", "admin"),
			"tampered expiry":                userReplaceClaim(t, access, "exp", 4102444800),
			"other pool's token, our issuer": userReplaceClaim(t, aws.ToString(theirs.AccessToken), "iss", myIssuer),
			"another server's token":         foreign,
			"ID token as access token":       aws.ToString(mine.IdToken),
		} {
			_, err := e.getUser(tok)
			if err == nil {
				t.Errorf("%s: GetUser succeeded", name)
				continue
			}
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid Access Token")
		}
		// The real token still works: nothing above touched the user.
		e.mustGetUser(t, access)

		t.Run("deleted user", func(t *testing.T) {
			e.confirmedUser(t, poolID, "leaver", userPassword)
			tok := e.signIn(t, clientID, "leaver", userPassword)
			if _, err := e.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String("leaver")}); err != nil {
				t.Fatalf("AdminDeleteUser: %v", err)
			}
			_, err := e.getUser(aws.ToString(tok.AccessToken))
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
			_, err = e.refreshAuth(clientID, aws.ToString(tok.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "")
			// A new user of the same name is someone else (another sub).
			e.confirmedUser(t, poolID, "leaver", userPassword)
			_, err = e.getUser(aws.ToString(tok.AccessToken))
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})
	})
}

// Expiry, moved by the inspection API's clock. The machine clock stands
// still.
func TestUserTokenExpiry(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b, withClock(userFrozenClock()))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		rotating := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(30)}
		}).ClientId)
		short := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.AccessTokenValidity, in.IdTokenValidity = aws.Int32(5), aws.Int32(5)
			in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes}
		}).ClientId)
		e.confirmedUser(t, poolID, "sleeper", userPassword)
		tok := e.signIn(t, clientID, "sleeper", userPassword)

		// A client's own access-token lifetime: ExpiresIn and exp follow it.
		brief := e.signIn(t, short, "sleeper", userPassword)
		if brief.ExpiresIn != 300 {
			t.Errorf("AccessTokenValidity 5 minutes: ExpiresIn %d, want 300", brief.ExpiresIn)
		}
		for _, jwt := range []*string{brief.AccessToken, brief.IdToken} {
			c := userJWTClaims(t, aws.ToString(jwt))
			exp, _ := c["exp"].(json.Number).Int64()
			iat, _ := c["iat"].(json.Number).Int64()
			if exp-iat != 300 {
				t.Errorf("%s token: exp - iat = %d, want 300", c["token_use"], exp-iat)
			}
		}
		e.advance(t, 4*time.Minute)
		e.mustGetUser(t, aws.ToString(brief.AccessToken))
		e.advance(t, time.Minute)
		_, err := e.getUser(aws.ToString(brief.AccessToken))
		wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has expired")
		rot := e.signIn(t, rotating, "sleeper", userPassword)

		// Rotation with a grace period: the old refresh token keeps working
		// for RetryGracePeriodSeconds, then stops.
		first, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: rot.RefreshToken})
		if err != nil {
			t.Fatalf("GetTokensFromRefreshToken: %v", err)
		}
		if _, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: rot.RefreshToken}); err != nil {
			t.Errorf("GetTokensFromRefreshToken with the rotated token inside the grace period: %v", err)
		}

		e.advance(t, 2*time.Hour)
		_, err = e.getUser(aws.ToString(tok.AccessToken))
		wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has expired")
		_, err = e.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken})
		wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has expired")

		_, err = e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: rot.RefreshToken})
		wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		if _, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: first.AuthenticationResult.RefreshToken}); err != nil {
			t.Errorf("GetTokensFromRefreshToken with the new refresh token: %v", err)
		}

		// The refresh token (30 days) outlives the access token.
		ref, err := e.refreshAuth(clientID, aws.ToString(tok.RefreshToken))
		if err != nil {
			t.Fatalf("REFRESH_TOKEN_AUTH two hours later: %v", err)
		}
		e.mustGetUser(t, aws.ToString(ref.AuthenticationResult.AccessToken))

		e.advance(t, 31*24*time.Hour)
		_, err = e.refreshAuth(clientID, aws.ToString(tok.RefreshToken))
		wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has expired")
	})
}

// RevokeToken ends one sign-in (its refresh token and every access token of
// its family); GetTokensFromRefreshToken with rotation replaces the refresh
// token.
func TestUserRevokeTokenAndRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		otherClient := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		noRevocation := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) }).ClientId)
		secretClient := e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
		rotating := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}
		}).ClientId)
		graceClient := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(60)}
		}).ClientId)

		t.Run("RevokeToken", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "revoker", userPassword)
			laptop := e.signIn(t, clientID, "revoker", userPassword)
			phone := e.signIn(t, clientID, "revoker", userPassword)
			ref, err := e.refreshAuth(clientID, aws.ToString(laptop.RefreshToken))
			if err != nil {
				t.Fatalf("REFRESH_TOKEN_AUTH: %v", err)
			}
			laptopRefreshed := ref.AuthenticationResult
			if a, b := userJWTClaims(t, aws.ToString(laptop.AccessToken))["origin_jti"], userJWTClaims(t, aws.ToString(laptopRefreshed.AccessToken))["origin_jti"]; a == nil || a != b {
				t.Errorf("origin_jti of the refreshed token %v, want the sign-in's %v", b, a)
			}

			if _, err := e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: laptop.RefreshToken}); err != nil {
				t.Fatalf("RevokeToken: %v", err)
			}
			for name, tok := range map[string]*string{"signed-in": laptop.AccessToken, "refreshed": laptopRefreshed.AccessToken} {
				_, err := e.getUser(aws.ToString(tok))
				if err == nil {
					t.Errorf("GetUser with the revoked family's %s access token succeeded", name)
					continue
				}
				wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			}
			_, err = e.refreshAuth(clientID, aws.ToString(laptop.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")

			// The other sign-in is untouched.
			e.mustGetUser(t, aws.ToString(phone.AccessToken))
			if _, err := e.refreshAuth(clientID, aws.ToString(phone.RefreshToken)); err != nil {
				t.Errorf("REFRESH_TOKEN_AUTH of the other sign-in: %v", err)
			}
			// Revoking again, or revoking an unknown token, is not an error.
			if _, err := e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: laptop.RefreshToken}); err != nil {
				t.Errorf("RevokeToken again: %v", err)
			}
		})

		t.Run("RevokeToken refusals", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "refusals", userPassword)
			tok := e.signIn(t, clientID, "refusals", userPassword)
			_, err := e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: tok.AccessToken})
			wantAPIError[*types.UnsupportedTokenTypeException](t, err, "")
			_, err = e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(otherClient), Token: tok.RefreshToken})
			wantAPIError[*types.UnauthorizedException](t, err, "")
			_, err = e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(noRevocation), Token: tok.RefreshToken})
			wantAPIError[*types.UnsupportedOperationException](t, err, "")
			_, err = e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: secretClient.ClientId, Token: tok.RefreshToken, ClientSecret: aws.String(strings.Repeat("w", 52))})
			wantAPIError[*types.UnauthorizedException](t, err, "")
			// None of these revoked anything.
			e.mustGetUser(t, aws.ToString(tok.AccessToken))
			if _, err := e.refreshAuth(clientID, aws.ToString(tok.RefreshToken)); err != nil {
				t.Errorf("REFRESH_TOKEN_AUTH after refused revocations: %v", err)
			}
			// A client without revocation issues no origin_jti or jti.
			plain := e.signIn(t, noRevocation, "refusals", userPassword)
			c := userJWTClaims(t, aws.ToString(plain.AccessToken))
			if _, ok := c["origin_jti"]; ok {
				t.Errorf("EnableTokenRevocation false: access token has origin_jti %v", c["origin_jti"])
			}
		})

		t.Run("GetTokensFromRefreshToken rotation", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "rotator", userPassword)
			tok := e.signIn(t, rotating, "rotator", userPassword)
			out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: tok.RefreshToken})
			if err != nil {
				t.Fatalf("GetTokensFromRefreshToken: %v", err)
			}
			res := out.AuthenticationResult
			next := aws.ToString(res.RefreshToken)
			if next == "" || next == aws.ToString(tok.RefreshToken) {
				t.Fatalf("GetTokensFromRefreshToken with rotation: refresh token %q, want a new one", next)
			}
			if aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" || res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" {
				t.Errorf("GetTokensFromRefreshToken result %+v", res)
			}
			e.mustGetUser(t, aws.ToString(res.AccessToken))
			_, err = e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: tok.RefreshToken})
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
			again, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rotating), RefreshToken: aws.String(next)})
			if err != nil {
				t.Fatalf("GetTokensFromRefreshToken with the rotated-in token: %v", err)
			}
			if r := aws.ToString(again.AuthenticationResult.RefreshToken); r == "" || r == next {
				t.Errorf("second rotation: refresh token %q", r)
			}
			// RevokeToken of the newest token ends the whole family.
			if _, err := e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(rotating), Token: again.AuthenticationResult.RefreshToken}); err != nil {
				t.Fatalf("RevokeToken: %v", err)
			}
			for _, a := range []*string{tok.AccessToken, res.AccessToken, again.AuthenticationResult.AccessToken} {
				_, err := e.getUser(aws.ToString(a))
				wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			}
		})

		// A refresh token rotated out keeps working for the grace period, but
		// not once its family is revoked: RevokeToken ends the sign-in.
		t.Run("RevokeToken during a rotation grace period", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "graceful", userPassword)
			for _, revokeOld := range []bool{false, true} {
				tok := e.signIn(t, graceClient, "graceful", userPassword)
				out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(graceClient), RefreshToken: tok.RefreshToken})
				if err != nil {
					t.Fatalf("GetTokensFromRefreshToken: %v", err)
				}
				revoke := out.AuthenticationResult.RefreshToken
				if revokeOld {
					revoke = tok.RefreshToken
				}
				if _, err := e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(graceClient), Token: revoke}); err != nil {
					t.Fatalf("RevokeToken: %v", err)
				}
				for name, rt := range map[string]*string{"rotated-out": tok.RefreshToken, "rotated-in": out.AuthenticationResult.RefreshToken} {
					_, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(graceClient), RefreshToken: rt})
					if err == nil {
						t.Errorf("revoked the rotated-%s token: GetTokensFromRefreshToken with the %s token still issues tokens", map[bool]string{false: "in", true: "out"}[revokeOld], name)
						continue
					}
					wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
				}
			}
		})

		// AWS: "Refresh token rotation isn't compatible with the authentication
		// flow REFRESH_TOKEN_AUTH. To implement refresh token rotation, you must
		// disable this authentication flow in your app client and design your
		// application to submit token-refresh requests with
		// GetTokensFromRefreshToken" (developer guide, refresh tokens). So a
		// rotating client works without ALLOW_REFRESH_TOKEN_AUTH, and
		// REFRESH_TOKEN_AUTH, which would refresh without rotating, is refused.
		t.Run("rotation and REFRESH_TOKEN_AUTH", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "rotonly", userPassword)
			// As Terraform users configure it (hashicorp/terraform-provider-aws#47196).
			bare := aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
				in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth}
				in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled}
			}).ClientId)
			tok := e.signIn(t, bare, "rotonly", userPassword)
			out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(bare), RefreshToken: tok.RefreshToken})
			if err != nil {
				t.Errorf("GetTokensFromRefreshToken on a rotating client without ALLOW_REFRESH_TOKEN_AUTH: %v", err)
			} else if out.AuthenticationResult.RefreshToken == nil {
				t.Errorf("GetTokensFromRefreshToken on a rotating client: no new refresh token")
			}

			tok = e.signIn(t, rotating, "rotonly", userPassword)
			if _, err := e.refreshAuth(rotating, aws.ToString(tok.RefreshToken)); err == nil {
				t.Errorf("REFRESH_TOKEN_AUTH on a client with refresh token rotation issued tokens without rotating")
			}
		})

		t.Run("GetTokensFromRefreshToken without rotation", func(t *testing.T) {
			t.Parallel()
			e.confirmedUser(t, poolID, "steady", userPassword)
			tok := e.signIn(t, clientID, "steady", userPassword)
			out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(clientID), RefreshToken: tok.RefreshToken})
			if err != nil {
				t.Fatalf("GetTokensFromRefreshToken: %v", err)
			}
			if out.AuthenticationResult.RefreshToken != nil {
				t.Errorf("without rotation a refresh token came back")
			}
			if _, err := e.refreshAuth(clientID, aws.ToString(tok.RefreshToken)); err != nil {
				t.Errorf("the refresh token stopped working without rotation: %v", err)
			}
		})
	})
}
