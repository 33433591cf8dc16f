package token

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsDir holds the npm project of the aws-jwt-verify test. CI installs it
// with: npm ci --prefix internal/token/testdata/js
var jsDir = filepath.Join("testdata", "js")

// needNode returns the node binary, skipping the test when node or the npm
// packages are missing locally, and failing it in CI, where a skip would
// hide that the interop test never ran.
func needNode(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := what + "; install with: npm ci --prefix internal/token/testdata/js"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPING aws-jwt-verify interop test: " + msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(jsDir, "node_modules", "aws-jwt-verify", "package.json")); err != nil {
		missing("aws-jwt-verify is not installed in " + jsDir)
	}
	return node
}

// TestAWSJWTVerify checks Cognate's tokens with aws-jwt-verify, AWS's own
// verification library: JwtRsaVerifier fetching the JWKS over HTTPS from
// the JWKS handler, and CognitoJwtVerifier (with tokenUse and clientId
// checks) on tokens with Cognito's issuer.
func TestAWSJWTVerify(t *testing.T) {
	node := needNode(t)
	t.Parallel()

	var f *fixture
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{poolID}/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		f.svc.JWKSHandler().ServeHTTP(w, r)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	f = newFixture(t, withPublicURL(srv.URL))
	// aws-jwt-verify checks exp and iat against the real clock.
	f.clock.Set(time.Now().UTC().Truncate(time.Millisecond))
	f.pool(t, poolA)
	sub := subject(poolA)
	sub.AuthTime = f.clock.Now()
	local, err := f.svc.Issue(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg := f.cfg
	awsCfg.AWSIssuer = true
	aws, err := New(awsCfg).Issue(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}

	// The server's certificate, trusted by node through NODE_EXTRA_CA_CERTS.
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	jwksURI := srv.URL + "/" + poolA + "/.well-known/jwks.json"
	res, err := srv.Client().Get(jwksURI)
	if err != nil {
		t.Fatal(err)
	}
	var jwks json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	in, _ := json.Marshal(map[string]any{
		"issuer":         srv.URL + "/" + poolA,
		"jwksUri":        jwksURI,
		"clientId":       sub.ClientID,
		"accessToken":    local.AccessToken,
		"idToken":        local.IDToken,
		"awsPoolId":      poolA,
		"awsAccessToken": aws.AccessToken,
		"awsIdToken":     aws.IDToken,
		"jwks":           jwks,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "verify.mjs")
	cmd.Dir = jsDir
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+caFile)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify.mjs: %v\n%s", err, stderr.String())
	}
	var out struct {
		Access, ID, CognitoAccess, CognitoID map[string]any
		Rejected                             map[string]string
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if out.Access["username"] != sub.Username || out.Access["token_use"] != "access" {
		t.Errorf("access payload %v", out.Access)
	}
	if out.ID["cognito:username"] != sub.Username || out.ID["aud"] != sub.ClientID {
		t.Errorf("id payload %v", out.ID)
	}
	if out.CognitoAccess["client_id"] != sub.ClientID || out.CognitoAccess["iss"] != "https://cognito-idp.us-east-1.amazonaws.com/"+poolA {
		t.Errorf("CognitoJwtVerifier access payload %v", out.CognitoAccess)
	}
	if out.CognitoID["token_use"] != "id" || out.CognitoID["email"] != "jane@example.com" {
		t.Errorf("CognitoJwtVerifier id payload %v", out.CognitoID)
	}
	// Each must fail, and for the reason the case names.
	for name, want := range map[string]string{
		"idTokenAsAccess":   "Error: not an access token", // the customJwtCheck above
		"cognitoIdAsAccess": "CognitoJwtInvalidTokenUseError:",
		"cognitoAccessAsId": "CognitoJwtInvalidTokenUseError:",
		"wrongClient":       "CognitoJwtInvalidClientIdError:",
	} {
		if got := out.Rejected[name]; !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %s…", name, got, want)
		}
	}
	t.Logf("aws-jwt-verify rejections: %v", out.Rejected)
}
