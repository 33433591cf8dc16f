package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/cognate/cognate/internal/api/model"
)

type customMessageEvent = events.CognitoEventUserPoolsCustomMessage

const testAKID = "AKIDTRIGGERTEST"

func testInvoker(endpoint string) *Invoker {
	return New(Config{Endpoint: endpoint, AccessKeyID: testAKID, SecretAccessKey: "secret"})
}

func signUpRequest() CustomMessageRequest {
	return CustomMessageRequest{
		Region:        "us-east-1",
		PoolID:        "us-east-1_Pool1",
		ClientID:      "client123",
		UserName:      "alice",
		TriggerSource: CustomMessageSignUp,
		UserAttributes: map[string]string{
			"sub":                 "8c1f6a2e-0000-4000-8000-000000000001",
			"email":               "alice@example.com",
			"email_verified":      "false",
			"cognito:user_status": "UNCONFIRMED",
			"cognito:email_alias": "alice@example.com",
		},
		ClientMetadata: map[string]string{"lang": "fr"},
	}
}

func str(s string) *string { return &s }

func TestCustomMessageOverrides(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.goFunction("custom", func(_ context.Context, ev customMessageEvent) (customMessageEvent, error) {
		ev.Response.SMSMessage = "SMS " + ev.Request.CodeParameter
		ev.Response.EmailMessage = "<p>Hello " + ev.Request.UserAttributes["email"].(string) + ", your code is " + ev.Request.CodeParameter + "</p>"
		ev.Response.EmailSubject = "Welcome"
		return ev, nil
	})
	got, err := testInvoker(f.URL).CustomMessage(context.Background(), arn("us-east-1", "custom"), signUpRequest(), true)
	if err != nil {
		t.Fatal(err)
	}
	want := CustomMessageResponse{
		SMSMessage:   str("SMS {####}"),
		EmailMessage: str("<p>Hello alice@example.com, your code is {####}</p>"),
		EmailSubject: str("Welcome"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("response (-want +got):\n%s", diff)
	}
	if n := len(f.calls("custom")); n != 1 {
		t.Fatalf("%d invocations, want 1", n)
	}
}

func TestCustomMessageNullsKeepTemplates(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	// A Go function that returns the event untouched sends "" for every
	// member (aws-lambda-go's struct has no omitempty).
	f.goFunction("echo", func(_ context.Context, ev customMessageEvent) (customMessageEvent, error) { return ev, nil })
	// A Node function that returns the event untouched sends the nulls back.
	f.rawFunction("nulls", `{"version":"1","triggerSource":"CustomMessage_SignUp","request":{},"response":{"smsMessage":null,"emailMessage":null,"emailSubject":null}}`)
	// Only the response member: enough (re:Post, "Setting just the Response field … seems to work").
	f.rawFunction("bare", `{"response":{}}`)
	inv := testInvoker(f.URL)
	for _, name := range []string{"echo", "nulls", "bare"} {
		got, err := inv.CustomMessage(context.Background(), arn("us-east-1", name), signUpRequest(), false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != (CustomMessageResponse{}) {
			t.Fatalf("%s: response = %+v, want all nil", name, got)
		}
	}
}

func TestCustomMessageEventAsSent(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	var seen customMessageEvent
	f.goFunction("capture", func(_ context.Context, ev customMessageEvent) (customMessageEvent, error) {
		seen = ev
		return ev, nil
	})
	inv := testInvoker(f.URL)
	req := signUpRequest()
	if _, err := inv.CustomMessage(context.Background(), arn("us-east-1", "capture"), req, true); err != nil {
		t.Fatal(err)
	}

	// It decodes into aws-lambda-go's type with every member where a
	// handler looks for it.
	attrs := map[string]any{}
	for k, v := range req.UserAttributes {
		attrs[k] = v
	}
	want := customMessageEvent{
		CognitoEventUserPoolsHeader: events.CognitoEventUserPoolsHeader{
			Version:       "1",
			TriggerSource: "CustomMessage_SignUp",
			Region:        "us-east-1",
			UserPoolID:    "us-east-1_Pool1",
			CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: "client123"},
			UserName:      "alice",
		},
		Request: events.CognitoEventUserPoolsCustomMessageRequest{
			UserAttributes: attrs,
			CodeParameter:  "{####}",
			ClientMetadata: map[string]string{"lang": "fr"},
		},
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Fatalf("decoded event (-want +got):\n%s", diff)
	}

	// And the JSON is §3.2's, member for member (linkParameter and the
	// nulls included, which aws-lambda-go's type does not model).
	wantJSON := `{"version":"1","region":"us-east-1","userPoolId":"us-east-1_Pool1","userName":"alice",
		"callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"client123"},
		"triggerSource":"CustomMessage_SignUp",
		"request":{"userAttributes":{"sub":"8c1f6a2e-0000-4000-8000-000000000001","email":"alice@example.com",
			"email_verified":"false","cognito:user_status":"UNCONFIRMED","cognito:email_alias":"alice@example.com"},
			"codeParameter":"{####}","linkParameter":"{##Click Here##}","usernameParameter":null,"clientMetadata":{"lang":"fr"}},
		"response":{"smsMessage":null,"emailMessage":null,"emailSubject":null}}`
	sameJSON(t, wantJSON, f.calls("capture")[0].payload)
}

func TestCustomMessageEventOptionalMembers(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.rawFunction("capture", `{"response":{}}`)
	inv := testInvoker(f.URL)
	req := CustomMessageRequest{
		Region: "eu-west-1", PoolID: "eu-west-1_Pool2", UserName: "bob",
		TriggerSource: CustomMessageAdminCreateUser,
	}
	if _, err := inv.CustomMessage(context.Background(), arn("eu-west-1", "capture"), req, true); err != nil {
		t.Fatal(err)
	}
	// No client (an admin call): clientId null. No ClientMetadata: the
	// member is absent, never null. AdminCreateUser: usernameParameter set.
	// No attributes: an empty object.
	wantJSON := `{"version":"1","region":"eu-west-1","userPoolId":"eu-west-1_Pool2","userName":"bob",
		"callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":null},
		"triggerSource":"CustomMessage_AdminCreateUser",
		"request":{"userAttributes":{},"codeParameter":"{####}","linkParameter":"{##Click Here##}","usernameParameter":"{username}"},
		"response":{"smsMessage":null,"emailMessage":null,"emailSubject":null}}`
	sameJSON(t, wantJSON, f.calls("capture")[0].payload)
}

func sameJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("event is not JSON: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Fatalf("event JSON (-want +got):\n%s\nsent: %s", diff, got)
	}
}

func TestFunctionErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.goFunction("refuse", func(context.Context, customMessageEvent) (customMessageEvent, error) {
		return customMessageEvent{}, errors.New("Registration from this domain is not allowed.")
	})
	_, err := testInvoker(f.URL).CustomMessage(context.Background(), arn("us-east-1", "refuse"), signUpRequest(), true)
	apiError(t, err, model.UserLambdaValidationException, "CustomMessage failed with error Registration from this domain is not allowed..")
	if n := len(f.calls("refuse")); n != 1 {
		t.Fatalf("%d invocations of a failing function, want 1 (function errors are not retried)", n)
	}
}

func TestTimeoutRetriedThenUnexpected(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.goFunction("slow", func(ctx context.Context, ev customMessageEvent) (customMessageEvent, error) {
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done(): // the caller gave up; stop like a timed-out runtime
		}
		return ev, nil
	})
	inv := New(Config{Endpoint: f.URL, AccessKeyID: testAKID, SecretAccessKey: "secret", Timeout: 150 * time.Millisecond})
	start := time.Now()
	_, err := inv.CustomMessage(context.Background(), arn("us-east-1", "slow"), signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error Socket timeout while invoking Lambda function.")
	if n := len(f.calls("slow")); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("took %v: the per-attempt timeout did not hold", d)
	}
}

