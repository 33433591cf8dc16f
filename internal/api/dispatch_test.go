package api_test

// Raw HTTP tests of the edge: api.New with a small table of real handlers
// written here, and golden files for the responses that must never drift.
// Rewrite the golden files with: go test ./internal/api -run TestGolden -update

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/caller"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	target       = "AWSCognitoIdentityProviderService."
	serverRegion = "ap-southeast-2"
	// A well-formed SigV4 Authorization header; Cognate reads its credential
	// scope and, in local mode, does not verify the signature.
	signedEUCentral = "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-central-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
	secretValue     = "s3cr3t-VALUE"
	panicText       = "boom: panic text that must stay in the log"
	plainErrorText  = "database exploded at /var/lib/cognate/secret.db"
)

func ptr[T any](v T) *T { return &v }

// callerEcho is what the echo handlers answer: the caller as the handler sees it.
type callerEcho struct {
	Operation   string
	Region      string
	AccessKeyID string
	Signed      bool
	PoolID      string
	RequestID   string
}

func echoCaller(ctx context.Context, _ model.Input) (any, error) {
	info := caller.From(ctx)
	return callerEcho{
		Operation: info.Operation, Region: info.Region, AccessKeyID: info.AccessKeyID,
		Signed: info.Signed, PoolID: info.PoolID, RequestID: info.RequestID,
	}, nil
}

// fakeHandlers is a tiny operation table exercising every kind of result a
// real handler can produce.
func fakeHandlers() map[string]api.Handler {
	return map[string]api.Handler{
		"DescribeUserPool": api.Op(func(_ context.Context, in *model.DescribeUserPoolRequest) (*model.DescribeUserPoolResponse, error) {
			return &model.DescribeUserPoolResponse{UserPool: &model.UserPoolType{Id: in.UserPoolId, Name: ptr("fake")}}, nil
		}),
		"AssociateSoftwareToken": api.Op(func(context.Context, *model.AssociateSoftwareTokenRequest) (*model.AssociateSoftwareTokenResponse, error) {
			return &model.AssociateSoftwareTokenResponse{SecretCode: ptr("JBSWY3DPEHPK3PXP")}, nil
		}),
		"CreateUserPool": echoCaller,
		"ListUserPools":  echoCaller,
		"InitiateAuth":   echoCaller,
		"AdminGetUser": func(context.Context, model.Input) (any, error) {
			panic(panicText)
		},
		"AdminDeleteUser": func(context.Context, model.Input) (any, error) {
			return nil, errors.New(plainErrorText)
		},
		"GetUser": func(context.Context, model.Input) (any, error) {
			return nil, model.Errorf(model.NotAuthorizedException, "Invalid Access Token")
		},
		"AdminSetUserPassword": func(context.Context, model.Input) (any, error) {
			return nil, nil
		},
		// Echoes the decoded input.
		"AddCustomAttributes": func(_ context.Context, in model.Input) (any, error) {
			return in, nil
		},
		// A handler whose output cannot be encoded (a bug in the handler).
		"AdminEnableUser": func(context.Context, model.Input) (any, error) {
			return map[string]float64{"Broken": math.Inf(1)}, nil
		},
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the JSON log records.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		out = append(out, rec)
	}
	return out
}

type edgeOption func(*api.Config)

func secure(cfg *api.Config) { cfg.Mode = api.ModeSecure }

// newEdge returns the edge over fakeHandlers and the buffer its JSON log goes to.
func newEdge(opts ...edgeOption) (http.Handler, *syncBuffer) {
	logs := &syncBuffer{}
	cfg := api.Config{
		Mode:     api.ModeLocal,
		Region:   serverRegion,
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Handlers: fakeHandlers(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return api.New(cfg), logs
}

// request describes one raw HTTP request.
type request struct {
	method  string // POST when empty
	path    string // "/" when empty
	op      string // X-Amz-Target is target+op when op is set
	target  string // a raw X-Amz-Target, when op is empty
	ctype   string // Content-Type; application/x-amz-json-1.1 when empty, "-" for none
	headers map[string]string
	body    string
}

func (r request) build() *http.Request {
	method, path := r.method, r.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/"
	}
	req := httptest.NewRequest(method, path, strings.NewReader(r.body))
	switch {
	case r.op != "":
		req.Header.Set("X-Amz-Target", target+r.op)
	case r.target != "":
		req.Header.Set("X-Amz-Target", r.target)
	}
	switch r.ctype {
	case "":
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		}
	case "-":
	default:
		req.Header.Set("Content-Type", r.ctype)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	return req
}

func serve(h http.Handler, r request) (*http.Response, []byte) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r.build())
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// requestID returns the response's x-amzn-RequestId after checking that it
// is a UUID.
func requestID(t *testing.T, resp *http.Response) string {
	t.Helper()
	id := resp.Header.Get("x-amzn-RequestId")
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		t.Fatalf("x-amzn-RequestId = %q, want a UUID", id)
	}
	return id
}

