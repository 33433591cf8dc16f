package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cognate/cognate/internal/seed"
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

// runSeed runs `cognate seed export`.
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New(`want "cognate seed export [--db …] [--pool ID] [--out FILE]"`)
	}
	fs := flag.NewFlagSet("cognate seed export", flag.ContinueOnError)
	defDB := "cognate.db"
	if v := getenv("COGNATE_DB"); v != "" {
		defDB = v
	}
	db := fs.String("db", defDB, "`database` to read, as for serve: a SQLite file path or a postgres:// URL (env COGNATE_DB)")
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
