package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadyzURL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:9229":   "http://127.0.0.1:9229/readyz",
		":9229":          "http://127.0.0.1:9229/readyz",
		"[::]:9229":      "http://[::1]:9229/readyz",
		"localhost:9229": "http://localhost:9229/readyz",
	} {
		if got, err := readyzURL(addr, false); err != nil || got != want {
			t.Errorf("readyzURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if got, _ := readyzURL("127.0.0.1:1", true); got != "https://127.0.0.1:1/readyz" {
		t.Errorf("TLS: %q", got)
	}
	if _, err := readyzURL("9229", false); err == nil {
		t.Error("an address without a port was accepted")
	}
}

// TestHealthcheck runs `cognate healthcheck` against the real server, over
// HTTP and over HTTPS with a self-signed certificate, and against a port
// where nothing listens.
func TestHealthcheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"http", nil, nil},
		{"https self-signed", []string{"--tls-self-signed"}, map[string]string{"XDG_CACHE_HOME": t.TempDir(), "HOME": t.TempDir()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ctx, cancel := context.WithCancel(t.Context())
			addrc := make(chan string, 1)
			done := make(chan error, 1)
			go func() {
				args := append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "c.db")}, tc.args...)
				done <- serve(ctx, args, env(nil), func(a string) { addrc <- a })
			}()
			var addr string
			select {
			case addr = <-addrc:
			case err := <-done:
				t.Fatalf("serve: %v", err)
			}
			var stderr bytes.Buffer
			hcEnv := map[string]string{"COGNATE_ADDR": addr}
			if len(tc.args) > 0 {
				hcEnv["COGNATE_TLS_SELF_SIGNED"] = "true"
			}
			if code := runHealthcheck(nil, env(hcEnv), &stderr); code != 0 {
				t.Fatalf("healthcheck of a ready server: exit %d, %s", code, stderr.String())
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	var stderr bytes.Buffer
	if code := runHealthcheck([]string{"--addr", free, "--timeout", "2s"}, env(nil), &stderr); code != 1 {
		t.Fatalf("healthcheck with no server: exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "connection refused") {
		t.Errorf("stderr %q does not say why", stderr.String())
	}
	if code := runHealthcheck([]string{"extra"}, env(nil), &stderr); code != 2 {
		t.Errorf("an extra argument: exit %d, want 2", code)
	}
}

// TestHTTPErrorLogTLSHint checks that a TLS handshake failure is logged
// with a hint at warn level at most once a minute, the others at debug
// level and counted, and that other server errors pass through.
func TestHTTPErrorLogTLSHint(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &errorLogWriter{logger: logger, now: func() time.Time { return now }}
	l := httpErrorLog(logger)
	l.SetOutput(w)

	hs := "http: TLS handshake error from 127.0.0.1:50000: remote error: tls: bad certificate"
	l.Print(hs)
	l.Print(hs)
	l.Print(hs)
	now = now.Add(61 * time.Second)
	l.Print(hs)
	l.Print("http: Accept error: too many open files")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 5 lines, got %d:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{
		"level=WARN msg=\"TLS handshake failed: the client probably does not trust",
		"level=DEBUG msg=\"TLS handshake failed\"",
		"level=DEBUG msg=\"TLS handshake failed\"",
		"similar_failures_since_last_warning=2",
		"level=WARN msg=\"http server: http: Accept error: too many open files\"",
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s\nwant it to contain %s", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "bad certificate") {
		t.Errorf("the warning lost the original error: %s", lines[0])
	}
}