func TestServiceErrorRetriedThreeTimes(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.failing("broken", http.StatusInternalServerError, "ServiceException")
	_, err := testInvoker(f.URL).CustomMessage(context.Background(), arn("us-east-1", "broken"), signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error ServiceException.")
	if n := len(f.calls("broken")); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
}

func TestClientErrorsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.failing("denied", http.StatusForbidden, "AccessDeniedException")
	inv := testInvoker(f.URL)
	_, err := inv.CustomMessage(context.Background(), arn("us-east-1", "denied"), signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error AccessDeniedException.")
	if n := len(f.calls("denied")); n != 1 {
		t.Fatalf("AccessDenied: %d attempts, want 1", n)
	}
	_, err = inv.CustomMessage(context.Background(), arn("us-east-1", "deleted"), signUpRequest(), true)
	// A deleted function is reported as AccessDeniedException, as AWS's
	// Knowledge Center describes.
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error AccessDeniedException.")
	if n := len(f.calls("deleted")); n != 1 {
		t.Fatalf("ResourceNotFound: %d attempts, want 1", n)
	}
}

// countingTransport counts round trips, including those that never reach
// a server.
type countingTransport struct {
	n  atomic.Int32
	rt http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

func TestConnectionRefusedRetriedThreeTimes(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	counter := &countingTransport{}
	inv := testInvoker(endpoint)
	inv.transport = func(rt http.RoundTripper) http.RoundTripper { counter.rt = rt; return counter }
	_, err = inv.CustomMessage(context.Background(), arn("us-east-1", "gone"), signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error Socket error while invoking Lambda function.")
	if n := counter.n.Load(); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
}

func TestDroppedConnectionRetriedThreeTimes(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close() // hang up before answering
		}
	}()
	_, err = testInvoker("http://"+ln.Addr().String()).CustomMessage(context.Background(), arn("us-east-1", "flaky"), signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error Socket error while invoking Lambda function.")
	if n := accepted.Load(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
}

func TestUnusableOutput(t *testing.T) {
	t.Parallel()
	const (
		invalidJSON    = "Invalid lambda function output : Invalid JSON"
		unrecognizable = "Unrecognizable lambda output"
	)
	cases := []struct{ name, out, want string }{
		{"garbage", `Task timed out, maybe`, invalidJSON},
		{"empty", ``, invalidJSON},
		{"null", `null`, invalidJSON}, // a handler that returns nothing
		{"truncated", `{"response":{"smsMessage":"x"`, invalidJSON},
		{"string", `"Authentication approved"`, unrecognizable},
		{"array", `[{"response":{}}]`, unrecognizable},
		{"noresponse", `{"version":"1","request":{}}`, unrecognizable},
		{"pascal", `{"Version":"1","Response":{"SmsMessage":"x {####}"}}`, unrecognizable},
		{"responsenull", `{"response":null}`, unrecognizable},
		{"responsestring", `{"response":"ok"}`, unrecognizable},
		{"wrongtype", `{"response":{"smsMessage":42}}`, unrecognizable},
	}
	f := newFakeLambda(t)
	for _, c := range cases {
		f.rawFunction(c.name, c.out)
	}
	inv := testInvoker(f.URL)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := inv.CustomMessage(context.Background(), arn("us-east-1", c.name), signUpRequest(), true)
			apiError(t, err, model.InvalidLambdaResponseException, c.want)
		})
	}
}

