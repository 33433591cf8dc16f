package message

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/clock"
)

// resolveForTest stands in for the user package: it finds a user by key
// (case-insensitively, as a case-insensitive pool does) or by an email
// alias.
func resolveForTest(s MessageStore) func(ctx context.Context, poolID, name string) (string, string, error) {
	return func(ctx context.Context, poolID, name string) (string, string, error) {
		key := strings.ToLower(name)
		if k, ok := map[string]string{"alice@example.com": "alice"}[key]; ok {
			key = k
		}
		u, err := s.GetUser(ctx, poolID, key)
		if err != nil {
			return "", "", err
		}
		return u.Key, u.Username, nil
	}
}

func getJSON(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, b
}

func TestMessagesHandler(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	t0 := testBase.Add(123 * time.Millisecond)
	// Alice: a sign-up code, then an attribute code in the same millisecond
	// as an SMS (ordered by id), then a reset code. Bob in between. Another
	// pool's message must not show.
	a1 := compose(t, sealer, testPool, "alice", SignUp, email, "alice@example.com", "111111", t0)
	b1 := compose(t, sealer, testPool, "bob", SignUp, sms, "+12345551234", "222222", t0.Add(time.Second))
	a2 := compose(t, sealer, testPool, "alice", UpdateUserAttribute, email, "alice2@example.com", "333333", t0.Add(2*time.Second))
	a3 := compose(t, sealer, testPool, "alice", VerifyUserAttribute, sms, "+19995550000", "444444", t0.Add(2*time.Second))
	a4 := compose(t, sealer, testPool, "alice", ForgotPassword, email, "alice2@example.com", "555555", t0.Add(3*time.Second))
	o1 := compose(t, sealer, "us-east-1_otherpool", "alice", SignUp, email, "alice@example.com", "999999", t0)
	addUser(t, s, testPool, "alice", "Alice", a1)
	addUser(t, s, testPool, "bob", "bob", b1)
	addMessages(t, s, testPool, "alice", a2, a3)
	addMessages(t, s, testPool, "alice", a4)
	addUser(t, s, "us-east-1_otherpool", "alice", "alice", o1)

	in := &Inspection{Store: s, Sealer: sealer, Resolve: resolveForTest(s)}
	srv := httptest.NewServer(in.MessagesHandler())
	defer srv.Close()
	q := func(v url.Values) string { return srv.URL + "/_cognate/messages?" + v.Encode() }

	type row struct{ id, user, code string }
	tests := []struct {
		name  string
		query url.Values
		want  []row
	}{
		{"whole pool, oldest first", url.Values{"UserPoolId": {testPool}}, []row{
			{a1.ID, "Alice", "111111"}, {b1.ID, "bob", "222222"}, {a2.ID, "Alice", "333333"},
			{a3.ID, "Alice", "444444"}, {a4.ID, "Alice", "555555"}}},
		{"one user by username", url.Values{"UserPoolId": {testPool}, "Username": {"ALICE"}}, []row{
			{a1.ID, "Alice", "111111"}, {a2.ID, "Alice", "333333"}, {a3.ID, "Alice", "444444"}, {a4.ID, "Alice", "555555"}}},
		{"one user by alias", url.Values{"UserPoolId": {testPool}, "Username": {"alice@example.com"}}, []row{
			{a1.ID, "Alice", "111111"}, {a2.ID, "Alice", "333333"}, {a3.ID, "Alice", "444444"}, {a4.ID, "Alice", "555555"}}},
		{"bob", url.Values{"UserPoolId": {testPool}, "Username": {"bob"}}, []row{{b1.ID, "bob", "222222"}}},
		{"unknown user", url.Values{"UserPoolId": {testPool}, "Username": {"nobody"}}, []row{}},
		{"unknown pool", url.Values{"UserPoolId": {"us-east-1_nosuchpoo"}}, []row{}},
		{"other pool", url.Values{"UserPoolId": {"us-east-1_otherpool"}}, []row{{o1.ID, "alice", "999999"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := getJSON(t, q(tc.query))
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			var got struct{ Messages []InspectedMessage }
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Messages == nil || !bytes.Contains(body, []byte(`"Messages":[`)) {
				t.Fatalf("Messages is not an array: %s", body)
			}
			if len(got.Messages) != len(tc.want) {
				t.Fatalf("%d messages, want %d: %s", len(got.Messages), len(tc.want), body)
			}
			for i, w := range tc.want {
				m := got.Messages[i]
				if m.MessageId != w.id || m.Username != w.user || m.Code != w.code {
					t.Errorf("message %d = %s/%s/%s, want %s/%s/%s", i, m.MessageId, m.Username, m.Code, w.id, w.user, w.code)
				}
				if !strings.Contains(m.Body, w.code) {
					t.Errorf("message %d body %q lacks its code", i, m.Body)
				}
			}
		})
	}

	// The fields of one message, exactly; CreatedAt a JSON number.
	_, body := getJSON(t, q(url.Values{"UserPoolId": {testPool}, "Username": {"bob"}}))
	var raw struct{ Messages []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	m := raw.Messages[0]
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	wantKeys := []string{"AttributeName", "Body", "Code", "CreatedAt", "DeliveryMedium", "Destination", "MessageId",
		"Subject", "TriggerSource", "UserPoolId", "Username"}
	if len(keys) != len(wantKeys) {
		t.Fatalf("keys %v, want %v", keys, wantKeys)
	}
	for _, k := range wantKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("no %s in %s", k, body)
		}
	}
	if string(m["CreatedAt"]) != "1940662801.123" {
		t.Errorf("CreatedAt %s, want the number 1940662801.123", m["CreatedAt"])
	}
	for k, want := range map[string]string{
		"Destination": `"+12345551234"`, "DeliveryMedium": `"SMS"`, "AttributeName": `"phone_number"`,
		"TriggerSource": `"CustomMessage_SignUp"`, "UserPoolId": `"` + testPool + `"`, "Subject": `""`,
	} {
		if string(m[k]) != want {
			t.Errorf("%s = %s, want %s", k, m[k], want)
		}
	}
}

