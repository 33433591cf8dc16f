package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigTLS(t *testing.T) {
	for name, args := range map[string][]string{
		"cert without key":       {"--tls-cert", "c.pem"},
		"key without cert":       {"--tls-key", "k.pem"},
		"self-signed and cert":   {"--tls-self-signed", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
		"self-signed and key":    {"--tls-self-signed", "--tls-key", "k.pem"},
		"self-signed not a bool": {"--tls-self-signed=maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseConfig(args, env(nil)); err == nil {
				t.Fatalf("%v accepted", args)
			}
		})
	}
	if _, err := parseConfig(nil, env(map[string]string{"COGNATE_TLS_SELF_SIGNED": "yes"})); err == nil {
		t.Fatal("COGNATE_TLS_SELF_SIGNED=yes accepted")
	}
	c, err := parseConfig(nil, env(map[string]string{"COGNATE_TLS_SELF_SIGNED": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TLSSelfSigned || c.PublicURL != "https://localhost:9229" {
		t.Fatalf("got %+v", *c)
	}
	c, err = parseConfig([]string{"--tls-cert", "c.pem"}, env(map[string]string{"COGNATE_TLS_KEY": "k.pem"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TLSCert != "c.pem" || c.TLSKey != "k.pem" || c.PublicURL != "https://localhost:9229" {
		t.Fatalf("got %+v", *c)
	}
	c, err = parseConfig([]string{"--tls-self-signed", "--public-url", "http://x:1"}, env(nil))
	if err != nil || c.PublicURL != "http://x:1" {
		t.Fatalf("an explicit --public-url must win: %v %+v", err, c)
	}
}

func TestSelfSignedCertReuse(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	c1, file, reused, err := selfSignedCert(dir, hosts, now)
	if err != nil || reused {
		t.Fatalf("first: %v reused=%v", err, reused)
	}
	if file != filepath.Join(dir, "localhost.pem") {
		t.Fatalf("cert file %s", file)
	}
	for _, h := range hosts {
		if err := c1.Leaf.VerifyHostname(h); err != nil {
			t.Error(err)
		}
	}
	if d := c1.Leaf.NotAfter.Sub(now); d < 360*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("lifetime %v, want about a year", d)
	}
	if fi, err := os.Stat(filepath.Join(dir, "localhost-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, fi)
	}
	c2, _, reused, err := selfSignedCert(dir, hosts, now.Add(24*time.Hour))
	if err != nil || !reused || !bytes.Equal(c1.Leaf.Raw, c2.Leaf.Raw) {
		t.Fatalf("restart: %v reused=%v", err, reused)
	}
	// Near its end the certificate is replaced.
	c3, _, reused, err := selfSignedCert(dir, hosts, now.Add(360*24*time.Hour))
	if err != nil || reused || bytes.Equal(c1.Leaf.Raw, c3.Leaf.Raw) {
		t.Fatalf("renewal: %v reused=%v", err, reused)
	}
	// Another host: another file, covering it too.
	c4, file4, reused, err := selfSignedCert(dir, append(hosts, "cognate.test"), now)
	if err != nil || reused || file4 == file {
		t.Fatalf("other host: %v reused=%v file=%s", err, reused, file4)
	}
	if err := c4.Leaf.VerifyHostname("cognate.test"); err != nil {
		t.Fatal(err)
	}
}

// tlsServer starts the real serve loop with TLS on a free loopback port
// (known in advance so that the default public URL names it) and returns
// its address.
func tlsServer(t *testing.T, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	args = append([]string{"--addr", addr, "--db", ":memory:", "--password-hashing", "fast", "--log-level", "warn"}, args...)
	go func() { done <- serve(ctx, args, env(nil), func(a string) { addrc <- a }) }()
	select {
	case <-addrc:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	return addr
}

// trustingClient is an HTTP/2-capable client trusting only certFile.
func trustingClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("no certificate in %s", certFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func callTLS(t *testing.T, c *http.Client, addr, op string, in any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", "https://"+addr+"/", bytes.NewReader(b))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, body := do(t, c, req)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", op, resp.StatusCode, body)
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("%s: served over %s, want HTTP/2", op, resp.Proto)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%s: %v: %s", op, err, body)
	}
	return out
}

// TestServeTLSSelfSigned runs the server with --tls-self-signed, trusts the
// certificate it wrote and calls /healthz, the API and a sign-in over
// HTTP/2; aws-jwt-verify then verifies the access token against the JWKS
// fetched over HTTPS.
func TestServeTLSSelfSigned(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux and BSDs
	t.Setenv("HOME", cache)           // macOS: $HOME/Library/Caches
	addr := tlsServer(t, "--tls-self-signed")
	dir, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "cognate", "tls", "localhost.pem")
	client := trustingClient(t, certFile)

	req, _ := http.NewRequest("GET", "https://"+addr+"/healthz", nil)
	resp, body := do(t, client, req)
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	if resp.ProtoMajor != 2 || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
		t.Fatalf("/healthz over %s (ALPN %q), want h2", resp.Proto, resp.TLS.NegotiatedProtocol)
	}
	// Plain HTTP on the TLS port is refused.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served on the TLS listener")
		}
	}

	pool := callTLS(t, client, addr, "CreateUserPool", map[string]any{"PoolName": "tls"})["UserPool"].(map[string]any)
	poolID := pool["Id"].(string)
	appClient := callTLS(t, client, addr, "CreateUserPoolClient", map[string]any{
		"UserPoolId": poolID, "ClientName": "web",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})["UserPoolClient"].(map[string]any)
	clientID := appClient["ClientId"].(string)
	callTLS(t, client, addr, "AdminCreateUser", map[string]any{"UserPoolId": poolID, "Username": "jane", "MessageAction": "SUPPRESS"})
	callTLS(t, client, addr, "AdminSetUserPassword", map[string]any{"UserPoolId": poolID, "Username": "jane", "Password": "Correct-Horse-9", "Permanent": true})
	auth := callTLS(t, client, addr, "InitiateAuth", map[string]any{
		"ClientId": clientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "jane", "PASSWORD": "Correct-Horse-9"},
	})
	result, _ := auth["AuthenticationResult"].(map[string]any)
	accessToken, _ := result["AccessToken"].(string)
	if accessToken == "" {
		t.Fatalf("no access token: %v", auth)
	}

	// aws-jwt-verify fetches the JWKS only over https, trusting the
	// written certificate through NODE_EXTRA_CA_CERTS.
	node, jsDir := needJWTVerify(t)
	in, _ := json.Marshal(map[string]string{
		"issuer":      "https://" + addr + "/" + poolID,
		"jwksUri":     "https://" + addr + "/" + poolID + "/.well-known/jwks.json",
		"clientId":    clientID,
		"accessToken": accessToken,
	})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "verify-https.mjs"))
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+certFile, "JWT_VERIFY_DIR="+jsDir)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify-https.mjs: %v\n%s", err, stderr.String())
	}
	var payload map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &payload); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if payload["username"] != "jane" || payload["token_use"] != "access" || payload["client_id"] != clientID {
		t.Fatalf("aws-jwt-verify payload %v", payload)
	}
}

