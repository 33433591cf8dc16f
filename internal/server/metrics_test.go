package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/metrics"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

func metricsCall(t *testing.T, h http.Handler, op, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func metricsGet(h http.Handler, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

// sample returns the value of the series named exactly by series (name and
// labels as the text format writes them, labels sorted), or -1.
func sample(text, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsAndReadiness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := server.New(ctx, server.Config{
		Store: st, Region: "us-east-1", AccountID: "000000000000", PublicURL: "http://localhost:9229",
		Passwords: password.Fast, Metrics: metrics.New(), MetricsRoute: true,
	})
	if err != nil {
		t.Fatal(err)
	}

	code, out := metricsCall(t, srv, "CreateUserPool", `{"PoolName":"m","AutoVerifiedAttributes":["email"]}`)
	if code != 200 {
		t.Fatalf("CreateUserPool: %d %v", code, out)
	}
	pool := out["UserPool"].(map[string]any)["Id"].(string)
	_, out = metricsCall(t, srv, "CreateUserPoolClient", `{"UserPoolId":"`+pool+`","ClientName":"c"}`)
	client := out["UserPoolClient"].(map[string]any)["ClientId"].(string)
	for range 2 {
		if code, _ := metricsCall(t, srv, "DescribeUserPool", `{"UserPoolId":"us-east-1_nothere00"}`); code != 400 {
			t.Fatalf("DescribeUserPool of a missing pool: %d", code)
		}
	}
	if code, out := metricsCall(t, srv, "SignUp", `{"ClientId":"`+client+`","Username":"metrics-secret-user","Password":"Passw0rd!","UserAttributes":[{"Name":"email","Value":"m@example.com"}]}`); code != 200 {
		t.Fatalf("SignUp: %d %v", code, out)
	}

	code, text := metricsGet(srv, "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics = %d", code)
	}
	for series, want := range map[string]float64{
		`cognate_requests_total{error="",operation="CreateUserPool"}`:                            1,
		`cognate_requests_total{error="",operation="SignUp"}`:                                    1,
		`cognate_requests_total{error="ResourceNotFoundException",operation="DescribeUserPool"}`: 2,
		`cognate_request_duration_seconds_count{operation="DescribeUserPool"}`:                   2,
		`cognate_request_duration_seconds_count{operation="CreateUserPool"}`:                     1,
		`cognate_password_hashes_in_flight`:                                                      0,
		`cognate_outbox_pending`:                                                                 1, // the sign-up code; the dispatcher is not running
	} {
		if got := sample(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := sample(text, "cognate_password_hash_duration_seconds_count"); got < 1 {
		t.Errorf("cognate_password_hash_duration_seconds_count = %v, want at least 1 (SignUp hashes)", got)
	}
	if got := sample(text, "cognate_db_open_connections"); got < 1 {
		t.Errorf("cognate_db_open_connections = %v, want at least 1", got)
	}
	for _, name := range []string{"cognate_db_in_use_connections", "cognate_db_idle_connections", "cognate_db_wait_count_total", "cognate_db_wait_duration_seconds_total"} {
		if sample(text, name) < 0 {
			t.Errorf("%s missing", name)
		}
	}
	for _, secret := range []string{"metrics-secret-user", "m@example.com", pool, client} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}

	// The dispatcher delivers the code (to the outbox only, in local mode).
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Run(runCtx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, text = metricsGet(srv, "/metrics")
		if sample(text, `cognate_message_deliveries_total{medium="EMAIL",outcome="delivered"}`) == 1 && sample(text, "cognate_outbox_pending") == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery counted:\n%s", metricsGrep(text, "cognate_message_deliveries_total", "cognate_outbox_pending"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done

	// Liveness and readiness.
	if code, body := metricsGet(srv, "/readyz"); code != 200 || body != "ok\n" {
		t.Errorf("GET /readyz = %d %q, want 200", code, body)
	}
	st.Close()
	if code, _ := metricsGet(srv, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the store closed = %d, want 503", code)
	}
	if code, body := metricsGet(srv, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz with the store closed = %d %q, want 200 (liveness only)", code, body)
	}
}

// TestMetricsRouteOff checks that without MetricsRoute the main handler does
// not serve /metrics (it is on --metrics-addr then).
func TestMetricsRouteOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := server.New(ctx, server.Config{Store: st, PublicURL: "http://localhost:9229", Passwords: password.Fast, Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := metricsGet(srv, "/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics without MetricsRoute = %d, want 404", code)
	}
}

func metricsGrep(text string, prefixes ...string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				b.WriteString(line)
			}
		}
	}
	return b.String()
}
