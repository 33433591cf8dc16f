package server_test

// Harness of the UpdateUserAttributes acceptance suite (wire_attrs_*_test.go):
// every scenario runs through the AWS SDK for Go v2 against the real
// handler, once per storage backend (SQLite always; PostgreSQL when
// COGNATE_TEST_POSTGRES_DSN is set, and necessarily when CI=true), with a
// CustomMessage Lambda served over the Lambda Invoke API by aws-lambda-go
// handlers, the inspection API for messages, and golden error bodies under
// testdata/golden_attrs (go test -run Attrs -update rewrites them).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognate/cognate/internal/store"
)

// The -update flag rewrites golden files. Other test files of the package
// may define it too; whoever comes first defines it and everyone reads it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func attrsUpdating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

const attrsPassword = "Passw0rd!"

// ---------------------------------------------------------------------------
// The CustomMessage function

// ClientMetadata key that picks how the test function answers.
const attrsModeKey = "attrs-mode"

// Modes of the test function.
const (
	attrsModeTemplate = ""        // the event unchanged: the pool's templates
	attrsModeCustom   = "custom"  // its own subject and body
	attrsModeError    = "error"   // the handler fails
	attrsModeGarbage  = "garbage" // output that is not JSON
)

const (
	attrsFunctionError  = "no messages today"
	attrsCustomSubject  = "Custom subject"
	attrsCustomBody     = "Custom body, code {####}"
	attrsCustomInvite   = "Welcome {username}, your password is {####}"
	attrsFunctionName   = "attrs-custom-message"
	attrsLambdaRegion   = "us-east-1"
	attrsNoClientCaller = "CLIENT_ID_NOT_APPLICABLE"
)

func attrsFunctionARN() string {
	return "arn:aws:lambda:" + attrsLambdaRegion + ":" + testAccount + ":function:" + attrsFunctionName
}

// attrsInvocation is one call the function received.
type attrsInvocation struct {
	Function string                                    // as the Invoke request named it
	Event    events.CognitoEventUserPoolsCustomMessage // as aws-lambda-go decodes it
	Raw      map[string]any                            // the payload as JSON
}

// attrsLambda is the suite's CustomMessage function, served by a
// fakeLambda: it answers as the ClientMetadata's attrsModeKey asks.
type attrsLambda struct {
	*fakeLambda
}

func newAttrsLambda(t *testing.T) *attrsLambda {
	t.Helper()
	l := &attrsLambda{newFakeLambda(t)}
	custom := lambda.NewHandler(func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
		switch ev.Request.ClientMetadata[attrsModeKey] {
		case attrsModeError:
			return ev, errors.New(attrsFunctionError)
		case attrsModeCustom:
			ev.Response.EmailSubject = attrsCustomSubject
			ev.Response.EmailMessage = attrsCustomBody
			if ev.TriggerSource == "CustomMessage_AdminCreateUser" {
				ev.Response.EmailMessage = strings.NewReplacer("{username}", ev.Request.UsernameParameter, "{####}", ev.Request.CodeParameter).Replace(attrsCustomInvite)
			}
		}
		return ev, nil
	})
	l.handleRaw(attrsFunctionName, func(ctx context.Context, payload []byte) ([]byte, error) {
		var peek struct {
			Request struct {
				ClientMetadata map[string]string `json:"clientMetadata"`
			} `json:"request"`
		}
		_ = json.Unmarshal(payload, &peek)
		if peek.Request.ClientMetadata[attrsModeKey] == attrsModeGarbage {
			return []byte("this is not JSON"), nil
		}
		return custom.Invoke(ctx, payload)
	})
	return l
}