func TestMessagesHandlerErrors(t *testing.T) {
	s := openStore(t)
	in := &Inspection{Store: s, Sealer: newSealer(t)}
	h := in.MessagesHandler()
	tests := []struct {
		name, method, target string
		status               int
		typ                  string
	}{
		{"no pool", "GET", "/_cognate/messages", 400, model.InvalidParameterException},
		{"empty pool", "GET", "/_cognate/messages?UserPoolId=&Username=x", 400, model.InvalidParameterException},
		{"POST", "POST", "/_cognate/messages?UserPoolId=" + testPool, 405, "MethodNotAllowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Type != tc.typ || e.Message == "" {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	// A Resolve that answers the API's not-found error also gives [].
	in.Resolve = func(context.Context, string, string) (string, string, error) {
		return "", "", model.Errorf(model.UserNotFoundException, "User does not exist.")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/_cognate/messages?UserPoolId="+testPool+"&Username=x", nil))
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"Messages":[]}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestClockHandler(t *testing.T) {
	s := openStore(t)
	base := func() time.Time { return testBase }
	c, err := clock.New(t.Context(), s, base)
	if err != nil {
		t.Fatal(err)
	}
	in := &Inspection{Store: s, Sealer: newSealer(t), Clock: c}
	srv := httptest.NewServer(in.ClockHandler())
	defer srv.Close()

	call := func(method, body string) (int, map[string]json.RawMessage) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/_cognate/clock", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]json.RawMessage
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %q: body %s", method, body, b)
		}
		return resp.StatusCode, out
	}
	epoch := func(t time.Time) string { b, _ := json.Marshal(model.Time(t)); return string(b) }

	if st, out := call("GET", ""); st != 200 || string(out["Now"]) != epoch(testBase) {
		t.Fatalf("GET: %d %s", st, out["Now"])
	}
	if st, out := call("POST", `{"AdvanceSeconds": 90000}`); st != 200 || string(out["Now"]) != epoch(testBase.Add(25*time.Hour)) {
		t.Fatalf("advance: %d %s", st, out["Now"])
	}
	if st, out := call("POST", `{"AdvanceSeconds": 0.25}`); st != 200 || string(out["Now"]) != epoch(testBase.Add(25*time.Hour+250*time.Millisecond)) {
		t.Fatalf("fractional advance: %d %s", st, out["Now"])
	}
	if st, out := call("GET", ""); st != 200 || string(out["Now"]) != epoch(testBase.Add(25*time.Hour+250*time.Millisecond)) {
		t.Fatalf("GET after advance: %d %s", st, out["Now"])
	}
	for _, bad := range []string{
		`{"AdvanceSeconds": -1}`, `{"AdvanceSeconds": "ten"}`, `{"AdvanceSeconds": true}`, `{}`, `{"Advance": 5}`,
		`{"AdvanceSeconds": 5} {"AdvanceSeconds": 5}`, `{`, ``, `[]`, `{"AdvanceSeconds": 1e300}`, `{"AdvanceSeconds": null}`,
	} {
		st, out := call("POST", bad)
		if st != 400 || string(out["__type"]) != `"`+model.InvalidParameterException+`"` {
			t.Errorf("POST %s: %d %v", bad, st, out)
		}
	}
	if st, _ := call("PUT", `{"AdvanceSeconds": 1}`); st != 405 {
		t.Errorf("PUT: %d", st)
	}
	// The advance is stored: a second clock (another instance, a restart)
	// on the same database starts there, and nothing moved it back.
	c2, err := clock.New(t.Context(), s, base)
	if err != nil {
		t.Fatal(err)
	}
	if want := testBase.Add(25*time.Hour + 250*time.Millisecond); !c2.Now().Equal(want) {
		t.Fatalf("second clock reads %v, want %v", c2.Now(), want)
	}
}
