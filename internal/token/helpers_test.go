package token

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/seal"
	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *testClock { return &testClock{t: t} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// start is the default test time: a fraction of a second into it, so that
// millisecond handling shows.
var start = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

const testPublicURL = "http://127.0.0.1:9229"

// fixture is a token service over a real SQLite store and a real keyring.
type fixture struct {
	svc   *Service
	store *sqlstore.Store
	clock *testClock
	cfg   Config
}

type fixtureOption func(*Config)

func withPublicURL(u string) fixtureOption { return func(c *Config) { c.PublicURL = u } }
func withAWSIssuer() fixtureOption         { return func(c *Config) { c.AWSIssuer = true } }

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kr, err := seal.New([]string{strings.Repeat("s", 32) + "-token-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock(start)
	cfg := Config{Keys: st, Sealer: kr, Now: clock.Now, PublicURL: testPublicURL}
	for _, o := range opts {
		o(&cfg)
	}
	return &fixture{svc: New(cfg), store: st, clock: clock, cfg: cfg}
}

// sibling is a second service over the same store and keyring: another
// instance of the server.
func (f *fixture) sibling() *Service { return New(f.cfg) }

// pool creates a pool with its signing keys, as CreateUserPool will.
func (f *fixture) pool(t testing.TB, id string) {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	if err := f.store.CreateUserPool(ctx, store.UserPool{ID: id, Name: id, CreatedAt: now, UpdatedAt: now, Settings: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	keys, err := f.svc.NewPoolKeys(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddSigningKeys(ctx, keys...); err != nil {
		t.Fatal(err)
	}
}

// key returns a loaded key of a pool.
func (f *fixture) key(t testing.TB, poolID, use string) *keyEntry {
	t.Helper()
	keys, err := f.svc.poolKeys(context.Background(), poolID)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.signer(use)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func subject(poolID string) Subject {
	return Subject{
		PoolID:    poolID,
		ClientID:  "4p73nb8kksllrkm9s37savl713",
		Username:  "jane",
		Sub:       "6b1e6a2c-5f0e-4c7a-9d7e-3c1f2a4b5c6d",
		Groups:    []string{"admins", "editors"},
		AuthTime:  start.Add(-10 * time.Minute),
		OriginJTI: "0f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b",
		IDClaims: []Claim{
			{Name: "sub", Value: "6b1e6a2c-5f0e-4c7a-9d7e-3c1f2a4b5c6d"},
			{Name: "email", Value: "jane@example.com"},
			{Name: "email_verified", Value: "true"},
			{Name: "phone_number", Value: "+15555550100"},
			{Name: "phone_number_verified", Value: "false"},
			{Name: "name", Value: "Jane <Q> & \"Co\"\n"},
			{Name: "address", Value: "1 Main St"},
			{Name: "updated_at", Value: "1773500966"},
			{Name: "custom:tier", Value: "12"},
			{Name: "identities", Value: `[{"userId":"42","providerName":"Google","providerType":"Google","issuer":null,"primary":"true","dateCreated":"1642699117273"}]`},
			{Name: "dev:secret", Value: "never in a token"},
		},
		AccessValidity: time.Hour,
		IDValidity:     30 * time.Minute,
	}
}

// issue signs tokens for the default subject of a pool.
func (f *fixture) issue(t testing.TB, poolID string) Tokens {
	t.Helper()
	tok, err := f.svc.Issue(context.Background(), subject(poolID))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// deterministic makes the service's UUIDs reproducible.
func (f *fixture) deterministic(seed byte) {
	var s [32]byte
	s[0] = seed
	f.svc.rand = rand.NewChaCha8(s)
}

var enc = base64.RawURLEncoding

// parts splits a compact JWS and decodes header and payload.
func parts(t testing.TB, tok string) (header, payload []byte, sig string) {
	t.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		t.Fatalf("token has %d parts", len(p))
	}
	h, err := enc.DecodeString(p[0])
	if err != nil {
		t.Fatal(err)
	}
	pl, err := enc.DecodeString(p[1])
	if err != nil {
		t.Fatal(err)
	}
	return h, pl, p[2]
}

// forge builds a token from raw header and payload JSON, signed by sign.
func forge(header, payload string, sign func(signing string) []byte) string {
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return signing + "." + enc.EncodeToString(sign(signing))
}

// rsaSigner signs RS256 (or another PKCS #1 v1.5 hash) with a key.
func rsaSigner(t testing.TB, k *rsa.PrivateKey, h crypto.Hash) func(string) []byte {
	return func(signing string) []byte {
		hh := h.New()
		hh.Write([]byte(signing))
		sig, err := rsa.SignPKCS1v15(nil, k, h, hh.Sum(nil))
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

// wantAPIError checks that err is the Cognito error typ with message msg.
func wantAPIError(t testing.TB, err error, typ, msg string) {
	t.Helper()
	var e *model.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want %s %q", err, err, typ, msg)
	}
	if e.Type != typ || e.Message != msg {
		t.Fatalf("error = %s %q, want %s %q", e.Type, e.Message, typ, msg)
	}
}
