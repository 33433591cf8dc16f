package server_test

// FuzzOperations drives every operation of the model through the real
// handler over a real SQLite store, with bodies shaped like the operation's
// input (the generated request structs, filled by reflection from the fuzzer's
// bytes, with the ids of a pre-created pool, app client, user and group
// substituted in) and with raw bytes. It asserts what the edge promises: no
// 5xx (so no panic, which the dispatcher turns into InternalErrorException),
// a Cognito-shaped answer with bounded headers, and a healthy server after.
//
// As a normal test (go test ./...) it runs the seeds below and the corpus
// under testdata/fuzz/FuzzOperations. CI fuzzes it for a bounded time
// (.ci/run):
//
//	go test -run XXX -fuzz FuzzOperations -fuzztime 60s ./internal/server/

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

const (
	fuzzTarget   = "AWSCognitoIdentityProviderService."
	fuzzPassword = "Fuzz-Passw0rd!"
	fuzzUser     = "fuzz-user"
	fuzzGroup    = "fuzz-group"
	// maxHeaderBytes is what Node's HTTP parser (and so the AWS SDK for
	// JavaScript) accepts in a response's headers.
	maxHeaderBytes = 16 << 10
)

// Body modes: how the fuzzer's bytes become a request body.
const (
	modeRaw    = iota // the bytes as they are
	modeSeed          // the operation's valid seed body, ids substituted
	modeShaped        // the seed, then members regenerated from the bytes
	modeFresh         // every member generated from the bytes
	modeCount
)

// fuzzSeeds is the generator's valid request body for every operation.
func fuzzSeeds(tb testing.TB) map[string]string {
	tb.Helper()
	if len(model.SeedBodies) != len(model.Operations) {
		tb.Fatalf("%d seed bodies for %d operations", len(model.SeedBodies), len(model.Operations))
	}
	return model.SeedBodies
}

