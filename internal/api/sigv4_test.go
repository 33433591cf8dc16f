package api_test

// Secure mode's SigV4 verification at the edge: api.New with fake handlers
// behind a real HTTP server, requests signed by the AWS SDK for Go v2's
// signer (never by Cognate's own code), and every refusal checked for AWS's
// type, text and status.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognate/cognate/internal/api"
)

const (
	sigAccount = "123456789012"
	sigAKID    = "AKIACOGNATETEST00001"
	sigSecret  = "cognate/test+Secret/0123456789abcdef"
	// sigPoolAKID may act on sigPool only.
	sigPoolAKID   = "AKIACOGNATEPOOLS0001"
	sigPoolSecret = "pool/limited+Secret/0123456789abcdef"
	sigRegion     = "eu-west-1"
	sigPool       = "eu-west-1_Allowed"
	sigOtherPool  = "eu-west-1_Other"
	msgMismatch   = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgBadToken   = "The security token included in the request is invalid."
)

// sigNow is the server's machine clock in these tests.
var sigNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// sigEdge is a secure-mode edge on loopback and its JSON log.
type sigEdge struct {
	url  string
	logs *syncBuffer
}

func newSigEdge(t *testing.T) *sigEdge {
	t.Helper()
	logs := &syncBuffer{}
	h := api.New(api.Config{
		Mode:     api.ModeSecure,
		Region:   serverRegion,
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Handlers: fakeHandlers(),
		AccessKeys: []api.AccessKey{
			{ID: sigAKID, Secret: sigSecret},
			{ID: sigPoolAKID, Secret: sigPoolSecret, Pools: []string{sigPool}},
		},
		AccountID: sigAccount,
		Now:       func() time.Time { return sigNow },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &sigEdge{url: srv.URL, logs: logs}
}

// signing says how a test request is signed; the zero value is a correct
// signature by sigAKID at sigNow for sigRegion.
type signing struct {
	akid, secret, token string
	region, service     string
	at                  time.Time
	unsigned            bool
	before              func(r *http.Request) // before signing
	after               func(r *http.Request) // after signing: tampering
}

// newRequest builds a Cognito call for op and signs it with the SDK's signer.
func (e *sigEdge) newRequest(t *testing.T, op, body string, s signing) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", target+op)
	if s.before != nil {
		s.before(r)
	}
	if !s.unsigned {
		def := func(v *string, d string) {
			if *v == "" {
				*v = d
			}
		}
		def(&s.akid, sigAKID)
		def(&s.secret, sigSecret)
		def(&s.region, sigRegion)
		def(&s.service, "cognito-idp")
		if s.at.IsZero() {
			s.at = sigNow
		}
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: s.akid, SecretAccessKey: s.secret, SessionToken: s.token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), s.service, s.region, s.at); err != nil {
			t.Fatal(err)
		}
	}
	if s.after != nil {
		s.after(r)
	}
	return r
}

type sigResult struct {
	status  int
	typ     string // x-amzn-ErrorType without its colon
	Type    string `json:"__type"`
	Message string `json:"message"`
	body    []byte
}

func (e *sigEdge) do(t *testing.T, r *http.Request) sigResult {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	res := sigResult{status: resp.StatusCode, typ: strings.TrimSuffix(resp.Header.Get("x-amzn-ErrorType"), ":"), body: body}
	if resp.StatusCode != 200 {
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("error body %s: %v", body, err)
		}
	}
	return res
}

func (e *sigEdge) call(t *testing.T, op, body string, s signing) sigResult {
	t.Helper()
	return e.do(t, e.newRequest(t, op, body, s))
}

// wantRefused checks type (header and body), exact message and status 400.
func (r sigResult) wantRefused(t *testing.T, typ, msg string) {
	t.Helper()
	if r.status != 400 || r.typ != typ || r.Type != typ {
		t.Fatalf("got %d %q/%q %s, want 400 %s", r.status, r.typ, r.Type, short(r.body), typ)
	}
	if r.Message != msg {
		t.Errorf("message\n got %q\nwant %q", r.Message, msg)
	}
}

func (r sigResult) wantOK(t *testing.T) callerEcho {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("got %d %s, want 200", r.status, short(r.body))
	}
	var echo callerEcho
	_ = json.Unmarshal(r.body, &echo)
	return echo
}

// wantAuthenticated checks that the request got past SigV4, whatever the
// handler or the validators then answered.
func (r sigResult) wantAuthenticated(t *testing.T) {
	t.Helper()
	switch r.Type {
	case "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
		"UnrecognizedClientException", "AccessDeniedException":
		t.Fatalf("refused: %d %s", r.status, short(r.body))
	}
}

