package clock

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// memMeta is a map-backed meta table: the clock's own contract, not a store
// mock (the store's meta methods are covered by the conformance suite).
type memMeta struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (m *memMeta) GetMeta(_ context.Context, k string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[k]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (m *memMeta) PutMeta(_ context.Context, k string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[k] = v
	return nil
}

func TestAdvanceIsSharedAndForwardOnly(t *testing.T) {
	meta := &memMeta{m: map[string][]byte{}}
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := func() time.Time { return fixed }
	a, err := New(t.Context(), meta, base)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(t.Context(), meta, base)
	now, err := a.Advance(t.Context(), 25*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := fixed.Add(25 * time.Hour); !now.Equal(want) || !a.Now().Equal(want) {
		t.Fatalf("after advance: %v, want %v", now, want)
	}
	if !b.Now().Equal(fixed) {
		t.Fatalf("b moved before refreshing: %v", b.Now())
	}
	if err := b.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !b.Now().Equal(fixed.Add(25 * time.Hour)) {
		t.Fatalf("b after refresh: %v", b.Now())
	}
	if _, err := b.Advance(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	// A new instance (a restart) starts where the others are.
	c, _ := New(t.Context(), meta, base)
	if !c.Now().Equal(fixed.Add(26 * time.Hour)) {
		t.Fatalf("restart: %v", c.Now())
	}
	if _, err := c.Advance(t.Context(), -time.Second); err == nil {
		t.Fatal("moving back was accepted")
	}
}
