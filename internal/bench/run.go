package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is the outcome of a run.
type Result struct {
	Endpoint    string
	Operation   string
	Region      string
	Users       int
	Concurrency int
	PoolID      string

	// Setup is the time the pool, client, users and tokens took.
	Setup  time.Duration
	Warmup time.Duration
	// Elapsed is the measured phase, from the end of the warm-up until the
	// last counted request completed.
	Elapsed time.Duration

	// Requests counts the measured requests that completed, successes and
	// errors alike.
	Requests        int64
	Successes       int64
	Errors          int64 // answered with an error
	TransportErrors int64 // no answer: refused, reset, timed out…
	// ErrorsByType groups Errors by __type / x-amzn-ErrorType.
	ErrorsByType map[string]int64
	// TransportErrorsByType groups TransportErrors by kind.
	TransportErrorsByType map[string]int64
	// Throughput is successes per second of Elapsed.
	Throughput float64
	// Latency is of the successful requests.
	Latency Latency
	// PerOperation breaks a mixed run down by operation.
	PerOperation map[string]OperationResult

	// NewConnections counts the connections opened during the measured
	// phase; more than Concurrency means the server does not keep them
	// alive, and the load pays a TCP handshake per request.
	NewConnections int64

	// ClientCPU is the CPU time this process used during the measured
	// phase: the tool's own cost when the server runs elsewhere.
	ClientCPU time.Duration

	// Interrupted is set when the context ended the load early.
	Interrupted bool
	// Kept is set when the pool was left in place (Config.Keep).
	Kept bool
	// CleanedUp is set when the pool was deleted.
	CleanedUp    bool
	CleanupError string
}

// OperationResult is one operation's share of a mixed run.
type OperationResult struct {
	Successes       int64
	Errors          int64
	TransportErrors int64
	ErrorsByType    map[string]int64
	Throughput      float64
	Latency         Latency
}

// ClientCPUPerRequest is the tool's CPU time per completed request.
func (r Result) ClientCPUPerRequest() time.Duration {
	if r.Requests+r.TransportErrors == 0 {
		return 0
	}
	return r.ClientCPU / time.Duration(r.Requests+r.TransportErrors)
}

