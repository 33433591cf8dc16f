package clock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// metaKey names the offset in the store's meta table.
const metaKey = "clock.offset_ms"

// Meta is the part of the store the clock needs.
type Meta interface {
	GetMeta(ctx context.Context, key string) ([]byte, error)
	PutMeta(ctx context.Context, key string, value []byte) error
}

// Clock is safe for concurrent use.
type Clock struct {
	meta   Meta
	base   func() time.Time
	offset atomic.Int64 // milliseconds
}

// New loads the stored offset. base is the machine clock (nil: time.Now).
func New(ctx context.Context, meta Meta, base func() time.Time) (*Clock, error) {
	if base == nil {
		base = time.Now
	}
	c := &Clock{meta: meta, base: base}
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Now is the machine time plus the offset, in UTC to the millisecond.
func (c *Clock) Now() time.Time {
	return c.base().Add(time.Duration(c.offset.Load()) * time.Millisecond).UTC().Truncate(time.Millisecond)
}

// Offset is how far the clock has been moved forward.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) * time.Millisecond }

// Advance moves the clock forward by d (never back: expired codes and
// tokens must stay expired) and stores the new offset for every instance.
func (c *Clock) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, errors.New("clock: the clock only moves forward")
	}
	// Re-read first, so that an advance on another instance is not lost.
	if err := c.Refresh(ctx); err != nil {
		return time.Time{}, err
	}
	next := c.offset.Load() + d.Milliseconds()
	if err := c.meta.PutMeta(ctx, metaKey, []byte(strconv.FormatInt(next, 10))); err != nil {
		return time.Time{}, fmt.Errorf("clock: storing the offset: %w", err)
	}
	c.offset.Store(next)
	return c.Now(), nil
}

// Refresh reloads the offset from the store.
func (c *Clock) Refresh(ctx context.Context) error {
	v, err := c.meta.GetMeta(ctx, metaKey)
	if errors.Is(err, store.ErrNotFound) {
		c.offset.Store(0)
		return nil
	}
	if err != nil {
		return fmt.Errorf("clock: loading the offset: %w", err)
	}
	ms, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || ms < 0 {
		return fmt.Errorf("clock: corrupt offset %q", v)
	}
	// Never step back: another instance may have stored an older value
	// between our advance and this read only if it raced us.
	if ms > c.offset.Load() {
		c.offset.Store(ms)
	}
	return nil
}

// Run refreshes the offset every interval until ctx ends, so that an
// advance made through one instance reaches the others.
func (c *Clock) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = c.Refresh(ctx) // a failed read keeps the last offset
		}
	}
}
