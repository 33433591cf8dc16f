package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
)

// userNodeDir is the npm project of testdata/js/signin.mjs.
var userNodeDir = filepath.Join("testdata", "js")

// userNode finds node and the installed amazon-cognito-identity-js. Without
// them the test is skipped with a message, except under CI=true, where it
// fails: a CI that quietly skips this checks nothing. CI runs first
//
//	npm ci --prefix internal/server/testdata/js
func userNode(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := fmt.Sprintf("amazon-cognito-identity-js sign-in not run: %s (run `npm ci --prefix internal/server/testdata/js`)", what)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(userNodeDir, "node_modules", "amazon-cognito-identity-js", "package.json")); err != nil {
		missing("testdata/js/node_modules is not installed")
	}
	return node
}

// userNodeCall is one request amazon-cognito-identity-js made.
type userNodeCall struct {
	Op        string `json:"op"`
	Endpoint  string `json:"endpoint"`
	AuthFlow  string `json:"authFlow,omitempty"`
	Challenge string `json:"challenge,omitempty"`
}

// userNodeResult is what signin.mjs prints.
type userNodeResult struct {
	OK           bool              `json:"ok"`
	Username     string            `json:"username"`
	Attributes   map[string]string `json:"attributes"`
	AccessToken  string            `json:"accessToken"`
	IDToken      string            `json:"idToken"`
	RefreshToken string            `json:"refreshToken"`
	Code         string            `json:"code"`
	Name         string            `json:"name"`
	Message      string            `json:"message"`
	Calls        []userNodeCall    `json:"calls"`
}

// runUserNode runs signin.mjs with options as COGNATE_* variables and
// returns its result; exit status 0 must mean ok and 1 a failure.
func runUserNode(t *testing.T, node string, env map[string]string) userNodeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "signin.mjs")
	cmd.Dir = userNodeDir
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	for k, v := range env {
		cmd.Env = append(cmd.Env, "COGNATE_"+k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("node signin.mjs: %v\n%s", err, stderr.String())
	}
	var res userNodeResult
	if jerr := json.Unmarshal(stdout.Bytes(), &res); jerr != nil {
		t.Fatalf("node signin.mjs: %v (exit %v)\nstdout: %s\nstderr: %s", jerr, err, stdout.String(), stderr.String())
	}
	if (err == nil) != res.OK || (exit != nil && exit.ExitCode() != 1) {
		t.Fatalf("node signin.mjs: exit %v with ok=%v\nstdout: %s\nstderr: %s", err, res.OK, stdout.String(), stderr.String())
	}
	return res
}