// fuzzEnums maps "Shape.Member" to the enum values the model gives the
// member (or, for a list, its elements), so that generated values often get
// past validation into the domain.
func fuzzEnums(tb testing.TB) map[string][]string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "api", "cognito-idp-2016-04-18.json"))
	if err != nil {
		tb.Fatalf("read the model: %v", err)
	}
	type ref struct {
		Shape string `json:"shape"`
	}
	var m struct {
		Shapes map[string]struct {
			Type    string         `json:"type"`
			Enum    []string       `json:"enum"`
			Members map[string]ref `json:"members"`
			Member  *ref           `json:"member"`
		} `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("decode the model: %v", err)
	}
	out := map[string][]string{}
	for name, s := range m.Shapes {
		for mem, r := range s.Members {
			t := m.Shapes[r.Shape]
			if t.Type == "list" && t.Member != nil {
				t = m.Shapes[t.Member.Shape]
			}
			if len(t.Enum) > 0 {
				out[name+"."+mem] = t.Enum
			}
		}
	}
	return out
}

// fuzzEnv is what the fuzz setup creates, so that inputs reach past
// "pool not found" into the domain code.
type fuzzEnv struct {
	poolID, clientID, secretClientID        string
	accessToken, refreshToken, idToken, sub string
}

// fuzzServer is one server for a fuzz worker process.
type fuzzServer struct {
	h    *server.Server
	logs *fuzzLog
	env  fuzzEnv
	n    int // environments built, for unique names
}

// fuzzLog keeps the error records of the current input, for the failure
// message: an InternalErrorException says why only in the log.
type fuzzLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *fuzzLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() < 64<<10 {
		l.buf.Write(p)
	}
	return len(p), nil
}

func (l *fuzzLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cognate-fuzz-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "fuzz.db"), sqlstore.Options{})
	if err != nil {
		tb.Fatalf("sqlstore.Open: %v", err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	// Lambda triggers a fuzzed pool configures are answered here, on
	// loopback, by a function that returns its event unchanged.
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	tb.Cleanup(lambda.Close)
	logs := &fuzzLog{}
	h, err := server.New(ctx, server.Config{
		Store:          st,
		Mode:           api.ModeLocal,
		Region:         "us-east-1",
		AccountID:      testAccount,
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError})),
		Passwords:      password.Fast,
		LambdaEndpoint: lambda.URL,
	})
	if err != nil {
		tb.Fatalf("server.New: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(runCtx) }()
	tb.Cleanup(func() { stop(); <-done })
	s := &fuzzServer{h: h, logs: logs}
	s.rebuild(tb)
	return s
}

// call sends one request to the handler.
func (s *fuzzServer) call(op string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", fuzzTarget+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

// must calls op with in and decodes a 200 answer into out.
func (s *fuzzServer) must(tb testing.TB, op string, in, out any) {
	tb.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	rec := s.call(op, body)
	if rec.Code != 200 {
		tb.Fatalf("fuzz setup: %s: %d %s\n%s", op, rec.Code, rec.Body, s.logs.take())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			tb.Fatalf("fuzz setup: %s: %v", op, err)
		}
	}
}

// rebuild creates a fresh pool with two app clients, a confirmed user with
// tokens and a group the user is in.
func (s *fuzzServer) rebuild(tb testing.TB) {
	tb.Helper()
	s.n++
	var pool model.CreateUserPoolResponse
	s.must(tb, "CreateUserPool", map[string]any{
		"PoolName":               fmt.Sprintf("fuzz-%d", s.n),
		"AutoVerifiedAttributes": []string{"email"},
		"Schema":                 []map[string]any{{"Name": "tier", "AttributeDataType": "String", "Mutable": true}},
	}, &pool)
	env := fuzzEnv{poolID: *pool.UserPool.Id}
	flows := []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	var client model.CreateUserPoolClientResponse
	s.must(tb, "CreateUserPoolClient", map[string]any{"UserPoolId": env.poolID, "ClientName": "fuzz", "ExplicitAuthFlows": flows}, &client)
	env.clientID = *client.UserPoolClient.ClientId
	var secret model.CreateUserPoolClientResponse
	s.must(tb, "CreateUserPoolClient", map[string]any{"UserPoolId": env.poolID, "ClientName": "fuzz-secret", "GenerateSecret": true, "ExplicitAuthFlows": flows}, &secret)
	env.secretClientID = *secret.UserPoolClient.ClientId
	s.env = env
	if !s.repair(tb) {
		tb.Fatalf("fuzz setup: the fresh pool gave no tokens\n%s", s.logs.take())
	}
	s.logs.take()
}

// ok sends in to op and reports a 200, decoding the answer into out.
func (s *fuzzServer) ok(op string, in, out any) bool {
	body, _ := json.Marshal(in)
	rec := s.call(op, body)
	if rec.Code != 200 {
		return false
	}
	return out == nil || json.Unmarshal(rec.Body.Bytes(), out) == nil
}

// repair makes the environment's user usable again after an input
// disabled, deleted or signed it out, or changed its password: cheaper than
// a new pool, whose signing key costs an RSA key generation. It reports
// false when that is not enough (the pool or a client is gone, or the pool
// now wants MFA).
func (s *fuzzServer) repair(tb testing.TB) bool {
	tb.Helper()
	env := &s.env
	pool := env.poolID
	var user model.AdminGetUserResponse
	if !s.ok("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": fuzzUser}, &user) {
		var created model.AdminCreateUserResponse
		if !s.ok("AdminCreateUser", map[string]any{
			"UserPoolId": pool, "Username": fuzzUser, "MessageAction": "SUPPRESS",
			"UserAttributes": []map[string]string{{"Name": "email", "Value": "fuzz@example.com"}, {"Name": "email_verified", "Value": "true"}},
		}, &created) {
			return false
		}
		user.UserAttributes = created.User.Attributes
	}
	for _, a := range user.UserAttributes {
		if *a.Name == "sub" {
			env.sub = *a.Value
		}
	}
	s.ok("AdminEnableUser", map[string]any{"UserPoolId": pool, "Username": fuzzUser}, nil)
	s.ok("CreateGroup", map[string]any{"UserPoolId": pool, "GroupName": fuzzGroup}, nil)
	s.ok("AdminAddUserToGroup", map[string]any{"UserPoolId": pool, "Username": fuzzUser, "GroupName": fuzzGroup}, nil)
	if !s.ok("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": fuzzUser, "Password": fuzzPassword, "Permanent": true}, nil) {
		return false
	}
	var auth model.AdminInitiateAuthResponse
	if !s.ok("AdminInitiateAuth", map[string]any{
		"UserPoolId": pool, "ClientId": env.clientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": fuzzUser, "PASSWORD": fuzzPassword},
	}, &auth) || auth.AuthenticationResult == nil {
		return false
	}
	env.accessToken = *auth.AuthenticationResult.AccessToken
	env.refreshToken = *auth.AuthenticationResult.RefreshToken
	env.idToken = *auth.AuthenticationResult.IdToken
	return true
}

// healthy fails the input unless the server still answers, and makes the
// environment usable again when the input consumed it (deleted the pool or
// the user, disabled or signed the user out).
func (s *fuzzServer) healthy(tb testing.TB) {
	tb.Helper()
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != 200 {
		tb.Fatalf("GET /healthz after the input: %d %s", rec.Code, rec.Body)
	}
	body, _ := json.Marshal(map[string]string{"AccessToken": s.env.accessToken})
	probe := s.call("GetUser", body)
	if probe.Code >= 500 {
		tb.Fatalf("GetUser after the input: %d %s\n%s", probe.Code, probe.Body, s.logs.take())
	}
	if probe.Code != 200 && !s.repair(tb) {
		s.rebuild(tb)
	}
}

// gen turns the fuzzer's bytes into choices; when they run out every
// choice is 0, which leaves optional members out, so generation ends.
type gen struct {
	data  []byte
	i     int
	env   *fuzzEnv
	enums map[string][]string
	seed  string // the operation's seed body, for modeShaped
}

func (g *gen) byte() byte {
	if g.i >= len(g.data) {
		return 0
	}
	b := g.data[g.i]
	g.i++
	return b
}

func (g *gen) n(k int) int { return int(g.byte()) % k }

// chunk takes up to max bytes as a string.
func (g *gen) chunk(max int) string {
	n := g.n(max + 1)
	end := min(g.i+n, len(g.data))
	s := string(g.data[g.i:end])
	g.i = end
	return s
}

// fuzzWords are strings that mean something to Cognito somewhere.
var fuzzWords = []string{
	"", " ", "a", "email", "phone_number", "name", "sub", "custom:tier", "email_verified", "phone_number_verified",
	"fuzz@example.com", "+15555550100", "us-east-1_", "us-east-1_Example1", "{####}", "{username}", "{##Verify##}",
	"true", "false", "1", "-1", "null", "USERNAME", "PASSWORD", "SRP_A", "SECRET_HASH", "REFRESH_TOKEN", "DEVICE_KEY",
	"NEW_PASSWORD", "ANSWER", "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP_CODE", "PREFERRED_CHALLENGE",
	`username = "fuzz-user"`, `email ^= "f"`, `status = "Enabled"`, `cognito:user_status = "CONFIRMED"`, `sub = ""`,
	"arn:aws:lambda:us-east-1:123456789012:function:fuzz", "arn:aws:iam::123456789012:role/fuzz",
	"https://example.com/cb", "http://localhost", "openid", "email profile", "aws.cognito.signin.user.admin",
	"Fuzz-Passw0rd!", "Passw0rd!", "123456", "000000", "é", "日本語", "\U0001F600", "\u2028", "a\nb", "\t", "\"\\",
	strings.Repeat("a", 129), strings.Repeat("x", 2049), strings.Repeat("é", 1000),
}

// envWord is the environment's value for a member of that name, if any.
func (g *gen) envWord(field string) (string, bool) {
	switch field {
	case "UserPoolId":
		return g.env.poolID, true
	case "ClientId":
		if g.n(4) == 0 {
			return g.env.secretClientID, true
		}
		return g.env.clientID, true
	case "Username", "USERNAME", "ProviderAttributeValue":
		if g.n(4) == 0 {
			return g.env.sub, true
		}
		return fuzzUser, true
	case "AccessToken":
		return g.env.accessToken, true
	case "RefreshToken", "Token", "REFRESH_TOKEN":
		return g.env.refreshToken, true
	case "GroupName":
		return fuzzGroup, true
	case "Password", "PreviousPassword", "ProposedPassword", "TemporaryPassword", "PASSWORD", "NEW_PASSWORD":
		return fuzzPassword, true
	case "IdToken":
		return g.env.idToken, true
	}
	return "", false
}

// str generates a string for member field of owner.
func (g *gen) str(owner, field string) string {
	switch g.n(8) {
	case 0, 1:
		if s, ok := g.envWord(field); ok {
			return s
		}
		if vals := g.enums[owner+"."+field]; len(vals) > 0 {
			return vals[g.n(len(vals))]
		}
		return fuzzWords[g.n(len(fuzzWords))]
	case 2:
		if vals := g.enums[owner+"."+field]; len(vals) > 0 {
			return vals[g.n(len(vals))]
		}
		return g.chunk(24)
	case 3, 4:
		return fuzzWords[g.n(len(fuzzWords))]
	case 5:
		// A long value: validation messages must stay bounded.
		return strings.Repeat(g.chunk(4)+"a", 1+g.n(64)*512)
	default:
		return g.chunk(40)
	}
}

var fuzzInts = []int64{0, 1, -1, 2, 5, 59, 60, 61, 100, 3650, 86400, 315360000, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64}

var fuzzDocs = []string{`{}`, `[]`, `null`, `"x"`, `1`, `true`, `{"a":[1,{"b":null}]}`, `{"Version":"2012-10-17"}`}

var (
	timeType = reflect.TypeFor[model.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// value fills v (of owner's member field) from the bytes.
func (g *gen) value(v reflect.Value, owner, field string, depth int) {
	t := v.Type()
	switch {
	case t == timeType:
		v.Set(reflect.ValueOf(model.Time(time.Unix(int64(g.n(256))<<24, 0))))
		return
	case t == rawType:
		v.SetBytes([]byte(fuzzDocs[g.n(len(fuzzDocs))]))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		g.value(e.Elem(), owner, field, depth)
		v.Set(e)
	case reflect.String:
		v.SetString(g.str(owner, field))
	case reflect.Bool:
		v.SetBool(g.byte()&1 == 1)
	case reflect.Int32, reflect.Int64:
		var n int64
		if b := g.byte(); b < 128 {
			n = fuzzInts[int(b)%len(fuzzInts)]
		} else {
			n = int64(int8(g.byte())) * int64(g.byte())
		}
		if !v.OverflowInt(n) {
			v.SetInt(n)
		}
	case reflect.Float64:
		v.SetFloat(float64(int8(g.byte())))
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(g.chunk(64)))
			return
		}
		n := g.n(4)
		if n == 3 && g.n(8) == 0 {
			n = 1 + g.n(256)*8 // a long list
		}
		if depth > 4 {
			n = 0
		}
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			g.value(s.Index(i), owner, field, depth+1)
		}
		v.Set(s)
	case reflect.Map:
		n := g.n(4)
		m := reflect.MakeMapWithSize(t, n)
		for range n {
			k := reflect.New(t.Key()).Elem()
			k.SetString(fuzzWords[g.n(len(fuzzWords))])
			if g.n(2) == 0 {
				k.SetString(g.chunk(12))
			}
			e := reflect.New(t.Elem()).Elem()
			// Map values are named by their key (AuthParameters'
			// USERNAME, PASSWORD, ...).
			g.value(e, owner, k.String(), depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		g.fill(v, depth+1, false)
	}
}

// fill sets the members of struct v: in keep mode a member already set is
// kept, regenerated or dropped; otherwise each member is left out or generated.
func (g *gen) fill(v reflect.Value, depth int, keep bool) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		if !f.IsExported() {
			continue
		}
		c := g.n(4)
		switch {
		case keep && !fv.IsZero():
			switch c {
			case 1:
				g.value(fv, t.Name(), f.Name, depth)
			case 2:
				if g.n(4) == 0 {
					fv.SetZero()
				}
			}
		case depth > 5 || c == 0 || (c == 1 && g.n(2) == 0):
			// left out
		default:
			g.value(fv, t.Name(), f.Name, depth)
		}
	}
}

// substitute puts the environment's ids into the members that name them
// (the seeds hold placeholders such as "us-east-1_Example1").
func (g *gen) substitute(v reflect.Value, field string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			g.substitute(v.Elem(), field)
		}
	case reflect.String:
		if s, ok := g.envWord(field); ok {
			v.SetString(s)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				g.substitute(v.Field(i), v.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if v.Type() == rawType || v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			g.substitute(v.Index(i), field)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			g.substitute(e, k.String())
			v.SetMapIndex(k, e)
		}
	}
}

// body builds the request body for op in mode.
func (g *gen) body(op *model.Operation, mode int) []byte {
	if mode == modeRaw {
		return g.data
	}
	in := op.NewInput()
	v := reflect.ValueOf(in).Elem()
	switch mode {
	case modeSeed, modeShaped:
		if err := json.Unmarshal([]byte(g.seed), in); err != nil {
			panic(err)
		}
		g.substitute(v, "")
		if mode == modeShaped {
			g.fill(v, 0, true)
		}
	default:
		g.fill(v, 0, false)
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("encoding a generated %s input: %v", op.Name, err))
	}
	return b
}

// headerBytes is the size of the response headers as they go on the wire.
func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

func FuzzOperations(f *testing.F) {
	seeds := fuzzSeeds(f)
	enums := fuzzEnums(f)
	names := model.OperationNames()
	implemented := server.ImplementedOperations()
	for i, name := range names {
		if !slices.Contains(implemented, name) {
			continue
		}
		f.Add(uint16(i), byte(modeSeed), []byte(nil))
		f.Add(uint16(i), byte(modeShaped), []byte("\x01\x01\x00\x05\x02\x01\x01\x03\x01\x07"))
		f.Add(uint16(i), byte(modeFresh), []byte("\x03\x03\x00\x03\x01\x03\x02\x03\x04\x03\x05"))
	}
	listUsers := uint16(slices.Index(names, "ListUsers"))
	f.Add(listUsers, byte(modeRaw), []byte(`{"UserPoolId":"us-east-1_x","Limit":0}`))
	f.Add(uint16(slices.Index(names, "CreateUserPool")), byte(modeRaw), []byte(`{"PoolName":"`+strings.Repeat("a", 200_000)+`"}`))

	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, opIndex uint16, mode byte, data []byte) {
		op := model.Operations[names[int(opIndex)%len(names)]]
		g := &gen{data: data, env: &s.env, enums: enums, seed: seeds[op.Name]}
		body := g.body(op, int(mode)%modeCount)
		s.logs.take()
		start := time.Now()
		rec := s.call(op.Name, body)
		if d := time.Since(start); d > 2*time.Second && os.Getenv("FUZZ_SLOW") != "" {
			fl, _ := os.OpenFile(os.Getenv("FUZZ_SLOW"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			fmt.Fprintf(fl, "SLOW %s %v status %d body %.300s resp %.300s\n", op.Name, d, rec.Code, body, rec.Body.String())
			fl.Close()
		}
		defer func() {
			if d := time.Since(start); d > 2*time.Second && os.Getenv("FUZZ_SLOW") != "" {
				fl, _ := os.OpenFile(os.Getenv("FUZZ_SLOW"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				fmt.Fprintf(fl, "SLOW-ITER %s %v status %d body %.300s\n", op.Name, d, rec.Code, body)
				fl.Close()
			}
		}()
		show := func(b []byte) string {
			if len(b) > 2000 {
				return fmt.Sprintf("%s… (%d bytes)", b[:2000], len(b))
			}
			return string(b)
		}
		if rec.Code >= 500 {
			t.Fatalf("%s answered %d %s\nbody sent: %s\nserver log:\n%s", op.Name, rec.Code, show(rec.Body.Bytes()), show(body), s.logs.take())
		}
		if n := headerBytes(rec.Header()); n >= maxHeaderBytes {
			t.Fatalf("%s: %d bytes of response headers\nbody sent: %s", op.Name, n, show(body))
		}
		out := rec.Body.Bytes()
		if !json.Valid(out) {
			t.Fatalf("%s: %d, body is not JSON: %s", op.Name, rec.Code, show(out))
		}
		if rec.Code != 200 {
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(out, &e); err != nil || e.Type == "" {
				t.Fatalf("%s: %d without __type: %s", op.Name, rec.Code, show(out))
			}
			if et := rec.Header().Get("x-amzn-ErrorType"); et != e.Type+":" {
				t.Fatalf("%s: x-amzn-ErrorType %q, __type %q", op.Name, et, e.Type)
			}
		}
		s.healthy(t)
	})
}
