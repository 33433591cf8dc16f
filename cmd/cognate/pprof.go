package main

import (
	"net/http"
	"net/http/pprof"
)

// withPprof serves Go's profiler under /debug/pprof/ next to the API, for
// `go tool pprof http://<addr>/debug/pprof/profile` during a load
// (BENCHMARKS.md). The API never uses that path.
func withPprof(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", api)
	return mux
}