func TestCustomMessageChecks(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 20001-len("{####}")) + "{####}"
	cases := []struct {
		name      string
		source    string
		developer bool
		out       CustomMessageResponse
		want      CustomMessageResponse
		wantType  string
		wantMsg   string
	}{
		{
			name: "email without code", source: CustomMessageForgotPassword, developer: true,
			out:      CustomMessageResponse{EmailMessage: str("Reset your password")},
			wantType: model.InvalidParameterException,
			wantMsg:  `1 validation error detected: Value 'Reset your password' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`,
		},
		{
			// A no-break space is not in the pattern's classes
			// (aws-amplify/amplify-js#6917: React's &nbsp;).
			name: "email with a no-break space", source: CustomMessageSignUp, developer: true,
			out:      CustomMessageResponse{EmailMessage: str("<p>Code {####}</p><p>\u00a0</p>")},
			wantType: model.InvalidParameterException,
			wantMsg:  "1 validation error detected: Value '<p>Code {####}</p><p>\u00a0</p>' at 'emailBody' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*",
		},
		{
			name: "sms without code", source: CustomMessageAuthentication,
			out:      CustomMessageResponse{SMSMessage: str("Your code")},
			wantType: model.InvalidParameterException,
			wantMsg:  `1 validation error detected: Value 'Your code' at 'smsMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\{####\}.*`,
		},
		{
			name: "email while not DEVELOPER", source: CustomMessageSignUp,
			out:      CustomMessageResponse{EmailMessage: str("Code {####}")},
			wantType: model.InvalidLambdaResponseException,
			wantMsg:  "Invalid lambda function output : emailMessage and emailSubject require EmailSendingAccount DEVELOPER",
		},
		{
			name: "subject while not DEVELOPER", source: CustomMessageSignUp,
			out:      CustomMessageResponse{EmailSubject: str("Hi")},
			wantType: model.InvalidLambdaResponseException,
			wantMsg:  "Invalid lambda function output : emailMessage and emailSubject require EmailSendingAccount DEVELOPER",
		},
		{
			name: "sms while not DEVELOPER", source: CustomMessageSignUp,
			out:  CustomMessageResponse{SMSMessage: str("Code {####}")},
			want: CustomMessageResponse{SMSMessage: str("Code {####}")},
		},
		{
			name: "admin create user without username", source: CustomMessageAdminCreateUser, developer: true,
			out:  CustomMessageResponse{EmailMessage: str("Password {####}"), SMSMessage: str("{username} {####}"), EmailSubject: str("Welcome")},
			want: CustomMessageResponse{SMSMessage: str("{username} {####}"), EmailSubject: str("Welcome")},
		},
		{
			name: "admin create user without code", source: CustomMessageAdminCreateUser, developer: true,
			out:  CustomMessageResponse{EmailMessage: str("Hello {username}, {####}"), SMSMessage: str("Hello {username}")},
			want: CustomMessageResponse{EmailMessage: str("Hello {username}, {####}")},
		},
		{
			name: "email over 20000 characters", source: CustomMessageSignUp, developer: true,
			out:  CustomMessageResponse{EmailMessage: &long, EmailSubject: str("Long")},
			want: CustomMessageResponse{EmailSubject: str("Long")},
		},
		{
			name: "email of 20000 characters", source: CustomMessageSignUp, developer: true,
			out:  CustomMessageResponse{EmailMessage: str(long[len("é"):])},
			want: CustomMessageResponse{EmailMessage: str(long[len("é"):])},
		},
		{
			name: "sms over 140 characters", source: CustomMessageResendCode,
			out:  CustomMessageResponse{SMSMessage: str(strings.Repeat("x", 135) + "{####}")},
			want: CustomMessageResponse{},
		},
		{
			name: "empty strings are nulls", source: CustomMessageSignUp,
			out:  CustomMessageResponse{SMSMessage: str(""), EmailMessage: str(""), EmailSubject: str("")},
			want: CustomMessageResponse{},
		},
	}
	f := newFakeLambda(t)
	inv := testInvoker(f.URL)
	for i, c := range cases {
		name := "check" + string(rune('a'+i))
		out, _ := json.Marshal(map[string]any{"response": c.out})
		f.rawFunction(name, string(out))
		t.Run(c.name, func(t *testing.T) {
			req := signUpRequest()
			req.TriggerSource = c.source
			got, err := inv.CustomMessage(context.Background(), arn("us-east-1", name), req, c.developer)
			if c.wantType != "" {
				apiError(t, err, c.wantType, c.wantMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Fatalf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegionFromARNAndStaticCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.rawFunction("east", `{"response":{}}`)
	f.rawFunction("west", `{"response":{}}`)
	inv := testInvoker(f.URL)
	ctx := context.Background()
	if _, err := inv.CustomMessage(ctx, arn("us-east-1", "east"), signUpRequest(), true); err != nil {
		t.Fatal(err)
	}
	// A qualified ARN in another region (and another partition).
	if _, err := inv.CustomMessage(ctx, "arn:aws-cn:lambda:cn-north-1:123456789012:function:west:live", signUpRequest(), true); err != nil {
		t.Fatal(err)
	}
	for name, region := range map[string]string{"east": "us-east-1", "west": "cn-north-1"} {
		r := f.calls(name)[0]
		scope := "Credential=" + testAKID + "/"
		if !strings.HasPrefix(r.authorization, "AWS4-HMAC-SHA256 "+scope) || !strings.Contains(r.authorization, "/"+region+"/lambda/aws4_request") {
			t.Errorf("%s: Authorization %q, want SigV4 by %s scoped to %s/lambda", name, r.authorization, testAKID, region)
		}
	}
	// The whole ARN is the function name on the wire, as Cognito sends it.
	if p := f.calls("west")[0].path; p != "/2015-03-31/functions/arn%3Aaws-cn%3Alambda%3Acn-north-1%3A123456789012%3Afunction%3Awest%3Alive/invocations" {
		t.Errorf("path = %s", p)
	}
	if n := len(inv.clients); n != 2 {
		t.Errorf("%d cached clients, want one per region (2)", n)
	}
}

// TestNoNetworkCredentials points every network credential source the SDK
// knows at a server that counts hits: with no keys configured, the dummy
// local pair signs and nothing is asked.
func TestNoNetworkCredentials(t *testing.T) {
	var lookups atomic.Int32
	creds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lookups.Add(1)
		http.Error(w, "no", http.StatusNotFound)
	}))
	defer creds.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "nonexistent")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", creds.URL)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", creds.URL+"/creds")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")

	f := newFakeLambda(t)
	f.rawFunction("local", `{"response":{}}`)
	if _, err := New(Config{Endpoint: f.URL}).CustomMessage(context.Background(), arn("us-east-1", "local"), signUpRequest(), true); err != nil {
		t.Fatal(err)
	}
	if a := f.calls("local")[0].authorization; !strings.Contains(a, "Credential=cognate/") {
		t.Errorf("Authorization %q, want the local pair cognate/cognate", a)
	}
	if n := lookups.Load(); n != 0 {
		t.Errorf("%d credential lookups on the network, want 0", n)
	}
}

