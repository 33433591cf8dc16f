package token

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/cognate/cognate/internal/store"
)

// Key uses, as store.SigningKey.Use holds them. Cognito signs access and ID
// tokens with different keys (cognito-behaviour.md §2.1); keeping them apart
// is also what lets VerifyAccess reject an ID token by its kid alone.
const (
	UseAccess = "access"
	UseID     = "id"
)

const (
	keyBits = 2048
	// readyKeys bounds the buffer Run fills: enough for two pool creations
	// in a row without waiting, small enough that an idle server does not
	// burn CPU on keys nobody asked for.
	readyKeys = 4
	// maxCachedPools bounds the in-memory key cache. Test suites create a
	// pool per test; past the bound an arbitrary entry is dropped and
	// reloaded from the store when it is needed again.
	maxCachedPools = 4096
	// refreshEvery throttles cache reloads caused by unknown kids, so that
	// a stream of forged tokens cannot turn into a stream of queries.
	refreshEvery = 5 * time.Second
)

// errNoPool: the pool has no signing keys, i.e. it does not exist (every
// pool gets its keys when it is created).
var errNoPool = errors.New("token: no such user pool")

// keyEntry is one loaded signing key.
type keyEntry struct {
	kid       string
	use       string
	createdAt time.Time
	pub       *rsa.PublicKey
	// priv is nil when privErr is set: a key that cannot be unsealed (a
	// keyring without the secret it was sealed with) still verifies.
	priv    *rsa.PrivateKey
	privErr error

	certOnce sync.Once
	cert     []byte
	certErr  error
}

// poolKeys is a pool's key set as cached: oldest first, like the store
// returns it.
type poolKeys struct {
	loaded time.Time // machine time, for refreshEvery
	keys   []*keyEntry
}

