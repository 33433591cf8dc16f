package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cognate/cognate/internal/bench"
)

// runBench is `cognate bench`: a load tool for any Cognito-compatible
// endpoint (internal/bench does the work). It exits the process.
func runBench(args []string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C ends the load and lets the clean-up run; restoring
	// the default handling lets a second one kill a clean-up that hangs.
	go func() { <-ctx.Done(); stop() }()
	tuneGC(os.Getenv) // the tool shares the machine with what it measures
	code := benchMain(ctx, args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// benchMain parses args, runs the benchmark and writes the report; it
// returns the exit code: 0, 1 on failure (or when the pool could not be
// deleted), 2 on bad flags, 130 when interrupted (the partial report is
// still written).
func benchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		cfg      bench.Config
		asJSON   bool
		duration time.Duration
	)
	fs := flag.NewFlagSet("cognate bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Endpoint, "endpoint", "http://localhost:9229", "`URL` of the Cognito-compatible API; several instances of one service sharing a database as URL,URL,… (set-up on the first, load spread over all)")
	fs.StringVar(&cfg.Operation, "operation", bench.GetUser, "operation to load: "+strings.Join(bench.Operations, ", ")+
		" (mixed: 50% GetUser, 30% UpdateUserAttributes, 10% InitiateAuth, 10% AdminGetUser)")
	fs.IntVar(&cfg.Users, "users", 100, "users to set up")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "closed-loop workers (connections)")
	fs.DurationVar(&duration, "duration", bench.DefaultDuration, "measured phase (at most 10m); with --requests alone, up to 10m")
	fs.Int64Var(&cfg.Requests, "requests", 0, "stop after this many measured requests (0: no limit)")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "load before measuring, not counted")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region of the SigV4 credential scope")
	fs.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow an endpoint outside the loopback range")
	fs.BoolVar(&cfg.Keep, "keep", false, "do not delete the pool at the end")
	fs.StringVar(&cfg.PoolID, "pool", "", "run in this existing pool `id` (it must define custom:bench, as one made by cognate seed fill does); the clean-up then deletes only the app client and users the run set up")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "timeout of each request")
	fs.IntVar(&cfg.SetupConcurrency, "setup-concurrency", 8, "parallel calls while setting up users")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: cognate bench [flags]\n\nLoads a Cognito user pools endpoint with one operation and reports\nthroughput and latency. It creates its own pool and users and deletes them.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cognate bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	// --requests alone runs until the count (within the 10-minute cap)
	// rather than stopping at the default duration.
	cfg.Duration = duration
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if cfg.Requests > 0 && !durationSet {
		cfg.Duration = 0
	}
	cfg.Log = prefixWriter{stderr}
	if f, ok := stdout.(*os.File); ok && !asJSON && isTerminal(f) {
		cfg.Progress = stdout
	}

	res, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "cognate bench:", err)
		if ctx.Err() != nil {
			return 130 // interrupted during the setup
		}
		return 1
	}
	if asJSON {
		err = bench.WriteJSON(stdout, res)
	} else {
		err = bench.WriteText(stdout, res)
	}
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "cognate bench:", err)
		return 1
	case res.Interrupted:
		return 130
	case res.CleanupError != "":
		return 1
	}
	return 0
}

// prefixWriter marks the tool's status lines on stderr.
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "cognate bench: "); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// isTerminal reports whether f is a character device; golang.org/x/term is
// not a dependency, and this is all the live display needs to know.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
