package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPprof: --pprof serves the profiler next to a working API, only in
// local mode; without it the path is not served.
func TestPprof(t *testing.T) {
	get := func(addr string) int {
		resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	db := t.TempDir() + "/p.db"
	must(t, runServe(t, []string{"--db", db, "--pprof"}, func(addr string) {
		if code := get(addr); code != http.StatusOK {
			t.Errorf("/debug/pprof/heap with --pprof: %d", code)
		}
		if out := call(t, addr, "ListUserPools", `{"MaxResults":1}`); !strings.Contains(out, "UserPools") {
			t.Errorf("the API behind --pprof: %s", out)
		}
	}))
	must(t, runServe(t, []string{"--db", db}, func(addr string) {
		if code := get(addr); code == http.StatusOK {
			t.Error("/debug/pprof/heap is served without --pprof")
		}
	}))
	if _, err := parseConfig([]string{"--mode", "secure", "--pprof", "--secret-key", strings.Repeat("k", 32)}, env(nil)); err == nil || !strings.Contains(err.Error(), "--pprof is only available in local mode") {
		t.Errorf("--pprof in secure mode: %v", err)
	}
}
