package api

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/cognate/cognate/internal/api/model"
)

// Modes of the server (DESIGN.md "Two modes").
const (
	ModeLocal  = "local"
	ModeSecure = "secure"
)

// DefaultMaxBody bounds a request body. Cognito's largest legitimate inputs
// (a CSV header, a UI customization image of 128 KiB base64-encoded) fit well
// inside it.
const DefaultMaxBody = 1 << 20

// Handler serves one operation. in is the operation's decoded and validated
// input (a pointer to the generated request struct); the result is encoded as
// the response body, nil meaning `{}`. Errors of type *model.Error reach the
// client as they are; anything else becomes InternalErrorException.
type Handler func(ctx context.Context, in model.Input) (any, error)

// Op adapts a typed handler, so that domain methods keep their real signature:
//
//	handlers["CreateUserPool"] = api.Op(pools.CreateUserPool)
func Op[I model.Input, O any](f func(context.Context, I) (O, error)) Handler {
	return func(ctx context.Context, in model.Input) (any, error) {
		return f(ctx, in.(I))
	}
}

// Config is what the edge needs; cmd/cognate wires it.
type Config struct {
	Mode     string // ModeLocal or ModeSecure
	Region   string // fallback region for unsigned calls
	Logger   *slog.Logger
	Handlers map[string]Handler
	// Ready reports whether the server can serve (the database answers and
	// its migrations are applied); GET /readyz asks it. nil means ready.
	Ready   func(ctx context.Context) error
	MaxBody int64 // 0 means DefaultMaxBody
	// NewRequestID makes request ids; nil means random UUIDs.
	NewRequestID func() string
	// Routes are the server's other endpoints (JWKS and discovery
	// documents, the inspection API), by ServeMux pattern, e.g.
	// "GET /{poolID}/.well-known/jwks.json". internal/server lists them.
	Routes map[string]http.Handler
	// AccessKeys are the SigV4 keys secure mode verifies IAM-authorized
	// operations against (--access-keys). Secure mode without keys refuses
	// every such operation.
	AccessKeys []AccessKey
	// AccountID appears in the ARNs of AccessDeniedException messages; empty
	// means 000000000000.
	AccountID string
	// Now is the machine clock X-Amz-Date is checked against; nil means
	// time.Now.
	Now func() time.Time
	// Observe, when set, learns every API request's operation ("" when the
	// target is unknown), error type ("" on success) and duration.
	Observe func(operation, errType string, d time.Duration)
}

// New returns the server's HTTP handler with every route registered.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.NewRequestID == nil {
		cfg.NewRequestID = newRequestID
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeLocal
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// A copy, so that a caller changing its slice later changes nothing here.
	cfg.AccessKeys = slices.Clone(cfg.AccessKeys)
	d := &dispatcher{cfg: cfg, keys: map[string]*AccessKey{}}
	for i := range cfg.AccessKeys {
		k := &cfg.AccessKeys[i]
		d.keys[k.ID] = k
	}

	// Every route, in one place.
	mux := http.NewServeMux()
	mux.Handle("POST /{$}", d)
	mux.HandleFunc("OPTIONS /", preflight)
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", d.readyz)
	for pattern, h := range cfg.Routes {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", d.notFound)
	return withCORS(mux)
}

// healthz is liveness: the process answers HTTP. It checks nothing else,
// so that an orchestrator never restarts Cognate for a database outage.
func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz is readiness: the database answers and its migrations are applied.
func (d *dispatcher) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if d.cfg.Ready != nil {
		if err := d.cfg.Ready(ctx); err != nil {
			d.cfg.Logger.Warn("readiness check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: database unreachable or not migrated\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

// notFound answers every other path as an AWS JSON error, so that a
// misconfigured SDK endpoint (for example with a path) gets a readable reason.
func (d *dispatcher) notFound(w http.ResponseWriter, r *http.Request) {
	id := d.cfg.NewRequestID()
	writeError(w, id, http.StatusNotFound, &model.Error{
		Type:    "UnknownOperationException",
		Message: "Cognate serves the Cognito API with POST / (got " + r.Method + " " + r.URL.Path + ").",
	})
}