// Run sets up, loads and cleans up as cfg says. A cancelled ctx during the
// load stops it early: the partial result comes back with Interrupted set
// and no error. Clean-up runs on every path once a pool exists.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	cfg, err = cfg.normalized()
	if err != nil {
		return Result{}, err
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	res = Result{
		Endpoint: strings.Join(cfg.Endpoints, ","), Operation: cfg.Operation, Region: cfg.Region,
		Users: cfg.Users, Concurrency: cfg.Concurrency, Warmup: cfg.Warmup,
		ErrorsByType: map[string]int64{}, TransportErrorsByType: map[string]int64{},
	}
	c := newClient(cfg)
	defer c.http.CloseIdleConnections()
	blend := opsOf[cfg.Operation]

	logf("setting up a pool, an app client and %d users at %s", cfg.Users, cfg.Endpoint)
	started := time.Now()
	e, err := setup(ctx, c, cfg, needsTokens(blend), logf)
	res.Setup = time.Since(started)
	res.PoolID = e.poolID
	defer func() {
		switch {
		case e.poolID == "":
		case cfg.Keep:
			res.Kept = true
			logf("kept pool %s", e.poolID)
		default:
			if cerr := cleanup(c, e); cerr != nil {
				res.CleanupError = cerr.Error()
				logf("clean-up failed in pool %s: %v", e.poolID, cerr)
			} else {
				res.CleanedUp = true
				if e.borrowed {
					logf("deleted the app client and the users set up in pool %s", e.poolID)
				} else {
					logf("deleted pool %s", e.poolID)
				}
			}
		}
	}()
	if err != nil {
		return res, fmt.Errorf("setup: %w", err)
	}
	logf("setup took %s", res.Setup.Round(time.Millisecond))

	load(ctx, c, cfg, newWorkload(e, blend), &res)
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// transportErrorPause is a worker's pause after a request got no answer.
const transportErrorPause = 10 * time.Millisecond

const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// worker is one closed-loop client; its stats are its own until merged.
type worker struct {
	id     int
	url    string   // the endpoint this worker loads
	raw    *rawConn // its own connection, nil to use net/http (raw.go)
	pick   *picker
	stats  [numOps]*opStats
	errBuf bytes.Buffer
}

// live counts the measured phase for the progress display.
type live struct {
	ok, failed atomic.Int64
}

func load(ctx context.Context, c *client, cfg Config, wl *workload, res *Result) {
	var (
		phase   atomic.Int32
		tickets atomic.Int64
		counts  live
		wg      sync.WaitGroup
	)
	workers := make([]*worker, cfg.Concurrency)
	for i := range workers {
		w := &worker{id: i, url: cfg.Endpoint, pick: newPicker(wl, i, cfg.Concurrency, cfg.Users)}
		if len(cfg.Endpoints) > 0 {
			w.url = cfg.Endpoints[i%len(cfg.Endpoints)]
		}
		if cfg.Transport == nil { // a test's transport replaces the network
			w.raw = newRawConn(c, w.url, cfg.Timeout)
		}
		for _, b := range wl.blend {
			w.stats[b.op] = newOpStats()
		}
		workers[i] = w
	}
	var measureStart atomic.Pointer[time.Time]
	startMeasure := func() {
		now := time.Now()
		measureStart.Store(&now)
		phase.Store(phaseMeasure)
	}
	cpu0, dials0 := processCPU(), c.dials.Load()
	if cfg.Warmup == 0 {
		startMeasure()
	}
	for _, w := range workers {
		wg.Go(func() { w.loop(ctx, c, cfg, &phase, &tickets, &counts) })
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	stopProgress := progress(cfg, &phase, &counts, measureStart.Load)
	wait := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-allDone:
		}
	}
	if cfg.Warmup > 0 {
		wait(cfg.Warmup)
		cpu0, dials0 = processCPU(), c.dials.Load()
		startMeasure()
	}
	wait(cfg.Duration)
	phase.Store(phaseStop)
	<-allDone
	for _, w := range workers {
		if w.raw != nil {
			w.raw.close()
		}
	}
	res.Elapsed = time.Since(*measureStart.Load())
	res.ClientCPU = processCPU() - cpu0
	res.NewConnections = c.dials.Load() - dials0
	stopProgress()

	// Merge the workers' stats per operation, then the operations.
	total := newOpStats()
	perOp := map[string]OperationResult{}
	for _, b := range wl.blend {
		s := newOpStats()
		for _, w := range workers {
			s.merge(w.stats[b.op])
		}
		total.merge(s)
		perOp[opNames[b.op]] = OperationResult{
			Successes: s.ok, Errors: sumCounts(s.apiErrs), TransportErrors: sumCounts(s.transport),
			ErrorsByType: s.apiErrs, Throughput: rate(s.ok, res.Elapsed), Latency: s.hist.summary(),
		}
	}
	res.Successes = total.ok
	res.Errors = sumCounts(total.apiErrs)
	res.TransportErrors = sumCounts(total.transport)
	res.Requests = res.Successes + res.Errors
	res.ErrorsByType = total.apiErrs
	res.TransportErrorsByType = total.transport
	res.Throughput = rate(total.ok, res.Elapsed)
	res.Latency = total.hist.summary()
	if len(wl.blend) > 1 {
		res.PerOperation = perOp
	}
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// loop sends requests back to back until the phase says stop, the tickets
// (Config.Requests) run out or ctx ends. A request counts when it started in
// the measured phase.
func (w *worker) loop(ctx context.Context, c *client, cfg Config, phase *atomic.Int32, tickets *atomic.Int64, counts *live) {
	for {
		p := phase.Load()
		if p == phaseStop || ctx.Err() != nil {
			return
		}
		if p == phaseMeasure && cfg.Requests > 0 && tickets.Add(1) > cfg.Requests {
			return
		}
		o, out, elapsed := w.do(ctx, c)
		if !out.ok && ctx.Err() != nil {
			return // cancelled under way (Ctrl-C): not the server's failure
		}
		if out.transport != "" {
			// The server is gone or refusing: pause rather than spin
			// through failing dials as fast as the CPU allows.
			time.Sleep(transportErrorPause)
		}
		if p != phaseMeasure {
			continue
		}
		s := w.stats[o]
		switch {
		case out.ok:
			s.ok++
			s.hist.record(elapsed)
			counts.ok.Add(1)
		case out.apiErr != "":
			s.apiErrs[out.apiErr]++
			counts.failed.Add(1)
		default:
			s.transport[out.transport]++
			counts.failed.Add(1)
		}
	}
}

// do sends the worker's next request and times it, building included.
func (w *worker) do(ctx context.Context, c *client) (op, outcome, time.Duration) {
	o, pr, value := w.pick.next(w.id)
	start := time.Now()
	req, body, err := c.build(ctx, w.url, pr, value, start)
	if err != nil {
		return o, outcome{transport: "building the request"}, time.Since(start)
	}
	var out outcome
	if w.raw != nil {
		out = w.raw.send(ctx, req, body, &w.errBuf)
	} else {
		out = c.send(req, &w.errBuf)
	}
	return o, out, time.Since(start)
}

// progress rewrites one line on cfg.Progress every half second: the phase,
// the measured time, counts and the rate over the last interval. The
// returned function stops it and clears the line.
func progress(cfg Config, phase *atomic.Int32, counts *live, measureStart func() *time.Time) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		started := time.Now()
		var lastN int64
		lastT := time.Now()
		for {
			select {
			case <-done:
				fmt.Fprint(cfg.Progress, "\r\x1b[K")
				return
			case now := <-tick.C:
				if phase.Load() == phaseWarmup {
					fmt.Fprintf(cfg.Progress, "\r\x1b[Kwarm-up %.1fs / %s", now.Sub(started).Seconds(), cfg.Warmup)
					continue
				}
				n, f := counts.ok.Load(), counts.failed.Load()
				var t float64
				if ms := measureStart(); ms != nil {
					t = now.Sub(*ms).Seconds()
				}
				cur := rate(n-lastN, now.Sub(lastT))
				lastN, lastT = n, now
				limit := cfg.Duration.String()
				if cfg.Requests > 0 {
					limit = fmt.Sprintf("%s or %d requests", cfg.Duration, cfg.Requests)
				}
				fmt.Fprintf(cfg.Progress, "\r\x1b[K%s %.1fs (of %s)  %d ok  %d errors  %.0f req/s", cfg.Operation, t, limit, n, f, cur)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// WriteText writes r for a person.
func WriteText(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "endpoint     %s (region %s)\n", r.Endpoint, r.Region)
	fmt.Fprintf(&b, "operation    %s, %d users, concurrency %d\n", r.Operation, r.Users, r.Concurrency)
	fmt.Fprintf(&b, "setup        %s\n", r.Setup.Round(time.Millisecond))
	if r.Warmup > 0 {
		fmt.Fprintf(&b, "warm-up      %s (not counted)\n", r.Warmup)
	}
	fmt.Fprintf(&b, "measured     %s, %d requests: %d ok, %d errors, %d transport errors%s\n",
		r.Elapsed.Round(time.Millisecond), r.Requests+r.TransportErrors, r.Successes, r.Errors, r.TransportErrors,
		map[bool]string{true: " (interrupted)"}[r.Interrupted])
	fmt.Fprintf(&b, "throughput   %.1f req/s\n", r.Throughput)
	fmt.Fprintf(&b, "latency      %s\n", latencyText(r.Latency))
	writeCounts(&b, "errors      ", r.ErrorsByType)
	writeCounts(&b, "transport   ", r.TransportErrorsByType)
	for _, name := range slices.Sorted(maps.Keys(r.PerOperation)) {
		o := r.PerOperation[name]
		fmt.Fprintf(&b, "  %-21s %8.1f req/s  %d ok  %d errors  %s\n", name, o.Throughput, o.Successes, o.Errors+o.TransportErrors, latencyText(o.Latency))
	}
	if r.NewConnections > int64(r.Concurrency) {
		fmt.Fprintf(&b, "connections  %d opened while measuring: the server does not keep connections alive\n", r.NewConnections)
	}
	if r.ClientCPU > 0 {
		fmt.Fprintf(&b, "client cpu   %s (%s per request)\n", r.ClientCPU.Round(time.Millisecond), r.ClientCPUPerRequest().Round(100*time.Nanosecond))
	}
	switch {
	case r.Kept:
		fmt.Fprintf(&b, "pool         %s kept\n", r.PoolID)
	case r.CleanedUp:
		fmt.Fprintf(&b, "pool         %s deleted\n", r.PoolID)
	case r.CleanupError != "":
		fmt.Fprintf(&b, "pool         %s NOT deleted: %s\n", r.PoolID, r.CleanupError)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func latencyText(l Latency) string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (min %s, mean %s)", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), ms(l.Min), ms(l.Mean))
}

func writeCounts(b *strings.Builder, label string, m map[string]int64) {
	if len(m) == 0 {
		return
	}
	// Most frequent first.
	keys := slices.SortedFunc(maps.Keys(m), func(x, y string) int {
		return cmp.Or(cmp.Compare(m[y], m[x]), strings.Compare(x, y))
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	fmt.Fprintf(b, "%s %s\n", label, strings.Join(parts, ", "))
}
