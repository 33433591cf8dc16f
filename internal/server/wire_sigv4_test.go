package server_test

// Secure mode through the wire: the whole server with configured access
// keys, driven by three real clients (the AWS SDK for Go v2, boto3 and the
// AWS CLI) that must succeed with a configured key, and by requests signed
// by the SDK's signer and then spoiled in one way each, which must be
// refused with AWS's error type and text. Token-authorized and
// unauthenticated operations stay unsigned.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/server"
)

const (
	sigv4AKID       = "AKIACOGNATEWIRE00001"
	sigv4Secret     = "wire/Secure+Secret/0123456789abcdefghij"
	sigv4PoolAKID   = "AKIACOGNATEWIREPOOL1"
	sigv4PoolSecret = "wire/Pool+Limited/0123456789abcdefghij"
	sigv4Region     = "us-east-1"
	sigv4Mismatch   = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	sigv4BadToken   = "The security token included in the request is invalid."
)

var sigv4SealKeys = []string{"wire-sigv4-sealing-secret-0123456789abcdef"}

// sigv4Log is a JSON log buffer safe for the server's concurrent writes.
type sigv4Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *sigv4Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *sigv4Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// withSecureKeys runs the server in secure mode with these access keys and
// a JSON log into log.
func withSecureKeys(log io.Writer, keys ...api.AccessKey) wireOption {
	return func(cfg *server.Config) {
		cfg.Mode = api.ModeSecure
		cfg.SecretKeys = sigv4SealKeys
		cfg.AccessKeys = keys
		cfg.Logger = slog.New(slog.NewJSONHandler(log, nil))
	}
}

// sigv4Client is an SDK client signing with akid and secret (and a session
// token when given), without retries.
func sigv4Client(w *wire, akid, secret, token string) *cip.Client {
	return cip.New(cip.Options{
		Region:       sigv4Region,
		BaseEndpoint: aws.String(w.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, token),
		Retryer:      aws.NopRetryer{},
	})
}

// sigv4WantRefused asserts an SDK error with AWS's code and message, HTTP 400.
func sigv4WantRefused(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
	wantStatus(t, err, 400)
}

