package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/clock"
	"github.com/cognate/cognate/internal/group"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/metrics"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/seal"
	"github.com/cognate/cognate/internal/seed"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/token"
	"github.com/cognate/cognate/internal/trigger"
	"github.com/cognate/cognate/internal/user"
	"github.com/cognate/cognate/internal/userpool"
)

// Config is what the assembled server needs.
type Config struct {
	Store     store.Store
	Mode      string // api.ModeLocal or api.ModeSecure
	Region    string // fallback region for unsigned calls
	AccountID string
	PublicURL string // base of token issuers and links
	AWSIssuer bool   // issue AWS-shaped issuers (https://cognito-idp.<region>.amazonaws.com/<pool>)
	Logger    *slog.Logger
	Now       func() time.Time // the machine clock; nil means time.Now
	// SecretKeys seal keys, verifiers and sessions (--secret-key). Empty in
	// local mode: a keyring is generated once and kept in the database.
	SecretKeys []string
	Passwords  password.Params // zero means password.Strong
	// SMTP delivers email when set; SMS always goes to the log.
	SMTP     *message.SMTPConfig
	SMTPFrom string
	// LambdaEndpoint is where Lambda triggers are invoked (--lambda-endpoint);
	// empty means AWS_ENDPOINT_URL_LAMBDA, then AWS's regional endpoint.
	LambdaEndpoint string
	// AccessKeys are secure mode's SigV4 keys (--access-keys). Secure mode
	// without them refuses every IAM-authorized call; cmd/cognate refuses to
	// start that way.
	AccessKeys []api.AccessKey
	// Metrics, when set, receives the server's instrumentation; with
	// MetricsRoute it is also served at GET /metrics on the main handler
	// (otherwise cmd/cognate serves it on --metrics-addr).
	Metrics      *metrics.Metrics
	MetricsRoute bool
	// Seed, when set, is applied before the server serves (--seed).
	Seed *seed.File
}

// Server is Cognate assembled: its HTTP handler and background work.
type Server struct {
	handler    http.Handler
	clock      *clock.Clock
	tokens     *token.Service
	dispatcher *message.Dispatcher
	users      *user.Service
}

// keyringMeta names the local-mode keyring in the meta table.
const keyringMeta = "seal.local_keyring"

// New builds the server over a store whose migrations are applied.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Mode == "" {
		cfg.Mode = api.ModeLocal
	}
	if cfg.Passwords == (password.Params{}) {
		cfg.Passwords = password.Strong
	}
	local := cfg.Mode == api.ModeLocal
	keys, err := keyring(ctx, cfg, local)
	if err != nil {
		return nil, err
	}
	clk, err := clock.New(ctx, cfg.Store, cfg.Now)
	if err != nil {
		return nil, err
	}
	tokens := token.New(token.Config{
		Keys: cfg.Store, Sealer: keys, Now: clk.Now, PublicURL: cfg.PublicURL, AWSIssuer: cfg.AWSIssuer, Logger: cfg.Logger,
	})
	dispatcher := &message.Dispatcher{Store: cfg.Store, Sealer: keys, Now: clk.Now, Logger: cfg.Logger, Local: local, SMS: message.LogSMS{Logger: cfg.Logger, Local: local}}
	hasher := password.New(cfg.Passwords, 0)
	invoker := trigger.Config{Endpoint: cfg.LambdaEndpoint, Logger: cfg.Logger}
	var observe func(op, errType string, d time.Duration)
	if m := cfg.Metrics; m != nil {
		observe = m.ObserveRequest
		dispatcher.Observe = m.ObserveDelivery
		invoker.Observe = m.ObserveLambda
		hasher.SetObserver(m.ObserveHash)
		m.WatchHashesInFlight(hasher.InFlight)
		watchStore(m, cfg.Store)
	}
	if cfg.SMTP != nil {
		sender, err := message.NewSMTPSender(*cfg.SMTP, cfg.SMTPFrom)
		if err != nil {
			return nil, err
		}
		dispatcher.Email = sender
	}
	pools := &userpool.Service{Store: cfg.Store, AccountID: cfg.AccountID, Now: clk.Now, NewKeys: tokens.NewPoolKeys, Deleted: tokens.Forget}
	users := &user.Service{
		Store: cfg.Store, Pools: pools, Tokens: tokens, Passwords: hasher,
		Sealer: keys, Now: clk.Now, Logger: cfg.Logger, Kick: dispatcher.Kick, CanDeliver: dispatcher.CanDeliver, PublicURL: cfg.PublicURL,
		Triggers: trigger.New(invoker),
	}
	groups := &group.Service{Store: cfg.Store, Pools: pools, Users: users, Now: clk.Now}
	if cfg.Seed != nil {
		if err := seed.Apply(ctx, seed.Services{Store: cfg.Store, Pools: pools, Users: users, Groups: groups, Logger: cfg.Logger}, cfg.Seed); err != nil {
			return nil, err
		}
	}
	routes := map[string]http.Handler{
		"GET /{poolID}/.well-known/jwks.json":            tokens.JWKSHandler(),
		"GET /{poolID}/.well-known/openid-configuration": tokens.DiscoveryHandler(),
	}
	if local {
		inspect := &message.Inspection{Store: cfg.Store, Sealer: keys, Clock: clk, Resolve: users.Resolve}
		routes["GET /_cognate/messages"] = inspect.MessagesHandler()
		routes["GET /_cognate/clock"] = inspect.ClockHandler()
		routes["POST /_cognate/clock"] = inspect.ClockHandler()
	}
	if cfg.Metrics != nil && cfg.MetricsRoute {
		routes["GET /metrics"] = cfg.Metrics.Handler()
	}
	return &Server{
		handler: api.New(api.Config{
			Mode: cfg.Mode, Region: cfg.Region, Logger: cfg.Logger,
			Handlers: handlers(pools, users, groups, tokens), Ready: readiness(cfg.Store), Routes: routes,
			AccessKeys: cfg.AccessKeys, AccountID: cfg.AccountID, Now: cfg.Now, Observe: observe,
		}),
		clock: clk, tokens: tokens, dispatcher: dispatcher, users: users,
	}, nil
}

