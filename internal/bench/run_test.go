package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// newCognate starts the real server over a fresh SQLite file, as the wire
// tests do, and returns its URL (http://127.0.0.1:port).
func newCognate(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "cognate.db"), sqlstore.Options{})
	if err != nil {
		t.Fatalf("sqlstore.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h, err := server.New(ctx, server.Config{
		Store: st, Mode: api.ModeLocal, Region: "us-east-1", AccountID: "123456789012",
		Logger: slog.New(slog.DiscardHandler), Passwords: password.Fast,
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	go h.Run(runCtx)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop() })
	return srv.URL
}

// poolExists asks the server, through the public API, whether the pool is
// still there.
func poolExists(t *testing.T, endpoint, poolID string) bool {
	t.Helper()
	c := newClient(Config{Endpoint: endpoint, Region: "us-east-1", Timeout: 10 * time.Second})
	err := c.call(context.Background(), "DescribeUserPool", true, map[string]string{"UserPoolId": poolID}, nil)
	var ae *APIError
	switch {
	case err == nil:
		return true
	case errors.As(err, &ae) && ae.Type == "ResourceNotFoundException":
		return false
	}
	t.Fatalf("DescribeUserPool: %v", err)
	return false
}

func TestRunEveryOperation(t *testing.T) {
	endpoint := newCognate(t)
	for _, op := range Operations {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			res, err := Run(context.Background(), Config{
				Endpoint: endpoint, Operation: op, Users: 5, Concurrency: 4, Requests: 50,
				Log: &log,
			})
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, log.String())
			}
			if res.Errors != 0 || res.TransportErrors != 0 {
				t.Errorf("errors %v, transport errors %v", res.ErrorsByType, res.TransportErrorsByType)
			}
			if res.Successes != 50 || res.Requests != 50 {
				t.Errorf("successes = %d, requests = %d, want 50", res.Successes, res.Requests)
			}
			l := res.Latency
			if !(0 < l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.Mean <= l.Max) {
				t.Errorf("latency out of order: %+v", l)
			}
			if res.Throughput <= 0 || res.Elapsed <= 0 || res.Setup <= 0 {
				t.Errorf("throughput %v, elapsed %v, setup %v", res.Throughput, res.Elapsed, res.Setup)
			}
			if op == Mixed {
				var n int64
				for _, o := range res.PerOperation {
					n += o.Successes
				}
				if len(res.PerOperation) != 4 || n != 50 {
					t.Errorf("per operation = %+v, want 4 operations adding up to 50", res.PerOperation)
				}
			} else if res.PerOperation != nil {
				t.Errorf("per operation = %+v for a single operation", res.PerOperation)
			}
			// Keep-alive: the workers reuse the setup's connections, or at
			// most open one each.
			if res.NewConnections > 4 {
				t.Errorf("%d connections opened for 4 workers", res.NewConnections)
			}
			if !res.CleanedUp || res.PoolID == "" {
				t.Errorf("cleaned up = %v (%s), pool %q", res.CleanedUp, res.CleanupError, res.PoolID)
			}
			if poolExists(t, endpoint, res.PoolID) {
				t.Errorf("pool %s still exists after the run", res.PoolID)
			}
		})
	}
}

