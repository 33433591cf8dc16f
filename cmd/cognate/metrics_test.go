package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServe runs serve until the test ends and returns the API address.
func startServe(t *testing.T, args []string, vars map[string]string) (addr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	args = append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "cognate.db")}, args...)
	go func() { done <- serve(ctx, args, env(vars), func(a string) { addrc <- a }) }()
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { stopServe(t, cancel, done) }) }
	t.Cleanup(stop)
	return addr, stop
}

func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("server did not stop")
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsOnMainListener(t *testing.T) {
	addr, _ := startServe(t, nil, nil)
	call(t, addr, "CreateUserPool", `{"PoolName":"m"}`)
	code, body := httpGet(t, "http://"+addr+"/metrics")
	if code != 200 || !strings.Contains(body, `cognate_requests_total{error="",operation="CreateUserPool"} 1`) {
		t.Fatalf("GET /metrics = %d, without the CreateUserPool count:\n%s", code, body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := httpGet(t, "http://"+addr+path); code != 200 || body != "ok\n" {
			t.Errorf("GET %s = %d %q", path, code, body)
		}
	}
}

func TestMetricsAddr(t *testing.T) {
	// A free loopback port: taken, noted, released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()

	addr, stop := startServe(t, nil, map[string]string{"COGNATE_METRICS_ADDR": maddr})
	call(t, addr, "CreateUserPool", `{"PoolName":"m"}`)
	if code, _ := httpGet(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on --addr with --metrics-addr = %d, want 404", code)
	}
	code, body := httpGet(t, "http://"+maddr+"/metrics")
	if code != 200 || !strings.Contains(body, `cognate_requests_total{error="",operation="CreateUserPool"} 1`) {
		t.Fatalf("GET /metrics on --metrics-addr = %d, without the CreateUserPool count:\n%s", code, body)
	}
	stop()
	if c, err := net.DialTimeout("tcp", maddr, time.Second); err == nil {
		c.Close()
		t.Error("the metrics listener is still open after shutdown")
	}
}

func TestMetricsAddrRejected(t *testing.T) {
	err := serve(t.Context(), []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "db"), "--metrics-addr", "nonsense"}, env(nil), nil)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Fatalf("serve with --metrics-addr nonsense: %v, want an error naming the flag", err)
	}
}