// find returns the key with this kid, or nil.
func (p *poolKeys) find(kid string) *keyEntry {
	for _, k := range p.keys {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

// signer returns the newest key of a use: once keys rotate, the newest one
// signs while the older ones keep verifying.
func (p *poolKeys) signer(use string) (*keyEntry, error) {
	for i := len(p.keys) - 1; i >= 0; i-- {
		if k := p.keys[i]; k.use == use {
			if k.privErr != nil {
				return nil, k.privErr
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("token: no %s signing key", use)
}

// Run keeps a few RSA keys ready until ctx ends. Generating a 2048-bit key
// takes 0.1–0.4 s on the machines this runs on (go-stack.md §16), and every
// CreateUserPool needs two; with Run going, pool creation only pays for
// them when pools are created faster than keys are made.
func (s *Service) Run(ctx context.Context) {
	for ctx.Err() == nil {
		k, err := rsa.GenerateKey(rand.Reader, keyBits)
		if err != nil {
			s.log.ErrorContext(ctx, "token: generating a signing key", "error", err)
			return
		}
		select {
		case s.ready <- k:
		case <-ctx.Done():
			return
		}
	}
}

// takeKey returns a ready key, or generates one now when none is ready.
func (s *Service) takeKey(ctx context.Context) (*rsa.PrivateKey, error) {
	select {
	case k := <-s.ready:
		return k, nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rsa.GenerateKey(rand.Reader, keyBits)
}

// NewPoolKeys returns fresh signing keys for a new pool, one for access
// tokens and one for ID tokens, with the private keys sealed. The caller
// stores them (with the pool, in CreateUserPool).
func (s *Service) NewPoolKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	if !validPoolID(poolID) {
		return nil, fmt.Errorf("token: invalid pool id %q", poolID)
	}
	if s.sealer == nil {
		return nil, errors.New("token: no sealer configured")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	keys := make([]store.SigningKey, 0, 2)
	for _, use := range []string{UseAccess, UseID} {
		priv, err := s.takeKey(ctx)
		if err != nil {
			return nil, fmt.Errorf("token: generating a signing key: %w", err)
		}
		k, err := s.signingKey(poolID, use, priv, now)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func (s *Service) signingKey(poolID, use string, priv *rsa.PrivateKey, now time.Time) (store.SigningKey, error) {
	kid, err := keyID(&priv.PublicKey)
	if err != nil {
		return store.SigningKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("token: encoding a private key: %w", err)
	}
	return store.SigningKey{
		PoolID:    poolID,
		KID:       kid,
		Use:       use,
		CreatedAt: now,
		Private:   s.sealer.Seal(der, keyAAD(poolID, kid)),
		Public:    marshalJWK(kid, &priv.PublicKey),
	}, nil
}

// keyID is Cognito's kid format: the standard base64 of a SHA-256 digest,
// 44 characters ending in "=". The digest is of the public key's PKIX DER,
// so the kid names the key and can be recomputed to check a stored key.
func keyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("token: encoding a public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// keyAAD binds a sealed private key to its pool and kid: a sealed key
// copied to another pool's row, or swapped with another kid, fails to open.
func keyAAD(poolID, kid string) []byte {
	return []byte("cognate/token/signing-key\x00" + poolID + "\x00" + kid)
}

// marshalJWK writes the public key as Cognito's JWKS shows it, members in
// Cognito's (alphabetical) order.
func marshalJWK(kid string, pub *rsa.PublicKey) []byte {
	var b bytes.Buffer
	b.WriteString(`{"alg":"RS256","e":`)
	b.Write(appendString(nil, base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())))
	b.WriteString(`,"kid":`)
	b.Write(appendString(nil, kid))
	b.WriteString(`,"kty":"RSA","n":`)
	b.Write(appendString(nil, base64.RawURLEncoding.EncodeToString(pub.N.Bytes())))
	b.WriteString(`,"use":"sig"}`)
	return b.Bytes()
}

// parseJWK reads a public key written by marshalJWK.
func parseJWK(data []byte) (kid string, pub *rsa.PublicKey, err error) {
	var j struct {
		Alg, E, Kid, Kty, N, Use string
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return "", nil, err
	}
	if j.Kty != "RSA" || j.Alg != "RS256" || j.Use != "sig" {
		return "", nil, fmt.Errorf("unexpected JWK kty=%q alg=%q use=%q", j.Kty, j.Alg, j.Use)
	}
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		return "", nil, fmt.Errorf("JWK n: %w", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return "", nil, fmt.Errorf("JWK e %q", j.E)
	}
	pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	return j.Kid, pub, nil
}

// loadKey turns a stored key into a keyEntry, checking that the parts agree
// with each other (a kid that is not its key's digest, or a private key that
// does not match the public one, means the row was corrupted or tampered
// with).
func (s *Service) loadKey(k store.SigningKey) (*keyEntry, error) {
	if k.Use != UseAccess && k.Use != UseID {
		return nil, fmt.Errorf("token: key %s of pool %s has use %q", k.KID, k.PoolID, k.Use)
	}
	kid, pub, err := parseJWK(k.Public)
	if err != nil {
		return nil, fmt.Errorf("token: key %s of pool %s: %w", k.KID, k.PoolID, err)
	}
	if want, err := keyID(pub); err != nil || kid != k.KID || want != kid {
		return nil, fmt.Errorf("token: key %s of pool %s does not match its kid", k.KID, k.PoolID)
	}
	e := &keyEntry{kid: kid, use: k.Use, createdAt: k.CreatedAt, pub: pub}
	e.priv, e.privErr = s.openKey(k, pub)
	return e, nil
}

func (s *Service) openKey(k store.SigningKey, pub *rsa.PublicKey) (*rsa.PrivateKey, error) {
	if s.sealer == nil {
		return nil, errors.New("token: no sealer configured")
	}
	der, err := s.sealer.Open(k.Private, keyAAD(k.PoolID, k.KID))
	if err != nil {
		return nil, fmt.Errorf("token: unsealing key %s of pool %s: %w", k.KID, k.PoolID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("token: key %s of pool %s: %w", k.KID, k.PoolID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok || !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("token: private key %s of pool %s does not match its public key", k.KID, k.PoolID)
	}
	return priv, nil
}

// load reads a pool's keys from the store.
func (s *Service) load(ctx context.Context, poolID string) (*poolKeys, error) {
	rows, err := s.keys.ListSigningKeys(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoPool
	}
	if err != nil {
		return nil, fmt.Errorf("token: loading keys of pool %s: %w", poolID, err)
	}
	if len(rows) == 0 {
		return nil, errNoPool
	}
	p := &poolKeys{loaded: time.Now(), keys: make([]*keyEntry, 0, len(rows))}
	for _, row := range rows {
		e, err := s.loadKey(row)
		if err != nil {
			return nil, err
		}
		if e.privErr != nil {
			s.log.WarnContext(ctx, "token: signing key cannot be unsealed; it verifies but cannot sign",
				"pool", poolID, "kid", e.kid, "error", e.privErr)
		}
		p.keys = append(p.keys, e)
	}
	s.mu.Lock()
	if _, ok := s.cache[poolID]; !ok && len(s.cache) >= maxCachedPools {
		for id := range s.cache {
			delete(s.cache, id)
			break
		}
	}
	s.cache[poolID] = p
	s.mu.Unlock()
	return p, nil
}

// poolKeys returns a pool's keys, from the cache when they are there. A key
// set never changes after the pool is created, so a cached set stays right
// until the pool is deleted; then the user lookup that follows every
// verification fails, and Forget drops the entry on this instance.
func (s *Service) poolKeys(ctx context.Context, poolID string) (*poolKeys, error) {
	s.mu.RLock()
	p := s.cache[poolID]
	s.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	return s.load(ctx, poolID)
}

// reload re-reads a pool's keys after a kid was not found in p, at most
// once per refreshEvery, so that a key added by another instance (rotation)
// is picked up.
func (s *Service) reload(ctx context.Context, poolID string, p *poolKeys) (*poolKeys, error) {
	if time.Since(p.loaded) < refreshEvery {
		return p, nil
	}
	return s.load(ctx, poolID)
}

// Forget drops a pool's cached keys (DeleteUserPool calls it).
func (s *Service) Forget(poolID string) {
	s.mu.Lock()
	delete(s.cache, poolID)
	s.mu.Unlock()
	s.seen.reset()
}
