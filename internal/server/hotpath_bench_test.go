package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// hotPath is an in-process server with one pool, one client and one
// signed-in user, driven through ServeHTTP without a network, so that the
// benchmarks measure Cognate's own cost per request.
type hotPath struct {
	h      http.Handler
	token  string
	poolID string
}

func call(b *testing.B, h http.Handler, op, body string) map[string]any {
	b.Helper()
	req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
	}
	return out
}

func newHotPath(b *testing.B) *hotPath {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	srv, err := server.New(ctx, server.Config{Store: st, Region: "us-east-1", AccountID: "000000000000", PublicURL: "http://localhost:9229", Passwords: password.Fast})
	if err != nil {
		b.Fatal(err)
	}
	pool := call(b, srv, "CreateUserPool", `{"PoolName":"bench","AutoVerifiedAttributes":["email"]}`)["UserPool"].(map[string]any)["Id"].(string)
	client := call(b, srv, "CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"c","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}`)["UserPoolClient"].(map[string]any)["ClientId"].(string)
	call(b, srv, "AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"alice","MessageAction":"SUPPRESS","UserAttributes":[{"Name":"email","Value":"alice@example.com"},{"Name":"email_verified","Value":"true"}]}`)
	call(b, srv, "AdminSetUserPassword", `{"UserPoolId":"`+pool+`","Username":"alice","Password":"Passw0rd!","Permanent":true}`)
	auth := call(b, srv, "InitiateAuth", `{"ClientId":"`+client+`","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}`)
	return &hotPath{h: srv, token: auth["AuthenticationResult"].(map[string]any)["AccessToken"].(string), poolID: pool}
}

func (hp *hotPath) run(b *testing.B, op string, body func(i int) string) {
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body(i))))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		hp.h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
		}
		_, _ = io.Copy(io.Discard, rec.Body)
		i++
	}
}

// BenchmarkUpdateUserAttributes is the product's hot path: decode, token
// check, attribute rules, one store transaction.
func BenchmarkUpdateUserAttributes(b *testing.B) {
	hp := newHotPath(b)
	hp.run(b, "UpdateUserAttributes", func(i int) string {
		return fmt.Sprintf(`{"AccessToken":%q,"UserAttributes":[{"Name":"name","Value":"Alice %d"}]}`, hp.token, i)
	})
}

// BenchmarkGetUser reads the signed-in user.
func BenchmarkGetUser(b *testing.B) {
	hp := newHotPath(b)
	body := fmt.Sprintf(`{"AccessToken":%q}`, hp.token)
	hp.run(b, "GetUser", func(int) string { return body })
}
