package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// verifiedToken signs username in through clientID, associates and verifies
// a software token, turns it on and preferred when enable, and returns its
// base32 secret.
func (e *userEnv) verifiedToken(t *testing.T, clk *fakeClock, clientID, username string, enable bool) string {
	t.Helper()
	ctx := context.Background()
	toks := e.signIn(t, clientID, username, userPassword)
	assoc, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: toks.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if _, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: toks.AccessToken, UserCode: aws.String(totp(t, secret, clk.Now()))}); err != nil {
		t.Fatal(err)
	}
	if enable {
		if _, err := e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: toks.AccessToken,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatal(err)
		}
	}
	return secret
}

// A secret verified in an earlier sign-in and since turned off does not
// complete MFA_SETUP: with MFA ON, the password alone never gets tokens.
func TestMfaSetupNeedsThisSignInsVerification(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOptional)
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "carol", userPassword)

		// In the OPTIONAL pool carol verifies a token but never turns it on.
		e.verifiedToken(t, clk, clientID, "carol", false)
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOn)

		out, err := e.passwordAuth(clientID, "carol", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup {
			t.Fatalf("InitiateAuth = %v, %v; want MFA_SETUP", out, err)
		}
		setup := func(session *string) (*cip.RespondToAuthChallengeOutput, error) {
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
				ChallengeName: types.ChallengeNameTypeMfaSetup, Session: session, ChallengeResponses: map[string]string{"USERNAME": "carol"}})
		}
		res, err := setup(out.Session)
		if err == nil {
			t.Fatalf("MFA_SETUP without verifying a code in this sign-in issued tokens: %v", res.AuthenticationResult != nil)
		}
		wantAPIError[*types.SoftwareTokenMFANotFoundException](t, err, "")
		// Nor after only associating a new secret.
		assoc2, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
		if err != nil {
			t.Fatal(err)
		}
		_, err = setup(assoc2.Session)
		wantAPIError[*types.SoftwareTokenMFANotFoundException](t, err, "")

		// Verifying a code of the new secret in this sign-in completes it.
		clk.Advance(30 * time.Second)
		ver, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc2.Session,
			UserCode: aws.String(totp(t, aws.ToString(assoc2.SecretCode), clk.Now()))})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := setup(ver.Session); err != nil || res.AuthenticationResult == nil {
			t.Fatalf("MFA_SETUP after VerifySoftwareToken: %v", err)
		}
	})
}

// Wrong SOFTWARE_TOKEN_MFA codes count as failed sign-ins: after the free
// ones the user is locked out for a while, the right code included, so a
// session cannot be used to try every code.
func TestMfaWrongCodesLockOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOptional)
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "dave", userPassword)
		secret := e.verifiedToken(t, clk, clientID, "dave", true)
		clk.Advance(30 * time.Second)
		out, err := e.passwordAuth(clientID, "dave", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("InitiateAuth = %v, %v", out, err)
		}
		respond := func(code string) error {
			_, err := e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "dave", "SOFTWARE_TOKEN_MFA_CODE": code},
			})
			return err
		}
		good := totp(t, secret, clk.Now())
		for range 6 {
			wantAPIError[*types.CodeMismatchException](t, respond(userOtherCode(good)), "Invalid code received for user")
		}
		wantAPIError[*types.NotAuthorizedException](t, respond(good), "Password attempts exceeded")
		// The lock passes; the right code then signs in and clears the count.
		clk.Advance(2 * time.Second)
		if err := respond(good); err != nil {
			t.Fatalf("the right code after the lock: %v", err)
		}
	})
}

// A challenge answer's SECRET_HASH is checked before its code is used: a
// caller without the client secret learns nothing and burns nothing.
func TestMfaSecretHashBeforeCode(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOptional)
		plain := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "erin", userPassword)
		secret := e.verifiedToken(t, clk, plain, "erin", true)
		sc := e.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) {
			mfaClient(in)
			in.ClientName, in.GenerateSecret = aws.String("secret"), true
		})
		clientID, clientSecret := aws.ToString(sc.ClientId), aws.ToString(sc.ClientSecret)
		clk.Advance(30 * time.Second)
		out, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": userPassword, "SECRET_HASH": userSecretHash(clientSecret, "erin", clientID)}})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("InitiateAuth = %v, %v", out, err)
		}
		good := totp(t, secret, clk.Now())
		respond := func(hash string) (*cip.RespondToAuthChallengeOutput, error) {
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "erin", "SOFTWARE_TOKEN_MFA_CODE": good, "SECRET_HASH": hash},
			})
		}
		_, err = respond("d3JvbmcgaGFzaA==")
		wantAPIError[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+clientID)
		// The code was not used up by the refused answer.
		if res, err := respond(userSecretHash(clientSecret, "erin", clientID)); err != nil || res.AuthenticationResult == nil {
			t.Fatalf("the right code with the right SECRET_HASH: %v", err)
		}
	})
}