type awsError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// wantError checks an error response: status, both error type carriers, the
// message and the content type.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, typ, msg string) {
	t.Helper()
	var got awsError
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, body)
	}
	if resp.StatusCode != status || got.Type != typ {
		t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, status, typ)
	}
	if msg != "" && got.Message != msg {
		t.Errorf("message = %q, want %q", got.Message, msg)
	}
	if et := resp.Header.Get("x-amzn-ErrorType"); et != typ+":" {
		t.Errorf("x-amzn-ErrorType = %q, want %q", et, typ+":")
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// goldenHeaders are the response headers a golden file records.
var goldenHeaders = []string{
	"Content-Type",
	"x-amzn-RequestId",
	"x-amzn-ErrorType",
	"x-amzn-ErrorMessage",
	"Access-Control-Allow-Origin",
	"Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers",
	"Access-Control-Max-Age",
	"Vary",
}

const requestIDPlaceholder = "REQUEST-ID"

// renderGolden turns a response into its golden form: status, the headers
// above and the body, with the request id replaced by a placeholder.
func renderGolden(t *testing.T, resp *http.Response, body []byte) []byte {
	t.Helper()
	id := resp.Header.Get("x-amzn-RequestId")
	if id != "" {
		requestID(t, resp)
	}
	scrub := func(s string) string {
		if id == "" {
			return s
		}
		return strings.ReplaceAll(s, id, requestIDPlaceholder)
	}
	headers := map[string]string{}
	for _, name := range goldenHeaders {
		if v := resp.Header.Values(name); len(v) > 0 {
			headers[name] = scrub(strings.Join(v, ", "))
		}
	}
	var rawBody json.RawMessage
	if json.Valid(body) {
		rawBody = json.RawMessage(scrub(string(body)))
	} else {
		rawBody, _ = json.Marshal(scrub(string(body)))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	}{resp.StatusCode, headers, rawBody}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-golden +got); rerun with -update if the change is intended:\n%s", path, d)
	}
}

type edgeCase struct {
	name   string
	opts   []edgeOption
	req    request
	status int
	typ    string // __type for errors
	msg    string // exact message, when the edge defines it
	check  func(t *testing.T, resp *http.Response, body []byte)
}