func TestSigV4SecureModeSDK(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		var log sigv4Log
		w := newWire(t, b, withSecureKeys(&log, api.AccessKey{ID: sigv4AKID, Secret: sigv4Secret}))
		ctx := context.Background()
		c := sigv4Client(w, sigv4AKID, sigv4Secret, "")

		// Admin and management calls with the configured key.
		pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("secure")})
		if err != nil {
			t.Fatalf("CreateUserPool: %v", err)
		}
		poolID := aws.ToString(pool.UserPool.Id)
		if !strings.HasPrefix(poolID, sigv4Region+"_") {
			t.Errorf("pool id %s is not in the signing region", poolID)
		}
		if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}); err != nil {
			t.Fatalf("DescribeUserPool: %v", err)
		}
		client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: &poolID, ClientName: aws.String("app"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		})
		if err != nil {
			t.Fatalf("CreateUserPoolClient: %v", err)
		}
		const password = "Secure-Mode-Passw0rd!"
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("ann"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatalf("AdminCreateUser: %v", err)
		}
		if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("ann"), Password: aws.String(password), Permanent: true}); err != nil {
			t.Fatalf("AdminSetUserPassword: %v", err)
		}

		t.Run("unsigned sign-in and token calls", func(t *testing.T) {
			// No credentials at all: the SDK sends these operations unsigned.
			anon := cip.New(cip.Options{Region: sigv4Region, BaseEndpoint: aws.String(w.URL), Credentials: aws.AnonymousCredentials{}, Retryer: aws.NopRetryer{}})
			auth, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{
				AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: client.UserPoolClient.ClientId,
				AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": password},
			})
			if err != nil {
				t.Fatalf("unsigned InitiateAuth: %v", err)
			}
			if _, err := anon.GetUser(ctx, &cip.GetUserInput{AccessToken: auth.AuthenticationResult.AccessToken}); err != nil {
				t.Fatalf("unsigned GetUser: %v", err)
			}
			// A signature on them, even a wrong one, is ignored.
			wrong := sigv4Client(w, sigv4AKID, "not/the+right/secret/0123456789abcdefgh", "")
			if _, err := wrong.GetUser(ctx, &cip.GetUserInput{AccessToken: auth.AuthenticationResult.AccessToken}); err != nil {
				t.Fatalf("GetUser with a wrong signature: %v", err)
			}
			if _, err := anon.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)}); err == nil {
				t.Errorf("an unsigned ListUserPools was served")
			}
		})
		t.Run("wrong secret", func(t *testing.T) {
			_, err := sigv4Client(w, sigv4AKID, "not/the+right/secret/0123456789abcdefgh", "").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)})
			sigv4WantRefused(t, err, "InvalidSignatureException", sigv4Mismatch)
		})
		t.Run("unknown key", func(t *testing.T) {
			_, err := sigv4Client(w, "AKIAUNKNOWNWIREKEY01", sigv4Secret, "").DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
			sigv4WantRefused(t, err, "UnrecognizedClientException", sigv4BadToken)
		})
		t.Run("session token", func(t *testing.T) {
			_, err := sigv4Client(w, sigv4AKID, sigv4Secret, "FwoGZXIvYXdzEXAMPLEsessiontoken").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)})
			sigv4WantRefused(t, err, "UnrecognizedClientException", sigv4BadToken)
		})
		t.Run("inspection API is off", func(t *testing.T) {
			resp, err := http.Get(w.URL + "/_cognate/messages")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /_cognate/messages = %d, want 404", resp.StatusCode)
			}
		})
		t.Run("request log", func(t *testing.T) {
			var signed, unsigned int
			for line := range strings.Lines(log.String()) {
				var rec map[string]any
				if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "request" {
					continue
				}
				switch rec["operation"] {
				case "CreateUserPool", "DescribeUserPool", "AdminCreateUser":
					if rec["access_key_id"] == sigv4AKID {
						signed++
					}
				case "InitiateAuth":
					if _, ok := rec["access_key_id"]; !ok {
						unsigned++
					}
				}
			}
			if signed < 3 || unsigned != 1 {
				t.Errorf("request lines with the key: %d (want 3 or more), InitiateAuth lines without one: %d (want 1)\n%s", signed, unsigned, log.String())
			}
			if strings.Contains(log.String(), sigv4Secret) {
				t.Errorf("the log holds the secret")
			}
		})
	})
}

// sigv4Raw sends a Cognito call signed by the SDK's signer at a given time,
// with a hook to spoil the request afterwards, and returns the status and the
// error body.
func sigv4Raw(t *testing.T, w *wire, op, body string, at time.Time, spoil func(r *http.Request)) (int, string, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, w.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: sigv4AKID, SecretAccessKey: sigv4Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-idp", sigv4Region, at); err != nil {
		t.Fatal(err)
	}
	if spoil != nil {
		spoil(r)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &e)
	if resp.StatusCode != 200 && strings.TrimSuffix(resp.Header.Get("x-amzn-ErrorType"), ":") != e.Type {
		t.Errorf("x-amzn-ErrorType %q, body __type %q", resp.Header.Get("x-amzn-ErrorType"), e.Type)
	}
	return resp.StatusCode, e.Type, e.Message
}

