package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/api/model"
)

const (
	// DefaultTimeout bounds each attempt: Cognito gives a synchronous
	// trigger 5 seconds (behaviour reference §3.3).
	DefaultTimeout = 5 * time.Second
	// maxAttempts counts the first call: a transport failure is tried
	// three times in all, then the call fails (behaviour reference §3.3).
	maxAttempts = 3
	// maxBackoff caps the pause between attempts; the SDK's exponential
	// jitter starts at 50 ms, so three attempts stay well inside a request.
	maxBackoff = time.Second
	// localCredential is the access key and secret used when neither the
	// configuration nor the environment has any (local mode): the function
	// endpoint is then an emulator that accepts any signature.
	localCredential = "cognate"
)

// Short reasons in UnexpectedLambdaException texts that are not a Lambda
// error code.
const (
	// Real text: furaiev/amazon-cognito-identity-dart-2#204 quotes
	// "PostAuthentication invocation failed due to error Socket timeout while
	// invoking Lambda function." (behaviour reference §3.4).
	reasonTimeout = "Socket timeout while invoking Lambda function"
	// Inferred: Cognito's own network never refuses it, so no real text is
	// known for a refused or dropped connection; this follows the timeout's
	// wording.
	reasonTransport = "Socket error while invoking Lambda function"
	// Inferred: a function ARN Cognito would not have accepted in
	// LambdaConfig; Lambda answers such names with this code.
	reasonBadARN = "InvalidParameterValueException"
)

// Texts of InvalidLambdaResponseException.
const (
	// The output is not JSON, or is JSON null (a Node handler that returns
	// nothing, a Python one that returns None). Real text, quoted in public
	// code about exactly those handlers (a PostAuthentication handler that
	// "returns void", a Python PostConfirmation handler without
	// "return event").
	textInvalidJSON = "Invalid lambda function output : Invalid JSON"
	// JSON of the wrong shape: not an object, no "response" member, or a
	// member of the wrong type. Real text: aws-amplify/amplify-studio#1006,
	// amazon-archives/amazon-cognito-identity-js#633, StackOverflow 42706896
	// (a handler that returned something other than the event).
	textUnrecognizable = "Unrecognizable lambda output"
)

// Config configures an Invoker.
type Config struct {
	// Endpoint is the Lambda endpoint (--lambda-endpoint). Empty means the
	// AWS_ENDPOINT_URL_LAMBDA environment variable, as the AWS SDKs read
	// it, and failing that AWS's regional endpoint for the function's region.
	Endpoint string
	// AccessKeyID, SecretAccessKey and SessionToken sign the calls. Empty
	// means AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
	// from the environment, and failing that the dummy pair
	// "cognate"/"cognate" (local mode). The network credential chain
	// (instance metadata, SSO, …) is never consulted.
	AccessKeyID, SecretAccessKey, SessionToken string
	// Timeout bounds each attempt; 0 means DefaultTimeout.
	Timeout time.Duration
	// Logger receives one line per call; nil discards them.
	Logger *slog.Logger
	// Observe, when set, learns every invocation's trigger source, outcome
	// (ok, rejected, function_error, invoke_failed, canceled) and duration.
	Observe func(source, outcome string, d time.Duration)
}

// Invoker calls Lambda functions for triggers. It is safe for concurrent use.
type Invoker struct {
	endpoint string
	creds    aws.CredentialsProvider
	timeout  time.Duration
	log      *slog.Logger
	observe  func(source, outcome string, d time.Duration)
	// transport, when set (tests), wraps the HTTP transport of new clients.
	transport func(http.RoundTripper) http.RoundTripper

	mu      sync.Mutex
	clients map[string]*lambda.Client // by region
}

// New returns an Invoker. It reads the environment once, here.
func New(cfg Config) *Invoker {
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL_LAMBDA")
	}
	akid, secret, token := cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken
	if akid == "" || secret == "" {
		akid, secret, token = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")
	}
	if akid == "" || secret == "" {
		akid, secret, token = localCredential, localCredential, ""
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Invoker{
		endpoint: endpoint,
		creds:    credentials.NewStaticCredentialsProvider(akid, secret, token),
		timeout:  timeout,
		log:      log,
		observe:  cfg.Observe,
		clients:  map[string]*lambda.Client{},
	}
}