func edgeCases() []edgeCase {
	const poolID = "us-east-1_abcdefghi"
	return []edgeCase{
		{
			name:   "success",
			req:    request{op: "DescribeUserPool", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 200,
		},
		{
			name:   "content_type_application_json",
			req:    request{op: "DescribeUserPool", ctype: "application/json; charset=utf-8", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 200,
		},
		{
			name:   "no_content_type",
			req:    request{op: "DescribeUserPool", ctype: "-", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 200,
		},
		{
			name:   "unknown_target",
			req:    request{op: "NoSuchOperation", body: `{}`},
			status: 400, typ: "UnknownOperationException",
			msg: `Unknown operation "AWSCognitoIdentityProviderService.NoSuchOperation".`,
		},
		{
			name:   "foreign_service_target",
			req:    request{target: "AmazonSSM.GetParameter", body: `{}`},
			status: 400, typ: "UnknownOperationException",
			msg: `Unknown operation "AmazonSSM.GetParameter".`,
		},
		{
			name:   "missing_target",
			req:    request{body: `{}`},
			status: 400, typ: "UnknownOperationException",
			msg: "Missing X-Amz-Target header: expected AWSCognitoIdentityProviderService.<Operation>.",
		},
		{
			name:   "malformed_json",
			req:    request{op: "DescribeUserPool", body: `{"UserPoolId":`},
			status: 400, typ: "SerializationException",
		},
		{
			name:   "malformed_json_syntax",
			req:    request{op: "DescribeUserPool", body: `{"UserPoolId" "x"}`},
			status: 400, typ: "SerializationException",
		},
		{
			name:   "array_body",
			req:    request{op: "DescribeUserPool", body: `[{"UserPoolId":"` + poolID + `"}]`},
			status: 400, typ: "SerializationException", msg: "The request body must be a JSON object.",
		},
		{
			name:   "null_body",
			req:    request{op: "DescribeUserPool", body: `null`},
			status: 400, typ: "SerializationException", msg: "The request body must be a JSON object.",
		},
		{
			name:   "trailing_garbage",
			req:    request{op: "DescribeUserPool", body: `{"UserPoolId":"` + poolID + `"} garbage`},
			status: 400, typ: "SerializationException",
		},
		{
			name:   "second_object",
			req:    request{op: "DescribeUserPool", body: `{"UserPoolId":"` + poolID + `"}{}`},
			status: 400, typ: "SerializationException", msg: "Unexpected data after the JSON object.",
		},
		{
			name:   "wrong_member_type",
			req:    request{op: "ListUserPools", body: `{"MaxResults":"10"}`},
			status: 400, typ: "SerializationException",
		},
		{
			name: "body_too_large",
			req: request{op: "CreateUserPool",
				body: `{"PoolName":"` + strings.Repeat("a", api.DefaultMaxBody) + `"}`},
			status: 413, typ: "RequestEntityTooLargeException",
			msg: "The request body exceeds the limit of 1048576 bytes.",
		},
		{
			name:   "unsupported_content_type",
			req:    request{op: "DescribeUserPool", ctype: "text/plain", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 400, typ: "SerializationException",
			msg: `Unsupported Content-Type "text/plain": send application/x-amz-json-1.1.`,
		},
		{
			name:   "empty_body_is_empty_object",
			req:    request{op: "AssociateSoftwareToken"},
			status: 200,
		},
		{
			name:   "empty_body_is_validated",
			req:    request{op: "DescribeUserPool"},
			status: 400, typ: model.InvalidParameterException,
			msg: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
		},
		{
			name:   "not_implemented",
			req:    request{op: "AdminCreateUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 400, typ: "NotImplementedException", msg: "Cognate does not implement AdminCreateUser yet.",
		},
		{
			name:   "handler_panic",
			req:    request{op: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 500, typ: model.InternalErrorException,
			check: func(t *testing.T, resp *http.Response, body []byte) {
				want := "An internal error occurred (request id " + requestID(t, resp) + ")."
				if !strings.Contains(string(body), want) {
					t.Errorf("body %s lacks %q", body, want)
				}
				if strings.Contains(string(body), "boom") || strings.Contains(resp.Header.Get("x-amzn-ErrorMessage"), "boom") {
					t.Errorf("the panic text reached the client: %s", body)
				}
			},
		},
		{
			name:   "handler_plain_error",
			req:    request{op: "AdminDeleteUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 500, typ: model.InternalErrorException,
			check: func(t *testing.T, resp *http.Response, body []byte) {
				want := "An internal error occurred (request id " + requestID(t, resp) + ")."
				if !strings.Contains(string(body), want) {
					t.Errorf("body %s lacks %q", body, want)
				}
				if strings.Contains(string(body), "exploded") || strings.Contains(resp.Header.Get("x-amzn-ErrorMessage"), "exploded") {
					t.Errorf("the error text reached the client: %s", body)
				}
			},
		},
		{
			name:   "handler_model_error",
			req:    request{op: "GetUser", body: `{"AccessToken":"` + secretValue + `"}`},
			status: 400, typ: model.NotAuthorizedException, msg: "Invalid Access Token",
		},
		{
			name:   "validation_error",
			req:    request{op: "CreateUserPool", body: `{"PoolName":"bad/name"}`},
			status: 400, typ: model.InvalidParameterException,
			msg: `1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`,
		},
		{
			// A value past the header's cap: the body quotes it whole (as
			// AWS does at this size), x-amzn-ErrorMessage is cut.
			name:   "validation_error_long_value",
			req:    request{op: "CreateUserPool", body: `{"PoolName":"` + strings.Repeat("a", 3000) + `/"}`},
			status: 400, typ: model.InvalidParameterException,
			msg: "2 validation errors detected: Value '" + strings.Repeat("a", 3000) + "/' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128; " +
				"Value '" + strings.Repeat("a", 3000) + "/' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
			check: func(t *testing.T, resp *http.Response, _ []byte) {
				h := resp.Header.Get("x-amzn-ErrorMessage")
				if len(h) > 2048 || !strings.HasSuffix(h, "aaa...") {
					t.Errorf("x-amzn-ErrorMessage is %d bytes ending %q, want at most 2048 ending in ...", len(h), h[max(0, len(h)-10):])
				}
			},
		},
		{
			// CR, LF and other control characters of a quoted value never
			// reach the header; the body keeps them.
			name:   "validation_error_control_characters",
			req:    request{op: "CreateUserPool", body: `{"PoolName":"bad\r\nX-Injected: 1\u0007"}`},
			status: 400, typ: model.InvalidParameterException,
			msg: "1 validation error detected: Value 'bad\r\nX-Injected: 1\a' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
			check: func(t *testing.T, resp *http.Response, _ []byte) {
				if resp.Header.Get("X-Injected") != "" {
					t.Errorf("a quoted value added a header")
				}
				want := "1 validation error detected: Value 'bad  X-Injected: 1 ' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+"
				if got := resp.Header.Get("x-amzn-ErrorMessage"); got != want {
					t.Errorf("x-amzn-ErrorMessage = %q, want %q", got, want)
				}
			},
		},
		{
			// Sensitive members are named, never shown, as on AWS.
			name:   "validation_error_sensitive",
			req:    request{op: "AdminSetUserPassword", body: `{"UserPoolId":"` + poolID + `","Username":"alice","Password":"s3cr3t-VALUE "}`},
			status: 400, typ: model.InvalidParameterException,
			check: func(t *testing.T, _ *http.Response, body []byte) {
				if strings.Contains(string(body), "s3cr3t") {
					t.Errorf("the password reached the error: %s", body)
				}
				if !strings.Contains(string(body), "Value at 'password' failed to satisfy constraint") {
					t.Errorf("body %s does not name the password member", body)
				}
			},
		},
		{
			name:   "unknown_path",
			req:    request{method: http.MethodGet, path: "/nope"},
			status: 404, typ: "UnknownOperationException",
			msg: "Cognate serves the Cognito API with POST / (got GET /nope).",
		},
		{
			name:   "post_with_path",
			req:    request{path: "/v1/cognito", op: "DescribeUserPool", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 404, typ: "UnknownOperationException",
			msg: "Cognate serves the Cognito API with POST / (got POST /v1/cognito).",
		},
		{
			name: "cors_preflight",
			req: request{method: http.MethodOptions, headers: map[string]string{
				"Origin":                         "https://app.example.com",
				"Access-Control-Request-Method":  "POST",
				"Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
			}},
			status: 200,
			check: func(t *testing.T, resp *http.Response, _ []byte) {
				h := resp.Header
				// As recorded from cognito-idp.us-east-1 (cognito-behaviour.md §8.13).
				if h.Get("Access-Control-Allow-Origin") != "*" ||
					h.Get("Access-Control-Allow-Methods") != "POST" ||
					h.Get("Access-Control-Allow-Headers") != "content-type,x-amz-target,x-amz-user-agent" ||
					h.Get("Access-Control-Expose-Headers") != "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date" ||
					h.Get("Access-Control-Max-Age") != "172800" || h.Get("x-amzn-RequestId") == "" || h.Get("Vary") != "" {
					t.Errorf("preflight headers: %v", h)
				}
			},
		},
		{
			name:   "cors_post",
			req:    request{op: "DescribeUserPool", headers: map[string]string{"Origin": "https://app.example.com"}, body: `{"UserPoolId":"` + poolID + `"}`},
			status: 200,
			check: func(t *testing.T, resp *http.Response, _ []byte) {
				h := resp.Header
				if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Vary") != "" {
					t.Errorf("Access-Control-Allow-Origin = %q, Vary = %q; want * and none", h.Get("Access-Control-Allow-Origin"), h.Get("Vary"))
				}
				for _, name := range []string{"x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage"} {
					if !strings.Contains(strings.ToLower(h.Get("Access-Control-Expose-Headers")), name) {
						t.Errorf("Access-Control-Expose-Headers %q lacks %s", h.Get("Access-Control-Expose-Headers"), name)
					}
				}
			},
		},
		{
			name:   "cors_error",
			req:    request{op: "GetUser", headers: map[string]string{"Origin": "https://app.example.com"}, body: `{"AccessToken":"x"}`},
			status: 400, typ: model.NotAuthorizedException,
			check: func(t *testing.T, resp *http.Response, _ []byte) {
				if resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
					resp.Header.Get("Access-Control-Expose-Headers") != "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date" {
					t.Errorf("an error response lacks the CORS headers: browsers would hide the error")
				}
			},
		},
		{
			name:   "secure_mode_denies_admin_operation",
			opts:   []edgeOption{secure},
			req:    request{op: "DescribeUserPool", headers: map[string]string{"Authorization": signedEUCentral}, body: `{"UserPoolId":"` + poolID + `"}`},
			status: 400, typ: "IncompleteSignatureException", // no date: SigV4 is verified (sigv4_test.go)
		},
		{
			name:   "secure_mode_serves_noauth_operation",
			opts:   []edgeOption{secure},
			req:    request{op: "InitiateAuth", body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abcdefghijklmnopqrstuvwxyz"}`},
			status: 200,
			check: func(t *testing.T, _ *http.Response, body []byte) {
				var got callerEcho
				if err := json.Unmarshal(body, &got); err != nil || got.Operation != "InitiateAuth" {
					t.Errorf("InitiateAuth did not reach its handler: %s", body)
				}
			},
		},
	}
}

// TestGolden runs every edge case, checks what users rely on (status, error
// type in header and body, messages, request id) and compares the full
// response with its golden file.
func TestGolden(t *testing.T) {
	for _, tc := range edgeCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newEdge(tc.opts...)
			resp, body := serve(h, tc.req)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.req.method != http.MethodOptions {
				requestID(t, resp)
			}
			if tc.typ != "" {
				wantError(t, resp, body, tc.status, tc.typ, tc.msg)
			} else if tc.req.method != http.MethodOptions {
				if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
					t.Errorf("Content-Type = %q", ct)
				}
				if resp.Header.Get("x-amzn-ErrorType") != "" {
					t.Errorf("x-amzn-ErrorType on a success: %q", resp.Header.Get("x-amzn-ErrorType"))
				}
				if !json.Valid(body) {
					t.Errorf("body is not JSON: %s", body)
				}
			}
			if tc.check != nil {
				tc.check(t, resp, body)
			}
			checkGolden(t, tc.name, renderGolden(t, resp, body))
		})
	}
}

func TestHealthzAndReadyz(t *testing.T) {
	t.Parallel()
	const notReady = "not ready: database unreachable or not migrated\n"
	for _, tc := range []struct {
		name   string
		ready  func(context.Context) error
		status int
		body   string
	}{
		{"no check", nil, 200, "ok\n"},
		{"ready", func(context.Context) error { return nil }, 200, "ok\n"},
		{"database down", func(context.Context) error { return errors.New("connection refused") }, 503, notReady},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newEdge(func(cfg *api.Config) { cfg.Ready = tc.ready })
			// Liveness never depends on the database.
			if resp, body := serve(h, request{method: http.MethodGet, path: "/healthz"}); resp.StatusCode != 200 || string(body) != "ok\n" {
				t.Errorf("GET /healthz = %d %q, want 200 \"ok\\n\"", resp.StatusCode, body)
			}
			resp, body := serve(h, request{method: http.MethodGet, path: "/readyz"})
			if resp.StatusCode != tc.status || string(body) != tc.body {
				t.Errorf("GET /readyz = %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
			if strings.Contains(string(body), "refused") {
				t.Errorf("the readiness check leaks the error: %q", body)
			}
		})
	}
}

// The region of a pool comes from the SigV4 credential scope; an unsigned
// call, or a scope whose region is not a region name, gets the server's.
func TestRegionFromCredentialScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, authz string
		want        callerEcho
	}{
		{"signed", signedEUCentral, callerEcho{Region: "eu-central-1", AccessKeyID: "AKID", Signed: true}},
		{"gov region", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-gov-west-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
			callerEcho{Region: "us-gov-west-1", AccessKeyID: "AKID", Signed: true}},
		{"unsigned", "", callerEcho{Region: serverRegion}},
		{"bogus region", "AWS4-HMAC-SHA256 Credential=AKID/20260101/not a region/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
			callerEcho{Region: serverRegion, AccessKeyID: "AKID", Signed: true}},
		{"injected region", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1_x:userpool/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
			callerEcho{Region: serverRegion, AccessKeyID: "AKID", Signed: true}},
		{"malformed scope", "AWS4-HMAC-SHA256 Credential=AKID/eu-central-1, SignedHeaders=host, Signature=00", callerEcho{Region: serverRegion}},
		{"other scheme", "Bearer eu-central-1", callerEcho{Region: serverRegion}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newEdge()
			req := request{op: "CreateUserPool", body: `{"PoolName":"p"}`}
			if tc.authz != "" {
				req.headers = map[string]string{"Authorization": tc.authz}
			}
			resp, body := serve(h, req)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var got callerEcho
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.RequestID != requestID(t, resp) {
				t.Errorf("handler saw request id %q, response has %q", got.RequestID, resp.Header.Get("x-amzn-RequestId"))
			}
			tc.want.Operation = "CreateUserPool"
			got.RequestID = ""
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("caller (-want +got):\n%s", d)
			}
		})
	}
}

