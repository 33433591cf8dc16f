package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRawConn: the load's own HTTP/1.1 client reads every response shape
// the servers measured here send, keeps the connection when it may, and
// reports what it cannot read as a transport error, never as a success.
func TestRawConn(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, r.Header.Get("X-Amz-Target")+" "+string(b))
		switch r.URL.Query().Get("shape") {
		case "close":
			w.Header().Set("Connection", "close")
			fmt.Fprint(w, `{}`)
		case "chunked":
			for i := range 3 {
				fmt.Fprintf(w, `{"part":%d}`, i)
				w.(http.Flusher).Flush()
			}
		case "error":
			w.Header().Set("X-Amzn-Errortype", "NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"NotAuthorizedException","message":"no"}`)
		case "chunked-error":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"com.amazonaws#TooManyRequestsException",`)
			w.(http.Flusher).Flush()
			fmt.Fprint(w, `"message":"slow down"}`)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	c := newClient(Config{Endpoint: srv.URL, Region: "us-east-1", Timeout: 5 * time.Second})
	p := newPrepared(GetUser, false).static([]byte(`{"AccessToken":"t"}`))
	rc := newRawConn(c, srv.URL, 5*time.Second)
	send := func(query string) outcome {
		t.Helper()
		req, body, err := c.build(context.Background(), srv.URL+"/"+query, p, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		return rc.send(context.Background(), req, body, &buf)
	}
	dials := func() int64 { return c.dials.Load() }

	for _, tc := range []struct {
		query     string
		want      outcome
		keepsConn bool
	}{
		{"", outcome{ok: true}, true},
		{"", outcome{ok: true}, true},
		{"?shape=chunked", outcome{ok: true}, true},
		{"?shape=error", outcome{apiErr: "NotAuthorizedException"}, true},
		{"?shape=chunked-error", outcome{apiErr: "TooManyRequestsException"}, true},
		{"?shape=close", outcome{ok: true}, false},
		{"", outcome{ok: true}, true},
	} {
		before := dials()
		connBefore := rc.conn
		if got := send(tc.query); got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.query, got, tc.want)
		}
		if tc.keepsConn && rc.conn == nil {
			t.Errorf("%q: the connection was dropped", tc.query)
		}
		if !tc.keepsConn && rc.conn != nil {
			t.Errorf("%q: Connection: close was not honoured", tc.query)
		}
		if connBefore != nil && dials() != before {
			t.Errorf("%q: a new connection was dialled while one was open", tc.query)
		}
	}
	if want := "AWSCognitoIdentityProviderService.GetUser " + `{"AccessToken":"t"}`; bodies[0] != want {
		t.Errorf("the server received %q, want %q", bodies[0], want)
	}
	if d := dials(); d != 2 {
		t.Errorf("%d connections dialled, want 2 (one reopened after Connection: close)", d)
	}

	// What is not HTTP is a transport error, and the connection is dropped.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = conn.Read(make([]byte, 4096))
			_, _ = io.WriteString(conn, "SSH-2.0-not-http\r\n\r\n")
			conn.Close()
		}
	}()
	bad := newRawConn(c, "http://"+ln.Addr().String(), 5*time.Second)
	req, body, _ := c.build(context.Background(), "http://"+ln.Addr().String()+"/", p, nil, time.Now())
	if got := bad.send(context.Background(), req, body, &bytes.Buffer{}); got.ok || got.transport == "" || bad.conn != nil {
		t.Errorf("a non-HTTP answer: %+v, connection kept %v", got, bad.conn != nil)
	}
	if newRawConn(c, "https://127.0.0.1:1", time.Second) != nil || !strings.HasPrefix(srv.URL, "http://") {
		t.Error("https endpoints must keep net/http")
	}
}