// client returns the cached Lambda client for region.
func (inv *Invoker) client(region string) *lambda.Client {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if c := inv.clients[region]; c != nil {
		return c
	}
	var rt http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if inv.transport != nil {
		rt = inv.transport(rt)
	}
	opts := lambda.Options{
		Region:      region,
		Credentials: inv.creds,
		// http.Client.Timeout covers one attempt, body included; its
		// expiry is a transport error the retryer retries, unlike the
		// expiry of the caller's context.
		HTTPClient:       &http.Client{Timeout: inv.timeout, Transport: rt},
		RetryMaxAttempts: maxAttempts,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			// Every call gets its three attempts, however many failed
			// before it: Cognito has no client-side retry quota.
			o.RateLimiter = ratelimit.None
		}),
	}
	if inv.endpoint != "" {
		opts.BaseEndpoint = aws.String(inv.endpoint)
	}
	c := lambda.New(opts)
	inv.clients[region] = c
	return c
}

// call invokes functionARN with the event payload and returns the
// function's output. Failures come back as *model.Error, except when ctx
// ended first, which returns ctx's error.
func (inv *Invoker) call(ctx context.Context, source, functionARN string, event []byte) ([]byte, error) {
	start := time.Now()
	region, name, ok := parseFunctionARN(functionARN)
	if !ok {
		inv.logCall(ctx, source, functionARN, "invoke_failed", start, slog.String("reason", reasonBadARN))
		return nil, invocationFailed(source, reasonBadARN)
	}
	out, err := inv.client(region).Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(functionARN),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        event,
	})
	if err != nil {
		if ctx.Err() != nil {
			inv.logCall(ctx, source, name, "canceled", start)
			return nil, ctx.Err()
		}
		reason := failureReason(err)
		inv.logCall(ctx, source, name, "invoke_failed", start, slog.String("reason", reason))
		return nil, invocationFailed(source, reason)
	}
	if out.FunctionError != nil {
		// The function ran and failed (X-Amz-Function-Error): Lambda
		// answered 200 with {"errorMessage":…,"errorType":…}. Never retried.
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &fe) // a payload without them gives an empty message
		inv.logCall(ctx, source, name, "function_error", start, slog.String("error_type", fe.ErrorType))
		// Real text, doubled dot included: "PreSignUp failed with error
		// Registration from this domain is not allowed.." and "PreSignUp
		// failed with error callback is not a function."
		// (aws-amplify/amplify-flutter#1051; behaviour reference §3.4).
		return nil, model.Errorf(model.UserLambdaValidationException, "%s failed with error %s.", source, fe.ErrorMessage)
	}
	return out.Payload, nil // logged by Invoke, once the answer is vetted
}

// invocationFailed is Cognito's UnexpectedLambdaException. Real texts name
// Lambda's error code: "PreSignUp invocation failed due to error
// AccessDeniedException", "PostConfirmation invocation failed due to error
// AccessDeniedException" (aws/serverless-application-model#1253,
// awslabs/service-workbench-on-aws#1136,
// amazon-archives/amazon-cognito-auth-js#223), "PreSignUp invocation failed
// due to error ResourceConflictException" (quoted in public Terraform). A
// deleted function answers AccessDeniedException too: AWS's Knowledge Center
// (cognito-lambda-trigger-errors) says the AccessDeniedException text "also
// occurs when you delete the function". Other codes (ServiceException,
// TooManyRequestsException) are inferred to follow the same form.
func invocationFailed(source, reason string) error {
	return model.Errorf(model.UnexpectedLambdaException, "%s invocation failed due to error %s.", source, reason)
}

// failureReason is the short reason for an invocation that did not reach
// or did not complete in the function.
func failureReason(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
		if apiErr.ErrorCode() == "ResourceNotFoundException" {
			return "AccessDeniedException"
		}
		return apiErr.ErrorCode()
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return reasonTimeout
	}
	return reasonTransport
}

func (inv *Invoker) logCall(ctx context.Context, source, function, outcome string, start time.Time, attrs ...slog.Attr) {
	level := slog.LevelInfo
	if outcome != "ok" {
		level = slog.LevelWarn
	}
	attrs = append([]slog.Attr{
		slog.String("source", source),
		slog.String("function", function),
		slog.String("outcome", outcome),
		slog.Duration("duration", time.Since(start)),
	}, attrs...)
	inv.log.LogAttrs(ctx, level, "lambda trigger", attrs...)
	if inv.observe != nil {
		inv.observe(source, outcome, time.Since(start))
	}
}

// parseFunctionARN splits arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>].
func parseFunctionARN(arn string) (region, name string, ok bool) {
	p := strings.Split(arn, ":")
	if len(p) < 7 || len(p) > 8 || p[0] != "arn" || p[1] == "" || p[2] != "lambda" ||
		p[3] == "" || p[4] == "" || p[5] != "function" || p[6] == "" {
		return "", "", false
	}
	if len(p) == 8 && p[7] == "" {
		return "", "", false
	}
	return p[3], p[6], true
}
