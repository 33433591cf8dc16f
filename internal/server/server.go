package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/userpool"
)

// Config is what the assembled server needs.
type Config struct {
	Store     store.Store
	Mode      string // api.ModeLocal or api.ModeSecure
	Region    string // fallback region for unsigned calls
	AccountID string
	Logger    *slog.Logger
	Now       func() time.Time // nil means time.Now
}

// New returns the server's HTTP handler.
func New(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pools := &userpool.Service{Store: cfg.Store, AccountID: cfg.AccountID, Now: cfg.Now}
	return api.New(api.Config{
		Mode:     cfg.Mode,
		Region:   cfg.Region,
		Logger:   cfg.Logger,
		Handlers: handlers(pools),
		Ready:    cfg.Store.Ping,
	})
}
