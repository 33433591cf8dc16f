package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/api"
	"github.com/cognate/cognate/internal/api/model"
)

// nodeMaxHeaderBytes is the most Node's HTTP parser (so the AWS SDK for
// JavaScript) accepts in a response's header section.
const nodeMaxHeaderBytes = 16 << 10

// rawPOST sends one request over a TCP connection and returns the response's
// header section exactly as it came off the wire, and the parsed response.
func rawPOST(t *testing.T, url, op, body string) (header []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: cognate\r\nX-Amz-Target: %s%s\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			target, op, len(body), body)
	}()
	all, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	end := strings.Index(string(all), "\r\n\r\n")
	if end < 0 {
		t.Fatalf("no end of headers in %d bytes", len(all))
	}
	resp, err = http.ReadResponse(bufio.NewReader(strings.NewReader(string(all))), nil)
	if err != nil {
		t.Fatal(err)
	}
	respBody, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return all[:end+4], resp, respBody
}

// Validation messages quote the request's values; a megabyte of them must
// not come back as a megabyte of headers (issue 12, item 5). The body stays
// a Cognito InvalidParameterException in AWS's words, with quoted values and
// the list of violations bounded, and the server goes on serving.
func TestValidationErrorsHaveBoundedHeaders(t *testing.T) {
	t.Parallel()
	h, _ := newEdge()
	srv := httptest.NewServer(h)
	defer srv.Close()

	const room = 200 // JSON around the big value, within the 1 MiB body limit
	huge := strings.Repeat("a", api.DefaultMaxBody-room)
	var attrs strings.Builder
	attrs.WriteString(`{"UserPoolId":"us-east-1_abcdefghi","Username":"alice","UserAttributes":[`)
	for attrs.Len() < api.DefaultMaxBody-room {
		if !strings.HasSuffix(attrs.String(), "[") {
			attrs.WriteByte(',')
		}
		attrs.WriteString(`{"Name":""}`)
	}
	attrs.WriteString(`]}`)
	names := make([]string, 0, 1<<14)
	for range 1 << 14 {
		names = append(names, `"`+strings.Repeat("n", 40)+`"`)
	}

	for _, tc := range []struct {
		name, op, body string
		// prefix and contains describe the body's message.
		prefix, contains string
	}{
		{
			name: "1 MB PoolName", op: "CreateUserPool", body: `{"PoolName":"` + huge + `/"}`,
			prefix:   "2 validation errors detected: Value 'aaaa",
			contains: "aaa...' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128; Value 'aaaa",
		},
		{
			// A list of 87,000 structures, each with two violations.
			name: "huge list of structures", op: "AdminCreateUser", body: attrs.String(),
			prefix:   " validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; ",
			contains: " more)",
		},
		{
			// A list of scalars is one violation quoting the list.
			name: "huge list of strings", op: "AdminDeleteUserAttributes",
			body:     `{"UserPoolId":"us-east-1_abcdefghi","Username":"alice","UserAttributeNames":[` + strings.Join(names, ",") + `]}`,
			prefix:   "1 validation error detected: Value '[nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn, ",
			contains: "...' at 'userAttributeNames' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 32",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.body) > api.DefaultMaxBody {
				t.Fatalf("test body of %d bytes is over the limit", len(tc.body))
			}
			header, resp, body := rawPOST(t, srv.URL, tc.op, tc.body)
			if len(header) >= nodeMaxHeaderBytes {
				t.Errorf("%d bytes of response headers, want under %d", len(header), nodeMaxHeaderBytes)
			}
			wantError(t, resp, body, 400, model.InvalidParameterException, "")
			var e awsError
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if tc.name == "huge list of structures" {
				// "N validation errors detected: " counts every violation.
				n := strings.Count(tc.body, `{"Name":""}`) * 2
				tc.prefix = fmt.Sprint(n) + tc.prefix
			}
			if !strings.HasPrefix(e.Message, tc.prefix) || !strings.Contains(e.Message, tc.contains) {
				t.Errorf("message %.300q… does not start with %q and contain %q", e.Message, tc.prefix, tc.contains)
			}
			if len(body) > model.MaxMessageBytes+model.MaxEchoedValue+4096 {
				t.Errorf("error body of %d bytes", len(body))
			}
			hm := resp.Header.Get("x-amzn-ErrorMessage")
			if len(hm) > 2048 || !strings.HasSuffix(hm, "...") || !strings.HasPrefix(e.Message, hm[:len(hm)-3]) {
				t.Errorf("x-amzn-ErrorMessage (%d bytes) is not the message's start cut at 2 KiB: %.200q", len(hm), hm)
			}
		})
	}

	// The server still serves.
	resp, err := http.Post(srv.URL+"/healthz", "", nil)
	if err == nil {
		resp.Body.Close()
	}
	_, ok, okBody := rawPOST(t, srv.URL, "DescribeUserPool", `{"UserPoolId":"us-east-1_abcdefghi"}`)
	if ok.StatusCode != 200 {
		t.Errorf("after the large requests: %d %s", ok.StatusCode, okBody)
	}
}
