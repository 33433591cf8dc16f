package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
)

// FuzzDispatch checks the edge's promise for any target, content type,
// Authorization and body: no panic, never a 5xx (the handlers succeed), and
// every response is JSON, with __type and a matching x-amzn-ErrorType when it
// is an error.
func FuzzDispatch(f *testing.F) {
	seeds := model.SeedBodies
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range seeds {
			if !yield(name) {
				return
			}
		}
	})
	const ct = "application/x-amz-json-1.1"
	for _, op := range names {
		body := seeds[op]
		f.Add(target+op, ct, "", []byte(body))
		f.Add(target+op, ct, signedEUCentral, []byte(body))
		f.Add(target+op, "application/json", "", []byte(`{}`))
		f.Add(target+op, "", "", []byte(``))
		// Every member with the wrong JSON type.
		f.Add(target+op, ct, "", []byte(strings.NewReplacer(`"example"`, `7`, `{}`, `[]`).Replace(body)))
	}
	f.Add(target+"DescribeUserPool", ct, "", []byte(`{"UserPoolId":`))
	f.Add(target+"DescribeUserPool", ct, "", []byte(`[]`))
	f.Add(target+"DescribeUserPool", ct, "", []byte(`{"UserPoolId":"us-east-1_abc"} {}`))
	f.Add(target+"DescribeUserPool", ct, "", []byte("{\"UserPoolId\":\"\xff\xfe\"}"))
	f.Add(target+"ListUserPools", ct, "", []byte(`{"MaxResults":1e400}`))
	f.Add(target+"ListUserPools", ct, "", []byte(`{"MaxResults":-1,"NextToken":""}`))
	f.Add(target+"AdminGetUser", "text/plain; charset=\"", "AWS4-HMAC-SHA256 Credential=////", []byte(`{}`))
	f.Add("", "", "", []byte(nil))
	f.Add("AWSCognitoIdentityProviderService.", ct, "", []byte(`{}`))
	f.Add("Other.\x00\n", ct, "", []byte(`{}`))

	handlers := map[string]api.Handler{}
	for name := range model.Operations {
		handlers[name] = func(context.Context, model.Input) (any, error) { return struct{}{}, nil }
	}
	h := api.New(api.Config{Mode: api.ModeLocal, Region: serverRegion, Handlers: handlers})

	f.Fuzz(func(t *testing.T, tgt, ctype, authz string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if tgt != "" {
			req.Header["X-Amz-Target"] = []string{tgt}
		}
		if ctype != "" {
			req.Header["Content-Type"] = []string{ctype}
		}
		if authz != "" {
			req.Header["Authorization"] = []string{authz}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		resp := rec.Result()
		out := rec.Body.Bytes()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for target %q, content type %q, body %q: %s", resp.StatusCode, tgt, ctype, body, out)
		}
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("no x-amzn-RequestId")
		}
		if got := resp.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type = %q", got)
		}
		if !json.Valid(out) {
			t.Fatalf("status %d, body is not JSON: %q", resp.StatusCode, out)
		}
		if resp.StatusCode >= 400 {
			var e struct {
				Type    *string `json:"__type"`
				Message *string `json:"message"`
			}
			if err := json.Unmarshal(out, &e); err != nil || e.Type == nil || *e.Type == "" {
				t.Fatalf("status %d without __type: %s", resp.StatusCode, out)
			}
			if et := resp.Header.Get("x-amzn-ErrorType"); et != *e.Type+":" {
				t.Errorf("x-amzn-ErrorType %q, __type %q", et, *e.Type)
			}
			if e.Message == nil || *e.Message == "" {
				t.Errorf("status %d without a message: %s", resp.StatusCode, out)
			}
		} else if resp.StatusCode != 200 {
			t.Errorf("status %d: %s", resp.StatusCode, out)
		}
	})
}
