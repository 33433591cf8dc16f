package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/metrics"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version or VCS revision from the build info is shown.
var version = ""

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "bench" || args[0] == "seed" || args[0] == "version" || args[0] == "healthcheck" || args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "bench":
		runBench(args)
	case "seed":
		err := runSeed(context.Background(), args, os.Getenv, os.Stdout)
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "cognate seed:", err)
			os.Exit(1)
		}
	case "version":
		fmt.Println(versionString())
	case "healthcheck":
		os.Exit(runHealthcheck(args, os.Getenv, os.Stderr))
	case "help", "-h", "--help":
		usage()
	default:
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := serve(ctx, args, os.Getenv, nil)
		stop()
		if errors.Is(err, errFlagHelp) {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "cognate:", err)
			os.Exit(1)
		}
	}
}

var errFlagHelp = errors.New("help requested")

func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(version, info)
}

// formatVersion is cognate's version line: the module version (or the
// ldflags-set version of a release build, or "dev" in a checkout), the VCS
// commit and its time, whether the tree had uncommitted changes, and the Go
// version that built it.
func formatVersion(v string, info *debug.BuildInfo) string {
	var details []string
	if info != nil {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		var rev, at, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = ", modified"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			details = append(details, "commit "+rev+dirty)
		}
		if at != "" {
			details = append(details, "built from a commit of "+at)
		}
		if info.GoVersion != "" {
			details = append(details, info.GoVersion)
		}
	}
	if v == "" {
		v = "dev"
	}
	if len(details) == 0 {
		return "cognate " + v
	}
	return "cognate " + v + " (" + strings.Join(details, ", ") + ")"
}

// serve runs the server until ctx ends, then shuts down gracefully.
// onListen, when set, learns the bound address (tests listen on port 0).
func serve(ctx context.Context, args []string, getenv func(string) string, onListen func(addr string)) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errFlagHelp
		}
		return err
	}
	tuneGC(getenv)
	logger := newLogger(cfg)
	seedFile, err := loadSeed(cfg)
	if err != nil {
		return err
	}
	tlsConfig, err := loadTLS(cfg, logger)
	if err != nil {
		return err
	}

	dsn := cfg.DB
	if cfg.throwaway() {
		dir, err := os.MkdirTemp("", "cognate-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "cognate.db")
	}
	started := time.Now()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Logger: logger, SQLiteSync: cfg.sqliteSync()})
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()

	scfg := server.Config{
		Store:          st,
		Mode:           cfg.Mode,
		Region:         cfg.Region,
		AccountID:      cfg.AccountID,
		PublicURL:      cfg.PublicURL,
		AWSIssuer:      cfg.Issuer == "aws",
		Logger:         logger,
		SecretKeys:     cfg.secrets(),
		Passwords:      password.Strong,
		SMTPFrom:       cfg.SMTPFrom,
		LambdaEndpoint: cfg.Lambda,
		Seed:           seedFile,
	}
	scfg.Metrics = metrics.New()
	scfg.MetricsRoute = cfg.MetricsAddr == ""
	if cfg.Hashing == "fast" {
		scfg.Passwords = password.Fast
	}
	if cfg.AccessKeys != "" {
		// Parsed again: validate checked the text, but the file may have
		// changed since, and an error here still stops the start.
		if scfg.AccessKeys, err = api.ParseAccessKeys(cfg.AccessKeys); err != nil {
			return fmt.Errorf("--access-keys: %w", err)
		}
		if cfg.Mode != "secure" {
			logger.Warn("--access-keys is ignored in local mode, which accepts any credentials", "keys", len(scfg.AccessKeys))
		}
	}
	if cfg.SMTPURL != "" {
		smtp, err := message.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return err
		}
		scfg.SMTP = &smtp
	}
	handler, err := server.New(ctx, scfg)
	if err != nil {
		return err
	}
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	go handler.Run(bgCtx)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	var root http.Handler = handler
	if cfg.Pprof {
		root = withPprof(handler)
		logger.Warn("profiler on at /debug/pprof/ (--pprof)")
	}
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          httpErrorLog(logger),
		TLSConfig:         tlsConfig,
	}
	logger.Info("cognate listening",
		"addr", ln.Addr().String(), "tls", tlsConfig != nil, "public_url", cfg.PublicURL, "mode", cfg.Mode,
		"region", cfg.Region, "db", describeDB(cfg), "access_keys", len(scfg.AccessKeys), "startup", time.Since(started).Round(time.Millisecond),
		"version", versionString())

	if onListen != nil {
		onListen(ln.Addr().String())
	}
	metricsSrv, err := serveMetrics(cfg, scfg.Metrics, logger)
	if err != nil {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "") // HTTP/2 offered through ALPN
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; new connections are refused. The cause
	// of a signal.NotifyContext names the signal.
	reason := "stopped"
	if cause := context.Cause(ctx); cause != nil {
		reason = cause.Error()
	}
	logger.Info("shutting down", "reason", reason)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := metricsSrv.shutdown(shutdownCtx); err != nil {
		logger.Warn("shutting down the metrics server", "err", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("cognate stopped: in-flight requests finished", "reason", reason, "uptime", time.Since(started).Round(time.Second))
	return nil
}

// describeDB names the database for the log without a password.
func describeDB(cfg *config) string {
	switch {
	case cfg.throwaway():
		return "throwaway SQLite (removed on exit), synchronous=" + cfg.SQLiteSync
	case isPostgres(cfg.DB):
		return "PostgreSQL " + redactURL(cfg.DB)
	default:
		return "SQLite " + cfg.DB + ", synchronous=" + cfg.SQLiteSync
	}
}

func newLogger(cfg *config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
