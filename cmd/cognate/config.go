package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/message"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// config is every setting of `cognate serve`. Each flag has a COGNATE_*
// environment variable; a flag given on the command line wins over the
// environment, which wins over the default.
type config struct {
	Addr      string
	DB        string
	Region    string
	AccountID string
	PublicURL string
	Mode      string
	LogFormat string
	LogLevel  string
	SecretKey string
	Hashing   string
	SMTPURL   string
	SMTPFrom  string
	Issuer    string
	Lambda    string
	// SQLiteSync is --sqlite-sync, SQLite's PRAGMA synchronous: normal or
	// full (validate refuses anything else, and full with PostgreSQL).
	SQLiteSync string
	// MetricsAddr serves /metrics on its own listener; empty: on --addr.
	MetricsAddr string
	// Pprof serves Go's profiler under /debug/pprof/ on --addr (local
	// mode only).
	Pprof bool
	// AccessKeys is the --access-keys text: AKID:SECRET[:POOL|…][,…] or
	// @file. main parses it again into api.AccessKey values (validate has
	// already checked it), which keeps config comparable.
	AccessKeys string
	// TLSCert and TLSKey are PEM files served over HTTPS; TLSSelfSigned
	// generates a certificate for local use instead (tls.go).
	TLSCert       string
	TLSKey        string
	TLSSelfSigned bool
	// Seed is a seed file applied at start (internal/seed).
	Seed string
}

// setting binds one flag to its env var.
type setting struct {
	name, env, def, usage string
	dst                   *string
}

// secretSettings are never shown by -h: a value taken from the environment
// becomes the flag's default, which -h would print.
var secretSettings = map[string]bool{"secret-key": true, "access-keys": true}

func (c *config) settings() []setting {
	return []setting{
		{"addr", "COGNATE_ADDR", "localhost:9229", "address to listen on (host:port)", &c.Addr},
		{"db", "COGNATE_DB", "cognate.db", "`database`: a SQLite file path, :memory: (a throwaway SQLite file removed on exit), or a postgres:// URL", &c.DB},
		{"sqlite-sync", "COGNATE_SQLITE_SYNC", "normal", "SQLite's synchronous setting: normal (commits survive a process crash; a power loss or OS crash may lose the last ones) or full (every commit synced to disk before it returns, slower); full is refused with a postgres:// --db", &c.SQLiteSync},
		{"region", "COGNATE_REGION", "us-east-1", "region for calls whose SigV4 credential scope names none", &c.Region},
		{"account-id", "COGNATE_ACCOUNT_ID", "000000000000", "12-digit AWS account id used in ARNs", &c.AccountID},
		{"public-url", "COGNATE_PUBLIC_URL", "", "base URL clients reach the server at, used in token issuers and discovery documents (default http://<addr>, https://<addr> with TLS)", &c.PublicURL},
		{"mode", "COGNATE_MODE", "local", "local (any SigV4 credentials accepted, inspection API on) or secure (SigV4 verified against --access-keys, inspection API off)", &c.Mode},
		{"log-format", "COGNATE_LOG_FORMAT", "", "text or json (default: text in local mode, json in secure mode)", &c.LogFormat},
		{"log-level", "COGNATE_LOG_LEVEL", "info", "debug, info, warn or error", &c.LogLevel},
		{"secret-key", "COGNATE_SECRET_KEY", "", "comma-separated secrets (each at least 32 characters, the first current) that seal signing keys, SRP verifiers and sessions; local mode generates one and keeps it in the database", &c.SecretKey},
		{"access-keys", "COGNATE_ACCESS_KEYS", "", "secure mode's SigV4 keys: AKID:SECRET[:POOL|POOL…][,…], or @FILE with one AKID:SECRET[:POOL|POOL…] per line (# comments); a pool list limits the key to those user pools", &c.AccessKeys},
		{"password-hashing", "COGNATE_PASSWORD_HASHING", "strong", "argon2id profile: strong (19 MiB, t=2) or fast (64 KiB, t=1; test suites only, insecure)", &c.Hashing},
		{"smtp-url", "COGNATE_SMTP_URL", "", "deliver email through smtp://user:pass@host:port?starttls=required|opportunistic|none", &c.SMTPURL},
		{"smtp-from", "COGNATE_SMTP_FROM", "no-reply@verificationemail.com", "sender address of emails", &c.SMTPFrom},
		{"lambda-endpoint", "COGNATE_LAMBDA_ENDPOINT", "", "Lambda Invoke API endpoint for triggers (AWS, LocalStack, SAM local…); empty: AWS_ENDPOINT_URL_LAMBDA, then AWS's regional endpoint", &c.Lambda},
		{"tls-cert", "COGNATE_TLS_CERT", "", "serve HTTPS (HTTP/2 offered) with this PEM `file` of certificate chain; needs --tls-key", &c.TLSCert},
		{"tls-key", "COGNATE_TLS_KEY", "", "PEM `file` of the private key of --tls-cert", &c.TLSKey},
		{"metrics-addr", "COGNATE_METRICS_ADDR", "", "serve Prometheus /metrics on this host:port instead of on --addr", &c.MetricsAddr},
		{"seed", "COGNATE_SEED", "", "YAML `file` declaring user pools with fixed ids, app clients, groups and users, applied at start (see the README's \"Seed file\")", &c.Seed},
		{"issuer", "COGNATE_ISSUER", "public-url", "token issuer: public-url (<public-url>/<poolId>) or aws (https://cognito-idp.<region>.amazonaws.com/<poolId>)", &c.Issuer},
	}
}

