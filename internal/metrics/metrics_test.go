package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cognate/cognate/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("SignUp", "", time.Millisecond)
	m.ObserveHash(time.Millisecond)
	m.ObserveDelivery("EMAIL", "delivered")
	m.ObserveLambda("PreSignUp", "ok", time.Millisecond)
	m.WatchHashesInFlight(func() int { return 0 })
	m.WatchDB(func() sql.DBStats { return sql.DBStats{} })
	m.WatchOutbox(func(context.Context) (int64, error) { return 0, nil })
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.ObserveDelivery("EMAIL", "delivered")
	m.ObserveDelivery("SMS", "failed")
	m.ObserveDelivery("SMS", "failed")
	m.ObserveLambda("PreSignUp", "ok", 30*time.Millisecond)
	m.ObserveLambda("PreSignUp", "function_error", 10*time.Millisecond)
	m.ObserveHash(40 * time.Millisecond)
	inFlight := 3
	m.WatchHashesInFlight(func() int { return inFlight })
	m.WatchDB(func() sql.DBStats {
		return sql.DBStats{MaxOpenConnections: 4, OpenConnections: 3, InUse: 1, Idle: 2, WaitCount: 5, WaitDuration: 1500 * time.Millisecond}
	})
	var pendingErr error
	m.WatchOutbox(func(context.Context) (int64, error) { return 7, pendingErr })

	want := `
# HELP cognate_message_deliveries_total Outbox delivery attempts by medium (EMAIL, SMS) and outcome (delivered, failed, gave_up).
# TYPE cognate_message_deliveries_total counter
cognate_message_deliveries_total{medium="EMAIL",outcome="delivered"} 1
cognate_message_deliveries_total{medium="SMS",outcome="failed"} 2
# HELP cognate_lambda_invocations_total Lambda trigger invocations by trigger source and outcome (ok, rejected, function_error, invoke_failed, canceled).
# TYPE cognate_lambda_invocations_total counter
cognate_lambda_invocations_total{outcome="function_error",trigger="PreSignUp"} 1
cognate_lambda_invocations_total{outcome="ok",trigger="PreSignUp"} 1
# HELP cognate_password_hashes_in_flight Password hashes and verifications running now.
# TYPE cognate_password_hashes_in_flight gauge
cognate_password_hashes_in_flight 3
# HELP cognate_outbox_pending Undelivered outbox messages still to be tried (messages given up on are not counted).
# TYPE cognate_outbox_pending gauge
cognate_outbox_pending 7
# HELP cognate_db_in_use_connections Connections in use.
# TYPE cognate_db_in_use_connections gauge
cognate_db_in_use_connections 1
# HELP cognate_db_wait_duration_seconds_total Time spent waiting for a free connection.
# TYPE cognate_db_wait_duration_seconds_total counter
cognate_db_wait_duration_seconds_total 1.5
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"cognate_message_deliveries_total", "cognate_lambda_invocations_total", "cognate_password_hashes_in_flight",
		"cognate_outbox_pending", "cognate_db_in_use_connections", "cognate_db_wait_duration_seconds_total"); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, m)
	for _, line := range []string{
		`cognate_lambda_invocation_duration_seconds_count{trigger="PreSignUp"} 2`,
		`cognate_password_hash_duration_seconds_count 1`,
		`cognate_db_open_connections 3`,
		`cognate_db_wait_count_total 5`,
		`go_goroutines `,
	} {
		if !strings.Contains(text, line) {
			t.Errorf("scrape lacks %q", line)
		}
	}

	// A failing outbox count leaves that one metric out of the scrape.
	pendingErr = errors.New("database is closed")
	text = scrape(t, m)
	if strings.Contains(text, "cognate_outbox_pending ") || !strings.Contains(text, "cognate_db_open_connections 3") {
		t.Errorf("with the outbox count failing, the scrape is:\n%s", text)
	}
}
