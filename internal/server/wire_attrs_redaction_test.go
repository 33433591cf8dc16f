package server_test

// UpdateUserAttributes acceptance suite, part 5: secrets never reach the
// log (DESIGN.md principle 8). The whole attribute flow runs with the
// server logging JSON at debug level; no token, password, attribute value
// or ClientMetadata value may appear, and a code only in the dispatcher's
// local-mode line ("message", internal/message/dispatch.go), never in
// secure mode. And decision 14: secure mode without a mailer refuses to
// promise a code it cannot deliver.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/emersion/go-smtp"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/seal"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store"
)

// attrsDispatcherLine is the msg of the dispatcher's local-mode line, the
// one log line allowed to carry a code (internal/message/dispatch.go).
const attrsDispatcherLine = "message"

// attrsLogBuffer is a log sink safe for concurrent writes.
type attrsLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *attrsLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *attrsLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func withDebugLog(w io.Writer, mode string, keys []string) wireOption {
	return func(cfg *server.Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Mode = mode
		cfg.SecretKeys = keys
	}
}

func withSMTP(host string, port int) wireOption {
	return func(cfg *server.Config) {
		cfg.SMTP = &message.SMTPConfig{Host: host, Port: port, TLS: message.StartTLSNone}
		cfg.SMTPFrom = "no-reply@example.com"
	}
}

// attrsSMTPSink is an SMTP server on loopback that accepts everything.
type attrsSMTPSink struct {
	mu  sync.Mutex
	got int
}

type attrsSMTPSession struct{ s *attrsSMTPSink }

func (x attrsSMTPSession) Reset()                               {}
func (x attrsSMTPSession) Logout() error                        { return nil }
func (x attrsSMTPSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x attrsSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x attrsSMTPSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	x.s.add()
	return err
}
func (s *attrsSMTPSink) add()                                        { s.mu.Lock(); s.got++; s.mu.Unlock() }
func (s *attrsSMTPSink) NewSession(*smtp.Conn) (smtp.Session, error) { return attrsSMTPSession{s}, nil }

func startAttrsSMTP(t *testing.T) (string, int) {
	t.Helper()
	srv := smtp.NewServer(&attrsSMTPSink{})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return host, n
}

// attrsRedactionPool is set up through a local-mode server: the pool
// (auto-verified email and phone, the CustomMessage function) and a client.
func attrsRedactionPool(t *testing.T, e *attrsEnv) (poolID, clientID string) {
	t.Helper()
	p := e.pool(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
		LambdaConfig:           &types.LambdaConfigType{CustomMessage: aws.String(attrsFunctionARN())},
	}, map[string]func(*cip.CreateUserPoolClientInput){"default": nil})
	return p.id, p.clients["default"]
}

// attrsSecrets are the values of one flow that must never be logged, and
// the codes it received.
type attrsSecrets struct {
	values map[string]string // what → value
	codes  []string
}

// attrsStoredCode is a code read from the outbox.
type attrsStoredCode struct {
	AttributeName string
	Code          string
}