// logRequest is one request line of the log.
type logRequest struct {
	Msg       string  `json:"msg"`
	Level     string  `json:"level"`
	RequestID string  `json:"request_id"`
	Operation string  `json:"operation"`
	Status    int     `json:"status"`
	Duration  float64 `json:"duration"`
	PoolID    *string `json:"pool_id"`
	Error     string  `json:"error"`
}

// One log line per request, carrying what an operator needs and nothing a
// caller wants kept secret.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	const poolID = "us-east-1_abcdefghi"
	reqs := []struct {
		req    request
		status int
		op     string
		poolID string
		errTyp string
	}{
		{request{op: "DescribeUserPool", body: `{"UserPoolId":"` + poolID + `"}`}, 200, "DescribeUserPool", poolID, ""},
		{request{op: "AdminSetUserPassword", body: `{"UserPoolId":"` + poolID + `","Username":"alice","Password":"` + secretValue + `","Permanent":true}`}, 200, "AdminSetUserPassword", poolID, ""},
		{request{op: "AdminSetUserPassword", body: `{"UserPoolId":"` + poolID + `","Username":"alice","Password":"` + strings.Repeat(secretValue, 30) + `"}`}, 400, "AdminSetUserPassword", poolID, model.InvalidParameterException},
		{request{op: "GetUser", body: `{"AccessToken":"` + secretValue + `"}`}, 400, "GetUser", "", model.NotAuthorizedException},
		{request{op: "InitiateAuth", body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"alice","PASSWORD":"` + secretValue + `"}}`}, 200, "InitiateAuth", "", ""},
		{request{op: "ChangePassword", body: `{"AccessToken":"` + secretValue + `","PreviousPassword":"` + secretValue + `","ProposedPassword":"` + secretValue + `"}`}, 400, "ChangePassword", "", "NotImplementedException"},
		{request{op: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`}, 500, "AdminGetUser", poolID, model.InternalErrorException},
		{request{op: "AdminDeleteUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`}, 500, "AdminDeleteUser", poolID, model.InternalErrorException},
		{request{op: "DescribeUserPool", body: `{"UserPoolId":"` + secretValue}, 400, "DescribeUserPool", "", "SerializationException"},
		{request{op: "NoSuchOperation", body: `{}`}, 400, "", "", "UnknownOperationException"},
	}
	h, logs := newEdge()
	var ids []string
	for _, r := range reqs {
		resp, body := serve(h, r.req)
		if resp.StatusCode != r.status {
			t.Fatalf("%s: status %d, want %d: %s", r.op, resp.StatusCode, r.status, body)
		}
		if strings.Contains(string(body), secretValue) {
			t.Errorf("%s: the response echoes a sensitive value: %s", r.op, body)
		}
		ids = append(ids, requestID(t, resp))
	}

	raw := logs.String()
	if strings.Contains(raw, secretValue) || strings.Contains(raw, "s3cr3t") {
		t.Errorf("the log holds a sensitive value:\n%s", raw)
	}
	// Operators do get the panic and the error text, with the request id.
	if !strings.Contains(raw, panicText) || !strings.Contains(raw, plainErrorText) {
		t.Errorf("the log lacks the panic or the handler error:\n%s", raw)
	}

	var lines []logRequest
	for _, rec := range logs.lines(t) {
		if rec["msg"] != "request" {
			continue
		}
		b, _ := json.Marshal(rec)
		var l logRequest
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		if _, ok := rec["duration"]; !ok {
			t.Errorf("request line without duration: %v", rec)
		}
		lines = append(lines, l)
	}
	if len(lines) != len(reqs) {
		t.Fatalf("%d request lines for %d requests:\n%s", len(lines), len(reqs), raw)
	}
	for i, r := range reqs {
		l := lines[i]
		if l.RequestID != ids[i] || l.Operation != r.op || l.Status != r.status || l.Error != r.errTyp || l.Duration < 0 {
			t.Errorf("line %d = %+v, want request_id %s operation %q status %d error %q", i, l, ids[i], r.op, r.status, r.errTyp)
		}
		switch {
		case r.poolID == "" && l.PoolID != nil:
			t.Errorf("line %d: pool_id %q on a request without UserPoolId", i, *l.PoolID)
		case r.poolID != "" && (l.PoolID == nil || *l.PoolID != r.poolID):
			t.Errorf("line %d: pool_id %v, want %s", i, l.PoolID, r.poolID)
		}
		wantLevel := "INFO"
		if r.status >= 500 {
			wantLevel = "ERROR"
		}
		if l.Level != wantLevel {
			t.Errorf("line %d: level %s, want %s", i, l.Level, wantLevel)
		}
	}
}

