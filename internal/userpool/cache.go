package userpool

import (
	"sync"
	"time"
)

// cacheTTL bounds how long a decoded pool or client is reused. Every request
// of the hot path needs both; decoding their settings documents each time
// cost more than the rest of the request. A change made through this
// instance drops the entry at once; a change made through another instance
// is seen here within cacheTTL.
const cacheTTL = time.Second

// maxCached bounds the cache; past it the cache starts over, which is
// cheap and keeps memory flat with any number of pools.
const maxCached = 10000

type cached[T any] struct {
	v    T
	at   time.Time
	pool string
}

// cache is a small map with a time-to-live, safe for concurrent use.
type cache[T any] struct {
	mu sync.Mutex
	m  map[string]cached[T]
}

func (c *cache[T]) get(key string, now time.Time) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) >= cacheTTL || now.Before(e.at) {
		var zero T
		return zero, false
	}
	return e.v, true
}

func (c *cache[T]) put(key, pool string, v T, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]cached[T]{}
	}
	c.m[key] = cached[T]{v: v, at: now, pool: pool}
}

func (c *cache[T]) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// dropPool drops every entry of a pool.
func (c *cache[T]) dropPool(pool string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.pool == pool {
			delete(c.m, k)
		}
	}
}