// For returns the invocations about one user of one pool, oldest first.
func (l *attrsLambda) For(poolID, userName string) []attrsInvocation {
	var out []attrsInvocation
	for _, c := range l.invocations(attrsFunctionName) {
		var ev events.CognitoEventUserPoolsCustomMessage
		var raw map[string]any
		_ = json.Unmarshal(c.Payload, &ev)
		_ = json.Unmarshal(c.Payload, &raw)
		if ev.UserPoolID == poolID && ev.UserName == userName {
			out = append(out, attrsInvocation{Function: c.Path, Event: ev, Raw: raw})
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Environment, pools, users

// attrsEnv is one running server with its test function.
type attrsEnv struct {
	w      *wire
	admin  *cip.Client
	lambda *attrsLambda
	store  store.Store
	seq    atomic.Int64
}

// attrsStart starts a server on a fresh store of backend b, with its
// Lambda endpoint at a fresh test function (unless opts say otherwise).
func attrsStart(t *testing.T, b backend, opts ...wireOption) *attrsEnv {
	t.Helper()
	l := newAttrsLambda(t)
	w := newWire(t, b, append([]wireOption{withLambdaEndpoint(l.URL)}, opts...)...)
	return &attrsEnv{w: w, admin: w.client("us-east-1", noRetry), lambda: l, store: w.Store}
}

// next is a number unique within the environment, for names.
func (e *attrsEnv) next() int64 { return e.seq.Add(1) }

// attrsPool is a pool with its app clients, by role.
type attrsPool struct {
	env     *attrsEnv
	id      string
	clients map[string]string
	byEmail bool // UsernameAttributes [email]: the email is the username
}

// pool creates a pool and app clients (role → edit of the client request;
// every client allows USER_PASSWORD_AUTH and refresh).
func (e *attrsEnv) pool(t *testing.T, in *cip.CreateUserPoolInput, clients map[string]func(*cip.CreateUserPoolClientInput)) *attrsPool {
	t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String(fmt.Sprintf("attrs%d", e.next()))
	}
	p := &attrsPool{env: e, id: aws.ToString(createPool(t, e.admin, in).Id), clients: map[string]string{}, byEmail: len(in.UsernameAttributes) > 0}
	for role, edit := range clients {
		cin := &cip.CreateUserPoolClientInput{
			UserPoolId: aws.String(p.id), ClientName: aws.String(role),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
				types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			},
		}
		if edit != nil {
			edit(cin)
		}
		p.clients[role] = aws.ToString(createClient(t, e.admin, cin).ClientId)
	}
	return p
}

// attrsUser is a confirmed, signed-in user with their own SDK client.
type attrsUser struct {
	p        *attrsPool
	Username string // as Cognito stores it (the sub in UsernameAttributes pools)
	Login    string // what the user signs in with
	Email    string
	ClientID string
	c        *cip.Client
	rec      *recorder
	tokens   *types.AuthenticationResultType
}

func (u *attrsUser) Access() string { return aws.ToString(u.tokens.AccessToken) }

// attrsUserOpts shapes a new user.
type attrsUserOpts struct {
	client   string   // the role of the app client that signs in; "" = "default"
	attrs    []string // name, value pairs besides email and email_verified
	noEmail  bool
	username string // "" = generated
}

// user creates a CONFIRMED user (admin API, no message), with a verified
// email unless told otherwise, and signs them in.
func (p *attrsPool) user(t *testing.T, o attrsUserOpts) *attrsUser {
	t.Helper()
	e := p.env
	n := e.next()
	u := &attrsUser{p: p, ClientID: p.clients[attrsOr(o.client, "default")]}
	if u.ClientID == "" {
		t.Fatalf("pool has no client %q", o.client)
	}
	u.Email = fmt.Sprintf("user%d.%s@example.com", n, strings.ToLower(rand.Text()[:6]))
	var attrs []types.AttributeType
	if !o.noEmail {
		attrs = attrsList("email", u.Email, "email_verified", "true")
	}
	attrs = append(attrs, attrsList(o.attrs...)...)
	name := attrsOr(o.username, fmt.Sprintf("user%d", n))
	if p.byEmail {
		name = u.Email
	}
	ctx := context.Background()
	out, err := e.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(p.id), Username: aws.String(name), UserAttributes: attrs,
		MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser(%s): %v", name, err)
	}
	u.Username = aws.ToString(out.User.Username)
	u.Login = name
	if _, err := e.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(p.id), Username: aws.String(u.Username), Password: aws.String(attrsPassword), Permanent: true,
	}); err != nil {
		t.Fatalf("AdminSetUserPassword(%s): %v", u.Username, err)
	}
	u.c, u.rec = e.w.recordingClient()
	u.tokens = u.signIn(t, u.Login)
	return u
}

func attrsOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// signInErr signs in with USER_PASSWORD_AUTH.
func (u *attrsUser) signInErr(login string) (*types.AuthenticationResultType, error) {
	out, err := u.c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(u.ClientID),
		AuthParameters: map[string]string{"USERNAME": login, "PASSWORD": attrsPassword},
	})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("challenge %q instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

func (u *attrsUser) signIn(t *testing.T, login string) *types.AuthenticationResultType {
	t.Helper()
	res, err := u.signInErr(login)
	if err != nil {
		t.Fatalf("InitiateAuth(%s): %v", login, err)
	}
	return res
}

// update is UpdateUserAttributes with the user's access token.
func (u *attrsUser) update(meta map[string]string, nv ...string) (*cip.UpdateUserAttributesOutput, error) {
	return u.c.UpdateUserAttributes(context.Background(), &cip.UpdateUserAttributesInput{
		AccessToken: aws.String(u.Access()), UserAttributes: attrsList(nv...), ClientMetadata: meta,
	})
}

func (u *attrsUser) mustUpdate(t *testing.T, meta map[string]string, nv ...string) *cip.UpdateUserAttributesOutput {
	t.Helper()
	out, err := u.update(meta, nv...)
	if err != nil {
		t.Fatalf("UpdateUserAttributes(%v): %v", nv, err)
	}
	return out
}

func (u *attrsUser) verify(code string) error {
	_, err := u.c.VerifyUserAttribute(context.Background(), &cip.VerifyUserAttributeInput{
		AccessToken: aws.String(u.Access()), AttributeName: aws.String("email"), Code: aws.String(code),
	})
	return err
}

// getUser is GetUser's attributes as a map.
func (u *attrsUser) getUser(t *testing.T) map[string]string {
	t.Helper()
	out, err := u.c.GetUser(context.Background(), &cip.GetUserInput{AccessToken: aws.String(u.Access())})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return attrsMap(out.UserAttributes)
}

// admin is AdminGetUser.
func (u *attrsUser) admin(t *testing.T) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := u.p.env.admin.AdminGetUser(context.Background(), &cip.AdminGetUserInput{
		UserPoolId: aws.String(u.p.id), Username: aws.String(u.Username),
	})
	if err != nil {
		t.Fatalf("AdminGetUser(%s): %v", u.Username, err)
	}
	return out
}

// attrsMessage is one entry of GET /_cognate/messages.
type attrsMessage struct {
	MessageId      string
	UserPoolId     string
	Username       string
	DeliveryMedium string
	Destination    string
	AttributeName  string
	TriggerSource  string
	Subject        string
	Body           string
	Code           string
}

// messages are the messages sent to the user, oldest first.
func (u *attrsUser) messages(t *testing.T) []attrsMessage {
	t.Helper()
	return attrsMessages(t, u.p.env.w.URL, u.p.id, u.Username)
}

func attrsMessages(t *testing.T, base, poolID, username string) []attrsMessage {
	t.Helper()
	q := url.Values{"UserPoolId": {poolID}, "Username": {username}}
	resp, err := http.Get(base + "/_cognate/messages?" + q.Encode())
	if err != nil {
		t.Fatalf("GET /_cognate/messages: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /_cognate/messages: HTTP %d", resp.StatusCode)
	}
	var body struct{ Messages []attrsMessage }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /_cognate/messages: %v", err)
	}
	return body.Messages
}

// lastMessage is the newest message, which must exist.
func (u *attrsUser) lastMessage(t *testing.T) attrsMessage {
	t.Helper()
	msgs := u.messages(t)
	if len(msgs) == 0 {
		t.Fatalf("no message was sent to %s", u.Username)
	}
	return msgs[len(msgs)-1]
}

