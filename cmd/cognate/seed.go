package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/password"
	"github.com/cognate/cognate/internal/seed"
	"github.com/cognate/cognate/internal/server"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// loadSeed parses --seed before anything starts: a bad file stops the
// start with the file, line and field.
func loadSeed(cfg *config) (*seed.File, error) {
	if cfg.Seed == "" {
		return nil, nil
	}
	return seed.Load(cfg.Seed)
}

// dbFlag is the --db flag of the seed commands, defaulting as serve's does.
func dbFlag(fs *flag.FlagSet, getenv func(string) string, verb string) *string {
	def := "cognate.db"
	if v := getenv("COGNATE_DB"); v != "" {
		def = v
	}
	return fs.String("db", def, "`database` to "+verb+", as for serve: a SQLite file path or a postgres:// URL (env COGNATE_DB)")
}

// runSeed runs `cognate seed export` and `cognate seed fill`.
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "fill" {
		return runFill(ctx, args[1:], getenv, stdout)
	}
	if len(args) == 0 || args[0] != "export" {
		return errors.New(`want "cognate seed export [--db …] [--pool ID] [--out FILE]" or "cognate seed fill --db … --users N [--pool ID]"`)
	}
	fs := flag.NewFlagSet("cognate seed export", flag.ContinueOnError)
	db := dbFlag(fs, getenv, "read")
	pool := fs.String("pool", "", "export only this user pool `id` (default: every pool)")
	out := fs.String("out", "", "write to this `file` (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *db == "":
		return errors.New("--db must not be empty")
	case (&config{DB: *db}).throwaway():
		return errors.New("--db :memory: is a throwaway database: there is nothing to export")
	case !isPostgres(*db):
		// Opening a missing SQLite file would create an empty database.
		if _, err := os.Stat(*db); err != nil {
			return fmt.Errorf("--db: %w", err)
		}
	}
	st, err := sqlstore.Open(ctx, *db, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	var buf bytes.Buffer
	if err := seed.Export(ctx, st, &buf, *pool); err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*out, buf.Bytes(), 0o600)
}

// fillPoolSettings is the pool `cognate seed fill` creates when given none:
// the custom attribute `cognate bench` writes, so that a bench run can use
// the filled pool (bench --pool).
const fillPoolSettings = `{"PoolName":"cognate-fill","MfaConfiguration":"OFF","Schema":[{"Name":"bench","AttributeDataType":"String","Mutable":true,"StringAttributeConstraints":{"MinLength":"0","MaxLength":"64"}}]}`

// runFill runs `cognate seed fill`: it adds filler users to a pool of a
// local-mode database, to measure large pools (BENCHMARKS.md).
func runFill(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cognate seed fill", flag.ContinueOnError)
	db := dbFlag(fs, getenv, "fill")
	pool := fs.String("pool", "", "user pool `id` to fill (default: create one with bench's custom attribute and print its id)")
	users := fs.Int("users", 0, "filler users to add (filler0000000@example.com, …)")
	from := fs.Int("from", 0, "number of the first filler user")
	pw := fs.String("password", "Filler-Passw0rd!", "the fillers' shared `password`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case *users < 1 || *users > 10_000_000:
		return errors.New("--users must be between 1 and 10000000")
	case *from < 0:
		return errors.New("--from cannot be negative")
	case *db == "" || (&config{DB: *db}).throwaway():
		return errors.New("--db must name a SQLite file or a postgres:// URL")
	}
	st, err := sqlstore.Open(ctx, *db, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	srv, err := server.New(ctx, server.Config{Store: st, Mode: api.ModeLocal, Region: "us-east-1", Passwords: password.Fast})
	if err != nil {
		return err
	}
	if *pool == "" {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(fillPoolSettings))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		srv.ServeHTTP(rec, req)
		var out struct{ UserPool struct{ Id string } }
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.UserPool.Id == "" {
			return fmt.Errorf("CreateUserPool: %d %s", rec.Code, rec.Body)
		}
		*pool = out.UserPool.Id
	}
	started := time.Now()
	attrs := []model.AttributeType{{Name: ptr("custom:bench"), Value: ptr("0")}}
	err = srv.Fill(ctx, *pool, *from, *users, *pw, attrs, func(done int) {
		fmt.Fprintf(os.Stderr, "cognate seed fill: %d of %d users (%.0f/s)\n", done, *users, float64(done)/time.Since(started).Seconds())
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cognate seed fill: %d users in %s\n", *users, time.Since(started).Round(time.Millisecond))
	_, err = fmt.Fprintln(stdout, *pool)
	return err
}

func ptr[T any](v T) *T { return &v }
