package bench

import (
	"encoding/json"
	"io"
	"math"
	"time"
)

// jsonLatency is a Latency in milliseconds.
type jsonLatency struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// msOf is d in milliseconds to the microsecond: the histogram's buckets are
// no finer at latencies that matter, and nine digits would suggest they are.
func msOf(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

func toJSONLatency(l Latency) jsonLatency {
	return jsonLatency{Min: msOf(l.Min), Mean: msOf(l.Mean), P50: msOf(l.P50), P90: msOf(l.P90), P99: msOf(l.P99), Max: msOf(l.Max)}
}

type jsonOperation struct {
	Successes         int64            `json:"successes"`
	Errors            int64            `json:"errors"`
	TransportErrors   int64            `json:"transport_errors"`
	ErrorsByType      map[string]int64 `json:"errors_by_type"`
	RequestsPerSecond float64          `json:"requests_per_second"`
	LatencyMS         jsonLatency      `json:"latency_ms"`
}

// jsonResult is the machine-readable shape of a Result: snake_case names,
// durations in seconds and latencies in milliseconds, maps never null.
type jsonResult struct {
	Endpoint              string                   `json:"endpoint"`
	Operation             string                   `json:"operation"`
	Region                string                   `json:"region"`
	Users                 int                      `json:"users"`
	Concurrency           int                      `json:"concurrency"`
	PoolID                string                   `json:"pool_id"`
	SetupSeconds          float64                  `json:"setup_seconds"`
	WarmupSeconds         float64                  `json:"warmup_seconds"`
	DurationSeconds       float64                  `json:"duration_seconds"`
	Requests              int64                    `json:"requests"`
	Successes             int64                    `json:"successes"`
	Errors                int64                    `json:"errors"`
	TransportErrors       int64                    `json:"transport_errors"`
	ErrorsByType          map[string]int64         `json:"errors_by_type"`
	TransportErrorsByType map[string]int64         `json:"transport_errors_by_type"`
	RequestsPerSecond     float64                  `json:"requests_per_second"`
	LatencyMS             jsonLatency              `json:"latency_ms"`
	PerOperation          map[string]jsonOperation `json:"per_operation,omitempty"`
	NewConnections        int64                    `json:"new_connections"`
	ClientCPUSeconds      float64                  `json:"client_cpu_seconds"`
	ClientCPUPerRequestUS float64                  `json:"client_cpu_us_per_request"`
	Interrupted           bool                     `json:"interrupted"`
	Kept                  bool                     `json:"kept"`
	CleanedUp             bool                     `json:"cleaned_up"`
	CleanupError          string                   `json:"cleanup_error,omitempty"`
}

func nonNil(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// MarshalJSON writes r in the shape of --json.
func (r Result) MarshalJSON() ([]byte, error) {
	j := jsonResult{
		Endpoint: r.Endpoint, Operation: r.Operation, Region: r.Region,
		Users: r.Users, Concurrency: r.Concurrency, PoolID: r.PoolID,
		SetupSeconds: r.Setup.Seconds(), WarmupSeconds: r.Warmup.Seconds(), DurationSeconds: r.Elapsed.Seconds(),
		Requests: r.Requests, Successes: r.Successes, Errors: r.Errors, TransportErrors: r.TransportErrors,
		ErrorsByType: nonNil(r.ErrorsByType), TransportErrorsByType: nonNil(r.TransportErrorsByType),
		RequestsPerSecond: r.Throughput, LatencyMS: toJSONLatency(r.Latency),
		NewConnections:        r.NewConnections,
		ClientCPUSeconds:      r.ClientCPU.Seconds(),
		ClientCPUPerRequestUS: float64(r.ClientCPUPerRequest()) / float64(time.Microsecond),
		Interrupted:           r.Interrupted, Kept: r.Kept, CleanedUp: r.CleanedUp, CleanupError: r.CleanupError,
	}
	if len(r.PerOperation) > 0 {
		j.PerOperation = map[string]jsonOperation{}
		for name, o := range r.PerOperation {
			j.PerOperation[name] = jsonOperation{
				Successes: o.Successes, Errors: o.Errors, TransportErrors: o.TransportErrors,
				ErrorsByType: nonNil(o.ErrorsByType), RequestsPerSecond: o.Throughput, LatencyMS: toJSONLatency(o.Latency),
			}
		}
	}
	return json.Marshal(j)
}

// WriteJSON writes r as one indented JSON object and a newline.
func WriteJSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
