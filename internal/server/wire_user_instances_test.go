package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// newUserEnvPair starts two servers over one fresh database of backend,
// each with its own store handle, as two processes behind a load balancer
// would be.
func newUserEnvPair(t *testing.T, backend backend) (a, b *userEnv) {
	t.Helper()
	open := backend.database(t)
	return newUserEnv(t, backend, withStore(open(t))), newUserEnv(t, backend, withStore(open(t)))
}

// Two instances share everything through the database: a sign-out on one
// revokes on the other, an SRP handshake may finish on the other, and a
// code sent through one confirms through the other.
func TestUserTwoInstances(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend backend) {
		a, b := newUserEnvPair(t, backend)
		ctx := context.Background()
		poolID := a.newPool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID := aws.ToString(a.newClient(t, poolID, nil).ClientId)
		a.confirmedUser(t, poolID, "roamer", userPassword, userAttrs("email", "roamer@example.com")...)

		t.Run("GlobalSignOut on B revokes on A", func(t *testing.T) {
			tok := a.signIn(t, clientID, "roamer", userPassword)
			a.mustGetUser(t, aws.ToString(tok.AccessToken))
			b.mustGetUser(t, aws.ToString(tok.AccessToken))
			if _, err := b.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken}); err != nil {
				t.Fatalf("GlobalSignOut on B: %v", err)
			}
			_, err := a.getUser(aws.ToString(tok.AccessToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has been revoked")
			_, err = a.refreshAuth(clientID, aws.ToString(tok.RefreshToken))
			wantAPIError[*types.NotAuthorizedException](t, err, "Refresh Token has been revoked")
			fresh := b.signIn(t, clientID, "roamer", userPassword)
			a.mustGetUser(t, aws.ToString(fresh.AccessToken))
		})

		t.Run("SRP begun on A finishes on B", func(t *testing.T) {
			out, err := userSRPSignIn(t, a.c, b.c, poolID, clientID, "roamer", userPassword)
			if err != nil {
				t.Fatalf("RespondToAuthChallenge on B: %v", err)
			}
			res := out.AuthenticationResult
			if res == nil || aws.ToString(res.AccessToken) == "" || aws.ToString(res.RefreshToken) == "" {
				t.Fatalf("SRP across instances: %+v", out)
			}
			a.mustGetUser(t, aws.ToString(res.AccessToken))
			// And a wrong password across instances is still wrong.
			_, err = userSRPSignIn(t, b.c, a.c, poolID, clientID, "roamer", "Wrong-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("sign-up code from A confirms on B", func(t *testing.T) {
			if _, err := a.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("newcomer"), Password: aws.String(userPassword), UserAttributes: userAttrs("email", "newcomer@example.com")}); err != nil {
				t.Fatalf("SignUp on A: %v", err)
			}
			code := b.lastCode(t, poolID, "newcomer")
			if _, err := b.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("newcomer"), ConfirmationCode: aws.String(code)}); err != nil {
				t.Fatalf("ConfirmSignUp on B: %v", err)
			}
			a.signIn(t, clientID, "newcomer", userPassword)
		})

		t.Run("clock advanced on A reaches B", func(t *testing.T) {
			tok := b.signIn(t, clientID, "roamer", userPassword)
			a.advance(t, 2*time.Hour)
			// B re-reads the offset every second.
			deadline := time.Now().Add(5 * time.Second)
			for {
				_, err := b.getUser(aws.ToString(tok.AccessToken))
				if err != nil {
					wantAPIError[*types.NotAuthorizedException](t, err, "Access Token has expired")
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("B still accepts a token that expired on A's clock after 5 s")
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	})
}
