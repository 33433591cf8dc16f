package server_test

// UpdateUserAttributes acceptance suite, part 3: the CustomMessage trigger,
// a real aws-lambda-go handler served over the Lambda Invoke API (§3).

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

func attrsTriggerTests(t *testing.T, ps *attrsPools) {
	p := ps.main
	ctx := context.Background()

	attrsCase(t, "event of UpdateUserAttributes", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
		next := attrsEmail(p.env.next())
		meta := map[string]string{"k": "v", "lang": "fr"}
		u.mustUpdate(t, meta, "name", "Bob", "email", next)
		calls := u.invocations()
		if len(calls) != 1 {
			t.Fatalf("%d Lambda calls, want 1", len(calls))
		}
		c := calls[0]
		ev := c.Event
		if c.Function != attrsFunctionARN() && c.Function != attrsFunctionName {
			t.Errorf("function = %q, want %s", c.Function, attrsFunctionARN())
		}
		if ev.Version != "1" || ev.Region != "us-east-1" || ev.UserPoolID != p.id || ev.UserName != u.Username ||
			ev.TriggerSource != attrsSourceUpdate || ev.CallerContext.ClientID != u.ClientID || ev.CallerContext.AWSSDKVersion == "" {
			t.Errorf("event header = %+v", ev.CognitoEventUserPoolsHeader)
		}
		if ev.Request.CodeParameter != "{####}" {
			t.Errorf("codeParameter = %q, want {####}", ev.Request.CodeParameter)
		}
		if d := cmp.Diff(meta, ev.Request.ClientMetadata); d != "" {
			t.Errorf("clientMetadata (-want +got):\n%s", d)
		}
		ua := ev.Request.UserAttributes
		for name, want := range map[string]string{
			"email": next, "email_verified": "false", "name": "Bob", "cognito:user_status": "CONFIRMED",
			"sub": attrsMap(u.admin(t).UserAttributes)["sub"],
		} {
			if got, _ := ua[name].(string); got != want {
				t.Errorf("userAttributes[%s] = %#v, want %q", name, ua[name], want)
			}
		}
		req, _ := c.Raw["request"].(map[string]any)
		if v, ok := req["usernameParameter"]; !ok || v != nil {
			t.Errorf("usernameParameter = %#v (present %v), want null", v, ok)
		}
		resp, _ := c.Raw["response"].(map[string]any)
		for _, k := range []string{"smsMessage", "emailMessage", "emailSubject"} {
			if v, ok := resp[k]; !ok || v != nil {
				t.Errorf("response.%s = %#v (present %v), want null", k, v, ok)
			}
		}
		// The function returned the event unchanged: the pool's template.
		if m := u.lastMessage(t); m.Subject != "Your verification code" || m.Body != "Your verification code is "+m.Code+". " {
			t.Errorf("message = %q / %q, want the default template", m.Subject, m.Body)
		}
	})
	attrsCase(t, "the function's email is used", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		next := attrsEmail(p.env.next())
		u.mustUpdate(t, map[string]string{attrsModeKey: attrsModeCustom}, "email", next)
		m := u.lastMessage(t)
		attrsWantMessage(t, m, "email", "EMAIL", next, attrsSourceUpdate)
		if want := strings.ReplaceAll(attrsCustomBody, "{####}", m.Code); m.Subject != attrsCustomSubject || m.Body != want {
			t.Errorf("message = %q / %q, want %q / %q", m.Subject, m.Body, attrsCustomSubject, want)
		}
		if err := u.verify(m.Code); err != nil {
			t.Errorf("VerifyUserAttribute with the code of the custom message: %v", err)
		}
	})
	attrsCase(t, "a handler error rejects the update", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
		before := u.snapshot(t)
		_, err := u.update(map[string]string{attrsModeKey: attrsModeError}, "name", "Bob", "email", attrsEmail(p.env.next()))
		attrsReject[*types.UserLambdaValidationException](t, u.rec, err, "CustomMessage failed with error "+attrsFunctionError+".", "lambda_function_error")
		after := u.snapshot(t)
		if after.Invocations != before.Invocations+1 {
			t.Errorf("%d Lambda calls, want exactly 1 (a function error is not retried)", after.Invocations-before.Invocations)
		}
		after.Invocations = before.Invocations
		if d := cmp.Diff(before, after); d != "" {
			t.Errorf("a rejected request changed the user (-before +after):\n%s", d)
		}
	})
	attrsCase(t, "garbage output rejects the update", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
		before := u.snapshot(t)
		_, err := u.update(map[string]string{attrsModeKey: attrsModeGarbage}, "name", "Bob", "email", attrsEmail(p.env.next()))
		attrsReject[*types.InvalidLambdaResponseException](t, u.rec, err, "Invalid lambda function output : Invalid JSON", "lambda_invalid_response")
		after := u.snapshot(t)
		if after.Invocations != before.Invocations+1 {
			t.Errorf("%d Lambda calls, want exactly 1", after.Invocations-before.Invocations)
		}
		after.Invocations = before.Invocations
		if d := cmp.Diff(before, after); d != "" {
			t.Errorf("a rejected request changed the user (-before +after):\n%s", d)
		}
	})
	attrsCase(t, "a handler error rejects GetUserAttributeVerificationCode", func(t *testing.T) {
		u := p.user(t, attrsUserOpts{})
		before := u.snapshot(t)
		_, err := u.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(u.Access()), AttributeName: aws.String("email"), ClientMetadata: map[string]string{attrsModeKey: attrsModeError},
		})
		attrsReject[*types.UserLambdaValidationException](t, u.rec, err, "CustomMessage failed with error "+attrsFunctionError+".", "lambda_function_error")
		if after := u.snapshot(t); after.Messages != before.Messages {
			t.Errorf("a message was sent after the function failed")
		}
	})
	attrsCase(t, "SignUp", func(t *testing.T) {
		c, _ := p.env.w.recordingClient()
		name := fmt.Sprintf("signup%d", p.env.next())
		email := attrsEmail(p.env.next())
		meta := map[string]string{attrsModeKey: attrsModeCustom, "k": "v"}
		out, err := c.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(p.clients["default"]), Username: aws.String(name), Password: aws.String(attrsPassword),
			UserAttributes: attrsList("email", email), ClientMetadata: meta,
		})
		if err != nil {
			t.Fatalf("SignUp: %v", err)
		}
		if d := diff(attrsPtr(attrsEmailDetails(email)), out.CodeDeliveryDetails); d != "" {
			t.Errorf("CodeDeliveryDetails (-want +got):\n%s", d)
		}
		calls := p.env.lambda.For(p.id, name)
		if len(calls) != 1 {
			t.Fatalf("%d Lambda calls, want 1", len(calls))
		}
		ev := calls[0].Event
		if ev.TriggerSource != "CustomMessage_SignUp" || ev.CallerContext.ClientID != p.clients["default"] || !cmp.Equal(ev.Request.ClientMetadata, meta) ||
			ev.Request.UserAttributes["email"] != email || ev.Request.UserAttributes["cognito:user_status"] != "UNCONFIRMED" || ev.Request.CodeParameter != "{####}" {
			t.Errorf("event = %+v", ev)
		}
		msgs := attrsMessages(t, p.env.w.URL, p.id, name)
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.TriggerSource != "CustomMessage_SignUp" || m.Subject != attrsCustomSubject || m.Body != strings.ReplaceAll(attrsCustomBody, "{####}", m.Code) {
			t.Errorf("message = %+v", m)
		}
		if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(p.clients["default"]), Username: aws.String(name), ConfirmationCode: aws.String(m.Code),
		}); err != nil {
			t.Errorf("ConfirmSignUp with the code of the custom message: %v", err)
		}
	})
	attrsCase(t, "AdminCreateUser", func(t *testing.T) {
		name := fmt.Sprintf("invited%d", p.env.next())
		email := attrsEmail(p.env.next())
		meta := map[string]string{attrsModeKey: attrsModeCustom}
		if _, err := p.env.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(p.id), Username: aws.String(name), UserAttributes: attrsList("email", email),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}, ClientMetadata: meta,
		}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		calls := p.env.lambda.For(p.id, name)
		if len(calls) != 1 {
			t.Fatalf("%d Lambda calls, want 1", len(calls))
		}
		ev := calls[0].Event
		if ev.TriggerSource != "CustomMessage_AdminCreateUser" || ev.Request.UsernameParameter != "{username}" || ev.Request.CodeParameter != "{####}" ||
			!cmp.Equal(ev.Request.ClientMetadata, meta) || ev.Request.UserAttributes["email"] != email {
			t.Errorf("event = %+v", ev)
		}
		msgs := attrsMessages(t, p.env.w.URL, p.id, name)
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		m := msgs[0]
		want := strings.NewReplacer("{username}", name, "{####}", m.Code).Replace(attrsCustomInvite)
		if m.TriggerSource != "CustomMessage_AdminCreateUser" || m.Subject != attrsCustomSubject || m.Body != want || m.Destination != email {
			t.Errorf("message = %+v, want body %q", m, want)
		}
	})
}

// TestAttrsLambdaUnreachable: a CustomMessage function behind an endpoint
// nothing listens on answers UnexpectedLambdaException, and nothing is
// written.
func TestAttrsLambdaUnreachable(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		e := attrsStart(t, b, withLambdaEndpoint("http://127.0.0.1:1"))
		p := attrsMainPool(t, e)
		u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
		before := u.snapshot(t)
		_, err := u.update(nil, "name", "Bob", "email", attrsEmail(e.next()))
		attrsReject[*types.UnexpectedLambdaException](t, u.rec, err,
			"CustomMessage invocation failed due to error Socket error while invoking Lambda function.", "lambda_unreachable")
		u.unchanged(t, before)
		// Nothing to send, nothing to invoke: the update goes through.
		u.mustUpdate(t, nil, "name", "Bob")
	})
}
