package server_test

// Issue 12: refresh-token rotation is atomic. Parallel refreshes with one
// refresh token win no more often than the grace period allows, on SQLite
// and PostgreSQL.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestRefreshRotationInParallel(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b, withClock(userFrozenClock()))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		client := func(grace int32) string {
			return aws.ToString(e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
				in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace)}
			}).ClientId)
		}
		strict, lenient := client(0), client(30)
		e.confirmedUser(t, poolID, "rotor", userPassword)

		// refreshAll sends 20 refreshes with one token at once and
		// returns the answers and the new refresh tokens.
		refreshAll := func(clientID, refresh string) (map[string]int, []string) {
			tokens := make([]string, 20)
			answers := burst(20, func(i int) error {
				out, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(clientID), RefreshToken: aws.String(refresh)})
				if err == nil {
					tokens[i] = aws.ToString(out.AuthenticationResult.RefreshToken)
				}
				return err
			})
			var won []string
			for _, tok := range tokens {
				if tok != "" {
					won = append(won, tok)
				}
			}
			return answers, won
		}

		t.Run("no grace period: one winner", func(t *testing.T) {
			// Several rounds: a race shows in some rounds only.
			for range 5 {
				tok := e.signIn(t, strict, "rotor", userPassword)
				answers, won := refreshAll(strict, aws.ToString(tok.RefreshToken))
				t.Logf("20 parallel refreshes with one token: %v", answers)
				if answers[""] != 1 || answers["NotAuthorizedException: Refresh Token has been revoked"] != 19 {
					t.Errorf("answers %v, want 1 success and 19 \"Refresh Token has been revoked\"", answers)
				}
				// The winner's token works; the old one is gone.
				for _, next := range won {
					if _, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(strict), RefreshToken: aws.String(next)}); err != nil {
						t.Errorf("the winner's refresh token: %v", err)
					}
				}
				_, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(strict), RefreshToken: tok.RefreshToken})
				wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
			}
		})

		t.Run("grace period: every retry inside it", func(t *testing.T) {
			tok := e.signIn(t, lenient, "rotor", userPassword)
			answers, won := refreshAll(lenient, aws.ToString(tok.RefreshToken))
			if answers[""] != 20 || len(won) != 20 {
				t.Errorf("answers %v, want 20 successes inside the grace period", answers)
			}
			// The grace period runs from the first rotation and is not
			// extended by the later ones.
			e.advance(t, 31e9)
			_, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(lenient), RefreshToken: tok.RefreshToken})
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
		})
	})
}
