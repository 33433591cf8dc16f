package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	targetPrefix = "AWSCognitoIdentityProviderService."
	contentType  = "application/x-amz-json-1.1"
	userAgent    = "cognate-bench/1"
	// signingService is Cognito user pools' SigV4 service name.
	signingService = "cognito-idp"
	// signatureReuse is how long a static request's signature is reused.
	// SigV4 accepts a signature for 15 minutes; a minute keeps X-Amz-Date
	// close to the truth for servers that log or check it.
	signatureReuse = time.Minute
)

// dummyCredentials sign admin calls. They are not secrets: Cognate's local
// mode, moto and cognito-local accept any credentials but may check the
// Authorization header's shape, which only a real signature has.
var dummyCredentials = aws.Credentials{AccessKeyID: "AKIDCOGNATEBENCH0000", SecretAccessKey: "cognate-bench-dummy-secret-key-000000000"}

// client sends Cognito calls over one tuned HTTP client.
type client struct {
	http *http.Client // the load's: Config.Timeout per request
	// slow is the setup's and clean-up's, over the same connections, with
	// room for a DeleteUserPool that takes a million users along.
	slow     *http.Client
	url      string
	region   string
	signer   *v4.Signer
	loopback bool // refuse to dial non-loopback addresses
	// dials counts the connections opened, so that a server that closes
	// every connection (no keep-alive) shows in the result.
	dials atomic.Int64
}

func newClient(cfg Config) *client {
	c := &client{url: cfg.Endpoint, region: cfg.Region, signer: v4.NewSigner(), loopback: !cfg.AllowRemote}
	tr := cfg.Transport
	if tr == nil {
		tr = c.transport(cfg)
	}
	c.http = &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// A redirect would send the load somewhere else than the checked
		// endpoint; report it as the response it is.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	slow := *c.http
	slow.Timeout = max(cfg.Timeout, 2*time.Minute)
	c.slow = &slow
	return c
}

// transport keeps one idle keep-alive connection per worker (and the setup
// workers), so that the measured phase never pays for a TCP handshake after
// warm-up. HTTP/1.1 is kept even over TLS, so that concurrency means
// connections, as with most load tools.
func (c *client) transport(cfg Config) *http.Transport {
	dialer := c.dialer()
	conns := cfg.Concurrency + cfg.SetupConcurrency
	return &http.Transport{
		// Never a proxy: HTTP_PROXY must not reroute load off the machine.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			c.dials.Add(1)
			return dialer.DialContext(ctx, network, address)
		},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		DisableCompression:  true,
		ReadBufferSize:      32 << 10, // a ListUsers page of 60 users in few reads
	}
}

// dialer dials TCP, refusing non-loopback addresses unless allowed.
func (c *client) dialer() *net.Dialer {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if c.loopback {
		// The host was checked when the config was read; checking the
		// address actually dialled as well keeps a name that resolves
		// elsewhere (or a rebinding resolver) from sending load off-host.
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refusing to dial non-loopback address %s without --allow-remote", address)
			}
			return nil
		}
	}
	return dialer
}

// APIError is an error answered by the server.
type APIError struct {
	Status  int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s (HTTP %d)", e.Type, e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Type, e.Message, e.Status)
}

// errorType names an error response: x-amzn-ErrorType ("Type:http://…"),
// else the body's __type ("com.amazonaws…#Type" or "Type"), else the HTTP
// status, as AWS SDKs do.
func errorType(h http.Header, body []byte, status int) (typ, msg string) {
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(body, &e)
	msg = e.Message
	if msg == "" {
		msg = e.MessageU
	}
	if t := h.Get("X-Amzn-Errortype"); t != "" {
		typ, _, _ = strings.Cut(t, ":")
	}
	if typ == "" && e.Type != "" {
		typ = e.Type
		if i := strings.LastIndexByte(typ, '#'); i >= 0 {
			typ = typ[i+1:]
		}
	}
	if typ == "" {
		typ = fmt.Sprintf("HTTP%d", status)
	}
	return typ, msg
}

// transportErrorType groups a failure to get a response into a few kinds.
func transportErrorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op + " error"
	}
	return "other"
}