// The official browser client signs in with SRP against Cognate unchanged,
// then reads the user.
func TestUserNodeSRPSignIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend backend) {
		node := userNode(t)
		a, b := newUserEnvPair(t, backend)
		poolID := a.newPool(t, &cip.CreateUserPoolInput{})
		// A client as the Amplify docs create it: no secret, default flows.
		clientID := aws.ToString(a.newClient(t, poolID, func(in *cip.CreateUserPoolClientInput) { in.ExplicitAuthFlows = nil }).ClientId)
		passwordClient := aws.ToString(a.newClient(t, poolID, nil).ClientId)
		sub := userAttrMap(a.adminGetUser(t, poolID, a.confirmedUser(t, poolID, "nodeuser", userPassword,
			userAttrs("email", "node@example.com", "email_verified", "true", "name", "Node User")...)).UserAttributes)["sub"]
		emailPool := a.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("email"), UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
		emailClient := aws.ToString(a.newClient(t, emailPool, nil).ClientId)
		emailSub := a.confirmedUser(t, emailPool, "mail@example.com", userPassword)

		base := func(client string) map[string]string {
			return map[string]string{"ENDPOINT": a.w.URL, "POOL_ID": poolID, "CLIENT_ID": client, "USERNAME": "nodeuser", "PASSWORD": userPassword}
		}
		wantAttrs := map[string]string{"sub": sub, "email": "node@example.com", "email_verified": "true", "name": "Node User"}
		ops := func(calls []userNodeCall) []string {
			var out []string
			for _, c := range calls {
				out = append(out, c.Op+" "+c.AuthFlow+c.Challenge)
			}
			return out
		}

		t.Run("USER_SRP_AUTH", func(t *testing.T) {
			res := runUserNode(t, node, base(clientID))
			if !res.OK {
				t.Fatalf("sign-in failed: %s: %s", res.Code, res.Message)
			}
			if d := cmp.Diff(wantAttrs, res.Attributes); d != "" {
				t.Errorf("getUserAttributes (-want +got):\n%s", d)
			}
			want := []string{"InitiateAuth USER_SRP_AUTH", "RespondToAuthChallenge PASSWORD_VERIFIER", "GetUser "}
			if d := cmp.Diff(want, ops(res.Calls)); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
			// The tokens the library holds work for Go callers too.
			if me := a.mustGetUser(t, res.AccessToken); aws.ToString(me.Username) != "nodeuser" {
				t.Errorf("GetUser with the library's token: %q", aws.ToString(me.Username))
			}
			if _, err := a.refreshAuth(clientID, res.RefreshToken); err != nil {
				t.Errorf("REFRESH_TOKEN_AUTH with the library's refresh token: %v", err)
			}
		})

		t.Run("wrong password", func(t *testing.T) {
			env := base(clientID)
			env["PASSWORD"] = "Wrong-Passw0rd"
			res := runUserNode(t, node, env)
			if res.OK || res.Code != "NotAuthorizedException" || res.Message != "Incorrect username or password." {
				t.Errorf("wrong password: ok=%v %s: %q", res.OK, res.Code, res.Message)
			}
		})

		t.Run("unknown user", func(t *testing.T) {
			env := base(clientID)
			env["USERNAME"] = "nobody"
			res := runUserNode(t, node, env)
			if res.OK || res.Code != "UserNotFoundException" || res.Message != "User does not exist." {
				t.Errorf("unknown user: ok=%v %s: %q", res.OK, res.Code, res.Message)
			}
		})

		t.Run("USER_PASSWORD_AUTH", func(t *testing.T) {
			env := base(passwordClient)
			env["AUTH_FLOW"] = "USER_PASSWORD_AUTH"
			res := runUserNode(t, node, env)
			if !res.OK {
				t.Fatalf("sign-in failed: %s: %s", res.Code, res.Message)
			}
			if d := cmp.Diff([]string{"InitiateAuth USER_PASSWORD_AUTH", "GetUser "}, ops(res.Calls)); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
		})

		t.Run("handshake finished on another instance", func(t *testing.T) {
			env := base(clientID)
			env["RESPOND_ENDPOINT"] = b.w.URL
			res := runUserNode(t, node, env)
			if !res.OK {
				t.Fatalf("sign-in failed: %s: %s", res.Code, res.Message)
			}
			if len(res.Calls) < 2 || res.Calls[1].Op != "RespondToAuthChallenge" || res.Calls[1].Endpoint != b.w.URL+"/" || res.Calls[0].Endpoint != a.w.URL+"/" {
				t.Errorf("requests %+v: want InitiateAuth on A and RespondToAuthChallenge on B", res.Calls)
			}
			if d := cmp.Diff(wantAttrs, res.Attributes); d != "" {
				t.Errorf("getUserAttributes (-want +got):\n%s", d)
			}
		})

		t.Run("email as username", func(t *testing.T) {
			res := runUserNode(t, node, map[string]string{"ENDPOINT": a.w.URL, "POOL_ID": emailPool, "CLIENT_ID": emailClient, "USERNAME": "mail@example.com", "PASSWORD": userPassword})
			if !res.OK {
				t.Fatalf("sign-in failed: %s: %s", res.Code, res.Message)
			}
			if res.Attributes["sub"] != emailSub || res.Attributes["email"] != "mail@example.com" {
				t.Errorf("getUserAttributes %v", res.Attributes)
			}
		})
	})
}
