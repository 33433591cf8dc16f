package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/cognate/cognate/internal/api/model"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
}

var (
	// Strong is the OWASP minimum profile for argon2id (19 MiB, t=2, p=1):
	// about 40–50 ms and 20 MB per hash on the project's reference machine.
	Strong = Params{Memory: 19456, Time: 2, Threads: 1}

	// Fast is INSECURE and exists only so that test suites which create many
	// users do not spend seconds hashing. Never use it for a real deployment.
	Fast = Params{Memory: 64, Time: 1, Threads: 1}
)

const (
	saltLen = 16
	keyLen  = 32

	// A PHC string comes from our own database, but a leaked or imported row
	// must not be able to make a verify allocate gigabytes or spin for
	// minutes, so parameters above these bounds are refused outright.
	maxMemory  = 1 << 20 // KiB, i.e. 1 GiB
	maxTime    = 10
	maxThreads = 16

	minSaltLen, maxSaltLen = 8, 64
	minKeyLen, maxKeyLen   = 16, 64
	maxPHCLen              = 256

	// queueFactor bounds how many callers may wait for a hashing slot per
	// slot; beyond that, waiting would only pile up latency and memory.
	queueFactor = 64
)

// ErrMalformedHash is returned (wrapped) by Verify for a PHC string it cannot
// parse or whose parameters are out of bounds.
var ErrMalformedHash = errors.New("password: malformed or unsupported argon2id hash")

// Hasher hashes and verifies passwords with argon2id, running at most a
// fixed number of hashes at once. It is safe for concurrent use.
type Hasher struct {
	params     Params
	sem        chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
	dummy      string
	observe    func(time.Duration)
}

// New returns a Hasher using p for new hashes and running at most
// maxConcurrent hashes at a time (runtime.NumCPU() when maxConcurrent ≤ 0).
func New(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	h := &Hasher{
		params:     p,
		sem:        make(chan struct{}, maxConcurrent),
		maxWaiting: int64(queueFactor * maxConcurrent),
	}
	// The dummy only has to cost what a real verify costs, so its "hash" is
	// random bytes rather than a computed one: no password can match it and
	// building it costs nothing at startup.
	var salt [saltLen]byte
	var key [keyLen]byte
	rand.Read(salt[:])
	rand.Read(key[:])
	h.dummy = encode(p, salt[:], key[:])
	return h
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password under the hasher's parameters,
// e.g. $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release(time.Now())
	var salt [saltLen]byte
	rand.Read(salt[:])
	key := argon2.IDKey([]byte(password), salt[:], h.params.Time, h.params.Memory, h.params.Threads, keyLen)
	return encode(h.params, salt[:], key), nil
}

// Verify reports whether password matches the PHC string phc. The cost
// parameters are taken from phc, so hashes made under older parameters still
// verify (see NeedsRehash). A malformed or hostile phc is an error, never a
// match.
func (h *Hasher) Verify(ctx context.Context, phc, password string) (bool, error) {
	d, err := decode(phc)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release(time.Now())
	key := argon2.IDKey([]byte(password), d.salt, d.params.Time, d.params.Memory, d.params.Threads, uint32(len(d.key)))
	return subtle.ConstantTimeCompare(key, d.key) == 1, nil
}

// VerifyDummy spends what a Verify against a hash of the hasher's own
// parameters spends, and always fails to match. Call it when the user does
// not exist so that a sign-in's timing does not reveal whether they do. It
// returns only the errors Verify would (context, overload).
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	_, err := h.Verify(ctx, h.dummy, password)
	return err
}

// NeedsRehash reports whether phc should be replaced by a fresh Hash after
// a successful sign-in: it was made under other parameters or is unreadable.
func (h *Hasher) NeedsRehash(phc string) bool {
	d, err := decode(phc)
	if err != nil {
		return true
	}
	return d.params != h.params || len(d.key) != keyLen || len(d.salt) != saltLen
}

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	if h.waiting.Add(1) > h.maxWaiting {
		h.waiting.Add(-1)
		return model.Errorf(model.TooManyRequestsException, "Too many requests")
	}
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees the slot taken at start and reports the hash's duration.
func (h *Hasher) release(start time.Time) {
	<-h.sem
	if h.observe != nil {
		h.observe(time.Since(start))
	}
}

// SetObserver makes the hasher report every hash's duration (the argon2id
// work, not the wait for a slot) to observe. Call it before first use.
func (h *Hasher) SetObserver(observe func(time.Duration)) { h.observe = observe }

// InFlight reports how many hashes are running now.
func (h *Hasher) InFlight() int { return len(h.sem) }

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

type decoded struct {
	params    Params
	salt, key []byte
}

func decode(phc string) (decoded, error) {
	var d decoded
	if len(phc) > maxPHCLen {
		return d, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return d, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformedHash)
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return d, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, f[2])
	}
	ps := strings.Split(f[3], ",")
	if len(ps) != 3 {
		return d, fmt.Errorf("%w: parameters %q", ErrMalformedHash, f[3])
	}
	m, err1 := param(ps[0], "m=", maxMemory)
	t, err2 := param(ps[1], "t=", maxTime)
	p, err3 := param(ps[2], "p=", maxThreads)
	if err := errors.Join(err1, err2, err3); err != nil {
		return d, err
	}
	if t < 1 || p < 1 || m < 8*p {
		return d, fmt.Errorf("%w: parameters %q below argon2 minimums", ErrMalformedHash, f[3])
	}
	d.params = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}
	if d.salt, err1 = b64.DecodeString(f[4]); err1 != nil || len(d.salt) < minSaltLen || len(d.salt) > maxSaltLen {
		return d, fmt.Errorf("%w: bad salt", ErrMalformedHash)
	}
	if d.key, err1 = b64.DecodeString(f[5]); err1 != nil || len(d.key) < minKeyLen || len(d.key) > maxKeyLen {
		return d, fmt.Errorf("%w: bad hash", ErrMalformedHash)
	}
	return d, nil
}

func param(s, prefix string, max uint64) (uint64, error) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, fmt.Errorf("%w: expected %s in %q", ErrMalformedHash, prefix, s)
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > max {
		return 0, fmt.Errorf("%w: %s%s out of bounds (max %d)", ErrMalformedHash, prefix, v, max)
	}
	return n, nil
}