func TestSigV4SecureModeRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		w := newWire(t, b, withSecureKeys(io.Discard, api.AccessKey{ID: sigv4AKID, Secret: sigv4Secret}))
		const body = `{"MaxResults":5}`
		stamp := regexp.MustCompile(`^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)$`)

		t.Run("correctly signed", func(t *testing.T) {
			if status, typ, msg := sigv4Raw(t, w, "ListUserPools", body, time.Now(), nil); status != 200 {
				t.Fatalf("%d %s %s", status, typ, msg)
			}
		})
		t.Run("expired: signed with a clock 10 minutes back", func(t *testing.T) {
			at := time.Now().UTC().Add(-10 * time.Minute)
			status, typ, msg := sigv4Raw(t, w, "ListUserPools", body, at, nil)
			m := stamp.FindStringSubmatch(msg)
			if status != 400 || typ != "InvalidSignatureException" || m == nil {
				t.Fatalf("got %d %s %q", status, typ, msg)
			}
			signedAt, _ := time.Parse("20060102T150405Z", m[1])
			limit, _ := time.Parse("20060102T150405Z", m[2])
			now, _ := time.Parse("20060102T150405Z", m[3])
			if !signedAt.Equal(at.Truncate(time.Second)) || !limit.Equal(now.Add(-5*time.Minute)) || time.Since(now) > time.Minute || time.Since(now) < -time.Minute {
				t.Errorf("times in %q", msg)
			}
		})
		t.Run("tampered body", func(t *testing.T) {
			status, typ, msg := sigv4Raw(t, w, "ListUserPools", body, time.Now(), func(r *http.Request) {
				// All three, or the transport would resend the signed body.
				const other = `{"MaxResults":60}`
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(other)), int64(len(other))
				r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(other)), nil }
			})
			if status != 400 || typ != "InvalidSignatureException" || msg != sigv4Mismatch {
				t.Errorf("got %d %s %q", status, typ, msg)
			}
		})
		t.Run("missing signature", func(t *testing.T) {
			status, typ, msg := sigv4Raw(t, w, "ListUserPools", body, time.Now(), func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			})
			if status != 400 || typ != "IncompleteSignatureException" || !strings.HasPrefix(msg, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential="+sigv4AKID+"/") {
				t.Errorf("got %d %s %q", status, typ, msg)
			}
		})
		t.Run("no Authorization", func(t *testing.T) {
			status, typ, msg := sigv4Raw(t, w, "ListUserPools", body, time.Now(), func(r *http.Request) { r.Header.Del("Authorization") })
			if status != 400 || typ != "MissingAuthenticationTokenException" || msg != "Missing Authentication Token" {
				t.Errorf("got %d %s %q", status, typ, msg)
			}
		})
	})
}

// A key limited to one pool works on that pool and nowhere else. Pool ids
// are generated, so a first server (the unlimited key only) makes the pools
// and a second one over the same database gets the limited key.
func TestSigV4PoolLimitedKeyWire(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		useStore := withStore(b.open(t))
		full := api.AccessKey{ID: sigv4AKID, Secret: sigv4Secret}

		first := newWire(t, b, useStore, withSecureKeys(io.Discard, full))
		var pools []string
		for _, name := range []string{"mine", "theirs"} {
			out, err := sigv4Client(first, sigv4AKID, sigv4Secret, "").CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
			if err != nil {
				t.Fatalf("CreateUserPool: %v", err)
			}
			pools = append(pools, aws.ToString(out.UserPool.Id))
		}

		w := newWire(t, b, useStore, withSecureKeys(io.Discard, full, api.AccessKey{ID: sigv4PoolAKID, Secret: sigv4PoolSecret, Pools: pools[:1]}))
		limited := sigv4Client(w, sigv4PoolAKID, sigv4PoolSecret, "")
		denied := func(op, resource string) string {
			return "User: arn:aws:iam::" + testAccount + ":user/" + sigv4PoolAKID + " is not authorized to perform: cognito-idp:" + op +
				" on resource: " + resource + " because no identity-based policy allows the cognito-idp:" + op + " action"
		}
		if _, err := limited.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &pools[0]}); err != nil {
			t.Fatalf("DescribeUserPool on its pool: %v", err)
		}
		if _, err := limited.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pools[0], ClientName: aws.String("app")}); err != nil {
			t.Fatalf("CreateUserPoolClient on its pool: %v", err)
		}
		_, err := limited.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &pools[1]})
		sigv4WantRefused(t, err, "AccessDeniedException", denied("DescribeUserPool", "arn:aws:cognito-idp:"+sigv4Region+":"+testAccount+":userpool/"+pools[1]))
		_, err = limited.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pools[1], Username: aws.String("mallory")})
		sigv4WantRefused(t, err, "AccessDeniedException", denied("AdminCreateUser", "arn:aws:cognito-idp:"+sigv4Region+":"+testAccount+":userpool/"+pools[1]))
		_, err = limited.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &pools[1]})
		sigv4WantRefused(t, err, "AccessDeniedException", denied("DeleteUserPool", "arn:aws:cognito-idp:"+sigv4Region+":"+testAccount+":userpool/"+pools[1]))
		_, err = limited.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)})
		sigv4WantRefused(t, err, "AccessDeniedException", denied("ListUserPools", "*"))
		// The other pool is untouched, as the unlimited key sees.
		if _, err := sigv4Client(w, sigv4AKID, sigv4Secret, "").DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &pools[1]}); err != nil {
			t.Fatalf("the other pool: %v", err)
		}
	})
}

