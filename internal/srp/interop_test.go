package srp

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsClient talks to testdata/js/client.mjs, which computes the client side
// with amazon-cognito-identity-js itself.
type jsClient struct {
	in  io.WriteCloser
	out *bufio.Scanner
	id  int
}

// startJSClient skips when node or the npm dependencies are missing, except
// under CI=true, where a missing client is a failure: a CI that quietly
// skips this test checks nothing. CI runs first:
//
//	npm ci --prefix internal/srp/testdata/js
func startJSClient(t *testing.T) *jsClient {
	t.Helper()
	dir := filepath.Join("testdata", "js")
	missing := func(what string) {
		msg := fmt.Sprintf("SRP interop with amazon-cognito-identity-js not run: %s (run `npm ci --prefix internal/srp/testdata/js`)", what)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "amazon-cognito-identity-js", "package.json")); err != nil {
		missing("testdata/js/node_modules is not installed")
	}
	cmd := exec.Command(node, "client.mjs")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close() // client.mjs exits at end of input
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("client.mjs: %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("client.mjs did not exit at end of input\n%s", stderr.String())
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return &jsClient{in: in, out: sc}
}

func (c *jsClient) call(t *testing.T, req map[string]any) map[string]string {
	t.Helper()
	line, _ := json.Marshal(req)
	if _, err := c.in.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
	if !c.out.Scan() {
		t.Fatalf("client.mjs gave no answer to %s: %v", req["op"], c.out.Err())
	}
	var resp map[string]any
	if err := json.Unmarshal(c.out.Bytes(), &resp); err != nil {
		t.Fatalf("client.mjs answered %q: %v", c.out.Text(), err)
	}
	if e, ok := resp["error"]; ok {
		t.Fatalf("client.mjs %s: %v", req["op"], e)
	}
	got := map[string]string{}
	for k, v := range resp {
		if s, ok := v.(string); ok {
			got[k] = s
		}
	}
	return got
}

// login runs one USER_SRP_AUTH handshake: the server (this package) holds
// the verifier for password, the official client signs with clientPassword.
func (c *jsClient) login(t *testing.T, userPoolID, userID, password, clientPassword string, salt []byte) (VerifyParams, string) {
	t.Helper()
	c.id++
	began := c.call(t, map[string]any{"op": "begin", "id": c.id, "userPoolId": userPoolID})
	a, err := DecodeHex(began["A"])
	if err != nil {
		t.Fatalf("SRP_A %q: %v", began["A"], err)
	}
	gotSalt, verifier, err := NewVerifier(PoolName(userPoolID), userID, password, bytes.NewReader(salt))
	if err != nil || !bytes.Equal(gotSalt, salt) {
		t.Fatalf("NewVerifier = %x, %v", gotSalt, err)
	}
	b, pubB, err := Begin(verifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := randomBytes(48 + int(salt[1])%64)
	done := c.call(t, map[string]any{
		"op": "finish", "id": c.id,
		"userIdForSrp": userID, "password": clientPassword,
		"salt": EncodeHex(salt), "srpB": EncodeHex(pubB),
		"secretBlock": base64.StdEncoding.EncodeToString(secret),
	})
	sig, err := base64.StdEncoding.DecodeString(done["signature"])
	if err != nil {
		t.Fatalf("PASSWORD_CLAIM_SIGNATURE %q: %v", done["signature"], err)
	}
	return VerifyParams{
		PoolName: PoolName(userPoolID), UserIDForSRP: userID,
		Verifier: verifier, A: a, B: pubB, SmallB: b,
		SecretBlock: secret, Timestamp: done["timestamp"], Signature: sig,
	}, began["A"]
}

func TestInteropOfficialClient(t *testing.T) {
	c := startJSClient(t)
	const logins = 24
	oddA := 0
	for i := range logins {
		salt := randomBytes(SaltLen)
		switch i % 4 { // make the salt encodings that break naive servers certain
		case 0:
			salt[0] = 0
		case 1:
			salt[0] |= 0x80
		}
		userPoolID := "us-east-1_" + strings.ToUpper(EncodeHex(randomBytes(4)))
		userID := fmt.Sprintf("%x-%x", randomBytes(4), randomBytes(6))
		password := "P@ss " + rand.Text()[:10] + " ü🔑"
		p, srpA := c.login(t, userPoolID, userID, password, password, salt)
		if len(srpA)%2 == 1 {
			oddA++
		}
		ok, err := Verify(p)
		if err != nil || !ok {
			t.Fatalf("login %d (salt %x, SRP_A %d digits): Verify = %v, %v; want true, nil", i, salt, len(srpA), ok, err)
		}
		ts, err := ParseTimestamp(p.Timestamp)
		if err != nil {
			t.Fatalf("TIMESTAMP %q: %v", p.Timestamp, err)
		}
		if skew := time.Since(ts); skew < -time.Minute || skew > time.Minute {
			t.Fatalf("TIMESTAMP %q is %v away from now", p.Timestamp, skew)
		}
	}
	t.Logf("%d official-client logins verified (%d with an odd-length SRP_A)", logins, oddA)

	t.Run("wrong password", func(t *testing.T) {
		p, _ := c.login(t, "us-east-1_AbC123", "alice", "Passw0rd!", "Passw0rd?", randomBytes(SaltLen))
		if ok, err := Verify(p); ok || err != nil {
			t.Fatalf("Verify = %v, %v; want false, nil", ok, err)
		}
	})
}
