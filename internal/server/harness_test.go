package server_test

// The wire-test harness: the one way the wire tests start a server, reach
// it with the AWS SDK, and serve it Lambda functions.
//
// How to write a wire test:
//
//	func TestSomething(t *testing.T) {
//		eachBackend(t, func(t *testing.T, b backend) {
//			e := newUserEnv(t, b, withClock(userFrozenClock()))
//			poolID := e.newPool(t, &cip.CreateUserPoolInput{})
//			...
//		})
//	}
//
//   - eachBackend runs the test once on SQLite and once on PostgreSQL (the
//     two in parallel; eachBackendSerial for timing-sensitive tests). With
//     no COGNATE_TEST_POSTGRES_DSN the PostgreSQL half is skipped, except in
//     CI (CI=true), where it fails. postgresOnly is for tests that need
//     PostgreSQL itself.
//   - newWire(t, b, opts...) starts the real handler behind httptest on a
//     fresh, empty store of b; options change the configuration: withStore
//     (serve from a given store, e.g. a second server over the same
//     database: b.database), withClock, withPasswords, withLambdaEndpoint,
//     withLogger, withSecureKeys (secure mode). newUserEnv wraps it with an
//     admin client; the other suites' envs (attrsStart, newTrigEnv,
//     newUserEnvPair) are built on it.
//   - w.client(region, opts...) is the SDK client; noRetry makes it report
//     the first failure, recordingClient keeps the last response body.
//   - newFakeLambda serves Go handlers by function name over the Lambda
//     Invoke API and records every payload.
//   - Tests talk to 127.0.0.1 only, with static dummy credentials;
//     TestMain sets AWS_EC2_METADATA_DISABLED so that no SDK probes the
//     network. One PostgreSQL database serves the whole test binary, with
//     a schema per server.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

const testAccount = "123456789012"

func TestMain(m *testing.M) {
	// SDKs without credentials probe the instance metadata service: never.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	if err := dropSharedPostgres(); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// ---------------------------------------------------------------------------
// Backends

// backend makes fresh, empty databases of one kind.
type backend struct {
	name string
	// database creates a fresh database and returns a function that opens
	// a store handle on it; each call is a new handle, as another process
	// would open it, closed when the test ends.
	database func(t *testing.T) func(t *testing.T) store.Store
}

// open is a store on a fresh database.
func (b backend) open(t *testing.T) store.Store {
	t.Helper()
	return b.database(t)(t)
}

var (
	sqliteBackend   = backend{name: "sqlite", database: sqliteDatabase}
	postgresBackend = backend{name: "postgres", database: postgresSchemaDatabase}
)

// eachBackend runs fn once per backend, as parallel subtests named after
// them.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	runBackends(t, true, fn)
}

// eachBackendSerial is eachBackend one backend after the other, for tests
// that measure time and must not share the machine.
func eachBackendSerial(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	runBackends(t, false, fn)
}

func runBackends(t *testing.T, parallel bool, fn func(t *testing.T, b backend)) {
	for _, b := range []backend{sqliteBackend, postgresBackend} {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" {
				pgtest.AdminDSN(t)
			}
			if parallel {
				t.Parallel()
			}
			fn(t, b)
		})
	}
}

// postgresOnly runs fn on PostgreSQL alone, as a subtest named postgres,
// for tests about PostgreSQL itself.
func postgresOnly(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("postgres", func(t *testing.T) {
		pgtest.AdminDSN(t)
		fn(t, postgresBackend)
	})
}

// sqlitePaths maps the SQLite stores the harness opened to their files.
var sqlitePaths sync.Map