// A handler whose output cannot be encoded is a server fault: the client gets
// 500 InternalErrorException, and the request log must say so (and why) rather
// than record a success.
func TestUnencodableOutputIsLoggedAsFault(t *testing.T) {
	t.Parallel()
	h, logs := newEdge()
	resp, body := serve(h, request{op: "AdminEnableUser", body: `{"UserPoolId":"us-east-1_abcdefghi","Username":"alice"}`})
	wantError(t, resp, body, 500, model.InternalErrorException, "An internal error occurred (request id "+requestID(t, resp)+").")
	var requestLines []map[string]any
	encodingLogged := false
	for _, rec := range logs.lines(t) {
		if rec["msg"] == "request" {
			requestLines = append(requestLines, rec)
		} else if rec["level"] == "ERROR" {
			encodingLogged = true
		}
	}
	if len(requestLines) != 1 {
		t.Fatalf("%d request lines, want 1", len(requestLines))
	}
	if l := requestLines[0]; l["status"] != float64(500) || l["level"] != "ERROR" || l["error"] != model.InternalErrorException {
		t.Errorf("request line %v, want status 500, level ERROR, error InternalErrorException (the client got 500)", l)
	}
	if !encodingLogged {
		t.Errorf("the encoding failure is not logged at all:\n%s", logs.String())
	}
}

