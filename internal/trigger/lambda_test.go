package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/cognate/cognate/internal/api/model"
)

// TestMain keeps every AWS SDK in this process off the instance-metadata
// address (go-stack.md §16), whatever the environment says.
func TestMain(m *testing.M) {
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// fakeLambda is a real Lambda Invoke API endpoint on loopback:
// POST /2015-03-31/functions/{name}/invocations runs the function
// registered under name. Go functions run through aws-lambda-go's
// lambda.NewHandler(fn).Invoke, the code lambda.Start runs in a real
// runtime; their errors come back as AWS sends them: status 200,
// X-Amz-Function-Error: Unhandled and {"errorMessage":…,"errorType":…}.
type fakeLambda struct {
	*httptest.Server

	mu       sync.Mutex
	funcs    map[string]http.HandlerFunc
	requests []recorded
}

type recorded struct {
	name          string // function name, from the path's ARN
	path          string // the escaped path, as sent
	authorization string
	payload       []byte
}

func newFakeLambda(t *testing.T) *fakeLambda {
	t.Helper()
	f := &fakeLambda{funcs: map[string]http.HandlerFunc{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", f.invoke)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLambda) invoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, fn, ok := parseFunctionARN(name); ok {
		name = fn
	}
	payload, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, recorded{name: name, path: r.URL.EscapedPath(), authorization: r.Header.Get("Authorization"), payload: payload})
	h := f.funcs[name]
	f.mu.Unlock()
	if h == nil {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Type":"User","Message":"Function not found: `+r.PathValue("name")+`"}`)
		return
	}
	r.Body = io.NopCloser(strings.NewReader(string(payload)))
	h(w, r)
}

// goFunction registers a handler written for aws-lambda-go.
func (f *fakeLambda) goFunction(name string, fn func(context.Context, customMessageEvent) (customMessageEvent, error)) {
	f.handle(name, func(w http.ResponseWriter, r *http.Request) {
		payload, _ := io.ReadAll(r.Body)
		out, err := lambda.NewHandler(fn).Invoke(r.Context(), payload)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			out, _ = json.Marshal(messages.InvokeResponse_Error{Message: err.Error(), Type: errorType(err)})
		}
		w.Write(out)
	})
}

// rawFunction registers a function that answers out verbatim.
func (f *fakeLambda) rawFunction(name, out string) {
	f.handle(name, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, out)
	})
}

// failing registers a function whose invocation fails at the Lambda
// service: status, error code and message as the Invoke API sends them.
func (f *fakeLambda) failing(name string, status int, code string) {
	f.handle(name, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", code)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"Type":"Service","message":"`+code+` from the fake"}`)
	})
}

func (f *fakeLambda) handle(name string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.funcs[name] = h
}

// calls returns the invocations name received.
func (f *fakeLambda) calls(name string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.requests {
		if r.name == name {
			out = append(out, r)
		}
	}
	return out
}

// errorType names an error's type as aws-lambda-go does ("errorString").
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// apiError asserts err is a *model.Error of type typ with message msg.
func apiError(t *testing.T, err error, typ, msg string) {
	t.Helper()
	var e *model.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want %s: %q", err, err, typ, msg)
	}
	if e.Type != typ || e.Message != msg {
		t.Fatalf("error =\n  %s: %q\nwant\n  %s: %q", e.Type, e.Message, typ, msg)
	}
}

func arn(region, name string) string {
	return "arn:aws:lambda:" + region + ":123456789012:function:" + name
}

// syncWriter is a bytes.Buffer safe for concurrent writes (a log sink).
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