// TestRunEffects checks that the load does what it says on the server: the
// attribute changes, the new users exist, the filter selects by prefix.
func TestRunEffects(t *testing.T) {
	endpoint := newCognate(t)
	ctx := context.Background()
	c := newClient(Config{Endpoint: endpoint, Region: "us-east-1", Timeout: 10 * time.Second})

	res, err := Run(ctx, Config{Endpoint: endpoint, Operation: UpdateUserAttributes, Users: 2, Concurrency: 1, Requests: 3, Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Kept || res.CleanedUp || !poolExists(t, endpoint, res.PoolID) {
		t.Fatalf("--keep: kept %v, cleaned up %v", res.Kept, res.CleanedUp)
	}
	var got struct {
		UserAttributes []struct{ Name, Value string }
	}
	if err := c.call(ctx, "AdminGetUser", true, map[string]string{"UserPoolId": res.PoolID, "Username": userName(0)}, &got); err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range got.UserAttributes {
		attrs[a.Name] = a.Value
	}
	// One worker alternates between the two users: user 0 got requests 1
	// and 3, the last value wins.
	if attrs[benchAttribute] != "v0x3" || attrs["email"] != "benchuser00000@example.com" {
		t.Errorf("attributes = %v, want %s=v0x3 and the email", attrs, benchAttribute)
	}
	var list struct{ Users []struct{ Username string } }
	if err := c.call(ctx, "ListUsers", true, map[string]any{"UserPoolId": res.PoolID, "Limit": 60, "Filter": `email ^= "benchuser000"`}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 2 {
		t.Errorf("ListUsers by prefix found %d users, want 2", len(list.Users))
	}
	if err := cleanup(c, &env{poolID: res.PoolID}); err != nil {
		t.Fatal(err)
	}

	res, err = Run(ctx, Config{Endpoint: endpoint, Operation: AdminCreateUser, Users: 1, Concurrency: 3, Requests: 7, Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	var all struct{ Users []struct{ Username string } }
	if err := c.call(ctx, "ListUsers", true, map[string]any{"UserPoolId": res.PoolID, "Limit": 60}, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Users) != 1+7 {
		t.Errorf("%d users after 7 AdminCreateUser, want 8", len(all.Users))
	}
	if err := cleanup(c, &env{poolID: res.PoolID}); err != nil {
		t.Fatal(err)
	}
}

func TestRunJSON(t *testing.T) {
	endpoint := newCognate(t)
	res, err := Run(context.Background(), Config{
		Endpoint: endpoint, Operation: Mixed, Users: 5, Concurrency: 2,
		Duration: 300 * time.Millisecond, Requests: 1_000_000, Warmup: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Elapsed < 300*time.Millisecond || res.Elapsed > 2*time.Second {
		t.Errorf("elapsed %v for a 300ms duration", res.Elapsed)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	dec := json.NewDecoder(&buf)
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, buf.String())
	}
	if dec.More() {
		t.Errorf("more than one JSON value")
	}
	for _, key := range []string{"endpoint", "operation", "users", "concurrency", "setup_seconds", "duration_seconds",
		"requests", "successes", "errors", "transport_errors", "errors_by_type", "requests_per_second", "latency_ms",
		"per_operation", "client_cpu_seconds", "cleaned_up", "pool_id"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if got["endpoint"] != endpoint || got["operation"] != Mixed || got["users"] != 5.0 || got["concurrency"] != 2.0 || got["cleaned_up"] != true {
		t.Errorf("JSON = %v", got)
	}
	lat, _ := got["latency_ms"].(map[string]any)
	if p50, _ := lat["p50"].(float64); p50 <= 0 {
		t.Errorf("latency_ms = %v", lat)
	}

	var text bytes.Buffer
	if err := WriteText(&text, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"req/s", "p99", "GetUser", "deleted"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

// TestRunInterrupted cancels the run under way, as Ctrl-C does: the partial
// result comes back and the pool is still deleted.
func TestRunInterrupted(t *testing.T) {
	endpoint := newCognate(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the load runs, not during the setup.
	onSetup := writerFunc(func(b []byte) {
		if bytes.Contains(b, []byte("setup took")) {
			time.AfterFunc(300*time.Millisecond, cancel)
		}
	})
	res, err := Run(ctx, Config{Endpoint: endpoint, Operation: GetUser, Users: 3, Concurrency: 2, Duration: time.Minute, Log: onSetup})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Elapsed > 10*time.Second {
		t.Errorf("interrupted = %v after %v", res.Interrupted, res.Elapsed)
	}
	if res.TransportErrors != 0 {
		t.Errorf("cancelled requests counted as transport errors: %v", res.TransportErrorsByType)
	}
	if !res.CleanedUp || poolExists(t, endpoint, res.PoolID) {
		t.Errorf("pool %s not deleted after the interruption (%s)", res.PoolID, res.CleanupError)
	}
}

// TestRunCountsErrors loads a server that answers every load call with an
// error, so that errors are grouped by type and transport errors apart.
func TestRunCountsErrors(t *testing.T) {
	fake := newFakeCognito()
	fake.fail = func(op string) (int, string) {
		if op == GetUser {
			return 400, "NotAuthorizedException"
		}
		return 0, ""
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	res, err := Run(context.Background(), Config{Endpoint: srv.URL, Operation: GetUser, Users: 2, Concurrency: 2, Requests: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 20 || res.ErrorsByType["NotAuthorizedException"] != 20 || res.Successes != 0 {
		t.Errorf("errors = %d %v, successes %d", res.Errors, res.ErrorsByType, res.Successes)
	}

	// A server that goes away: the load's failures are transport errors.
	res, err = Run(context.Background(), Config{
		Endpoint: srv.URL, Operation: AdminGetUser, Users: 1, Concurrency: 1, Requests: 3,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("X-Amz-Target") == targetPrefix+AdminGetUser {
				return nil, errors.New("connection went away")
			}
			return http.DefaultTransport.RoundTrip(r)
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.TransportErrors != 3 || res.Errors != 0 {
		t.Errorf("transport errors = %v, errors = %v", res.TransportErrorsByType, res.ErrorsByType)
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConfigRefusesRemote(t *testing.T) {
	for _, ep := range []string{"http://10.0.0.1:9229", "https://cognito-idp.us-east-1.amazonaws.com/", "http://192.168.1.2", "http://example.com:80", "http://[2001:db8::1]:9229", "http://localhost.example.com"} {
		_, err := Run(context.Background(), Config{Endpoint: ep, Operation: GetUser})
		if err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("%s: err = %v, want a refusal naming --allow-remote", ep, err)
		}
		// Allowed, the config passes (nothing is sent: only validated here).
		if _, err := (Config{Endpoint: ep, Operation: GetUser, AllowRemote: true}).normalized(); err != nil {
			t.Errorf("%s with AllowRemote: %v", ep, err)
		}
	}
	for _, ep := range []string{"http://127.0.0.1:9229", "http://127.3.4.5", "http://localhost:1", "http://LOCALHOST.:1", "http://[::1]:9229"} {
		if _, err := (Config{Endpoint: ep, Operation: GetUser}).normalized(); err != nil {
			t.Errorf("%s: %v", ep, err)
		}
	}
}

func TestDialRefusesRemote(t *testing.T) {
	// The endpoint passed the check, but the dialled address is elsewhere
	// (a resolver that answers a public address for the name, say): the
	// dialer still refuses.
	c := newClient(Config{Endpoint: "http://localhost:9229", Region: "us-east-1", Concurrency: 1, SetupConcurrency: 1, Timeout: time.Second})
	conn, err := c.http.Transport.(*http.Transport).DialContext(context.Background(), "tcp", "192.0.2.1:80")
	if err == nil {
		conn.Close()
		t.Fatal("dialled a non-loopback address")
	}
	if !strings.Contains(err.Error(), "non-loopback") {
		t.Errorf("err = %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := Config{Endpoint: "http://127.0.0.1:1", Operation: GetUser}
	for name, mod := range map[string]func(*Config){
		"operation":  func(c *Config) { c.Operation = "DeleteUser" },
		"duration":   func(c *Config) { c.Duration = 11 * time.Minute },
		"users":      func(c *Config) { c.Users = -1 },
		"scheme":     func(c *Config) { c.Endpoint = "ftp://127.0.0.1" },
		"no host":    func(c *Config) { c.Endpoint = "127.0.0.1:9229" },
		"negative":   func(c *Config) { c.Requests = -5 },
		"concurrent": func(c *Config) { c.Concurrency = -1 },
	} {
		c := base
		mod(&c)
		if _, err := c.normalized(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	c, err := base.normalized()
	if err != nil || c.Duration != DefaultDuration || c.Users != 100 || c.Concurrency != 16 {
		t.Errorf("defaults = %+v, %v", c, err)
	}
	base.Requests = 10
	if c, _ := base.normalized(); c.Duration != MaxDuration {
		t.Errorf("requests alone: duration %v, want the %v cap", c.Duration, MaxDuration)
	}
}

// TestRunInBorrowedPool: --pool runs in an existing pool and the clean-up
// removes only what the run created, leaving the pool and its users.
func TestRunInBorrowedPool(t *testing.T) {
	endpoint := newCognate(t)
	ctx := context.Background()
	c := newClient(Config{Endpoint: endpoint, Region: "us-east-1", Timeout: 10 * time.Second})
	owner := &env{runID: "owner"}
	if err := createPool(ctx, c, owner); err != nil {
		t.Fatal(err)
	}
	if err := c.call(ctx, "AdminCreateUser", true, map[string]any{"UserPoolId": owner.poolID, "Username": "resident", "MessageAction": "SUPPRESS"}, nil); err != nil {
		t.Fatal(err)
	}

	res, err := Run(ctx, Config{Endpoint: endpoint, Operation: UpdateUserAttributes, Users: 3, Concurrency: 2, Requests: 6, PoolID: owner.poolID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Successes != 6 || !res.CleanedUp || res.PoolID != owner.poolID {
		t.Fatalf("successes %d, cleaned up %v, pool %s (want 6, true, %s)", res.Successes, res.CleanedUp, res.PoolID, owner.poolID)
	}
	if !poolExists(t, endpoint, owner.poolID) {
		t.Fatal("the borrowed pool was deleted")
	}
	var list struct{ Users []struct{ Username string } }
	if err := c.call(ctx, "ListUsers", true, map[string]any{"UserPoolId": owner.poolID}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 1 || list.Users[0].Username != "resident" {
		t.Errorf("users left in the borrowed pool: %+v, want only resident", list.Users)
	}
	var clients struct{ UserPoolClients []struct{ ClientId string } }
	if err := c.call(ctx, "ListUserPoolClients", true, map[string]any{"UserPoolId": owner.poolID, "MaxResults": 10}, &clients); err != nil {
		t.Fatal(err)
	}
	if len(clients.UserPoolClients) != 0 {
		t.Errorf("app clients left in the borrowed pool: %+v", clients.UserPoolClients)
	}

	_, err = Run(ctx, Config{Endpoint: endpoint, Operation: AdminCreateUser, Requests: 1, PoolID: owner.poolID})
	if err == nil || !strings.Contains(err.Error(), "--pool cannot be used with AdminCreateUser") {
		t.Errorf("AdminCreateUser in a borrowed pool: %v", err)
	}
}

// TestRunSpreadsOverEndpoints: comma-separated endpoints (instances of one
// service) share the load; the setup goes to the first.
func TestRunSpreadsOverEndpoints(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "shared.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var urls []string
	for range 2 {
		h, err := server.New(ctx, server.Config{Store: st, Mode: api.ModeLocal, Region: "us-east-1", AccountID: "123456789012", Logger: slog.New(slog.DiscardHandler), Passwords: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	var mu sync.Mutex
	hits := map[string]map[string]int{} // host -> operation -> requests
	count := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		if hits[r.URL.Host] == nil {
			hits[r.URL.Host] = map[string]int{}
		}
		hits[r.URL.Host][strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)]++
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	res, err := Run(ctx, Config{Endpoint: strings.Join(urls, ","), Operation: GetUser, Users: 2, Concurrency: 4, Requests: 40, Transport: count})
	if err != nil {
		t.Fatal(err)
	}
	if res.Successes != 40 || !res.CleanedUp {
		t.Fatalf("successes %d, cleaned up %v", res.Successes, res.CleanedUp)
	}
	first, second := strings.TrimPrefix(urls[0], "http://"), strings.TrimPrefix(urls[1], "http://")
	if hits[first]["CreateUserPool"] != 1 || hits[second]["CreateUserPool"] != 0 || hits[first]["DeleteUserPool"] != 1 {
		t.Errorf("setup and clean-up should use the first endpoint: %v", hits)
	}
	// Workers alternate between the endpoints; how many requests each
	// worker gets through depends on scheduling, so only both being used,
	// and nothing lost, is asserted.
	if hits[first]["GetUser"] == 0 || hits[second]["GetUser"] == 0 || hits[first]["GetUser"]+hits[second]["GetUser"] != 40 {
		t.Errorf("the load was not spread over both endpoints: %v", hits)
	}
}