// short keeps failure messages readable when a body is large.
func short(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// replaceInAuthorization rewrites part of the signed Authorization header.
func replaceInAuthorization(old, new string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

func TestSigV4Accepted(t *testing.T) {
	e := newSigEdge(t)
	t.Run("correctly signed", func(t *testing.T) {
		echo := e.call(t, "CreateUserPool", `{"PoolName":"p"}`, signing{}).wantOK(t)
		if !echo.Signed || echo.AccessKeyID != sigAKID || echo.Region != sigRegion {
			t.Errorf("the handler saw %+v", echo)
		}
	})
	t.Run("four minutes off either way", func(t *testing.T) {
		e.call(t, "ListUserPools", `{"MaxResults":5}`, signing{at: sigNow.Add(-4 * time.Minute)}).wantOK(t)
		e.call(t, "ListUserPools", `{"MaxResults":5}`, signing{at: sigNow.Add(4 * time.Minute)}).wantOK(t)
	})
	t.Run("payload hash header that matches", func(t *testing.T) {
		body := `{"MaxResults":5}`
		sum := sha256.Sum256([]byte(body))
		e.call(t, "ListUserPools", body, signing{before: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		}}).wantOK(t)
	})
	t.Run("DescribeUserPool", func(t *testing.T) {
		res := e.call(t, "DescribeUserPool", `{"UserPoolId":"`+sigPool+`"}`, signing{})
		res.wantOK(t)
		if !bytes.Contains(res.body, []byte(sigPool)) {
			t.Errorf("body %s", res.body)
		}
	})
}

// Odd but legal requests, signed by the SDK: the canonicaliser must agree
// with AWS's signer on every one of them.
func TestSigV4AgreesWithSDKSigner(t *testing.T) {
	e := newSigEdge(t)
	cases := map[string]signing{
		"extra headers with runs of spaces": {before: func(r *http.Request) {
			r.Header.Set("X-Custom", "  a   b    c  ")
			r.Header.Set("X-Amz-Meta-Empty", "")
		}},
		"repeated header": {before: func(r *http.Request) {
			r.Header.Add("X-Custom", "one")
			r.Header.Add("X-Custom", "two  three")
		}},
		"query string": {before: func(r *http.Request) {
			r.URL.RawQuery = "b=2&a=1&a=0&sp%20ace=%2F%7E&flag&%E1%88%B4=bar"
		}},
		"content type with parameters": {before: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/x-amz-json-1.1; charset=utf-8")
		}},
		"another region":    {region: "ap-southeast-2"},
		"a GovCloud region": {region: "us-gov-west-1"},
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			e.call(t, "ListUserPools", `{"MaxResults":60}`, s).wantOK(t)
		})
	}
	t.Run("the pool-limited key", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"`+sigPool+`"}`, signing{akid: sigPoolAKID, secret: sigPoolSecret}).wantOK(t)
	})
	t.Run("a large body with every byte value", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"PoolName":"`)
		for i := range 20000 {
			fmt.Fprintf(&b, "\\u%04x", i%0x2000+0x20)
		}
		b.WriteString(`"}`)
		e.call(t, "CreateUserPool", b.String(), signing{}).wantAuthenticated(t)
	})
	t.Run("an empty body", func(t *testing.T) {
		e.call(t, "ListUserPools", ``, signing{}).wantAuthenticated(t)
	})
}

