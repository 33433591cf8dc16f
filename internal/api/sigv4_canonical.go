package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sigv4TimeFormat is the ISO 8601 basic format of X-Amz-Date and of the
// string to sign.
const sigv4TimeFormat = "20060102T150405Z"

// sigv4Signature recomputes the signature of r as AWS does
// (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
// canonical request → string to sign → HMAC chain from the secret. It is
// independent of the service, so that it can be checked against AWS's
// published test vectors; verify applies Cognito's rules around it.
func sigv4Signature(r *http.Request, payloadHash string, a *authHeader, secret string, at time.Time) string {
	creq := canonicalRequest(r, payloadHash, a.SignedHeaders)
	sum := sha256.Sum256([]byte(creq))
	sts := sigv4Algorithm + "\n" + at.UTC().Format(sigv4TimeFormat) + "\n" + a.Scope() + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+secret), a.Date)
	key = hmacSHA256(key, a.Region)
	key = hmacSHA256(key, a.Service)
	key = hmacSHA256(key, a.Terminator)
	return hex.EncodeToString(hmacSHA256(key, sts))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// payloadSHA256 is the hex SHA-256 of the body, the last line of the
// canonical request.
func payloadSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// canonicalRequest builds
//
//	METHOD\nURI\nQUERY\nheader:value\n…\n\nsigned;headers\nPAYLOADHASH
func canonicalRequest(r *http.Request, payloadHash string, signed []string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the URI-encoded path. Cognito is only served at "/", so
// path normalisation ("/./", "//") never matters here and is not done.
func canonicalURI(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return uriEncode(u.Path, false)
}

// canonicalQuery sorts the decoded parameters by name, then value, and
// URI-encodes both; a name without "=" gets an empty value.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, pair{uriEncode(unescape(k), true), uriEncode(unescape(v), true)})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p.k + "=" + p.v
	}
	return strings.Join(out, "&")
}

// unescape decodes %XX; "+" stays "+", as AWS signers send a space as %20.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// uriEncode is AWS's UriEncode: everything but A-Z a-z 0-9 - _ . ~ as %XX
// with upper-case hex; "/" too when encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// canonicalHeaderValue joins the values of one header with "," after
// trimming each and collapsing runs of spaces. Go's server moves Host and
// Transfer-Encoding out of the header map, so they are read from the request.
// A signed header the request lacks counts as empty, which can only make the
// signature differ.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "transfer-encoding":
		values = slices.Clone(r.TransferEncoding)
	case "content-length":
		// Present in the header map on a real server; a request built in
		// memory (or a server that dropped it) still has ContentLength.
		values = slices.Clone(r.Header.Values(name))
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		// A copy: Values returns the header map's own slice.
		values = slices.Clone(r.Header.Values(name))
	}
	for i, v := range values {
		values[i] = collapseSpaces(strings.TrimSpace(v))
	}
	return strings.Join(values, ",")
}

func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