// sigv4NeedTool skips without a tool, except under CI=true, where a CI that
// quietly skips checks nothing.
func sigv4NeedTool(t *testing.T, what string) {
	t.Helper()
	msg := what + " (install it to run this test)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// sigv4ToolEnv is a clean environment for boto3 and the CLI: no profile,
// config or credentials file of the machine, no instance metadata.
func sigv4ToolEnv(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, append([]string{
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	}, extra...)...)
}

func TestSigV4SecureModeBoto3(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		python, err := exec.LookPath("python3")
		if err != nil {
			sigv4NeedTool(t, "python3 is not on PATH")
		}
		if err := exec.Command(python, "-c", "import boto3").Run(); err != nil {
			sigv4NeedTool(t, "boto3 is not installed for python3")
		}
		w := newWire(t, b, withSecureKeys(io.Discard, api.AccessKey{ID: sigv4AKID, Secret: sigv4Secret}))
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "sigv4", "boto3_secure.py"))
		cmd.Env = sigv4ToolEnv(t, "COGNATE_ENDPOINT="+w.URL, "COGNATE_REGION="+sigv4Region, "COGNATE_AKID="+sigv4AKID, "COGNATE_SECRET="+sigv4Secret)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("boto3_secure.py: %v\n%s", err, stderr.String())
		}
		type refusal struct {
			Code    *string
			Message string
			Status  int
		}
		var got struct {
			Created, Described string
			Listed             []string
			WrongSecret        refusal `json:"wrong_secret"`
			SessionToken       refusal `json:"session_token"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("boto3_secure.py printed %s: %v", out, err)
		}
		if !strings.HasPrefix(got.Created, sigv4Region+"_") || got.Described != "boto3-secure" || len(got.Listed) != 1 || got.Listed[0] != got.Created {
			t.Errorf("signed calls: %+v", got)
		}
		for name, r := range map[string]refusal{"wrong secret": got.WrongSecret, "session token": got.SessionToken} {
			want := map[string][2]string{
				"wrong secret":  {"InvalidSignatureException", sigv4Mismatch},
				"session token": {"UnrecognizedClientException", sigv4BadToken},
			}[name]
			if r.Code == nil || *r.Code != want[0] || r.Message != want[1] || r.Status != 400 {
				t.Errorf("%s: boto3 saw %v %q %d, want %s %q 400", name, r.Code, r.Message, r.Status, want[0], want[1])
			}
		}
	})
}

func TestSigV4SecureModeCLI(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cli, err := exec.LookPath("aws")
		if err != nil {
			sigv4NeedTool(t, "the AWS CLI (aws) is not on PATH")
		}
		w := newWire(t, b, withSecureKeys(io.Discard, api.AccessKey{ID: sigv4AKID, Secret: sigv4Secret}))
		if _, err := sigv4Client(w, sigv4AKID, sigv4Secret, "").CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("cli")}); err != nil {
			t.Fatalf("CreateUserPool: %v", err)
		}
		run := func(secret string) (string, string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, cli, "cognito-idp", "list-user-pools", "--max-results", "5",
				"--endpoint-url", w.URL, "--region", sigv4Region, "--output", "json")
			cmd.Env = sigv4ToolEnv(t, "AWS_ACCESS_KEY_ID="+sigv4AKID, "AWS_SECRET_ACCESS_KEY="+secret)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			return stdout.String(), stderr.String(), err
		}
		stdout, stderr, err := run(sigv4Secret)
		if err != nil {
			t.Fatalf("aws cognito-idp list-user-pools: %v\n%s", err, stderr)
		}
		var list struct{ UserPools []struct{ Name string } }
		if err := json.Unmarshal([]byte(stdout), &list); err != nil || len(list.UserPools) != 1 || list.UserPools[0].Name != "cli" {
			t.Errorf("the CLI listed %s (%v)", stdout, err)
		}
		_, stderr, err = run("not/the+right/secret/0123456789abcdefgh")
		if want := fmt.Sprintf("An error occurred (InvalidSignatureException) when calling the ListUserPools operation: %s", sigv4Mismatch); err == nil || !strings.Contains(stderr, want) {
			t.Errorf("with a wrong secret the CLI said %v\n%s\nwant %q", err, stderr, want)
		}
	})
}
