package message

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/store"
)

const (
	email = model.DeliveryMediumTypeEmail
	sms   = model.DeliveryMediumTypeSms
)

// logLines parses a JSON log.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func smtpSenderFor(t *testing.T, srv *smtpServer) *SMTPSender {
	t.Helper()
	return &SMTPSender{
		Config:  SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: StartTLSNone},
		From:    "no-reply@cognate.test",
		Timeout: 5 * time.Second,
	}
}

func messagesByID(t *testing.T, s interface {
	ListMessages(context.Context, string, string) ([]store.Message, error)
}) map[string]store.Message {
	t.Helper()
	all, err := s.ListMessages(t.Context(), testPool, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Message{}
	for _, m := range all {
		out[m.ID] = m
	}
	return out
}

func TestDispatcherLocalMode(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	clk := &fakeNow{t: testBase}
	m1 := compose(t, sealer, testPool, "alice", SignUp, email, "alice@example.com", "111111", testBase)
	m2 := compose(t, sealer, testPool, "alice", SignUp, sms, "+12345551234", "222222", testBase)
	m3 := compose(t, sealer, testPool, "bob", ForgotPassword, email, "bob@example.com", "333333", testBase)
	addUser(t, s, testPool, "alice", "alice", m1, m2)
	addUser(t, s, testPool, "bob", "bob", m3)

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	d := &Dispatcher{
		Store: s, Sealer: sealer, Now: clk.Now, Logger: logger, Local: true,
		Email: smtpSenderFor(t, srv), SMS: LogSMS{Logger: logger, Local: true},
	}
	n, err := d.RunOnce(t.Context())
	if err != nil || n != 3 {
		t.Fatalf("RunOnce = %d, %v; want 3", n, err)
	}
	// Claimed once: a second pass finds nothing, even much later.
	clk.Add(time.Hour)
	if n, err := d.RunOnce(t.Context()); err != nil || n != 0 {
		t.Fatalf("second RunOnce = %d, %v; want 0", n, err)
	}

	got := srv.messages()
	if len(got) != 2 {
		t.Fatalf("SMTP received %d messages, want 2", len(got))
	}
	bodies := map[string]string{}
	for _, c := range got {
		m, text := readMail(t, c.Data)
		if m.Header.Get("Subject") != DefaultVerificationSubject {
			t.Errorf("Subject %q", m.Header.Get("Subject"))
		}
		bodies[c.To[0]] = text
	}
	if !strings.Contains(bodies["alice@example.com"], "Your verification code is 111111.") ||
		!strings.Contains(bodies["bob@example.com"], "Your password reset code is 333333") {
		t.Fatalf("bodies %q", bodies)
	}
	for id, m := range messagesByID(t, s) {
		if !m.Delivered || m.Attempts != 1 || m.LastError != "" {
			t.Errorf("message %s after delivery: delivered %v attempts %d error %q", id, m.Delivered, m.Attempts, m.LastError)
		}
	}

	// Local mode: one info line per message with its code, and the SMS sink
	// line with the masked destination and the length only: the code is
	// logged once, in the dispatcher's line.
	codes := map[string]bool{}
	smsLines := 0
	for _, l := range logLines(t, &logs) {
		if l["level"] != "INFO" {
			t.Errorf("unexpected log line %v", l)
		}
		switch l["msg"] {
		case "message":
			codes[l["code"].(string)] = true
		case "sms":
			smsLines++
			if l["destination"] != "+*******1234" || l["body"] != nil {
				t.Errorf("sms line %v", l)
			}
		}
	}
	if !codes["111111"] || !codes["222222"] || !codes["333333"] || smsLines != 1 {
		t.Fatalf("codes logged %v, sms lines %d\n%s", codes, smsLines, logs.String())
	}
}

func TestDispatcherSecureModeLogsNoCode(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	clk := &fakeNow{t: testBase}
	const code, temp = "987654", "Tmp#Pass99"
	addUser(t, s, testPool, "carol", "carol",
		compose(t, sealer, testPool, "carol", SignUp, email, "carol@example.com", code, testBase),
		compose(t, sealer, testPool, "carol", UpdateUserAttribute, sms, "+12345551234", code, testBase),
		compose(t, sealer, testPool, "carol", AdminCreateUser, email, "carol@example.com", temp, testBase),
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := &Dispatcher{Store: s, Sealer: sealer, Now: clk.Now, Logger: logger, Email: smtpSenderFor(t, srv), SMS: LogSMS{Logger: logger}}
	if n, err := d.RunOnce(t.Context()); err != nil || n != 3 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if len(srv.messages()) != 2 {
		t.Fatalf("SMTP received %d", len(srv.messages()))
	}
	out := logs.String()
	for _, secret := range []string{code, temp, "carol@example.com", "+12345551234"} {
		if strings.Contains(out, secret) {
			t.Fatalf("secure-mode log holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"destination":"+*******1234"`) || !strings.Contains(out, `"destination":"c***@e***"`) {
		t.Fatalf("masked destinations missing:\n%s", out)
	}
}

func TestDispatcherWithoutChannelsKeepsMessages(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	clk := &fakeNow{t: testBase}
	m := compose(t, sealer, testPool, "dave", SignUp, email, "dave@example.com", "424242", testBase)
	addUser(t, s, testPool, "dave", "dave", m)
	d := &Dispatcher{Store: s, Sealer: sealer, Now: clk.Now}
	if n, err := d.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	got := messagesByID(t, s)[m.ID]
	if !got.Delivered || got.LastError != NoChannel {
		t.Fatalf("message %+v", got)
	}
	if o, err := Open(got, sealer); err != nil || o.Code != "424242" {
		t.Fatalf("Open = %+v, %v", o, err)
	}
}

func TestDispatcherRetriesWithBackoffThenGivesUp(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	srv.setFail(true)
	clk := &fakeNow{t: testBase}
	m := compose(t, sealer, testPool, "erin", ForgotPassword, email, "erin@example.com", "555555", testBase)
	addUser(t, s, testPool, "erin", "erin", m)
	var logs bytes.Buffer
	d := &Dispatcher{
		Store: s, Sealer: sealer, Now: clk.Now, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Email: smtpSenderFor(t, srv), MaxAttempts: 4,
	}
	// Attempts 1..3 fail and are retried after 2 s, 4 s, 8 s.
	for attempt, wait := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if n, err := d.RunOnce(t.Context()); err != nil || n != 1 {
			t.Fatalf("attempt %d: RunOnce = %d, %v", attempt+1, n, err)
		}
		got := messagesByID(t, s)[m.ID]
		if got.Delivered || got.Attempts != attempt+1 || !strings.Contains(got.LastError, "try again later") {
			t.Fatalf("after attempt %d: %+v", attempt+1, got)
		}
		if want := clk.Now().Add(wait); !got.NextAttemptAt.Equal(want) {
			t.Fatalf("after attempt %d: next attempt %v, want %v", attempt+1, got.NextAttemptAt, want)
		}
		// Not due yet: nothing is claimed a moment before.
		clk.Add(wait - time.Millisecond)
		if n, _ := d.RunOnce(t.Context()); n != 0 {
			t.Fatalf("claimed %d before the backoff ended", n)
		}
		clk.Add(time.Millisecond)
	}
	// The fourth and last attempt fails: given up, never claimed again.
	if n, err := d.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("last attempt: RunOnce = %d, %v", n, err)
	}
	got := messagesByID(t, s)[m.ID]
	if got.Delivered || got.Attempts != 4 || !strings.HasPrefix(got.LastError, "gave up after 4 attempts: ") {
		t.Fatalf("after giving up: %+v", got)
	}
	srv.setFail(false)
	clk.Add(10 * 365 * 24 * time.Hour)
	if n, _ := d.RunOnce(t.Context()); n != 0 {
		t.Fatalf("a given-up message was claimed again")
	}
	if len(srv.messages()) != 0 {
		t.Fatal("the failing server kept a message")
	}
	// Still readable for the inspection API.
	if o, err := Open(got, sealer); err != nil || o.Code != "555555" {
		t.Fatalf("Open = %+v, %v", o, err)
	}
	var warns, errs int
	for _, l := range logLines(t, &logs) {
		switch l["level"] {
		case "WARN":
			warns++
		case "ERROR":
			errs++
		}
	}
	if warns != 3 || errs != 1 {
		t.Fatalf("%d warnings, %d errors:\n%s", warns, errs, logs.String())
	}
}

func TestDispatcherRecoversAfterAFailure(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	srv.setFail(true)
	clk := &fakeNow{t: testBase}
	m := compose(t, sealer, testPool, "finn", SignUp, email, "finn@example.com", "676767", testBase)
	addUser(t, s, testPool, "finn", "finn", m)
	d := &Dispatcher{Store: s, Sealer: sealer, Now: clk.Now, Email: smtpSenderFor(t, srv)}
	if _, err := d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.setFail(false)
	clk.Add(2 * time.Second)
	if n, err := d.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	got := messagesByID(t, s)[m.ID]
	if !got.Delivered || got.Attempts != 2 || len(srv.messages()) != 1 {
		t.Fatalf("after recovery: %+v, %d sent", got, len(srv.messages()))
	}
}

// A message that cannot be opened (another key) is retried like any
// failure, and the error says why.
func TestDispatcherUnopenableMessage(t *testing.T) {
	s := openStore(t)
	clk := &fakeNow{t: testBase}
	m := compose(t, newSealer(t), testPool, "gus", SignUp, email, "gus@example.com", "123123", testBase)
	addUser(t, s, testPool, "gus", "gus", m)
	d := &Dispatcher{Store: s, Sealer: newSealer(t), Now: clk.Now}
	if _, err := d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := messagesByID(t, s)[m.ID]
	if got.Delivered || got.Attempts != 1 || !strings.Contains(got.LastError, "opening the body") {
		t.Fatalf("%+v", got)
	}
}

// Two dispatchers (two instances) on one store deliver each message once.
func TestDispatchersShareTheOutbox(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	clk := &fakeNow{t: testBase}
	const users = 8
	for i := range users {
		key := "user" + string(rune('a'+i))
		addUser(t, s, testPool, key, key,
			compose(t, sealer, testPool, key, SignUp, email, key+"@example.com", "100000", testBase),
			compose(t, sealer, testPool, key, VerifyUserAttribute, email, key+"@example.com", "200000", testBase))
	}
	var wg sync.WaitGroup
	for range 2 {
		d := &Dispatcher{Store: s, Sealer: sealer, Now: clk.Now, Email: smtpSenderFor(t, srv), Batch: 3}
		wg.Go(func() {
			for {
				n, err := d.RunOnce(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if got := len(srv.messages()); got != 2*users {
		t.Fatalf("SMTP received %d messages, want %d", got, 2*users)
	}
	for id, m := range messagesByID(t, s) {
		if !m.Delivered || m.Attempts != 1 {
			t.Errorf("%s: %+v", id, m)
		}
	}
}

func TestDispatcherRunAndKick(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	srv := startSMTP(t, nil)
	d := &Dispatcher{
		Store: s, Sealer: sealer, Email: smtpSenderFor(t, srv),
		Interval: time.Hour, // only Kick can wake it during the test
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	now := time.Now()
	addUser(t, s, testPool, "hana", "hana", compose(t, sealer, testPool, "hana", SignUp, email, "hana@example.com", "909090", now))
	d.Kick()
	d.Kick() // never blocks
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Kick did not wake the dispatcher")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(100); got != maxBackoff {
		t.Errorf("backoff(100) = %v", got)
	}
}

func TestCanDeliver(t *testing.T) {
	tests := []struct {
		name   string
		d      *Dispatcher
		medium string
		want   bool
	}{
		{"local without senders", &Dispatcher{Local: true}, email, true},
		{"local SMS", &Dispatcher{Local: true}, sms, true},
		{"secure without SMTP", &Dispatcher{}, email, false},
		{"secure with SMTP", &Dispatcher{Email: &SMTPSender{}}, email, true},
		{"secure SMS sink", &Dispatcher{SMS: LogSMS{}}, sms, true},
		{"secure without SMS sink", &Dispatcher{Email: &SMTPSender{}}, sms, false},
		{"unknown medium", &Dispatcher{Email: &SMTPSender{}, SMS: LogSMS{}}, "VOICE", false},
	}
	for _, tc := range tests {
		if got := tc.d.CanDeliver(tc.medium); got != tc.want {
			t.Errorf("%s: CanDeliver(%s) = %v", tc.name, tc.medium, got)
		}
	}
}

// blockingSender never finishes a send before its context ends.
type blockingSender struct{ calls int }

func (b *blockingSender) SendEmail(ctx context.Context, _, _, _ string) error {
	b.calls++
	<-ctx.Done()
	return ctx.Err()
}

// A batch stops at its lease: what was not finished is not recorded as a
// failure and is claimed again once the lease has ended.
func TestDispatcherStaysInsideTheLease(t *testing.T) {
	s := openStore(t)
	sealer := newSealer(t)
	clk := &fakeNow{t: testBase}
	m1 := compose(t, sealer, testPool, "ivy", SignUp, email, "ivy@example.com", "131313", testBase)
	m2 := compose(t, sealer, testPool, "ivy", VerifyUserAttribute, email, "ivy@example.com", "141414", testBase)
	addUser(t, s, testPool, "ivy", "ivy", m1, m2)
	slow := &blockingSender{}
	d := &Dispatcher{Store: s, Sealer: sealer, Now: clk.Now, Email: slow, Lease: 200 * time.Millisecond}
	start := time.Now()
	if n, err := d.RunOnce(t.Context()); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if el := time.Since(start); el > 2*time.Second || slow.calls != 1 {
		t.Fatalf("took %v with %d sends", el, slow.calls)
	}
	for id, m := range messagesByID(t, s) {
		if m.Delivered || m.Attempts != 0 || m.LastError != "" {
			t.Fatalf("%s was recorded: %+v", id, m)
		}
	}
	// Leased: not claimable until the lease ends.
	if n, _ := d.RunOnce(t.Context()); n != 0 {
		t.Fatalf("claimed %d leased messages", n)
	}
	clk.Add(200 * time.Millisecond)
	d.Email = nil // now it goes through (kept only)
	if n, err := d.RunOnce(t.Context()); err != nil || n != 2 {
		t.Fatalf("after the lease: RunOnce = %d, %v", n, err)
	}
}