func sqliteDatabase(t *testing.T) func(t *testing.T) store.Store {
	path := filepath.Join(t.TempDir(), "cognate.db")
	return func(t *testing.T) store.Store {
		t.Helper()
		st, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
		if err != nil {
			t.Fatalf("sqlstore.Open: %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		sqlitePaths.Store(st, path)
		return st
	}
}

// sqliteStoredBytes is everything an SQLite store holds on disk (the
// database and its WAL); nil for other backends.
func sqliteStoredBytes(t *testing.T, st store.Store) []byte {
	t.Helper()
	path, ok := sqlitePaths.Load(st)
	if !ok {
		return nil
	}
	var all []byte
	for _, suffix := range []string{"", "-wal", "-journal"} {
		b, err := os.ReadFile(path.(string) + suffix)
		if err == nil {
			all = append(all, b...)
		}
	}
	return all
}

// The PostgreSQL database the whole test binary shares: created on first
// use, dropped by TestMain.
var sharedPG struct {
	once   sync.Once
	admin  string
	name   string
	dsn    string
	err    error
	schema atomic.Int64
}

// postgresSchemaDatabase is a fresh schema of the shared database.
func postgresSchemaDatabase(t *testing.T) func(t *testing.T) store.Store {
	t.Helper()
	admin := pgtest.AdminDSN(t)
	sharedPG.once.Do(func() {
		sharedPG.admin = admin
		sharedPG.name = pgtest.NewName("cognate_wire_")
		sharedPG.dsn, sharedPG.err = pgtest.CreateDatabase(admin, sharedPG.name)
	})
	if sharedPG.err != nil {
		t.Fatal(sharedPG.err)
	}
	dsn := pgtest.Schema(t, sharedPG.dsn, fmt.Sprintf("s%d", sharedPG.schema.Add(1)))
	return func(t *testing.T) store.Store {
		t.Helper()
		st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
		if err != nil {
			t.Fatalf("sqlstore.Open(postgres): %v", err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
}

func dropSharedPostgres() error {
	if sharedPG.name == "" || sharedPG.err != nil {
		return nil
	}
	return pgtest.DropDatabase(sharedPG.admin, sharedPG.name)
}

// ---------------------------------------------------------------------------
// Servers

// wire is one running server.
type wire struct {
	URL   string
	Store store.Store
}

type wireOption func(*server.Config)

// withStore serves from st instead of a fresh store of the backend.
func withStore(st store.Store) wireOption {
	return func(cfg *server.Config) { cfg.Store = st }
}

// withClock makes the server read time from c.
func withClock(c *fakeClock) wireOption {
	return func(cfg *server.Config) { cfg.Now = c.Now }
}

// withPasswords sets the argon2id profile (password.Fast by default).
func withPasswords(p password.Params) wireOption {
	return func(cfg *server.Config) { cfg.Passwords = p }
}

// withLambdaEndpoint points the server's Lambda triggers at an Invoke API.
func withLambdaEndpoint(endpoint string) wireOption {
	return func(cfg *server.Config) { cfg.LambdaEndpoint = endpoint }
}

// withLogger sends the server's log to l (discarded by default).
func withLogger(l *slog.Logger) wireOption {
	return func(cfg *server.Config) { cfg.Logger = l }
}

// newWire starts the real handler, in local mode, over a fresh store of b
// unless an option (withStore) gives it one.
func newWire(t *testing.T, b backend, opts ...wireOption) *wire {
	t.Helper()
	ctx := context.Background()
	cfg := server.Config{
		Mode:      api.ModeLocal,
		Region:    "us-east-1",
		AccountID: testAccount,
		Logger:    slog.New(slog.DiscardHandler),
		Passwords: password.Fast,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Store == nil {
		cfg.Store = b.open(t)
	}
	h, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	go h.Run(runCtx)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop() })
	return &wire{URL: srv.URL, Store: cfg.Store}
}

// ---------------------------------------------------------------------------
// SDK clients

// client returns an SDK client whose SigV4 credential scope names region,
// with static dummy credentials.
func (w *wire) client(region string, optFns ...func(*cip.Options)) *cip.Client {
	return cip.New(cip.Options{
		Region:       region,
		BaseEndpoint: aws.String(w.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, optFns...)
}

// noRetry makes a client report the first failure, so that a 5xx the SDK
// would retry away still fails the test.
func noRetry(o *cip.Options) { o.Retryer = aws.NopRetryer{} }

// recordingClient is a client (without retries) that keeps the last
// response body, so that error bodies can be compared with golden files.
func (w *wire) recordingClient() (*cip.Client, *recorder) {
	rec := &recorder{}
	return w.client("us-east-1", noRetry, func(o *cip.Options) { o.HTTPClient = rec }), rec
}

// recorder is an SDK HTTP client keeping the last response body.
type recorder struct {
	mu   sync.Mutex
	last []byte
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.last = body
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) lastBody() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// ---------------------------------------------------------------------------
// Clock

// fakeClock is a settable clock shared by the server and the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ---------------------------------------------------------------------------
// Lambda

// fakeLambda is a Lambda Invoke API on loopback: POST
// /2015-03-31/functions/{name}/invocations runs the function registered
// under name (the path may carry the function's ARN) and answers as Lambda
// does: function errors with status 200, X-Amz-Function-Error and
// {"errorMessage","errorType"}; an unknown function with 404. Go handlers
// run through aws-lambda-go's lambda.NewHandler(fn).Invoke, what
// lambda.Start runs in a real runtime.
type fakeLambda struct {
	URL string

	mu       sync.Mutex
	handlers map[string]lambdaFunc
	calls    map[string][]lambdaCall // function name → invocations
}

// lambdaFunc answers one invocation's payload: output, or a function error.
type lambdaFunc func(ctx context.Context, payload []byte) ([]byte, error)

// lambdaCall is one invocation: the function as the request named it and
// the payload.
type lambdaCall struct {
	Path    string
	Payload []byte
}

func newFakeLambda(t *testing.T) *fakeLambda {
	t.Helper()
	l := &fakeLambda{handlers: map[string]lambdaFunc{}, calls: map[string][]lambdaCall{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", l.invoke)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	l.URL = srv.URL
	return l
}

func (l *fakeLambda) invoke(w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("name") // the function's ARN or name
	name := path
	if _, after, ok := strings.Cut(name, ":function:"); ok {
		name = after
	}
	payload, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	h := l.handlers[name]
	l.calls[name] = append(l.calls[name], lambdaCall{Path: path, Payload: payload})
	l.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if h == nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
		return
	}
	out, err := h(r.Context(), payload)
	if err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		out, _ = json.Marshal(messages.InvokeResponse_Error{Message: err.Error(), Type: "errorString"})
	}
	_, _ = w.Write(out)
}

// handle registers a Go handler (any signature lambda.NewHandler takes)
// under name and returns the function's ARN.
func (l *fakeLambda) handle(name string, fn any) string {
	h := lambda.NewHandler(fn)
	return l.handleRaw(name, func(ctx context.Context, payload []byte) ([]byte, error) { return h.Invoke(ctx, payload) })
}

// handleRaw registers a function answering raw payloads (for output that
// is not JSON) and returns its ARN.
func (l *fakeLambda) handleRaw(name string, fn lambdaFunc) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handlers[name] = fn
	return "arn:aws:lambda:us-east-1:" + testAccount + ":function:" + name
}

// invocations are the calls function name received, oldest first.
func (l *fakeLambda) invocations(name string) []lambdaCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]lambdaCall(nil), l.calls[name]...)
}

// lambdaEvents returns the payloads function name received, decoded into T
// and as JSON.
func lambdaEvents[T any](t *testing.T, l *fakeLambda, name string) ([]T, []map[string]any) {
	t.Helper()
	var evs []T
	var raws []map[string]any
	for _, c := range l.invocations(name) {
		var ev T
		var raw map[string]any
		if err := json.Unmarshal(c.Payload, &ev); err != nil {
			t.Fatalf("%s event does not decode into %T: %v", name, ev, err)
		}
		_ = json.Unmarshal(c.Payload, &raw)
		evs = append(evs, ev)
		raws = append(raws, raw)
	}
	return evs, raws
}