// AWS matches member names exactly and ignores unknown ones, so a body with
// a wrongly cased member lacks the member. encoding/json matches names
// case-insensitively: without care, a hand-written client that sends
// "userPoolId" works against Cognate and then fails against AWS.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	t.Parallel()
	h, _ := newEdge()
	for _, body := range []string{
		`{"userPoolId":"us-east-1_abcdefghi"}`,
		`{"USERPOOLID":"us-east-1_abcdefghi"}`,
	} {
		resp, out := serve(h, request{op: "DescribeUserPool", body: body})
		wantError(t, resp, out, 400, model.InvalidParameterException,
			"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
	}
	// Nested members too: "name" is not "Name".
	resp, out := serve(h, request{op: "AddCustomAttributes",
		body: `{"UserPoolId":"us-east-1_abcdefghi","CustomAttributes":[{"name":"tenant","AttributeDataType":"String"}]}`})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, out)
	}
	var got model.AddCustomAttributesRequest
	if err := json.Unmarshal(out, &got); err != nil || len(got.CustomAttributes) != 1 {
		t.Fatalf("echo %s: %v", out, err)
	}
	if got.CustomAttributes[0].Name != nil {
		t.Errorf("CustomAttributes[0].name decoded as Name %q; AWS sees no Name there", *got.CustomAttributes[0].Name)
	}
}
