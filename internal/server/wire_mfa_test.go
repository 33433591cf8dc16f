package server_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// setPoolMfa is SetUserPoolMfaConfig with TOTP enabled.
func (e *userEnv) setPoolMfa(t *testing.T, poolID string, mode types.UserPoolMfaType) {
	t.Helper()
	if _, err := e.c.SetUserPoolMfaConfig(context.Background(), &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(poolID), MfaConfiguration: mode,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}); err != nil {
		t.Fatalf("SetUserPoolMfaConfig: %v", err)
	}
}

func TestMfaPoolConfig(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b)
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		got, err := e.c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
		if err != nil {
			t.Fatalf("GetUserPoolMfaConfig: %v", err)
		}
		if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SoftwareTokenMfaConfiguration != nil {
			t.Errorf("new pool: %v %v, want OFF and no TOTP configuration", got.MfaConfiguration, got.SoftwareTokenMfaConfiguration)
		}
		// aws/aws-sdk-js#4186: MFA ON or OPTIONAL with no factor.
		for _, mode := range []types.UserPoolMfaType{types.UserPoolMfaTypeOn, types.UserPoolMfaTypeOptional} {
			_, err = e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID), MfaConfiguration: mode})
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
		}

		set, err := e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
			UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
			EmailMfaConfiguration:         &types.EmailMfaConfigType{Subject: aws.String("code")},
		})
		if err != nil {
			t.Fatalf("SetUserPoolMfaConfig: %v", err)
		}
		if set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled {
			t.Errorf("SetUserPoolMfaConfig = %v %v", set.MfaConfiguration, set.SoftwareTokenMfaConfiguration)
		}
		// Tags and DescribeUserPool keep and show the mode.
		if _, err := e.c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: describePool(t, e.c, poolID).Arn, Tags: map[string]string{"a": "b"}}); err != nil {
			t.Fatalf("TagResource: %v", err)
		}
		if d := describePool(t, e.c, poolID); d.MfaConfiguration != types.UserPoolMfaTypeOptional {
			t.Errorf("DescribeUserPool MfaConfiguration = %v, want OPTIONAL", d.MfaConfiguration)
		}
		got, err = e.c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
		if err != nil {
			t.Fatalf("GetUserPoolMfaConfig: %v", err)
		}
		if got.MfaConfiguration != types.UserPoolMfaTypeOptional || got.SoftwareTokenMfaConfiguration == nil || !got.SoftwareTokenMfaConfiguration.Enabled ||
			got.EmailMfaConfiguration == nil || aws.ToString(got.EmailMfaConfiguration.Subject) != "code" {
			t.Errorf("GetUserPoolMfaConfig = %+v", got)
		}
	})
}

// totp is RFC 6238 (SHA-1, 30 s, six digits) of a base32 secret.
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1_000_000)
}

func mfaClient(in *cip.CreateUserPoolClientInput) {
	in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
}

