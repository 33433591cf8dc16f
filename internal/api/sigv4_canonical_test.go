package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// AWS's published Signature Version 4 test suite
// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, as
// kept in bazelbuild/bazel third_party/aws-sig-v4-test-suite): every request
// is signed by AKIDEXAMPLE on 2015-08-30T12:36:00Z for service "service" in
// us-east-1. The signatures below are the suite's .authz files; the
// canonicaliser must reproduce them exactly. Only cases that can reach a
// server at "/" are kept (the path-normalisation cases cannot).
const (
	vectorSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	vectorScope  = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
	vectorDate   = "20150830T123600Z"
	// The suite's example session token (post-sts-token/readme.txt).
	vectorToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

type sigv4Vector struct {
	name, method, query string
	headers             [][2]string // in request order; repeated names are repeated headers
	body                string
	signed              string
	signature           string
}

var sigv4Vectors = []sigv4Vector{
	{name: "post-vanilla", method: "POST", signed: "host;x-amz-date",
		signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{name: "post-header-key-sort", method: "POST", headers: [][2]string{{"My-Header1", "value1"}},
		signed: "host;my-header1;x-amz-date", signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
	{name: "post-header-value-case", method: "POST", headers: [][2]string{{"My-Header1", "VALUE1"}},
		signed: "host;my-header1;x-amz-date", signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
	{name: "get-header-value-trim", method: "GET", headers: [][2]string{{"My-Header1", " value1"}, {"My-Header2", ` "a   b   c"`}},
		signed: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{name: "get-header-key-duplicate", method: "GET", headers: [][2]string{{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
		signed: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	{name: "get-vanilla-query-order-key-case", method: "GET", query: "Param2=value2&Param1=value1",
		signed: "host;x-amz-date", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{name: "post-vanilla-empty-query-value", method: "POST", query: "Param1=value1",
		signed: "host;x-amz-date", signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
	{name: "get-vanilla-query-unreserved", method: "GET",
		query:  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		signed: "host;x-amz-date", signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	{name: "get-vanilla-utf8-query", method: "GET", query: "ሴ=bar",
		signed: "host;x-amz-date", signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
	{name: "post-x-www-form-urlencoded", method: "POST", headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}},
		body: "Param1=value1", signed: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	{name: "post-sts-header-before", method: "POST", headers: [][2]string{{"X-Amz-Security-Token", vectorToken}},
		signed: "host;x-amz-date;x-amz-security-token", signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
}

func (v sigv4Vector) request() *http.Request {
	r := &http.Request{
		Method: v.method,
		URL:    &url.URL{Path: "/", RawQuery: v.query},
		Host:   "example.amazonaws.com",
		Header: http.Header{"X-Amz-Date": {vectorDate}},
	}
	for _, h := range v.headers {
		r.Header.Add(h[0], h[1])
	}
	r.ContentLength = int64(len(v.body))
	return r
}

func (v sigv4Vector) authorization() string {
	return "AWS4-HMAC-SHA256 Credential=" + vectorScope + ", SignedHeaders=" + v.signed + ", Signature=" + v.signature
}

func TestSigV4TestSuite(t *testing.T) {
	for _, v := range sigv4Vectors {
		t.Run(v.name, func(t *testing.T) {
			r := v.request()
			at, ok := requestTime(r.Header)
			if !ok || !at.Equal(time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)) {
				t.Fatalf("requestTime = %v, %v", at, ok)
			}
			a, e := parseAuthorization(v.authorization(), true)
			if e != nil {
				t.Fatalf("parseAuthorization: %v", e)
			}
			if a.AccessKeyID != "AKIDEXAMPLE" || a.Scope() != strings.TrimPrefix(vectorScope, "AKIDEXAMPLE/") || a.Signature != v.signature {
				t.Fatalf("parsed %+v", a)
			}
			if got := sigv4Signature(r, payloadSHA256([]byte(v.body)), a, vectorSecret, at); got != v.signature {
				t.Errorf("signature %s, want %s\ncanonical request:\n%s", got, v.signature, canonicalRequest(r, payloadSHA256([]byte(v.body)), a.SignedHeaders))
			}
			// One changed byte anywhere must change the signature.
			r.Header.Set("X-Amz-Date", "20150830T123601Z")
			at2, _ := requestTime(r.Header)
			if sigv4Signature(r, payloadSHA256([]byte(v.body)), a, vectorSecret, at2) == v.signature {
				t.Errorf("the signature does not cover the date")
			}
		})
	}
}

// The canonical request of post-x-www-form-urlencoded, from the suite's
// .creq file: the exact text the signature is computed over.
func TestSigV4CanonicalRequestText(t *testing.T) {
	v := sigv4Vectors[9]
	if v.name != "post-x-www-form-urlencoded" {
		t.Fatalf("vector order changed: %s", v.name)
	}
	want := "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
	got := canonicalRequest(v.request(), payloadSHA256([]byte(v.body)), strings.Split(v.signed, ";"))
	if got != want {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, want)
	}
}

func TestSigV4CanonicalPieces(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1", "a=1&a=2"},
		{"flag", "flag="},
		{"a=1&&b", "a=1&b="},
		{"sp%20ace=x+y", "sp%20ace=x%2By"},
		{"k=%2F%7E", "k=%2F~"},
		{"Z=1&a=1", "Z=1&a=1"}, // byte order: upper case sorts first
	} {
		if got := canonicalQuery(tc.in); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"a", "a"}, {"  a  ", "a"}, {"a   b  c", "a b c"}, {"a\tb", "a\tb"},
	} {
		r := &http.Request{Header: http.Header{"X-Test": {tc.in}}}
		if got := canonicalHeaderValue(r, "x-test"); got != tc.want {
			t.Errorf("canonical value of %q = %q, want %q", tc.in, got, tc.want)
		}
		if r.Header.Get("X-Test") != tc.in {
			t.Errorf("canonicalHeaderValue changed the request's header to %q", r.Header.Get("X-Test"))
		}
	}
	r := &http.Request{Header: http.Header{}, ContentLength: 17}
	if got := canonicalHeaderValue(r, "content-length"); got != "17" {
		t.Errorf("content-length without the header = %q, want 17", got)
	}
	if got := canonicalURI(&url.URL{}); got != "/" {
		t.Errorf("canonicalURI of an empty path = %q", got)
	}
}