func TestSigV4Refused(t *testing.T) {
	e := newSigEdge(t)
	stamp := func(t time.Time) string { return t.Format("20060102T150405Z") }
	const body = `{"MaxResults":5}`
	for _, tc := range []struct {
		name      string
		s         signing
		typ, msg  string
		msgPrefix bool // msg is only the start of the message
	}{
		{name: "no Authorization", s: signing{unsigned: true},
			typ: "MissingAuthenticationTokenException", msg: "Missing Authentication Token"},
		{name: "wrong secret", s: signing{secret: "not/the+right/secret0123456789"},
			typ: "InvalidSignatureException", msg: msgMismatch},
		{name: "unknown access key", s: signing{akid: "AKIAUNKNOWNKEY000001"},
			typ: "UnrecognizedClientException", msg: msgBadToken},
		{name: "tampered body", s: signing{after: func(r *http.Request) {
			// Body, length and GetBody, or the transport could resend the
			// signed body.
			const other = `{"MaxResults":60}`
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(other)), int64(len(other))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(other)), nil }
		}}, typ: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered signed header", s: signing{after: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", target+"CreateUserPool")
		}}, typ: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered signature", s: signing{after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			r.Header.Set("Authorization", a[:len(a)-1]+map[bool]string{true: "1", false: "0"}[last == '0'])
		}}, typ: "InvalidSignatureException", msg: msgMismatch},
		{name: "payload hash header of another body", s: signing{before: func(r *http.Request) {
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("ab", 32))
		}}, typ: "InvalidSignatureException", msg: msgMismatch},
		{name: "expired", s: signing{at: sigNow.Add(-10 * time.Minute)},
			typ: "InvalidSignatureException",
			msg: "Signature expired: " + stamp(sigNow.Add(-10*time.Minute)) + " is now earlier than " + stamp(sigNow.Add(-5*time.Minute)) + " (" + stamp(sigNow) + " - 5 min.)"},
		{name: "from the future", s: signing{at: sigNow.Add(10 * time.Minute)},
			typ: "InvalidSignatureException",
			msg: "Signature not yet current: " + stamp(sigNow.Add(10*time.Minute)) + " is still later than " + stamp(sigNow.Add(5*time.Minute)) + " (" + stamp(sigNow) + " + 5 min.)"},
		{name: "session token", s: signing{token: "FwoGZXIvYXdzEXAMPLEsessiontoken"},
			typ: "UnrecognizedClientException", msg: msgBadToken},
		{name: "missing signature", s: signing{after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}}, typ: "IncompleteSignatureException", msg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + sigAKID + "/20260314/" + sigRegion + "/cognito-idp/aws4_request, SignedHeaders=", msgPrefix: true},
		{name: "not SigV4 at all", s: signing{unsigned: true, before: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
		}}, typ: "IncompleteSignatureException", msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{name: "missing equal sign", s: signing{after: replaceInAuthorization("Credential=", "Credential ")},
			typ: "IncompleteSignatureException", msg: "'Credential " + sigAKID + "/20260314/" + sigRegion + "/cognito-idp/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential ", msgPrefix: true},
		{name: "four-element credential", s: signing{after: replaceInAuthorization("/cognito-idp/", "/")},
			typ: "IncompleteSignatureException", msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + sigAKID + "/20260314/" + sigRegion + "/aws4_request'"},
		{name: "host not signed", s: signing{after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i, j := strings.Index(a, "SignedHeaders=")+len("SignedHeaders="), strings.Index(a, ", Signature=")
			r.Header.Set("Authorization", a[:i]+"x-amz-date"+a[j:])
		}}, typ: "IncompleteSignatureException", msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "scope date not the request's", s: signing{after: replaceInAuthorization("/20260314/", "/20260313/")},
			typ: "InvalidSignatureException", msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260313' != '20260314', from '20260314T150926Z'."},
		{name: "another service", s: signing{service: "cognito-identity"},
			typ: "InvalidSignatureException", msg: "Credential should be scoped to correct service: 'cognito-idp'. "},
		{name: "not a region", s: signing{region: "mars"},
			typ: "InvalidSignatureException", msg: "Credential should be scoped to a valid region, not 'mars'. "},
		// Every failing part in one message, region first and date last, as
		// AWS answers (a DynamoDB response recorded in architect/dynalite).
		{name: "every scope part wrong", s: signing{region: "mars", service: "cognito-identity", after: func(r *http.Request) {
			replaceInAuthorization("/20260314/", "/20260313/")(r)
			replaceInAuthorization("/aws4_request", "/aws5_request")(r)
		}}, typ: "InvalidSignatureException", msg: "Credential should be scoped to a valid region, not 'mars'. " +
			"Credential should be scoped to correct service: 'cognito-idp'. " +
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260313' != '20260314', from '20260314T150926Z'."},
		{name: "two Authorization headers", s: signing{after: func(r *http.Request) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}}, typ: "IncompleteSignatureException", msg: "The request has more than one Authorization header."},
		{name: "no date", s: signing{after: func(r *http.Request) { r.Header.Del("X-Amz-Date") }},
			typ: "IncompleteSignatureException", msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=", msgPrefix: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.call(t, "ListUserPools", body, tc.s)
			if tc.msgPrefix && strings.HasPrefix(res.Message, tc.msg) {
				tc.msg = res.Message
			}
			res.wantRefused(t, tc.typ, tc.msg)
		})
	}
}

