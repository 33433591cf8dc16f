package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// rawConn is one worker's own HTTP/1.1 connection for the measured load
// on an http:// endpoint. net/http's client costs the tool ~40 µs of CPU
// per request (a read and a write goroutine per connection, channels, a
// header map per response); on a machine shared with the server that CPU
// is taken from what is measured. Writing the request bytes and reading
// the status line, a few headers and the body directly costs a fraction of
// it. It speaks what the servers measured here answer: Content-Length or
// chunked bodies, keep-alive or Connection: close (moto), HTTP/1.0 or 1.1.
// The setup, the clean-up and https:// endpoints keep net/http.
type rawConn struct {
	c       *client
	addr    string // host:port to dial
	host    string // Host header
	timeout time.Duration

	conn net.Conn
	r    *bufio.Reader
	wbuf []byte
	stop func() bool // ends the context watch of conn
}

// newRawConn returns the connection for endpoint, or nil when the tool
// should keep net/http for it (https, or a URL it cannot read).
func newRawConn(c *client, endpoint string, timeout time.Duration) *rawConn {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &rawConn{c: c, addr: addr, host: u.Host, timeout: timeout}
}

func (rc *rawConn) close() {
	if rc.conn != nil {
		rc.stop()
		_ = rc.conn.Close()
		rc.conn, rc.r = nil, nil
	}
}

// send performs req (with its body) and classifies the answer as
// client.send does. Any failure closes the connection; the next request
// dials again.
func (rc *rawConn) send(ctx context.Context, req *http.Request, body []byte, errBuf *bytes.Buffer) outcome {
	out, err := rc.roundTrip(ctx, req, body, errBuf)
	if err != nil {
		rc.close()
		return outcome{transport: transportErrorType(err)}
	}
	return out
}

func (rc *rawConn) roundTrip(ctx context.Context, req *http.Request, body []byte, errBuf *bytes.Buffer) (outcome, error) {
	if rc.conn == nil {
		conn, err := rc.c.dialer().DialContext(ctx, "tcp", rc.addr)
		if err != nil {
			return outcome{}, err
		}
		rc.c.dials.Add(1)
		rc.conn, rc.r = conn, bufio.NewReaderSize(conn, 32<<10)
		// Ctrl-C interrupts a request under way, as net/http's would be.
		rc.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	}
	if err := rc.conn.SetDeadline(time.Now().Add(rc.timeout)); err != nil {
		return outcome{}, err
	}

	b := append(rc.wbuf[:0], "POST "...)
	b = append(b, req.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, rc.host...)
	b = append(b, "\r\n"...)
	for k, vs := range req.Header {
		for _, v := range vs {
			b = append(append(append(append(b, k...), ": "...), v...), "\r\n"...)
		}
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	rc.wbuf = b
	if _, err := rc.conn.Write(b); err != nil {
		return outcome{}, err
	}

	line, err := rc.line()
	if err != nil {
		return outcome{}, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return outcome{}, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return outcome{}, fmt.Errorf("malformed status line %q", line)
	}
	keepAlive := line[7] == '1' // HTTP/1.1 keeps the connection unless told
	length, chunked := -1, false
	var errorTypeHeader string
	for {
		h, err := rc.line()
		if err != nil {
			return outcome{}, err
		}
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return outcome{}, fmt.Errorf("malformed header line %q", h)
		}
		value = bytes.TrimSpace(value)
		key, val := string(name), string(value)
		switch {
		case strings.EqualFold(key, "Content-Length"):
			if length, err = strconv.Atoi(val); err != nil || length < 0 {
				return outcome{}, fmt.Errorf("malformed Content-Length %q", value)
			}
		case strings.EqualFold(key, "Transfer-Encoding"):
			chunked = strings.EqualFold(val, "chunked")
		case strings.EqualFold(key, "Connection"):
			if strings.EqualFold(val, "close") {
				keepAlive = false
			} else if strings.EqualFold(val, "keep-alive") {
				keepAlive = true
			}
		case strings.EqualFold(key, "X-Amzn-Errortype"):
			errorTypeHeader = val
		}
	}

	var keep io.Writer = io.Discard
	if status != http.StatusOK {
		errBuf.Reset()
		keep = &limitedWriter{w: errBuf, n: 64 << 10}
	}
	switch {
	case chunked:
		err = rc.chunks(keep)
	case length >= 0:
		_, err = io.CopyN(keep, rc.r, int64(length))
	default:
		// Neither: the body runs to the end of the connection.
		_, err = io.Copy(keep, rc.r)
		keepAlive = false
	}
	if err != nil {
		return outcome{}, err
	}
	if !keepAlive {
		rc.close()
	}
	if status == http.StatusOK {
		return outcome{ok: true}, nil
	}
	typ, _ := errorType(http.Header{"X-Amzn-Errortype": {errorTypeHeader}}, errBuf.Bytes(), status)
	return outcome{apiErr: typ}, nil
}

// line reads one CRLF- or LF-terminated line without its ending.
func (rc *rawConn) line() ([]byte, error) {
	l, err := rc.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("a response line longer than 32 KiB")
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return bytes.TrimRight(l, "\r\n"), nil
}

// chunks copies a chunked body to w, trailers skipped.
func (rc *rawConn) chunks(w io.Writer) error {
	for {
		l, err := rc.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(l, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("malformed chunk size %q", l)
		}
		if n == 0 {
			for { // trailers, then the empty line
				t, err := rc.line()
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		if _, err := io.CopyN(w, rc.r, n); err != nil {
			return err
		}
		if l, err := rc.line(); err != nil || len(l) != 0 {
			return fmt.Errorf("malformed chunk end %q: %v", l, err)
		}
	}
}

// limitedWriter keeps the first n bytes written and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.n -= k
	}
	return len(p), nil
}
