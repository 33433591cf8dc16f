package trigger

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestObserve checks that every invocation reaches Config.Observe once, with
// its trigger source and outcome, and never the function's name.
func TestObserve(t *testing.T) {
	t.Parallel()
	f := newFakeLambda(t)
	f.goFunction("ok-fn", func(_ context.Context, ev customMessageEvent) (customMessageEvent, error) { return ev, nil })
	f.goFunction("refuse-fn", func(context.Context, customMessageEvent) (customMessageEvent, error) {
		return customMessageEvent{}, errors.New("no")
	})
	var (
		mu  sync.Mutex
		got []string
	)
	inv := New(Config{Endpoint: f.URL, AccessKeyID: testAKID, SecretAccessKey: "secret",
		Observe: func(source, outcome string, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if d < 0 {
				t.Errorf("negative duration %v", d)
			}
			got = append(got, source+" "+outcome)
		}})
	ctx := context.Background()
	if _, err := inv.CustomMessage(ctx, arn("us-east-1", "ok-fn"), signUpRequest(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := inv.CustomMessage(ctx, arn("us-east-1", "refuse-fn"), signUpRequest(), true); err == nil {
		t.Fatal("a failing function succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || !strings.HasSuffix(got[0], " ok") || !strings.HasSuffix(got[1], " function_error") {
		t.Fatalf("observed %q, want one ok then one function_error", got)
	}
	for _, g := range got {
		if !strings.HasPrefix(g, "CustomMessage ") || strings.Contains(g, "-fn") {
			t.Errorf("observed %q: want the trigger, never the function", g)
		}
	}
}