// invocations are the function's calls about this user.
func (u *attrsUser) invocations() []attrsInvocation {
	return u.p.env.lambda.For(u.p.id, u.Username)
}

// attrsSnapshot is everything a rejected request must leave as it was.
type attrsSnapshot struct {
	Attributes  map[string]string
	Modified    time.Time
	Messages    int
	Invocations int
}

func (u *attrsUser) snapshot(t *testing.T) attrsSnapshot {
	t.Helper()
	a := u.admin(t)
	return attrsSnapshot{
		Attributes:  attrsMap(a.UserAttributes),
		Modified:    aws.ToTime(a.UserLastModifiedDate),
		Messages:    len(u.messages(t)),
		Invocations: len(u.invocations()),
	}
}

// unchanged asserts that nothing happened to the user since before:
// attributes and UserLastModifiedDate as they were, no message, no Lambda
// call.
func (u *attrsUser) unchanged(t *testing.T, before attrsSnapshot) {
	t.Helper()
	if d := cmp.Diff(before, u.snapshot(t)); d != "" {
		t.Errorf("a rejected request changed the user (-before +after):\n%s", d)
	}
}

// ---------------------------------------------------------------------------
// Errors and golden bodies

// attrsReject asserts the typed error T with exactly msg, HTTP 400, and the
// response body against testdata/golden_attrs/<golden>.json.
func attrsReject[T smithy.APIError](t *testing.T, rec *recorder, err error, msg, golden string) {
	t.Helper()
	wantAPIError[T](t, err, msg)
	if rec != nil && golden != "" {
		attrsGolden(t, golden, rec.lastBody())
	}
}

// attrsGolden compares an error body with its golden file: exactly
// {"__type":…,"message":…}.
func attrsGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var shape map[string]any
	if err := json.Unmarshal(body, &shape); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	if _, ok := shape["__type"]; !ok || len(shape) != 2 {
		t.Errorf("error body %s: want exactly __type and message", body)
	}
	path := filepath.Join("testdata", "golden_attrs", name+".json")
	got := append(bytes.TrimSpace(body), '\n')
	if attrsUpdating() && !t.Failed() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create it)", path, err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("error body differs from %s:\n got %s\nwant %s", path, got, want)
	}
}

// attrsRaw posts a raw AWS JSON 1.1 request (for bodies the SDK refuses to
// send) and returns the status, the error type and message, and the body.
func attrsRaw(t *testing.T, base, op, body string) (int, string, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", op, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Type, e.Message, raw
}

// ---------------------------------------------------------------------------
// Small helpers

func attrsList(nv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(nv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(nv[i]), Value: aws.String(nv[i+1])})
	}
	return out
}

func attrsMap(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// attrsWant asserts attribute values; "" means absent.
func attrsWant(t *testing.T, got map[string]string, nv ...string) {
	t.Helper()
	for i := 0; i+1 < len(nv); i += 2 {
		v, ok := got[nv[i]]
		switch {
		case nv[i+1] == "" && ok:
			t.Errorf("attribute %s = %q, want it absent", nv[i], v)
		case nv[i+1] != "" && v != nv[i+1]:
			t.Errorf("attribute %s = %q (present %v), want %q", nv[i], v, ok, nv[i+1])
		}
	}
}

// attrsSettle waits past the current millisecond, so that a change made
// now has a later UserLastModifiedDate than what was read before.
func attrsSettle() { time.Sleep(3 * time.Millisecond) }

// attrsMovedOn asserts that UserLastModifiedDate moved past before.
func (u *attrsUser) attrsMovedOn(t *testing.T, before attrsSnapshot) {
	t.Helper()
	if got := aws.ToTime(u.admin(t).UserLastModifiedDate); !got.After(before.Modified) {
		t.Errorf("UserLastModifiedDate = %v, want after %v", got, before.Modified)
	}
}

func attrsEmail(n int64) string {
	return fmt.Sprintf("new%d.%s@example.com", n, strings.ToLower(rand.Text()[:6]))
}

// attrsMaskEmail is decision 4's mask.
func attrsMaskEmail(addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	return local[:1] + "***@" + domain[:1] + "***"
}
