package server_test

// Issue 12: Cognate under attack. Password and code guesses sent in
// parallel are checked no more often than the sequential limit allows, on
// SQLite and PostgreSQL, with the real argon2id profile (slow enough that
// parallel requests overlap, as they do in production).

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/password"
)

// sequentialLimit is how many wrong guesses one at a time are checked
// before the lock: five free, and the sixth that locks.
const sequentialLimit = 6

// burst runs n calls at once and counts the answers by error message ("" for
// success).
func burst(n int, call func(i int) error) map[string]int {
	var mu sync.Mutex
	out := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := call(i)
			msg := ""
			var ae smithy.APIError
			if errors.As(err, &ae) {
				msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
			} else if err != nil {
				msg = err.Error()
			}
			mu.Lock()
			out[msg]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

const (
	wrongPassword = "NotAuthorizedException: Incorrect username or password."
	lockedOut     = "NotAuthorizedException: Password attempts exceeded"
)

// checkBurst asserts that a burst's answers are only the expected kinds and
// that at most limit guesses were checked (answered wrong).
func checkBurst(t *testing.T, what string, got map[string]int, wrong string, limit int, allowed ...string) {
	t.Helper()
	for msg, n := range got {
		if msg != wrong && msg != lockedOut && !contains(allowed, msg) {
			t.Errorf("%s: %d answers %q", what, n, msg)
		}
	}
	t.Logf("%s: %d checked, answers %v", what, got[wrong], got)
	if got[wrong] > limit {
		t.Errorf("%s: %d guesses were checked, the sequential limit is %d (answers %v)", what, got[wrong], limit, got)
	}
	if got[wrong] == 0 {
		t.Errorf("%s: no guess was checked at all (answers %v)", what, got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestAttackPasswordBurst(t *testing.T) {
	eachBackendSerial(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b, withClock(userFrozenClock()), withPasswords(password.Strong))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		e.confirmedUser(t, poolID, "target", userPassword)
		reset := func() {
			t.Helper()
			if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID),
				Username: aws.String("target"), Password: aws.String(userPassword), Permanent: true}); err != nil {
				t.Fatalf("AdminSetUserPassword: %v", err)
			}
		}

		t.Run("USER_PASSWORD_AUTH", func(t *testing.T) {
			got := burst(40, func(int) error { _, err := e.passwordAuth(clientID, "target", "Wr0ng-Passw0rd!"); return err })
			checkBurst(t, "40 wrong passwords at once", got, wrongPassword, sequentialLimit)
			// The clock stands still: the lock holds, also for the right password.
			_, err := e.passwordAuth(clientID, "target", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Password attempts exceeded")
			reset()
		})

		t.Run("a right password inside the burst", func(t *testing.T) {
			got := burst(31, func(i int) error {
				pw := "Wr0ng-Passw0rd!"
				if i == 15 {
					pw = userPassword
				}
				_, err := e.passwordAuth(clientID, "target", pw)
				return err
			})
			// In reservation order the success can only clear the failures
			// before it: at most five before and six after it are checked.
			checkBurst(t, "30 wrong and 1 right password at once", got, wrongPassword, 2*sequentialLimit-1, "")
			if got[""] > 1 {
				t.Errorf("%d successes from one right password", got[""])
			}
			reset()
		})

		t.Run("SRP PASSWORD_VERIFIER", func(t *testing.T) {
			type handshake struct {
				cl     *userSRPClient
				params map[string]string
			}
			hs := make([]handshake, 40)
			for i := range hs {
				cl := newUserSRPClient(t)
				out, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID),
					AuthParameters: map[string]string{"USERNAME": "target", "SRP_A": cl.srpA()}})
				if err != nil {
					t.Fatalf("InitiateAuth: %v", err)
				}
				hs[i] = handshake{cl, out.ChallengeParameters}
			}
			answers := make([]map[string]string, len(hs))
			for i, h := range hs {
				answers[i] = h.cl.respond(t, poolID, "Wr0ng-Passw0rd!", h.params, userFrozenClock().Now())
			}
			got := burst(len(hs), func(i int) error {
				_, err := e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
					ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: answers[i]})
				return err
			})
			checkBurst(t, "40 wrong PASSWORD_VERIFIER answers at once", got, wrongPassword, sequentialLimit)
			reset()
		})

		t.Run("ChangePassword", func(t *testing.T) {
			tok := e.signIn(t, clientID, "target", userPassword)
			got := burst(40, func(int) error {
				_, err := e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken,
					PreviousPassword: aws.String("Wr0ng-Passw0rd!"), ProposedPassword: aws.String("N3w-Passw0rd!")})
				return err
			})
			checkBurst(t, "40 wrong previous passwords at once", got, wrongPassword, sequentialLimit)
			reset()
		})
	})
}

func TestAttackCodeBursts(t *testing.T) {
	eachBackendSerial(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()

		t.Run("SOFTWARE_TOKEN_MFA", func(t *testing.T) {
			poolID := e.newPool(t, &cip.CreateUserPoolInput{})
			e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOn)
			clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
			e.confirmedUser(t, poolID, "totp", userPassword)
			out, err := e.passwordAuth(clientID, "totp", userPassword)
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			assoc, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
			if err != nil {
				t.Fatalf("AssociateSoftwareToken: %v", err)
			}
			if _, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session,
				UserCode: aws.String(totp(t, aws.ToString(assoc.SecretCode), clk.Now()))}); err != nil {
				t.Fatalf("VerifySoftwareToken: %v", err)
			}
			clk.Advance(time.Minute)
			right := totp(t, aws.ToString(assoc.SecretCode), clk.Now())
			out, err = e.passwordAuth(clientID, "totp", userPassword)
			if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
				t.Fatalf("InitiateAuth = %v, %v", out, err)
			}
			got := burst(40, func(int) error {
				_, err := e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
					ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: out.Session,
					ChallengeResponses: map[string]string{"USERNAME": "totp", "SOFTWARE_TOKEN_MFA_CODE": userOtherCode(right)}})
				return err
			})
			checkBurst(t, "40 wrong TOTP codes at once", got, "CodeMismatchException: Invalid code received for user", sequentialLimit)
		})

		t.Run("ConfirmSignUp", func(t *testing.T) {
			poolID := e.newPool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
			clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
			if _, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("new"), Password: aws.String(userPassword),
				UserAttributes: userAttrs("email", "new@example.com")}); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			right := e.lastCode(t, poolID, "new")
			got := burst(40, func(int) error {
				_, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("new"),
					ConfirmationCode: aws.String(userOtherCode(right))})
				return err
			})
			const mismatch = "CodeMismatchException: Invalid verification code provided, please try again."
			for msg := range got {
				if msg != mismatch && msg != "ExpiredCodeException: Invalid code provided, please request a code again." && msg != "LimitExceededException: Attempt limit exceeded, please try after some time." {
					t.Errorf("ConfirmSignUp burst answered %q", msg)
				}
			}
			if got[mismatch] > 5 {
				t.Errorf("%d wrong codes were checked, the limit is 5 (%v)", got[mismatch], got)
			}
		})
	})
}