func TestCredentialsAndEndpointFromEnvironment(t *testing.T) {
	f := newFakeLambda(t)
	f.rawFunction("env", `{"response":{}}`)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token-from-env")
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", f.URL)
	if _, err := New(Config{}).CustomMessage(context.Background(), arn("us-west-2", "env"), signUpRequest(), true); err != nil {
		t.Fatal(err)
	}
	if a := f.calls("env")[0].authorization; !strings.Contains(a, "Credential=AKIDFROMENV/") || !strings.Contains(a, "/us-west-2/lambda/") {
		t.Errorf("Authorization %q", a)
	}
}

func TestLogsNoPayload(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu syncWriter
	mu.w = &buf
	f := newFakeLambda(t)
	f.rawFunction("logged", `{"response":{"smsMessage":"secret-sms {####}"}}`)
	f.goFunction("failing", func(context.Context, customMessageEvent) (customMessageEvent, error) {
		return customMessageEvent{}, errors.New("nope")
	})
	inv := New(Config{Endpoint: f.URL, AccessKeyID: testAKID, SecretAccessKey: "secret", Logger: slog.New(slog.NewJSONHandler(&mu, nil))})
	req := signUpRequest()
	if _, err := inv.CustomMessage(context.Background(), arn("us-east-1", "logged"), req, true); err != nil {
		t.Fatal(err)
	}
	inv.CustomMessage(context.Background(), arn("us-east-1", "failing"), req, true)
	logs := mu.String()
	for _, leak := range []string{"alice@example.com", "{####}", "secret-sms", "lang", "8c1f6a2e"} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q:\n%s", leak, logs)
		}
	}
	for _, want := range []string{`"source":"CustomMessage"`, `"function":"logged"`, `"outcome":"ok"`, `"outcome":"function_error"`, `"duration"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestUnknownTriggerSource(t *testing.T) {
	t.Parallel()
	req := signUpRequest()
	req.TriggerSource = "PreSignUp_SignUp"
	_, err := testInvoker("http://127.0.0.1:1").CustomMessage(context.Background(), arn("us-east-1", "x"), req, true)
	var e *model.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("error = %v, want a plain (programming) error", err)
	}
}

func TestParseFunctionARN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		arn, region, name string
		ok                bool
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "us-east-1", "f", true},
		{"arn:aws:lambda:eu-west-3:123456789012:function:f:$LATEST", "eu-west-3", "f", true},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:3", "us-gov-west-1", "f", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:", "", "", false},
		{"arn:aws:lambda::123456789012:function:f", "", "", false},
		{"arn:aws:s3:us-east-1:123456789012:function:f", "", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:layer:f", "", "", false},
		{"my-function", "", "", false},
	}
	for _, c := range cases {
		region, name, ok := parseFunctionARN(c.arn)
		if region != c.region || name != c.name || ok != c.ok {
			t.Errorf("parseFunctionARN(%q) = %q, %q, %v; want %q, %q, %v", c.arn, region, name, ok, c.region, c.name, c.ok)
		}
	}
	_, err := testInvoker("http://127.0.0.1:1").CustomMessage(context.Background(), "my-function", signUpRequest(), true)
	apiError(t, err, model.UnexpectedLambdaException, "CustomMessage invocation failed due to error InvalidParameterValueException.")
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.rawFunction("any", `{"response":{}}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := testInvoker(f.URL).CustomMessage(ctx, arn("us-east-1", "any"), signUpRequest(), true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