// attrsCodes reads the codes of a pool's messages from the store (sealed
// with keys), oldest first, once every message is delivered.
func attrsCodes(t *testing.T, st store.Store, keys []string, poolID string, want int) []attrsStoredCode {
	t.Helper()
	kr, err := seal.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		msgs, err := st.ListMessages(context.Background(), poolID, "")
		if err != nil {
			t.Fatalf("ListMessages: %v", err)
		}
		delivered := 0
		for _, m := range msgs {
			if m.Delivered {
				delivered++
			}
		}
		if len(msgs) >= want && delivered == len(msgs) {
			var out []attrsStoredCode
			for _, m := range msgs {
				o, err := message.Open(m, kr)
				if err != nil {
					t.Fatalf("message.Open: %v", err)
				}
				out = append(out, attrsStoredCode{AttributeName: m.AttributeName, Code: o.Code})
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages delivered, want %d", delivered, len(msgs), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// attrsRedactionFlow runs the attribute flow through an app client and
// returns what must not be logged. codes(n) returns the codes of the first
// n messages of the pool.
func attrsRedactionFlow(t *testing.T, c *cip.Client, clientID string, codes func(n int) []attrsStoredCode) attrsSecrets {
	t.Helper()
	ctx := context.Background()
	tag := strings.ToLower(rand.Text()[:10])
	s := attrsSecrets{values: map[string]string{
		"username":        "redact" + tag,
		"password":        "Pw!" + rand.Text()[:12] + "a1",
		"wrong password":  "Wrong!" + rand.Text()[:12] + "b2",
		"first email":     "first" + tag + "@example.com",
		"second email":    "second" + tag + "@example.org",
		"first name":      "Firstname" + tag,
		"second name":     "Secondname" + tag,
		"phone":           "+1555" + fmt.Sprintf("%07d", time.Now().UnixNano()%10_000_000),
		"ClientMetadata":  "marker" + rand.Text(),
		"custom metadata": "other" + rand.Text(),
	}}
	v := s.values
	meta := map[string]string{"trace": v["ClientMetadata"], "other": v["custom metadata"]}
	code := func(n int) string {
		t.Helper()
		all := codes(n)
		c := all[n-1].Code
		s.codes = append(s.codes, c)
		return c
	}

	out, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(v["username"]), Password: aws.String(v["password"]),
		UserAttributes: attrsList("email", v["first email"], "name", v["first name"]), ClientMetadata: meta,
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	v["sub"] = aws.ToString(out.UserSub)
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(v["username"]), ConfirmationCode: aws.String(code(1)), ClientMetadata: meta,
	}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	auth, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), ClientMetadata: meta,
		AuthParameters: map[string]string{"USERNAME": v["username"], "PASSWORD": v["password"]},
	})
	if err != nil || auth.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	tok := auth.AuthenticationResult
	v["access token"], v["id token"], v["refresh token"] = aws.ToString(tok.AccessToken), aws.ToString(tok.IdToken), aws.ToString(tok.RefreshToken)
	access := tok.AccessToken

	if _, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken: access, ClientMetadata: meta,
		UserAttributes: attrsList("email", v["second email"], "name", v["second name"], "phone_number", v["phone"]),
	}); err != nil {
		t.Fatalf("UpdateUserAttributes: %v", err)
	}
	all := codes(3)
	for _, m := range all[1:3] {
		s.codes = append(s.codes, m.Code)
	}
	byAttr := map[string]string{}
	for _, m := range all[1:3] {
		byAttr[m.AttributeName] = m.Code
	}
	for _, attr := range []string{"email", "phone_number"} {
		if _, err := c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{
			AccessToken: access, AttributeName: aws.String(attr), Code: aws.String(byAttr[attr]),
		}); err != nil {
			t.Fatalf("VerifyUserAttribute(%s): %v", attr, err)
		}
	}
	if _, err := c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
		AccessToken: access, AttributeName: aws.String("email"), ClientMetadata: meta,
	}); err != nil {
		t.Fatalf("GetUserAttributeVerificationCode: %v", err)
	}
	code(4)
	got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrsWant(t, attrsMap(got.UserAttributes), "email", v["second email"], "name", v["second name"], "email_verified", "true", "phone_number_verified", "true")
	ref, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(clientID), ClientMetadata: meta,
		AuthParameters: map[string]string{"REFRESH_TOKEN": v["refresh token"]},
	})
	if err != nil || ref.AuthenticationResult == nil {
		t.Fatalf("refresh: %v", err)
	}
	v["refreshed access token"] = aws.ToString(ref.AuthenticationResult.AccessToken)
	v["refreshed id token"] = aws.ToString(ref.AuthenticationResult.IdToken)
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), ClientMetadata: meta,
		AuthParameters: map[string]string{"USERNAME": v["username"], "PASSWORD": v["wrong password"]},
	})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("sign-in with a wrong password: %v, want NotAuthorizedException", err)
	}
	return s
}

// attrsLogLine is one JSON log record.
type attrsLogLine struct {
	n   int
	raw string
	rec map[string]any
}

