package bench

// Benchmarks of the tool's own cost per request, which bounds what it can
// measure on a machine it shares with the server:
//
//	go test ./internal/bench -run '^$' -bench . -benchmem
//
// BenchmarkClient/stub answers from an in-memory RoundTripper: building,
// signing, the http.Client and classifying the answer, without sockets.
// BenchmarkClient/loopback adds net/http's transport and a trivial
// handler over loopback TCP, one request at a time (the latency floor).
// BenchmarkRun is the whole closed loop with 16 workers against that
// trivial handler, reporting requests/s and the process's CPU per request
// (tool and trivial server together).

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// stubTransport answers without a network: the setup's calls with the ids
// the tool needs, every other call with {}.
type stubTransport struct{}

func (stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	answer, ok := fakeAnswers[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)]
	if !ok {
		answer = "{}"
	}
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {contentType}},
		Body:          io.NopCloser(strings.NewReader(answer)),
		ContentLength: int64(len(answer)), Request: r,
	}, nil
}

// benchWorker sets up against endpoint (through tr when set) and returns
// one worker ready to send op.
func benchWorker(b *testing.B, endpoint, op string, tr http.RoundTripper) (*worker, *client) {
	b.Helper()
	cfg, err := Config{Endpoint: endpoint, Operation: op, Users: 16, Concurrency: 1, Transport: tr}.normalized()
	if err != nil {
		b.Fatal(err)
	}
	c := newClient(cfg)
	e, err := setup(context.Background(), c, cfg, true, func(string, ...any) {})
	if err != nil {
		b.Fatal(err)
	}
	wl := newWorkload(e, opsOf[op])
	return &worker{pick: newPicker(wl, 0, 1, cfg.Users)}, c
}

func BenchmarkClient(b *testing.B) {
	fake := httptest.NewServer(newFakeCognito())
	defer fake.Close()
	for _, kind := range []string{"stub", "loopback"} {
		for _, op := range []string{GetUser, UpdateUserAttributes, AdminGetUser, AdminCreateUser} {
			b.Run(kind+"/"+op, func(b *testing.B) {
				var w *worker
				var c *client
				if kind == "stub" {
					w, c = benchWorker(b, "http://127.0.0.1:1", op, stubTransport{})
				} else {
					w, c = benchWorker(b, fake.URL, op, nil)
					defer c.http.CloseIdleConnections()
				}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, out, _ := w.do(ctx, c); !out.ok {
						b.Fatalf("%+v", out)
					}
				}
			})
		}
	}
}

func BenchmarkRun(b *testing.B) {
	fake := httptest.NewServer(newFakeCognito())
	defer fake.Close()
	for _, op := range []string{GetUser, AdminGetUser} {
		b.Run(op, func(b *testing.B) {
			res, err := Run(context.Background(), Config{
				Endpoint: fake.URL, Operation: op, Users: 16, Concurrency: 16,
				Requests: int64(max(b.N, 1000)), Warmup: 100 * time.Millisecond,
			})
			if err != nil || res.Successes == 0 {
				b.Fatalf("%v %+v", err, res)
			}
			b.ReportMetric(res.Throughput, "req/s")
			b.ReportMetric(float64(res.ClientCPUPerRequest().Nanoseconds()), "cpu-ns/req")
			b.ReportMetric(float64(res.Latency.P50.Microseconds()), "p50-µs")
		})
	}
}
