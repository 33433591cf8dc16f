package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestMfaSmsAndEmailCodes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		clk := userFrozenClock()
		e := newUserEnv(t, b, withClock(clk))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{})
		if _, err := e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
			UserPoolId: aws.String(poolID), MfaConfiguration: types.UserPoolMfaTypeOptional,
			SmsMfaConfiguration:   &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("SMS code {####}")},
			EmailMfaConfiguration: &types.EmailMfaConfigType{Subject: aws.String("Sign-in"), Message: aws.String("Email code {####}")},
		}); err != nil {
			t.Fatalf("SetUserPoolMfaConfig: %v", err)
		}
		clientID := aws.ToString(e.newClient(t, poolID, mfaClient).ClientId)
		e.confirmedUser(t, poolID, "bob", userPassword,
			types.AttributeType{Name: aws.String("phone_number"), Value: aws.String("+15555550123")},
			types.AttributeType{Name: aws.String("email"), Value: aws.String("bob@example.com")},
			types.AttributeType{Name: aws.String("email_verified"), Value: aws.String("true")})
		e.confirmedUser(t, poolID, "carol", userPassword)

		_, err := e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(poolID), Username: aws.String("carol"),
			SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
		wantAPIError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on SMS_MFA")
		_, err = e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(poolID), Username: aws.String("carol"),
			EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}})
		wantAPIError[*types.InvalidParameterException](t, err, "User does not have delivery config set to turn on EMAIL_OTP")

		// Both enabled, none preferred: SELECT_MFA_TYPE.
		if _, err := e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(poolID), Username: aws.String("bob"),
			SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}}); err != nil {
			t.Fatalf("AdminSetUserMFAPreference: %v", err)
		}
		out, err := e.passwordAuth(clientID, "bob", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectMfaType {
			t.Fatalf("InitiateAuth = %v, %v; want SELECT_MFA_TYPE", out, err)
		}
		if d := diff(map[string]string{"USER_ID_FOR_SRP": "bob", "MFAS_CAN_CHOOSE": `["SMS_MFA","EMAIL_OTP"]`}, out.ChallengeParameters); d != "" {
			t.Errorf("ChallengeParameters (-want +got):\n%s", d)
		}
		respond := func(name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
			resp["USERNAME"] = "bob"
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(clientID), ChallengeName: name, Session: session, ChallengeResponses: resp,
			})
		}
		sel, err := respond(types.ChallengeNameTypeSelectMfaType, out.Session, map[string]string{"ANSWER": "SMS_MFA"})
		if err != nil || sel.ChallengeName != types.ChallengeNameTypeSmsMfa {
			t.Fatalf("SELECT_MFA_TYPE = %v, %v", sel, err)
		}
		// Replaying the choice would send codes (with fresh attempts) forever.
		_, err = respond(types.ChallengeNameTypeSelectMfaType, out.Session, map[string]string{"ANSWER": "SMS_MFA"})
		wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
		if d := diff(map[string]string{"USER_ID_FOR_SRP": "bob", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0123"}, sel.ChallengeParameters); d != "" {
			t.Errorf("SMS_MFA ChallengeParameters (-want +got):\n%s", d)
		}
		msgs := attrsMessages(t, e.w.URL, poolID, "bob")
		m := msgs[len(msgs)-1]
		if m.TriggerSource != "CustomMessage_Authentication" || m.DeliveryMedium != "SMS" || m.Body != "SMS code "+m.Code || len(m.Code) != 6 {
			t.Fatalf("SMS message = %+v", m)
		}
		_, err = respond(types.ChallengeNameTypeSmsMfa, sel.Session, map[string]string{"SMS_MFA_CODE": userOtherCode(m.Code)})
		wantAPIError[*types.CodeMismatchException](t, err, "Invalid code or auth state for the user.")
		res, err := respond(types.ChallengeNameTypeSmsMfa, sel.Session, map[string]string{"SMS_MFA_CODE": m.Code})
		if err != nil || res.AuthenticationResult == nil || res.AuthenticationResult.AccessToken == nil {
			t.Fatalf("SMS_MFA: %v", err)
		}
		// Single use.
		_, err = respond(types.ChallengeNameTypeSmsMfa, sel.Session, map[string]string{"SMS_MFA_CODE": m.Code})
		wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

		// Email preferred: EMAIL_OTP straight away.
		if _, err := e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: res.AuthenticationResult.AccessToken,
			EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatalf("SetUserMFAPreference: %v", err)
		}
		got := e.adminGetUser(t, poolID, "bob")
		if d := diff([]string{"SMS_MFA", "EMAIL_OTP"}, got.UserMFASettingList); d != "" || aws.ToString(got.PreferredMfaSetting) != "EMAIL_OTP" {
			t.Errorf("AdminGetUser MFA = %v %v", got.UserMFASettingList, aws.ToString(got.PreferredMfaSetting))
		}
		out, err = e.passwordAuth(clientID, "bob", userPassword)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
			t.Fatalf("InitiateAuth = %v, %v; want EMAIL_OTP", out, err)
		}
		msgs = attrsMessages(t, e.w.URL, poolID, "bob")
		m = msgs[len(msgs)-1]
		if m.TriggerSource != "CustomMessage_Authentication" || m.DeliveryMedium != "EMAIL" || m.Subject != "Sign-in" || m.Body != "Email code "+m.Code {
			t.Fatalf("email message = %+v", m)
		}
		_, err = respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"EMAIL_OTP_CODE": userOtherCode(m.Code)})
		wantAPIError[*types.CodeMismatchException](t, err, "Invalid code or auth state for the user.")
		res, err = respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"EMAIL_OTP_CODE": m.Code})
		if err != nil || res.AuthenticationResult == nil {
			t.Fatalf("EMAIL_OTP: %v", err)
		}

		// An expired session.
		out, err = e.passwordAuth(clientID, "bob", userPassword)
		if err != nil {
			t.Fatalf("InitiateAuth: %v", err)
		}
		msgs = attrsMessages(t, e.w.URL, poolID, "bob")
		clk.Advance(4 * time.Minute)
		_, err = respond(types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"EMAIL_OTP_CODE": msgs[len(msgs)-1].Code})
		wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	})
}