func attrsParseLog(t *testing.T, log string) []attrsLogLine {
	t.Helper()
	var out []attrsLogLine
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %d is not JSON: %v: %s", n, err, sc.Text())
		}
		out = append(out, attrsLogLine{n: n, raw: sc.Text(), rec: rec})
	}
	return out
}

// attrsStrings lists a record's string values by key path, except the keys
// skip names (at any depth).
func attrsStrings(v any, path string, skip map[string]bool, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if skip[k] {
				continue
			}
			attrsStrings(e, path+"."+k, skip, out)
		}
	case []any:
		for i, e := range x {
			attrsStrings(e, fmt.Sprintf("%s[%d]", path, i), skip, out)
		}
	case string:
		out[path] = x
	}
}

// attrsCheckLog asserts the redaction rules on a log: no secret value
// anywhere, and codes only in the dispatcher's line when local.
func attrsCheckLog(t *testing.T, log string, s attrsSecrets, local bool) {
	t.Helper()
	lines := attrsParseLog(t, log)
	if len(lines) == 0 {
		t.Fatal("nothing was logged")
	}
	names := make([]string, 0, len(s.values))
	for k := range s.values {
		names = append(names, k)
	}
	sort.Strings(names)
	sawInput, sawCode := false, map[string]bool{}
	for _, l := range lines {
		msg, _ := l.rec["msg"].(string)
		if msg == "request input" {
			sawInput = true
		}
		skip := map[string]bool{}
		if local && msg == attrsDispatcherLine {
			// The documented local-mode line: destination and code.
			skip["destination"], skip["code"] = true, true
			if c, ok := l.rec["code"].(string); ok {
				sawCode[c] = true
			}
		}
		values := map[string]string{}
		attrsStrings(l.rec, "", skip, values)
		for _, name := range names {
			secret := s.values[name]
			for path, val := range values {
				if strings.Contains(val, secret) {
					t.Errorf("log line %d (%q) holds the %s at %s: %s", l.n, msg, name, path, l.raw)
				}
			}
		}
		delete(values, ".time")
		for _, c := range s.codes {
			re := regexp.MustCompile(`(^|\D)` + c + `(\D|$)`)
			for path, val := range values {
				if path == ".request_id" || path == ".message_id" {
					continue
				}
				if re.MatchString(val) {
					t.Errorf("log line %d (%q) holds the code %s at %s: %s", l.n, msg, c, path, l.raw)
				}
			}
		}
	}
	if !sawInput {
		t.Errorf("no debug \"request input\" line: the logger is not at debug level")
	}
	if local {
		for _, c := range s.codes {
			if !sawCode[c] {
				t.Errorf("the dispatcher's local-mode line never showed the code %s", c)
			}
		}
	}
}

// attrsCheckStored asserts that the secrets that must never be kept in
// the clear (passwords, tokens, ClientMetadata: DESIGN.md principle 8 and
// the README) are not in the database files. SQLite only.
func attrsCheckStored(t *testing.T, st store.Store, s attrsSecrets) {
	t.Helper()
	data := sqliteStoredBytes(t, st)
	if data == nil {
		return
	}
	if !bytes.Contains(data, []byte(s.values["second email"])) {
		t.Fatalf("the database files do not even hold the email: nothing to check")
	}
	for _, name := range []string{"password", "wrong password", "ClientMetadata", "custom metadata", "access token", "refresh token", "id token", "refreshed access token"} {
		if bytes.Contains(data, []byte(s.values[name])) {
			t.Errorf("the database holds the %s in the clear", name)
		}
	}
}

var attrsSecretKeys = []string{"attrs-redaction-secret-key-0123456789abcdef"}