// Token-authorized and unauthenticated operations are not IAM calls: secure
// mode serves them unsigned and ignores a signature that comes with them.
func TestSigV4NoAuthOperationsStayUnsigned(t *testing.T) {
	e := newSigEdge(t)
	const body = `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"abcdefghijklmnopqrstuvwxyz"}`
	for name, s := range map[string]signing{
		"unsigned":        {unsigned: true},
		"wrong signature": {secret: "not/the+right/secret0123456789"},
		"garbage header": {unsigned: true, before: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense")
		}},
	} {
		t.Run(name, func(t *testing.T) {
			echo := e.call(t, "InitiateAuth", body, s).wantOK(t)
			if echo.Operation != "InitiateAuth" || echo.Signed || echo.AccessKeyID != "" {
				t.Errorf("the handler saw %+v", echo)
			}
		})
	}
}

func TestSigV4PoolLimitedKey(t *testing.T) {
	e := newSigEdge(t)
	limited := signing{akid: sigPoolAKID, secret: sigPoolSecret}
	denied := func(op, resource string) string {
		return "User: arn:aws:iam::" + sigAccount + ":user/" + sigPoolAKID + " is not authorized to perform: cognito-idp:" + op +
			" on resource: " + resource + " because no identity-based policy allows the cognito-idp:" + op + " action"
	}
	t.Run("its own pool", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"`+sigPool+`"}`, limited).wantOK(t)
	})
	t.Run("another pool", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"`+sigOtherPool+`"}`, limited).
			wantRefused(t, "AccessDeniedException", denied("DescribeUserPool", "arn:aws:cognito-idp:eu-west-1:"+sigAccount+":userpool/"+sigOtherPool))
	})
	t.Run("another region's pool", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"us-east-1_Allowed"}`, limited).
			wantRefused(t, "AccessDeniedException", denied("DescribeUserPool", "arn:aws:cognito-idp:us-east-1:"+sigAccount+":userpool/us-east-1_Allowed"))
	})
	t.Run("an invalid pool id is refused before validation", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"?"}`, limited).
			wantRefused(t, "AccessDeniedException", denied("DescribeUserPool", "arn:aws:cognito-idp:eu-west-1:"+sigAccount+":userpool/?"))
	})
	t.Run("operations on no single pool", func(t *testing.T) {
		e.call(t, "CreateUserPool", `{"PoolName":"p"}`, limited).wantRefused(t, "AccessDeniedException", denied("CreateUserPool", "*"))
		e.call(t, "ListUserPools", `{"MaxResults":5}`, limited).wantRefused(t, "AccessDeniedException", denied("ListUserPools", "*"))
	})
	t.Run("tags of its own pool", func(t *testing.T) {
		arn := "arn:aws:cognito-idp:eu-west-1:" + sigAccount + ":userpool/" + sigPool
		res := e.call(t, "ListTagsForResource", `{"ResourceArn":"`+arn+`"}`, limited)
		if res.Type == "AccessDeniedException" {
			t.Fatalf("refused: %s", res.body)
		}
	})
	t.Run("its pool id under another account", func(t *testing.T) {
		arn := "arn:aws:cognito-idp:eu-west-1:999999999999:userpool/" + sigPool
		e.call(t, "ListTagsForResource", `{"ResourceArn":"`+arn+`"}`, limited).
			wantRefused(t, "AccessDeniedException", denied("ListTagsForResource", arn))
	})
	t.Run("the unlimited key", func(t *testing.T) {
		e.call(t, "DescribeUserPool", `{"UserPoolId":"`+sigOtherPool+`"}`, signing{}).wantOK(t)
		e.call(t, "CreateUserPool", `{"PoolName":"p"}`, signing{}).wantOK(t)
	})
}

// The request log names the access key, never its secret, in secure mode,
// also for a refused key.
func TestSigV4RequestLog(t *testing.T) {
	e := newSigEdge(t)
	e.call(t, "ListUserPools", `{"MaxResults":5}`, signing{}).wantOK(t)
	e.call(t, "ListUserPools", `{"MaxResults":5}`, signing{akid: "AKIAUNKNOWNKEY000001"}).wantRefused(t, "UnrecognizedClientException", msgBadToken)
	e.call(t, "ListUserPools", `{"MaxResults":5}`, signing{unsigned: true}).wantRefused(t, "MissingAuthenticationTokenException", "Missing Authentication Token")
	var keys []any
	for _, rec := range e.logs.lines(t) {
		if rec["msg"] == "request" {
			keys = append(keys, rec["access_key_id"])
		}
	}
	if want := []any{sigAKID, "AKIAUNKNOWNKEY000001", nil}; fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("access_key_id of the request lines = %v, want %v", keys, want)
	}
	if strings.Contains(e.logs.String(), sigSecret) {
		t.Errorf("the log holds the secret:\n%s", e.logs.String())
	}
}