// Fill adds n filler users (user.FillUser(from)…) to a pool, for measuring
// large pools; see user.Service.Fill.
func (s *Server) Fill(ctx context.Context, poolID string, from, n int, password string, attrs []model.AttributeType, progress func(int)) error {
	return s.users.Fill(ctx, poolID, from, n, password, attrs, progress)
}

// readiness is the store's Ready (database answers, migrations applied)
// when it has one, else its Ping.
func readiness(st store.Store) func(context.Context) error {
	if r, ok := st.(interface{ Ready(context.Context) error }); ok {
		return r.Ready
	}
	return st.Ping
}

// watchStore exports what the store can tell about itself: the connection
// pool and the outbox backlog (sqlstore has both).
func watchStore(m *metrics.Metrics, st store.Store) {
	if s, ok := st.(interface{ DBStats() sql.DBStats }); ok {
		m.WatchDB(s.DBStats)
	}
	if s, ok := st.(interface {
		PendingMessages(ctx context.Context, before time.Time) (int64, error)
	}); ok {
		m.WatchOutbox(func(ctx context.Context) (int64, error) { return s.PendingMessages(ctx, message.GivenUpAt()) })
	}
}

// keyring returns the sealing keyring: the configured secrets, or in local
// mode one generated by the first instance and shared through the database.
func keyring(ctx context.Context, cfg Config, local bool) (*seal.Keyring, error) {
	if len(cfg.SecretKeys) > 0 {
		return seal.New(cfg.SecretKeys)
	}
	if !local {
		return nil, errors.New("secure mode needs --secret-key (at least 32 characters); it seals signing keys, verifiers and sessions")
	}
	fresh, err := seal.Generate()
	if err != nil {
		return nil, err
	}
	stored, err := cfg.Store.PutMetaIfAbsent(ctx, keyringMeta, []byte(fresh))
	if err != nil {
		return nil, fmt.Errorf("local keyring: %w", err)
	}
	return seal.New([]string{string(stored)})
}

// ServeHTTP serves the API and the other routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Run does the background work until ctx ends: message delivery, signing
// key pre-generation, and picking up clock moves made on other instances.
func (s *Server) Run(ctx context.Context) {
	go s.tokens.Run(ctx)
	go s.clock.Run(ctx, time.Second)
	_ = s.dispatcher.Run(ctx)
}
