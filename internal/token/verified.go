package token

import (
	"crypto/sha256"
	"sync"
)

// maxVerified bounds the cache of verified access tokens; past it the cache
// starts over, which keeps memory flat whatever the traffic.
const maxVerified = 20000

// verified remembers access tokens whose signature and claims were checked,
// by the SHA-256 of the token, so that a token presented again skips the RSA
// verification (a third of a token-authorized request's CPU). Expiry is
// still checked on every use, and revocation and the user's state are the
// caller's checks, made on every request. A hash is kept, never the token.
type verified struct {
	mu sync.RWMutex
	m  map[[32]byte]*AccessClaims
}

func (v *verified) get(raw string) (*AccessClaims, bool) {
	key := sha256.Sum256([]byte(raw))
	v.mu.RLock()
	defer v.mu.RUnlock()
	c, ok := v.m[key]
	return c, ok
}

func (v *verified) put(raw string, c *AccessClaims) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerified {
		v.m = make(map[[32]byte]*AccessClaims)
	}
	v.m[key] = c
}

// reset forgets every token (a pool was deleted).
func (v *verified) reset() {
	v.mu.Lock()
	v.m = nil
	v.mu.Unlock()
}
