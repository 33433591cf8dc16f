package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealthcheck is `cognate healthcheck`: it asks GET /readyz of a server
// on this machine and returns 0 when it answers 200, 1 otherwise (2 for bad
// flags). Container images without a shell or curl (distroless, scratch)
// run it as their HEALTHCHECK. The address defaults to --addr's
// (COGNATE_ADDR), a wildcard host (0.0.0.0, ::, empty) asked on loopback;
// HTTPS is used when COGNATE_TLS_CERT or COGNATE_TLS_SELF_SIGNED says the
// server serves it, without verifying the certificate: the check talks to
// its own machine.
func runHealthcheck(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("cognate healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defAddr := "localhost:9229"
	if v := getenv("COGNATE_ADDR"); v != "" {
		defAddr = v
	}
	tlsDefault := getenv("COGNATE_TLS_CERT") != ""
	if on, err := envBool(getenv, "COGNATE_TLS_SELF_SIGNED"); err == nil && on {
		tlsDefault = true
	}
	addr := fs.String("addr", defAddr, "`host:port` the server listens on (env COGNATE_ADDR)")
	useTLS := fs.Bool("tls", tlsDefault, "the server serves HTTPS (default: whether COGNATE_TLS_CERT or COGNATE_TLS_SELF_SIGNED is set)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cognate healthcheck: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	url, err := readyzURL(*addr, *useTLS)
	if err != nil {
		fmt.Fprintln(stderr, "cognate healthcheck:", err)
		return 2
	}
	client := &http.Client{
		Timeout: *timeout,
		Transport: &http.Transport{
			Proxy: nil, // never through HTTP_PROXY: this is the local server
			// The server checked is this machine's own; its certificate
			// may be self-signed or name another host.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		},
	}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(stderr, "cognate healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "cognate healthcheck: %s answered %d: %s\n", url, resp.StatusCode, body)
		return 1
	}
	return 0
}

// readyzURL is the /readyz URL of a server listening on addr.
func readyzURL(addr string, useTLS bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want host:port", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/readyz", nil
}