// envBool reads a boolean environment variable; unset is false.
func envBool(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s %q: want true or false", name, v)
	}
	return b, nil
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// parseConfig reads flags and environment and validates the result once.
func parseConfig(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("cognate serve", flag.ContinueOnError)
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" (env "+s.env+")")
		if secretSettings[s.name] {
			fs.Lookup(s.name).DefValue = ""
		}
	}
	selfSigned, err := envBool(getenv, "COGNATE_TLS_SELF_SIGNED")
	if err != nil {
		return nil, err
	}
	fs.BoolVar(&c.TLSSelfSigned, "tls-self-signed", selfSigned, "serve HTTPS with a self-signed certificate for localhost, 127.0.0.1, ::1 and the hosts of --addr and --public-url, kept in the user cache directory (its path is logged); for local use (env COGNATE_TLS_SELF_SIGNED)")
	pprofDefault, err := envBool(getenv, "COGNATE_PPROF")
	if err != nil {
		return nil, err
	}
	fs.BoolVar(&c.Pprof, "pprof", pprofDefault, "serve Go's profiler at /debug/pprof/ on --addr, to profile a load (local mode only; env COGNATE_PPROF)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.validate()
}

func (c *config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port", c.Addr))
	}
	if c.DB == "" {
		errs = append(errs, errors.New("--db must not be empty"))
	}
	if y, err := sqlstore.ParseSQLiteSync(c.SQLiteSync); err != nil {
		errs = append(errs, fmt.Errorf("--sqlite-sync %q: want normal or full", c.SQLiteSync))
	} else if y != sqlstore.SyncNormal && isPostgres(c.DB) {
		// Refused rather than ignored: whoever asks for durable commits
		// must not believe they got them from this flag. PostgreSQL's
		// durability is its own fsync and synchronous_commit.
		errs = append(errs, fmt.Errorf("--sqlite-sync %s applies to SQLite only: with a postgres:// --db, commits are as durable as the PostgreSQL server's fsync and synchronous_commit make them", c.SQLiteSync))
	}
	if c.Mode != "local" && c.Mode != "secure" {
		errs = append(errs, fmt.Errorf("--mode %q: want local or secure", c.Mode))
	}
	if c.LogFormat == "" {
		// Self-hosted deployments ship logs to a collector: structured
		// JSON lines with request ids, unless asked otherwise.
		c.LogFormat = "text"
		if c.Mode == "secure" {
			c.LogFormat = "json"
		}
	}
	if c.Pprof && c.Mode == "secure" {
		errs = append(errs, errors.New("--pprof is only available in local mode: the profiler exposes the process's memory and code"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if !accountIDPattern.MatchString(c.AccountID) {
		errs = append(errs, fmt.Errorf("--account-id %q: want 12 digits", c.AccountID))
	}
	if !regionPattern.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("--region %q: not a region name like us-east-1", c.Region))
	}
	if c.Hashing != "strong" && c.Hashing != "fast" {
		errs = append(errs, fmt.Errorf("--password-hashing %q: want strong or fast", c.Hashing))
	}
	if c.Issuer != "public-url" && c.Issuer != "aws" {
		errs = append(errs, fmt.Errorf("--issuer %q: want public-url or aws", c.Issuer))
	}
	if c.Mode == "secure" && c.SecretKey == "" {
		errs = append(errs, errors.New("--mode secure needs --secret-key"))
	}
	if c.AccessKeys != "" {
		if _, err := api.ParseAccessKeys(c.AccessKeys); err != nil {
			errs = append(errs, fmt.Errorf("--access-keys: %w", err))
		}
	} else if c.Mode == "secure" {
		errs = append(errs, errors.New("--mode secure needs --access-keys (AKID:SECRET[,…] or @FILE): without them no admin call could ever be verified"))
	}
	for _, k := range c.secrets() {
		if len(k) < 32 {
			errs = append(errs, errors.New("--secret-key: every secret must be at least 32 characters"))
			break
		}
	}
	if c.SMTPURL != "" {
		if _, err := message.ParseSMTPURL(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-url: %w", err))
		}
	}
	errs = append(errs, c.validateTLS()...)
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
		if c.tlsEnabled() {
			c.PublicURL = "https://" + c.Addr
		}
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("--public-url %q: want an http:// or https:// URL", c.PublicURL))
	}
	return errors.Join(errs...)
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// sqliteSync is --sqlite-sync as sqlstore.Options takes it (validated).
func (c *config) sqliteSync() sqlstore.SQLiteSync {
	y, _ := sqlstore.ParseSQLiteSync(c.SQLiteSync)
	return y
}

// throwaway reports whether --db asks for a database removed on exit.
// `:memory:` is per connection in SQLite, so it becomes a temporary file.
func (c *config) throwaway() bool { return c.DB == ":memory:" }

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage:
  cognate [serve] [flags]   start the server (the default command)
  cognate version           print the version
  cognate healthcheck [--addr HOST:PORT] [--tls]
                            GET /readyz of the server on this machine: exit 0 when
                            ready, 1 when not (container health checks without curl)
  cognate bench [flags]     load a Cognito-compatible endpoint (Cognate, moto, cognito-local…)
  cognate seed export [--db …] [--pool ID] [--out FILE]
                            write the database's pools, clients, groups and users as a
                            seed file (passwords cannot be exported)
  cognate seed fill --db … --users N [--pool ID] [--from K]
                            add N confirmed filler users to a pool, for benchmarks

Run "cognate serve -h", "cognate bench -h", "cognate healthcheck -h",
"cognate seed export -h" or "cognate seed fill -h" for the flags.
`)
}

// redactURL hides the password of a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// secrets splits --secret-key.
func (c *config) secrets() []string {
	var out []string
	for _, k := range strings.Split(c.SecretKey, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}
