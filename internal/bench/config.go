package bench

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Operation names accepted by Config.Operation.
const (
	UpdateUserAttributes = "UpdateUserAttributes"
	GetUser              = "GetUser"
	InitiateAuth         = "InitiateAuth"
	AdminGetUser         = "AdminGetUser"
	AdminCreateUser      = "AdminCreateUser"
	ListUsers            = "ListUsers"
	// Mixed is a blend of the operations a signed-in application makes
	// most: 50% GetUser, 30% UpdateUserAttributes, 10% InitiateAuth and 10%
	// AdminGetUser, drawn per request.
	Mixed = "mixed"
)

// Operations lists the accepted operation names.
var Operations = []string{UpdateUserAttributes, GetUser, InitiateAuth, AdminGetUser, AdminCreateUser, ListUsers, Mixed}

// MaxDuration caps the measured phase, so that a forgotten run stops by
// itself.
const MaxDuration = 10 * time.Minute

// DefaultDuration is the measured phase when neither Duration nor Requests
// is set.
const DefaultDuration = 10 * time.Second

// Config is one benchmark run. Zero values take the defaults noted.
type Config struct {
	// Endpoint is the base URL of the Cognito-compatible API, e.g.
	// http://127.0.0.1:9229. Several instances of one service sharing a
	// database are given comma-separated: the setup and clean-up use the
	// first, and the load's workers are spread over all of them in turn.
	Endpoint string
	// Endpoints is Endpoint split, set by normalized.
	Endpoints []string
	// AllowRemote permits an endpoint outside the loopback range.
	AllowRemote bool
	// Region names the SigV4 credential scope (default us-east-1).
	Region string
	// Operation is one of Operations.
	Operation string
	// Users is how many users are set up (default 100).
	Users int
	// Concurrency is the number of closed-loop workers (default 16).
	Concurrency int
	// SetupConcurrency bounds the parallel calls of the setup (default 8).
	SetupConcurrency int
	// Duration bounds the measured phase; Requests bounds its request
	// count; the first reached ends it. Neither set means DefaultDuration;
	// only Requests set means at most MaxDuration.
	Duration time.Duration
	Requests int64
	// Warmup runs the load without counting it first; zero means none.
	Warmup time.Duration
	// Timeout bounds each request (default 30s).
	Timeout time.Duration
	// Password is the users' password (default one that satisfies Cognito's
	// default policy).
	Password string
	// Keep leaves the pool in place at the end.
	Keep bool
	// PoolID, when set, runs in this existing pool instead of a new one
	// (for example one filled by cognate seed fill to measure large pools).
	// It must define the custom attribute custom:bench. The clean-up then
	// deletes the app client and the users the run set up, not the pool.
	PoolID string
	// Progress, when set, receives a one-line live display rewritten with
	// carriage returns (meant for a terminal).
	Progress io.Writer
	// Log, when set, receives a line per step (setup done, clean-up…).
	Log io.Writer
	// Transport replaces the tuned loopback transport; for tests and
	// benchmarks. It bypasses the dial-time loopback check.
	Transport http.RoundTripper
}

// defaultPassword has upper and lower case, digits and a symbol, and is
// longer than 8: Cognito's default password policy.
const defaultPassword = "Bench-Passw0rd!"

// normalized returns c with defaults applied, or why it cannot run.
func (c Config) normalized() (Config, error) {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Users == 0 {
		c.Users = 100
	}
	if c.Concurrency == 0 {
		c.Concurrency = 16
	}
	if c.SetupConcurrency == 0 {
		c.SetupConcurrency = 8
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Password == "" {
		c.Password = defaultPassword
	}
	switch {
	case c.Users < 1 || c.Users > 1_000_000:
		return c, fmt.Errorf("users must be between 1 and 1000000, not %d", c.Users)
	case c.Concurrency < 1 || c.Concurrency > 10_000:
		return c, fmt.Errorf("concurrency must be between 1 and 10000, not %d", c.Concurrency)
	case c.SetupConcurrency < 1:
		return c, fmt.Errorf("setup concurrency must be at least 1")
	case c.Duration < 0 || c.Requests < 0 || c.Warmup < 0 || c.Timeout < 0:
		return c, errors.New("duration, requests, warm-up and timeout cannot be negative")
	case c.Duration > MaxDuration:
		return c, fmt.Errorf("duration is capped at %s", MaxDuration)
	case c.Warmup > MaxDuration:
		return c, fmt.Errorf("warm-up is capped at %s", MaxDuration)
	}
	if c.Duration == 0 {
		c.Duration = MaxDuration
		if c.Requests == 0 {
			c.Duration = DefaultDuration
		}
	}
	if _, ok := opsOf[c.Operation]; !ok {
		return c, fmt.Errorf("unknown operation %q; want one of %s", c.Operation, strings.Join(Operations, ", "))
	}
	if c.PoolID != "" && c.Operation == AdminCreateUser {
		// Its users would outlive the clean-up of an existing pool.
		return c, errors.New("--pool cannot be used with AdminCreateUser")
	}
	c.Endpoints = strings.Split(c.Endpoint, ",")
	c.Endpoint = c.Endpoints[0]
	for _, e := range c.Endpoints {
		u, err := url.Parse(e)
		if err != nil {
			return c, fmt.Errorf("endpoint: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("endpoint %q: want an http:// or https:// URL", e)
		}
		if !c.AllowRemote && !IsLoopbackHost(u.Hostname()) {
			return c, fmt.Errorf("endpoint %q is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote endpoint you own", e)
		}
	}
	return c, nil
}

// IsLoopbackHost reports whether host (no port) is localhost or a loopback
// IP. Other names are not resolved: a name that happens to resolve to
// loopback today may not tomorrow, so only the literal forms pass.
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	return ip != nil && ip.IsLoopback()
}
