package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cognate/cognate/internal/metrics"
)

// metricsServer serves /metrics on --metrics-addr, apart from the API, so
// that the metrics port can stay private while the API is exposed. Its
// zero value (no --metrics-addr: /metrics is on the main listener) does
// nothing.
type metricsServer struct{ srv *http.Server }

// serveMetrics starts the metrics listener when --metrics-addr is set. A
// listen error stops the start; a later serve error is logged.
func serveMetrics(cfg *config, m *metrics.Metrics, logger *slog.Logger) (metricsServer, error) {
	if cfg.MetricsAddr == "" {
		return metricsServer{}, nil
	}
	if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
		return metricsServer{}, fmt.Errorf("--metrics-addr %q: want host:port", cfg.MetricsAddr)
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return metricsServer{}, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "err", err)
		}
	}()
	return metricsServer{srv}, nil
}

// shutdown stops the metrics listener gracefully, if there is one.
func (s metricsServer) shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}
