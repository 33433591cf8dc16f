package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// userPolicy is the default password policy with a one-day temporary
// password.
func userPolicy() *types.UserPoolPolicyType {
	return &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
		MinimumLength: aws.Int32(8), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
		TemporaryPasswordValidityDays: 1,
	}}
}

// Administrators create users, set and reset their passwords; users change
// and recover them. The machine clock stands still; the expiry subtests at
// the end move the server clock through the inspection API, so the
// subtests run in order.
func TestUserAdminCreateAndPasswords(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := newUserEnv(t, b, withClock(userFrozenClock()))
		ctx := context.Background()
		poolID := e.newPool(t, &cip.CreateUserPoolInput{
			Policies:               userPolicy(),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID := aws.ToString(e.newClient(t, poolID, nil).ClientId)
		strictPool := e.newPool(t, &cip.CreateUserPoolInput{
			PoolName: aws.String("strict"),
			Schema:   []types.SchemaAttributeType{{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}},
		})
		strictClient := aws.ToString(e.newClient(t, strictPool, nil).ClientId)

		create := func(t *testing.T, pool, username string, edit func(*cip.AdminCreateUserInput)) *types.UserType {
			t.Helper()
			in := &cip.AdminCreateUserInput{
				UserPoolId: aws.String(pool), Username: aws.String(username),
				UserAttributes:         userAttrs("email", username+"@example.com", "email_verified", "true"),
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
			}
			if edit != nil {
				edit(in)
			}
			out, err := e.c.AdminCreateUser(ctx, in)
			if err != nil {
				t.Fatalf("AdminCreateUser(%s): %v", username, err)
			}
			return out.User
		}
		respondNewPassword := func(client, session, username, newPassword string, extra ...string) (*cip.RespondToAuthChallengeOutput, error) {
			resp := map[string]string{"USERNAME": username, "NEW_PASSWORD": newPassword}
			for i := 0; i+1 < len(extra); i += 2 {
				resp[extra[i]] = extra[i+1]
			}
			return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
				ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
				Session: aws.String(session), ChallengeResponses: resp,
			})
		}
		status := func(t *testing.T, pool, username string) types.UserStatusType {
			t.Helper()
			return e.adminGetUser(t, pool, username).UserStatus
		}

		t.Run("invitation and NEW_PASSWORD_REQUIRED", func(t *testing.T) {
			u := create(t, poolID, "invitee", nil)
			if u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled || aws.ToString(u.Username) != "invitee" {
				t.Errorf("AdminCreateUser: %s enabled=%v username=%q", u.UserStatus, u.Enabled, aws.ToString(u.Username))
			}
			if a := userAttrMap(u.Attributes); a["email"] != "invitee@example.com" || !userUUIDPattern.MatchString(a["sub"]) {
				t.Errorf("AdminCreateUser attributes %v", a)
			}
			msg := e.lastMessage(t, poolID, "invitee")
			temp := msg.Code
			if msg.TriggerSource != "CustomMessage_AdminCreateUser" || msg.DeliveryMedium != "EMAIL" || msg.Destination != "invitee@example.com" ||
				len(temp) < 8 || !strings.Contains(msg.Body, temp) || !strings.Contains(msg.Body, "invitee") {
				t.Fatalf("invitation %+v", msg)
			}

			out, err := e.passwordAuth(clientID, "invitee", temp)
			if err != nil {
				t.Fatalf("InitiateAuth with the temporary password: %v", err)
			}
			if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
				t.Fatalf("InitiateAuth: challenge %q session %q tokens %v", out.ChallengeName, aws.ToString(out.Session), out.AuthenticationResult)
			}
			p := out.ChallengeParameters
			if p["USER_ID_FOR_SRP"] != "invitee" || p["requiredAttributes"] != "[]" {
				t.Errorf("ChallengeParameters %v", p)
			}
			var shown map[string]string
			if err := json.Unmarshal([]byte(p["userAttributes"]), &shown); err != nil {
				t.Fatalf("userAttributes %q: %v", p["userAttributes"], err)
			}
			if d := cmp.Diff(map[string]string{"email": "invitee@example.com", "email_verified": "true"}, shown); d != "" {
				t.Errorf("userAttributes (-want +got):\n%s", d)
			}

			_, err = respondNewPassword(clientID, aws.ToString(out.Session), "invitee", "Sh0rt!")
			wantAPIError[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password not long enough")
			_, err = respondNewPassword(clientID, "bm90LWEtc2Vzc2lvbi1vZi1vdXJz", "invitee", "N3w-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user.")
			done, err := respondNewPassword(clientID, aws.ToString(out.Session), "invitee", "N3w-Passw0rd")
			if err != nil {
				t.Fatalf("RespondToAuthChallenge NEW_PASSWORD_REQUIRED: %v", err)
			}
			res := done.AuthenticationResult
			if res == nil || aws.ToString(res.AccessToken) == "" || aws.ToString(res.RefreshToken) == "" || done.ChallengeName != "" {
				t.Fatalf("RespondToAuthChallenge: %+v", done)
			}
			e.mustGetUser(t, aws.ToString(res.AccessToken))
			if s := status(t, poolID, "invitee"); s != types.UserStatusTypeConfirmed {
				t.Errorf("after NEW_PASSWORD_REQUIRED: %s, want CONFIRMED", s)
			}
			// The session is spent.
			_, err = respondNewPassword(clientID, aws.ToString(out.Session), "invitee", "An0ther-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user.")
			e.signIn(t, clientID, "invitee", "N3w-Passw0rd")
			_, err = e.passwordAuth(clientID, "invitee", temp)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("NEW_PASSWORD_REQUIRED with a missing required attribute", func(t *testing.T) {
			create(t, strictPool, "nameless", func(in *cip.AdminCreateUserInput) { in.TemporaryPassword = aws.String("Temp-Passw0rd") })
			out, err := e.passwordAuth(strictClient, "nameless", "Temp-Passw0rd")
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			if got := out.ChallengeParameters["requiredAttributes"]; got != `["userAttributes.name"]` {
				t.Errorf("requiredAttributes = %s", got)
			}
			_, err = respondNewPassword(strictClient, aws.ToString(out.Session), "nameless", "N3w-Passw0rd")
			// Cognito's text (cognito-behaviour.md §8.8).
			wantAPIError[*types.InvalidParameterException](t, err, "Invalid attributes given, name is missing")
			done, err := respondNewPassword(strictClient, aws.ToString(out.Session), "nameless", "N3w-Passw0rd", "userAttributes.name", "Nemo")
			if err != nil {
				t.Fatalf("RespondToAuthChallenge with the attribute: %v", err)
			}
			if a := userAttrMap(e.mustGetUser(t, aws.ToString(done.AuthenticationResult.AccessToken)).UserAttributes); a["name"] != "Nemo" {
				t.Errorf("GetUser after answering with name: %v", a)
			}
		})

		t.Run("NEW_PASSWORD_REQUIRED after SRP", func(t *testing.T) {
			create(t, poolID, "srpinvitee", func(in *cip.AdminCreateUserInput) { in.TemporaryPassword = aws.String("Temp-Passw0rd") })
			out, err := userSRPSignIn(t, e.c, e.c, poolID, clientID, "srpinvitee", "Temp-Passw0rd")
			if err != nil {
				t.Fatalf("PASSWORD_VERIFIER: %v", err)
			}
			if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" {
				t.Fatalf("after SRP: challenge %q", out.ChallengeName)
			}
			if _, err := respondNewPassword(clientID, aws.ToString(out.Session), "srpinvitee", "N3w-Passw0rd"); err != nil {
				t.Fatalf("RespondToAuthChallenge NEW_PASSWORD_REQUIRED: %v", err)
			}
			done, err := userSRPSignIn(t, e.c, e.c, poolID, clientID, "srpinvitee", "N3w-Passw0rd")
			if err != nil || done.AuthenticationResult == nil {
				t.Fatalf("SRP with the new password: %v", err)
			}
		})

		// A user disabled (or deleted) while answering NEW_PASSWORD_REQUIRED
		// gets no tokens: they would pass every offline JWT check.
		t.Run("NEW_PASSWORD_REQUIRED for a user disabled meanwhile", func(t *testing.T) {
			create(t, poolID, "revoked-invitee", func(in *cip.AdminCreateUserInput) { in.TemporaryPassword = aws.String("Temp-Passw0rd") })
			out, err := e.passwordAuth(clientID, "revoked-invitee", "Temp-Passw0rd")
			if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("InitiateAuth: %v %v", err, out)
			}
			if _, err := e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("revoked-invitee")}); err != nil {
				t.Fatalf("AdminDisableUser: %v", err)
			}
			done, err := respondNewPassword(clientID, aws.ToString(out.Session), "revoked-invitee", "N3w-Passw0rd")
			if err == nil {
				t.Fatalf("RespondToAuthChallenge NEW_PASSWORD_REQUIRED for a disabled user issued tokens (access token exp %v)",
					userJWTClaims(t, aws.ToString(done.AuthenticationResult.AccessToken))["exp"])
			}
			wantAPIError[*types.NotAuthorizedException](t, err, "User is disabled.")
			if s := status(t, poolID, "revoked-invitee"); s != types.UserStatusTypeForceChangePassword {
				t.Errorf("the refused answer changed the status to %s", s)
			}
		})

		t.Run("SUPPRESS, given temporary password, duplicates", func(t *testing.T) {
			create(t, poolID, "quiet", func(in *cip.AdminCreateUserInput) {
				in.MessageAction = types.MessageActionTypeSuppress
				in.TemporaryPassword = aws.String("Temp-Passw0rd")
			})
			if msgs := e.messages(t, poolID, "quiet"); len(msgs) != 0 {
				t.Errorf("MessageAction SUPPRESS sent %d messages: %+v", len(msgs), msgs)
			}
			out, err := e.passwordAuth(clientID, "quiet", "Temp-Passw0rd")
			if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Errorf("sign-in with the given temporary password: %v %v", err, out)
			}
			_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("quiet"), MessageAction: types.MessageActionTypeSuppress})
			wantAPIError[*types.UsernameExistsException](t, err, "User account already exists")
			_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: aws.String(poolID), Username: aws.String("weaktemp"), MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String("Sh0rt!"),
			})
			wantAPIError[*types.InvalidPasswordException](t, err, "Password did not conform with password policy: Password not long enough")
		})

		t.Run("AdminSetUserPassword", func(t *testing.T) {
			create(t, poolID, "setpw", func(in *cip.AdminCreateUserInput) { in.MessageAction = types.MessageActionTypeSuppress })
			set := func(pw string, permanent bool) {
				t.Helper()
				if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("setpw"), Password: aws.String(pw), Permanent: permanent}); err != nil {
					t.Fatalf("AdminSetUserPassword(permanent %v): %v", permanent, err)
				}
			}
			set("Perm-Passw0rd", true)
			if s := status(t, poolID, "setpw"); s != types.UserStatusTypeConfirmed {
				t.Errorf("Permanent true: %s", s)
			}
			e.signIn(t, clientID, "setpw", "Perm-Passw0rd")
			set("Temp-Passw0rd", false)
			if s := status(t, poolID, "setpw"); s != types.UserStatusTypeForceChangePassword {
				t.Errorf("Permanent false: %s", s)
			}
			out, err := e.passwordAuth(clientID, "setpw", "Temp-Passw0rd")
			if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Errorf("sign-in after Permanent false: %v, challenge %v", err, out)
			}
			_, err = e.passwordAuth(clientID, "setpw", "Perm-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			_, err = e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("setpw"), Password: aws.String("weak"), Permanent: true})
			wantAPIError[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password not long enough")
			_, err = e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("nobody"), Password: aws.String("Perm-Passw0rd"), Permanent: true})
			wantAPIError[*types.UserNotFoundException](t, err, "User does not exist.")
		})

		t.Run("AdminResetUserPassword", func(t *testing.T) {
			e.confirmedUser(t, poolID, "resetme", userPassword, userAttrs("email", "resetme@example.com", "email_verified", "true")...)
			if _, err := e.c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("resetme")}); err != nil {
				t.Fatalf("AdminResetUserPassword: %v", err)
			}
			if s := status(t, poolID, "resetme"); s != types.UserStatusTypeResetRequired {
				t.Errorf("after AdminResetUserPassword: %s, want RESET_REQUIRED", s)
			}
			_, err := e.passwordAuth(clientID, "resetme", userPassword)
			wantAPIError[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")
			msg := e.lastMessage(t, poolID, "resetme")
			if msg.TriggerSource != "CustomMessage_ForgotPassword" || !userCodePattern.MatchString(msg.Code) {
				t.Fatalf("reset message %+v", msg)
			}
			if _, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
				ClientId: aws.String(clientID), Username: aws.String("resetme"), ConfirmationCode: aws.String(msg.Code), Password: aws.String("N3w-Passw0rd"),
			}); err != nil {
				t.Fatalf("ConfirmForgotPassword: %v", err)
			}
			if s := status(t, poolID, "resetme"); s != types.UserStatusTypeConfirmed {
				t.Errorf("after ConfirmForgotPassword: %s, want CONFIRMED", s)
			}
			e.signIn(t, clientID, "resetme", "N3w-Passw0rd")
		})

		t.Run("ForgotPassword", func(t *testing.T) {
			e.confirmedUser(t, poolID, "forgetful", userPassword, userAttrs("email", "forgetful@example.com", "email_verified", "true")...)
			out, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("forgetful")})
			if err != nil {
				t.Fatalf("ForgotPassword: %v", err)
			}
			want := &types.CodeDeliveryDetailsType{Destination: aws.String("f***@e***"), DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}
			if d := diff(want, out.CodeDeliveryDetails); d != "" {
				t.Errorf("ForgotPassword CodeDeliveryDetails (-want +got):\n%s", d)
			}
			code := e.lastCode(t, poolID, "forgetful")
			confirm := func(code, pw string) error {
				_, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
					ClientId: aws.String(clientID), Username: aws.String("forgetful"), ConfirmationCode: aws.String(code), Password: aws.String(pw),
				})
				return err
			}
			wantAPIError[*types.CodeMismatchException](t, confirm(userOtherCode(code), "N3w-Passw0rd"), "Invalid verification code provided, please try again.")
			wantAPIError[*types.InvalidPasswordException](t, confirm(code, "weak"), "Password does not conform to policy: Password not long enough")
			if err := confirm(code, "N3w-Passw0rd"); err != nil {
				t.Fatalf("ConfirmForgotPassword: %v", err)
			}
			wantAPIError[*types.ExpiredCodeException](t, confirm(code, "An0ther-Passw0rd"), "Invalid code provided, please request a code again.")
			e.signIn(t, clientID, "forgetful", "N3w-Passw0rd")
			_, err = e.passwordAuth(clientID, "forgetful", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})

		t.Run("ChangePassword", func(t *testing.T) {
			e.confirmedUser(t, poolID, "changer", userPassword)
			tok := e.signIn(t, clientID, "changer", userPassword)
			change := func(prev, next string) error {
				_, err := e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String(prev), ProposedPassword: aws.String(next)})
				return err
			}
			wantAPIError[*types.NotAuthorizedException](t, change("Wrong-Passw0rd", "N3w-Passw0rd"), "Incorrect username or password.")
			wantAPIError[*types.InvalidPasswordException](t, change(userPassword, "weak"), "Password did not conform with policy: Password not long enough")
			if err := change(userPassword, "N3w-Passw0rd"); err != nil {
				t.Fatalf("ChangePassword: %v", err)
			}
			e.signIn(t, clientID, "changer", "N3w-Passw0rd")
			_, err := e.passwordAuth(clientID, "changer", userPassword)
			wantAPIError[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			_, err = e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String("garbage"), PreviousPassword: aws.String("N3w-Passw0rd"), ProposedPassword: aws.String("An0ther-Passw0rd")})
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid Access Token")
		})

		// From here on the clock moves.
		t.Run("expiry", func(t *testing.T) {
			create(t, poolID, "latecomer", func(in *cip.AdminCreateUserInput) { in.TemporaryPassword = aws.String("Temp-Passw0rd") })
			create(t, poolID, "slowpoke", func(in *cip.AdminCreateUserInput) { in.TemporaryPassword = aws.String("Temp-Passw0rd") })
			e.confirmedUser(t, poolID, "tardy", userPassword, userAttrs("email", "tardy@example.com", "email_verified", "true")...)
			if _, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("dawdler"), Password: aws.String(userPassword), UserAttributes: userAttrs("email", "dawdler@example.com")}); err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if _, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String("tardy")}); err != nil {
				t.Fatalf("ForgotPassword: %v", err)
			}
			forgotCode, signUpCode := e.lastCode(t, poolID, "tardy"), e.lastCode(t, poolID, "dawdler")
			challenge, err := e.passwordAuth(clientID, "slowpoke", "Temp-Passw0rd")
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}

			// The NEW_PASSWORD_REQUIRED session lasts 3 minutes.
			e.advance(t, 4*time.Minute)
			_, err = respondNewPassword(clientID, aws.ToString(challenge.Session), "slowpoke", "N3w-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

			// A forgot-password code lasts an hour.
			e.advance(t, 57*time.Minute)
			_, err = e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
				ClientId: aws.String(clientID), Username: aws.String("tardy"), ConfirmationCode: aws.String(forgotCode), Password: aws.String("N3w-Passw0rd"),
			})
			wantAPIError[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")
			e.signIn(t, clientID, "tardy", userPassword)

			// A temporary password lasts TemporaryPasswordValidityDays (1), a
			// sign-up code 24 hours.
			e.advance(t, 24*time.Hour)
			_, err = e.passwordAuth(clientID, "latecomer", "Temp-Passw0rd")
			wantAPIError[*types.NotAuthorizedException](t, err, "Temporary password has expired and must be reset by an administrator.")
			_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("dawdler"), ConfirmationCode: aws.String(signUpCode)})
			wantAPIError[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")
			// An administrator's new temporary password starts a new day.
			if _, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(poolID), Username: aws.String("latecomer"), Password: aws.String("Temp2-Passw0rd")}); err != nil {
				t.Fatalf("AdminSetUserPassword: %v", err)
			}
			out, err := e.passwordAuth(clientID, "latecomer", "Temp2-Passw0rd")
			if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Errorf("sign-in with the new temporary password: %v %v", err, out)
			}
		})
	})
}
