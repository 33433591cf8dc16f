package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric name.
const Namespace = "cognate"

// pendingTimeout bounds the outbox count run at each scrape.
const pendingTimeout = 2 * time.Second

// Metrics is the set of Cognate's metrics. Its methods are safe for
// concurrent use; a nil *Metrics is valid and records nothing.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	hashDuration    prometheus.Histogram
	deliveries      *prometheus.CounterVec
	lambdas         *prometheus.CounterVec
	lambdaDuration  *prometheus.HistogramVec
}

// New returns the metrics in a fresh registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "requests_total",
		Help: "API requests by operation and error type (empty on success).",
	}, []string{"operation", "error"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "request_duration_seconds",
		Help:    "API request latency by operation.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation"})
	m.hashDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "password_hash_duration_seconds",
		Help:    "Duration of argon2id hashes and verifications, not counting the wait for a slot.",
		Buckets: []float64{.0005, .001, .005, .01, .025, .05, .075, .1, .15, .25, .5, 1},
	})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "message_deliveries_total",
		Help: "Outbox delivery attempts by medium (EMAIL, SMS) and outcome (delivered, failed, gave_up).",
	}, []string{"medium", "outcome"})
	m.lambdas = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "lambda_invocations_total",
		Help: "Lambda trigger invocations by trigger source and outcome (ok, rejected, function_error, invoke_failed, canceled).",
	}, []string{"trigger", "outcome"})
	m.lambdaDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "lambda_invocation_duration_seconds",
		Help:    "Lambda trigger invocation latency by trigger source.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"trigger"})
	m.reg.MustRegister(m.requests, m.requestDuration, m.hashDuration, m.deliveries, m.lambdas, m.lambdaDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the private registry, for tests and further collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one API request (api.Config.Observe).
func (m *Metrics) ObserveRequest(operation, errType string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(operation, errType).Inc()
	m.requestDuration.WithLabelValues(operation).Observe(d.Seconds())
}

// ObserveHash records one password hash or verification.
func (m *Metrics) ObserveHash(d time.Duration) {
	if m == nil {
		return
	}
	m.hashDuration.Observe(d.Seconds())
}

// ObserveDelivery records one outbox delivery attempt.
func (m *Metrics) ObserveDelivery(medium, outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(medium, outcome).Inc()
}

// ObserveLambda records one Lambda trigger invocation.
func (m *Metrics) ObserveLambda(trigger, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.lambdas.WithLabelValues(trigger, outcome).Inc()
	m.lambdaDuration.WithLabelValues(trigger).Observe(d.Seconds())
}

// WatchHashesInFlight exports cognate_password_hashes_in_flight, read from
// inFlight at each scrape.
func (m *Metrics) WatchHashesInFlight(inFlight func() int) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "password_hashes_in_flight",
		Help: "Password hashes and verifications running now.",
	}, func() float64 { return float64(inFlight()) }))
}

// WatchOutbox exports cognate_outbox_pending, counted by pending at each
// scrape. A failing count leaves the metric out of that scrape.
func (m *Metrics) WatchOutbox(pending func(ctx context.Context) (int64, error)) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&outboxCollector{pending: pending, desc: prometheus.NewDesc(
		prometheus.BuildFQName(Namespace, "", "outbox_pending"),
		"Undelivered outbox messages still to be tried (messages given up on are not counted).", nil, nil)})
}

type outboxCollector struct {
	pending func(ctx context.Context) (int64, error)
	desc    *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), pendingTimeout)
	defer cancel()
	n, err := c.pending(ctx)
	if err != nil {
		// Left out rather than failing the whole scrape: the other
		// metrics matter most when the database does not answer.
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// WatchDB exports the database connection pool's statistics, read from
// stats at each scrape.
func (m *Metrics) WatchDB(stats func() sql.DBStats) {
	if m == nil {
		return
	}
	m.reg.MustRegister(newDBCollector(stats))
}

type dbCollector struct {
	stats                                               func() sql.DBStats
	maxOpen, open, inUse, idle                          *prometheus.Desc
	waitCount, waitDuration                             *prometheus.Desc
	closedMaxIdle, closedMaxIdleTime, closedMaxLifetime *prometheus.Desc
}

func newDBCollector(stats func() sql.DBStats) *dbCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "db", name), help, nil, nil)
	}
	return &dbCollector{
		stats:             stats,
		maxOpen:           d("max_open_connections", "Maximum number of open connections to the database."),
		open:              d("open_connections", "Established connections, in use and idle."),
		inUse:             d("in_use_connections", "Connections in use."),
		idle:              d("idle_connections", "Idle connections."),
		waitCount:         d("wait_count_total", "Times a query waited for a free connection."),
		waitDuration:      d("wait_duration_seconds_total", "Time spent waiting for a free connection."),
		closedMaxIdle:     d("max_idle_closed_total", "Connections closed because of the idle connection limit."),
		closedMaxIdleTime: d("max_idle_time_closed_total", "Connections closed because they were idle too long."),
		closedMaxLifetime: d("max_lifetime_closed_total", "Connections closed because they reached their maximum lifetime."),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitDuration,
		c.closedMaxIdle, c.closedMaxIdleTime, c.closedMaxLifetime} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.maxOpen, float64(s.MaxOpenConnections))
	gauge(c.open, float64(s.OpenConnections))
	gauge(c.inUse, float64(s.InUse))
	gauge(c.idle, float64(s.Idle))
	counter(c.waitCount, float64(s.WaitCount))
	counter(c.waitDuration, s.WaitDuration.Seconds())
	counter(c.closedMaxIdle, float64(s.MaxIdleClosed))
	counter(c.closedMaxIdleTime, float64(s.MaxIdleTimeClosed))
	counter(c.closedMaxLifetime, float64(s.MaxLifetimeClosed))
}