// TestAttrsRedaction runs the attribute flow with debug logging, in local
// mode and then in secure mode.
func TestAttrsRedaction(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		t.Run("local", func(t *testing.T) {
			var log attrsLogBuffer
			e := attrsStart(t, b, withDebugLog(&log, api.ModeLocal, attrsSecretKeys))
			poolID, clientID := attrsRedactionPool(t, e)
			c, _ := e.w.recordingClient()
			s := attrsRedactionFlow(t, c, clientID, func(n int) []attrsStoredCode {
				return attrsCodes(t, e.store, attrsSecretKeys, poolID, n)
			})
			attrsCodes(t, e.store, attrsSecretKeys, poolID, 4) // every message delivered and logged
			if n := len(e.lambda.For(poolID, s.values["username"])); n < 4 {
				t.Errorf("the CustomMessage function ran %d times, want at least 4", n)
			}
			attrsCheckLog(t, log.String(), s, true)
			attrsCheckStored(t, e.store, s)
		})
		t.Run("secure", func(t *testing.T) {
			st := b.open(t)
			lambda := newAttrsLambda(t)
			var poolID, clientID string
			// Admin calls are refused in secure mode: the pool is made by a
			// local-mode server over the same store and keys, stopped
			// before the secure one starts.
			t.Run("setup through local mode", func(t *testing.T) {
				w := newWire(t, b, withStore(st), withLambdaEndpoint(lambda.URL), withDebugLog(io.Discard, api.ModeLocal, attrsSecretKeys))
				e := &attrsEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: lambda, store: st}
				poolID, clientID = attrsRedactionPool(t, e)
			})
			if poolID == "" {
				t.Fatal("setup failed")
			}
			var log attrsLogBuffer
			host, port := startAttrsSMTP(t)
			w := newWire(t, b, withStore(st), withLambdaEndpoint(lambda.URL), withDebugLog(&log, api.ModeSecure, attrsSecretKeys), withSMTP(host, port))
			c := w.client("us-east-1", noRetry)
			if _, err := c.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)}); err == nil {
				t.Errorf("secure mode accepted an admin call")
			}
			s := attrsRedactionFlow(t, c, clientID, func(n int) []attrsStoredCode {
				return attrsCodes(t, st, attrsSecretKeys, poolID, n)
			})
			attrsCodes(t, st, attrsSecretKeys, poolID, 4)
			attrsCheckLog(t, log.String(), s, false)
		})
	})
}

// TestAttrsSecureDelivery: decision 14, CodeDeliveryFailureException is
// answered when no channel can carry the message (secure mode with no SMTP
// configured), and nothing is written.
func TestAttrsSecureDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		st := b.open(t)
		lambda := newAttrsLambda(t)
		var poolID, clientID, username, access string
		ctx := context.Background()
		t.Run("setup through local mode", func(t *testing.T) {
			w := newWire(t, b, withStore(st), withLambdaEndpoint(lambda.URL), withDebugLog(io.Discard, api.ModeLocal, attrsSecretKeys))
			e := &attrsEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: lambda, store: st}
			p := e.pool(t, &cip.CreateUserPoolInput{
				AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			}, map[string]func(*cip.CreateUserPoolClientInput){"default": nil})
			u := p.user(t, attrsUserOpts{attrs: []string{"name", "Ann"}})
			poolID, clientID, username, access = p.id, p.clients["default"], u.Username, u.Access()
		})
		if poolID == "" {
			t.Fatal("setup failed")
		}
		w := newWire(t, b, withStore(st), withLambdaEndpoint(lambda.URL), withDebugLog(io.Discard, api.ModeSecure, attrsSecretKeys))
		c, rec := w.recordingClient()
		_, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
			AccessToken: aws.String(access), UserAttributes: attrsList("name", "Bob", "email", attrsEmail(1)),
		})
		attrsReject[*types.CodeDeliveryFailureException](t, rec, err, "", "")
		_ = rec
		got, gerr := c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
		if gerr != nil {
			t.Fatalf("GetUser: %v", gerr)
		}
		attrsWant(t, attrsMap(got.UserAttributes), "name", "Ann", "email_verified", "true")
		if msgs, _ := st.ListMessages(ctx, poolID, username); len(msgs) != 0 {
			t.Errorf("%d messages in the outbox that no channel can carry", len(msgs))
		}
		_ = clientID
	})
}