func TestMfaSoftwareTokenOptional(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOptional)
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "alice", userPassword)

		// Without a token the user signs in with the password alone.
		toks := e.signIn(t, clientID, "alice", userPassword)
		_, err := e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: toks.AccessToken,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
		wantAPIError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")

		assoc, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: toks.AccessToken})
		if err != nil {
			t.Fatalf("AssociateSoftwareToken: %v", err)
		}
		secret := aws.ToString(assoc.SecretCode)
		if !regexp.MustCompile(`^[A-Za-z0-9]{16,}$`).MatchString(secret) {
			t.Fatalf("SecretCode = %q", secret)
		}
		good := totp(t, secret, clk.Now())
		_, err = e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: toks.AccessToken, UserCode: aws.String(userOtherCode(good))})
		wantAPIError[*types.EnableSoftwareTokenMFAException](t, err, "Code mismatch and fail enable Software Token MFA")
		ver, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: toks.AccessToken, UserCode: aws.String(good)})
		if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess {
			t.Fatalf("VerifySoftwareToken = %v, %v", ver, err)
		}
		// Verified but not enabled: still no second factor.
		e.signIn(t, clientID, "alice", userPassword)
		if _, err := e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: toks.AccessToken,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatalf("SetUserMFAPreference: %v", err)
		}
		got := e.adminGetUser(t, poolID, "alice")
		if d := diff([]string{"SOFTWARE_TOKEN_MFA"}, got.UserMFASettingList); d != "" || aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
			t.Errorf("AdminGetUser MFA = %v %v", got.UserMFASettingList, aws.ToString(got.PreferredMfaSetting))
		}
		if me := e.mustGetUser(t, aws.ToString(toks.AccessToken)); len(me.UserMFASettingList) != 1 {
			t.Errorf("GetUser UserMFASettingList = %v", me.UserMFASettingList)
		}

		// Now the password leads to SOFTWARE_TOKEN_MFA.
		clk.Advance(30 * time.Second)
		out, err := e.passwordAuth(clientID, "alice", userPassword)
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		if out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || out.AuthenticationResult != nil || out.Session == nil {
			t.Fatalf("InitiateAuth = %s, tokens %v", out.ChallengeName, out.AuthenticationResult != nil)
		}
		if d := diff(map[string]string{"USER_ID_FOR_SRP": "alice"}, out.ChallengeParameters); d != "" {
			t.Errorf("ChallengeParameters (-want +got):\n%s", d)
		}
		code := totp(t, secret, clk.Now())
		respond := func(session *string, code string) (*cip.RespondToAuthChallengeOutput, error) {
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeSoftwareTokenMfa, Session: session,
				ChallengeResponses: map[string]string{"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
			})
		}
		_, err = respond(out.Session, userOtherCode(code))
		wantAPIError[*types.CodeMismatchException](t, err, "Invalid code received for user")
		res, err := respond(out.Session, code)
		if err != nil || res.AuthenticationResult == nil || res.AuthenticationResult.AccessToken == nil {
			t.Fatalf("RespondToAuthChallenge: %v", err)
		}
		// The same code is never accepted twice; AWS says so
		// (cognito-behaviour.md §8.11), and a reused code is no wrong guess.
		again, err := e.passwordAuth(clientID, "alice", userPassword)
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		_, err = respond(again.Session, code)
		wantAPIError[*types.ExpiredCodeException](t, err, "Your software token has already been used once.")

		// Turning it off ends the challenge in an OPTIONAL pool.
		if _, err := e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(poolID), Username: aws.String("alice"),
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatalf("AdminSetUserMFAPreference: %v", err)
		}
		e.signIn(t, clientID, "alice", userPassword)
	})
}

func TestMfaRequiredSetup(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		e.setPoolMfa(t, poolID, types.UserPoolMfaTypeOn)
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "bob", userPassword)

		out, err := e.passwordAuth(clientID, "bob", userPassword)
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		if out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.AuthenticationResult != nil {
			t.Fatalf("InitiateAuth = %s, want MFA_SETUP without tokens", out.ChallengeName)
		}
		if out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
			t.Errorf("ChallengeParameters = %v", out.ChallengeParameters)
		}
		// Completing the setup before verifying a token issues nothing.
		_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeMfaSetup, Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": "bob"}})
		wantAPIError[*types.SoftwareTokenMFANotFoundException](t, err, "")

		assoc, err := e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
		if err != nil || assoc.Session == nil {
			t.Fatalf("AssociateSoftwareToken: %v", err)
		}
		ver, err := e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session,
			UserCode: aws.String(totp(t, aws.ToString(assoc.SecretCode), clk.Now()))})
		if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess || ver.Session == nil {
			t.Fatalf("VerifySoftwareToken = %v, %v", ver, err)
		}
		res, err := e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeMfaSetup, Session: ver.Session, ChallengeResponses: map[string]string{"USERNAME": "bob"}})
		if err != nil || res.AuthenticationResult == nil {
			t.Fatalf("RespondToAuthChallenge MFA_SETUP: %v", err)
		}
		// The next sign-in asks for the code.
		out, err = e.passwordAuth(clientID, "bob", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
			t.Fatalf("InitiateAuth = %v, %v; want SOFTWARE_TOKEN_MFA", out, err)
		}
	})
}
