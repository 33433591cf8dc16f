package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParseAuthorization checks the Authorization parser's promises for any
// header: no panic; a refusal is always IncompleteSignatureException with a
// message; an accepted header has every part, sorted lower-case signed
// headers including nothing empty, scope elements without "/", and renders
// back to a header that parses to the same thing. Without a date nothing is
// accepted. The seed corpus (f.Add below and testdata/fuzz) runs with every
// `go test`; explore with go test -fuzz FuzzParseAuthorization ./internal/api.
func FuzzParseAuthorization(f *testing.F) {
	for _, v := range sigv4Vectors {
		f.Add(v.authorization(), true)
	}
	for _, s := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 ",
		"Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig",
		"AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request,SignedHeaders=host;x-amz-date,Signature=00",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=",
		"AWS4-HMAC-SHA256 Credential= AKID/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/x/y/z, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=x-amz-date;host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=Host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host;;x, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Credential=a/b/c/d/e, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=ab, Extra=1",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=ab,",
		"AWS4-HMAC-SHA512 Credential=a/b/c/d/e, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256  Credential=a/b/c/d/e,SignedHeaders=host,Signature=a=b",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, value string, hasDate bool) {
		a, e := parseAuthorization(value, hasDate)
		if e != nil {
			if a != nil || e.Type != "IncompleteSignatureException" || e.Message == "" {
				t.Fatalf("refusal %+v, %+v", a, e)
			}
			return
		}
		if !hasDate {
			t.Fatalf("accepted %q without a date", value)
		}
		if a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted %q with parts missing: %+v", value, a)
		}
		for _, s := range []string{a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator} {
			if strings.ContainsAny(s, "/,") {
				t.Fatalf("scope element %q of %q", s, value)
			}
		}
		if !slices.IsSorted(a.SignedHeaders) || slices.ContainsFunc(a.SignedHeaders, func(h string) bool { return !isSignedHeaderName(h) }) {
			t.Fatalf("signed headers %q of %q", a.SignedHeaders, value)
		}
		rendered := sigv4Algorithm + " Credential=" + a.AccessKeyID + "/" + a.Scope() +
			", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
		b, e := parseAuthorization(rendered, true)
		if e != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%q parsed to %+v, its rendering %q to %+v, %v", value, a, rendered, b, e)
		}
	})
}