// call is the setup's generic call: marshal in, unmarshal the answer into
// out (when not nil), sign when asked.
func (c *client) call(ctx context.Context, op string, signed bool, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := c.newRequest(ctx, op, body)
	if err != nil {
		return err
	}
	if signed {
		sum := sha256.Sum256(body)
		if err := c.signer.SignHTTP(ctx, dummyCredentials, req, hex.EncodeToString(sum[:]), signingService, c.region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := c.slow.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		typ, msg := errorType(resp.Header, data, resp.StatusCode)
		return &APIError{Status: resp.StatusCode, Type: typ, Message: msg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: decoding the answer: %w", op, err)
	}
	return nil
}

// newRequest builds a POST of body with the AWS JSON 1.1 headers. The
// header map is filled directly with canonical keys, skipping Set's
// canonicalization on the hot path.
func (c *client) newRequest(ctx context.Context, op string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = http.Header{
		"Content-Type": {contentType},
		"X-Amz-Target": {targetPrefix + op},
		"User-Agent":   {userAgent},
	}
	return req, nil
}

// signature is a cached Authorization and X-Amz-Date pair.
type signature struct {
	authorization, date string
	at                  time.Time
}

// prepared is one request ready to send: a static body (with its payload
// hash and, when signed, a cached signature) or the halves of a body whose
// middle changes per request.
type prepared struct {
	op     string
	target []string // X-Amz-Target's value, shared by every request
	signed bool

	body     []byte
	bodyHash string
	sig      atomic.Pointer[signature]

	// dynamic bodies: prefix + fresh value + suffix
	prefix, suffix []byte
}

func newPrepared(op string, signed bool) *prepared {
	return &prepared{op: op, target: []string{targetPrefix + op}, signed: signed}
}

// static sets a body that never changes.
func (p *prepared) static(body []byte) *prepared {
	p.body = body
	sum := sha256.Sum256(body)
	p.bodyHash = hex.EncodeToString(sum[:])
	return p
}

// dynamic sets a body built as prefix + value + suffix.
func (p *prepared) dynamic(prefix, suffix []byte) *prepared {
	p.prefix, p.suffix = prefix, suffix
	return p
}

var (
	contentTypeValue = []string{contentType}
	userAgentValue   = []string{userAgent}
)

// build returns the request for p; value is the fresh middle of a dynamic
// body. A dynamic body gets its own slice: the transport may still hold the
// previous request's body when the next one is built.
func (c *client) build(ctx context.Context, url string, p *prepared, value []byte, now time.Time) (*http.Request, []byte, error) {
	body := p.body
	if p.body == nil {
		body = make([]byte, 0, len(p.prefix)+len(value)+len(p.suffix))
		body = append(append(append(body, p.prefix...), value...), p.suffix...)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = make(http.Header, 6)
	req.Header["Content-Type"] = contentTypeValue
	req.Header["X-Amz-Target"] = p.target
	req.Header["User-Agent"] = userAgentValue
	if !p.signed {
		return req, body, nil
	}
	if p.body == nil {
		sum := sha256.Sum256(body)
		err := c.signer.SignHTTP(ctx, dummyCredentials, req, hex.EncodeToString(sum[:]), signingService, c.region, now)
		return req, body, err
	}
	s := p.sig.Load()
	if s == nil || now.Sub(s.at) > signatureReuse {
		// Several workers may re-sign at once; each result is valid, and
		// the last one stored wins.
		if err := c.signer.SignHTTP(ctx, dummyCredentials, req, p.bodyHash, signingService, c.region, now); err != nil {
			return nil, nil, err
		}
		p.sig.Store(&signature{authorization: req.Header.Get("Authorization"), date: req.Header.Get("X-Amz-Date"), at: now})
		return req, body, nil
	}
	req.Header["Authorization"] = []string{s.authorization}
	req.Header["X-Amz-Date"] = []string{s.date}
	return req, body, nil
}

// outcome is what one load request came to.
type outcome struct {
	ok        bool
	apiErr    string // error type when the server answered an error
	transport string // failure kind when no answer came
}

// send performs req and classifies the answer. A success's body is drained
// (so the connection is reused) but not decoded; an error's is read for its
// type. buf is the worker's scratch buffer for error bodies.
func (c *client) send(req *http.Request, buf *bytes.Buffer) outcome {
	resp, err := c.http.Do(req)
	if err != nil {
		return outcome{transport: transportErrorType(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return outcome{transport: transportErrorType(err)}
		}
		return outcome{ok: true}
	}
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, 64<<10)); err != nil {
		return outcome{transport: transportErrorType(err)}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	typ, _ := errorType(resp.Header, buf.Bytes(), resp.StatusCode)
	return outcome{apiErr: typ}
}