// needJWTVerify returns node and the npm project holding aws-jwt-verify
// (internal/token's), skipping locally when either is missing and failing
// in CI, where a skip would hide that the test never ran.
func needJWTVerify(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "internal", "token", "testdata", "js"))
	if err != nil {
		t.Fatal(err)
	}
	missing := func(what string) {
		msg := what + "; install with: npm ci --prefix internal/token/testdata/js"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPING aws-jwt-verify over HTTPS: " + msg)
	}
	if node, err = exec.LookPath("node"); err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "aws-jwt-verify", "package.json")); err != nil {
		missing("aws-jwt-verify is not installed in " + dir)
	}
	return node, dir
}

// TestServeTLSCertKey serves a certificate given with --tls-cert/--tls-key
// (and COGNATE_TLS_* in the environment are the same settings).
func TestServeTLSCertKey(t *testing.T) {
	dir := t.TempDir()
	_, certFile, _, err := selfSignedCert(dir, []string{"localhost", "127.0.0.1", "::1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyFile := strings.TrimSuffix(certFile, ".pem") + "-key.pem"
	addr := tlsServer(t, "--tls-cert", certFile, "--tls-key", keyFile)
	client := trustingClient(t, certFile)
	req, _ := http.NewRequest("GET", "https://"+addr+"/healthz", nil)
	resp, body := do(t, client, req)
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
		t.Fatalf("/healthz: %d %s over %s", resp.StatusCode, body, resp.Proto)
	}
	callTLS(t, client, addr, "ListUserPools", map[string]any{"MaxResults": 10})

	// A key that does not match, or a missing file, stops the start.
	other := t.TempDir()
	_, otherCert, _, err := selfSignedCert(other, []string{"localhost", "127.0.0.1", "::1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"mismatched key": {"--tls-cert", otherCert, "--tls-key", keyFile},
		"missing cert":   {"--tls-cert", filepath.Join(dir, "nope.pem"), "--tls-key", keyFile},
	} {
		err := serve(t.Context(), append([]string{"--addr", "127.0.0.1:0", "--db", ":memory:"}, args...), env(nil), nil)
		if err == nil || !strings.Contains(err.Error(), "--tls-cert") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