func TestParseAccessKeys(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	dir := t.TempDir()
	file := filepath.Join(dir, "keys")
	if err := os.WriteFile(file, []byte("# Cognate access keys\r\n\r\nAKIAFIRSTKEY00000001:"+secret+"\n  # indented comment\nAKIASECONDKEY0000002:"+secret+"x:us-east-1_AAA|eu-west-1_BBB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("accepted", func(t *testing.T) {
		for spec, want := range map[string]string{
			"AKIAFIRSTKEY00000001:" + secret:                                                   "[AKIAFIRSTKEY00000001 (all pools)]",
			" AKIAFIRSTKEY00000001:" + secret + " , AKIA_second_key_02:" + secret:              "[AKIAFIRSTKEY00000001 (all pools) AKIA_second_key_02 (all pools)]",
			"AKIAFIRSTKEY00000001:" + secret + ":us-east-1_AAA|us-gov-west-1_B2|us-east-1_AAA": "[AKIAFIRSTKEY00000001 (pools us-east-1_AAA, us-gov-west-1_B2)]",
			"@" + file: "[AKIAFIRSTKEY00000001 (all pools) AKIASECONDKEY0000002 (pools us-east-1_AAA, eu-west-1_BBB)]",
		} {
			keys, err := api.ParseAccessKeys(spec)
			if err != nil {
				t.Fatalf("%q: %v", spec, err)
			}
			if got := fmt.Sprint(keys); got != want {
				t.Errorf("%q: got %s, want %s", spec, got, want)
			}
		}
		keys, _ := api.ParseAccessKeys("@" + file)
		if keys[0].Secret != secret || keys[1].Secret != secret+"x" {
			t.Errorf("secrets not kept: %q %q", keys[0].Secret, keys[1].Secret)
		}
	})
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("AKIAFIRSTKEY00000001:"+secret+"\n# ok so far\nAKIAFIRSTKEY00000002:short\nAKIAFIRSTKEY00000001:"+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("# nothing\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string][]string{
		"":                              {"entry 1: empty"},
		"AKIAFIRSTKEY00000001":          {"entry 1: want AKID:SECRET"},
		"AKIAFIRSTKEY00000001:tooshort": {"entry 1: the secret of AKIAFIRSTKEY00000001 must be at least 16 characters"},
		"short:" + secret:               {"entry 1: the access key id (5 characters) must be 16 to 128"},
		"AKIAFIRSTKEY00000001:" + secret + ":us-east-1_AAA|bogus":            {`entry 1: AKIAFIRSTKEY00000001: "bogus" is not a user pool id`},
		"AKIAFIRSTKEY00000001:" + secret + ":":                               {`"" is not a user pool id`},
		"AKIAFIRSTKEY00000001:a:b:c:d":                                       {"entry 1: want AKID:SECRET or AKID:SECRET:POOL"},
		"AKIAFIRSTKEY00000001:" + secret + ",AKIAFIRSTKEY00000001:" + secret: {"entry 2: access key id AKIAFIRSTKEY00000001 is already defined at entry 1"},
		"AKIAFIRSTKEY00000001:" + strings.Repeat("é", 10):                    {"must be printable ASCII"},
		"@" + bad:                        {bad + " line 3: the secret of AKIAFIRSTKEY00000002", bad + " line 4: access key id AKIAFIRSTKEY00000001 is already defined at " + bad + " line 1"},
		"@" + empty:                      {empty + " holds no access key"},
		"@" + filepath.Join(dir, "nope"): {"no such file"},
		"@":                              {"@ must be followed by a file path"},
	} {
		_, err := api.ParseAccessKeys(spec)
		if err == nil {
			t.Errorf("%q accepted", spec)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q lacks %q", spec, err, w)
			}
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the error shows the secret: %v", spec, err)
		}
	}
}

// An AccessKey printed or logged by mistake shows no secret.
func TestAccessKeyHidesSecret(t *testing.T) {
	k := api.AccessKey{ID: sigAKID, Secret: sigSecret, Pools: []string{sigPool}}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("key", "key", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), fmt.Sprintf("%v", []api.AccessKey{k}), log.String()} {
		if strings.Contains(s, sigSecret) || !strings.Contains(s, sigAKID) {
			t.Errorf("printed as %s", s)
		}
	}
}
