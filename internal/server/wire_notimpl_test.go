package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/server"
)

func notImplementedMessage(op string) string { return "Cognate does not implement " + op + " yet." }

// The SDK sees an operation Cognate lacks as a plain API error with code
// NotImplementedException and HTTP 400, which it does not retry.
func TestNotImplementedThroughSDK(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		c := w.client("us-east-1")
		ctx := context.Background()
		implemented := server.ImplementedOperations()
		calls := map[string]func() error{
			"AdminCreateUser": func() error {
				_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_XXXXXXXXX"), Username: aws.String("alice")})
				return err
			},
			// SignUp and InitiateAuth are unsigned: the SDK sends no Authorization.
			"SignUp": func() error {
				_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("abcdefghijklmnopqrstuvwxyz"), Username: aws.String("alice"), Password: aws.String("Passw0rd!")})
				return err
			},
			"InitiateAuth": func() error {
				_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
					AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String("abcdefghijklmnopqrstuvwxyz"),
					AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
				})
				return err
			},
		}
		for op, call := range calls {
			t.Run(op, func(t *testing.T) {
				t.Parallel()
				if slices.Contains(implemented, op) {
					t.Skipf("%s is implemented now", op)
				}
				err := call()
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("error = %v (%T), want an API error", err, err)
				}
				if apiErr.ErrorCode() != "NotImplementedException" || apiErr.ErrorMessage() != notImplementedMessage(op) {
					t.Errorf("error = %s %q, want NotImplementedException %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), notImplementedMessage(op))
				}
				if apiErr.ErrorFault() != smithy.FaultUnknown && apiErr.ErrorFault() != smithy.FaultClient {
					t.Errorf("fault = %v, want a client fault", apiErr.ErrorFault())
				}
				wantStatus(t, err, 400)
			})
		}
	})
}

// Every operation of the model answers without a 5xx; each one without a
// handler answers 400 NotImplementedException, both in the x-amzn-ErrorType
// header and in the body.
func TestEveryOperationAnswers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		seeds := model.SeedBodies
		implemented := server.ImplementedOperations()
		names := model.OperationNames()
		if len(names) != len(model.Operations) {
			t.Fatalf("OperationNames has %d names, Operations %d", len(names), len(model.Operations))
		}
		notImplemented := 0
		for _, op := range names {
			if !slices.Contains(implemented, op) {
				notImplemented++
			}
		}
		if notImplemented+len(implemented) != len(names) {
			t.Errorf("%d implemented + %d not implemented != %d operations (a handler for an operation the model lacks?)",
				len(implemented), notImplemented, len(names))
		}
		t.Logf("%d operations: %d implemented, %d answer NotImplementedException", len(names), len(implemented), notImplemented)

		for _, op := range names {
			t.Run(op, func(t *testing.T) {
				t.Parallel()
				body, ok := seeds[op]
				if !ok {
					t.Fatalf("no seed body for %s", op)
				}
				req, err := http.NewRequest(http.MethodPost, w.URL+"/", bytes.NewReader([]byte(body)))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
				if !model.Operations[op].NoAuth {
					req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					t.Fatalf("status %d: %s", resp.StatusCode, raw)
				}
				if resp.Header.Get("x-amzn-RequestId") == "" {
					t.Errorf("no x-amzn-RequestId")
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
					t.Errorf("Content-Type = %q", ct)
				}
				var got struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(raw, &got); err != nil {
					t.Fatalf("body is not JSON: %v: %s", err, raw)
				}
				if slices.Contains(implemented, op) {
					if got.Type == "NotImplementedException" {
						t.Errorf("implemented operation answers %s", raw)
					}
					if resp.StatusCode >= 400 && got.Type == "" {
						t.Errorf("status %d without __type: %s", resp.StatusCode, raw)
					}
					return
				}
				if resp.StatusCode != 400 || got.Type != "NotImplementedException" || got.Message != notImplementedMessage(op) {
					t.Errorf("got %d %s, want 400 NotImplementedException %q", resp.StatusCode, raw, notImplementedMessage(op))
				}
				if et := resp.Header.Get("x-amzn-ErrorType"); et != "NotImplementedException:" {
					t.Errorf("x-amzn-ErrorType = %q, want NotImplementedException:", et)
				}
			})
		}
	})
}

// A body over the 1 MiB limit is answered 413 with a readable reason over a
// real connection, not cut off by a reset while the client is still sending.
func TestBodyTooLargeOverTCP(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b)
		for _, size := range []int{1<<20 + 1, 4 << 20} {
			body := `{"PoolName":"` + string(bytes.Repeat([]byte("a"), size)) + `"}`
			req, err := http.NewRequest(http.MethodPost, w.URL+"/", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%d bytes: %v", len(body), err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), `"__type":"RequestEntityTooLargeException"`) ||
				!strings.Contains(string(raw), "exceeds the limit of 1048576 bytes") {
				t.Errorf("%d bytes: %d %s", len(body), resp.StatusCode, raw)
			}
		}
	})
}
