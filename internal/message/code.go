package message

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// codeSpace is the number of distinct codes: Cognito's codes are six
// decimal digits (amplify-js#3208: "the reset code should only contain
// digits"; aws-amplify/docs#710: 6 digits by default).
const codeSpace = 1_000_000

// NewCode returns a uniformly random six-digit code, leading zeros kept
// ("039126" is a real Cognito code, WikiWatershed/monitor-my-watershed#636).
// It reads rnd rather than crypto/rand directly so tests can fix the code.
func NewCode(rnd io.Reader) (string, error) {
	// Rejection sampling: 2^32 is not a multiple of 10^6, so values at or
	// above the largest multiple would make the low codes slightly likelier.
	const limit = (1 << 32) / codeSpace * codeSpace
	var b [4]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return "", fmt.Errorf("message: reading randomness for a code: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%06d", v%codeSpace), nil
		}
	}
}

// hashScheme names the format of HashCode's output, so that a later scheme
// can be told apart from this one without a migration.
const hashScheme = "sha256-salted"

// HashCode returns a salted SHA-256 hash of a code as a self-describing
// string, "sha256-salted$<salt>$<hash>" (base64url, no padding), for the
// user's pending-code record.
//
// A six-digit code has only 10^6 values, so whoever reads the hash can find
// the code offline in well under a second: the salt only stops one
// precomputed table from serving every row. That is acceptable because
// codes are single-use and expire (24 hours; one hour for ForgotPassword),
// and a slow hash would buy nothing against a space this small. What keeps
// a database dump from handing out live codes is that the store never holds
// a plaintext code anywhere: the only other copy is the outbox message,
// whose Code and Body are AEAD-sealed with the server keyring (kept outside
// the database in secure mode), because delivery retries and the local-mode
// inspection API need the code back.
func HashCode(code string) string {
	var salt [16]byte
	_, _ = rand.Read(salt[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hashScheme + "$" + b64(salt[:]) + "$" + b64(codeDigest(salt[:], code))
}

// CheckCode reports whether code matches a hash made by HashCode. The
// comparison takes the same time wherever the digests differ; a hash in an
// unknown format matches nothing.
func CheckCode(hash, code string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 || parts[0] != hashScheme {
		return false
	}
	salt, err1 := base64.RawURLEncoding.DecodeString(parts[1])
	want, err2 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(want) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(codeDigest(salt, code), want) == 1
}

func codeDigest(salt []byte, code string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(code))
	return h.Sum(nil)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// idState keeps NewID monotonic within this process (RFC 9562 §6.2,
// method 1: a counter in rand_a). The store orders messages by their
// millisecond CreatedAt and then by id, so two messages written in the same
// millisecond (one request that changes email and phone, or a test with a
// fixed clock) still come back in the order they were made.
var idState struct {
	sync.Mutex
	ms  int64
	seq uint16 // 12 bits
}

// NewID returns a UUIDv7 string for a message made at now: 48 bits of
// milliseconds, a 12-bit counter, 62 random bits from rnd. Its lowercase
// hex form sorts like the time it carries, so ids are time-ordered.
func NewID(now time.Time, rnd io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[6:]); err != nil {
		return "", fmt.Errorf("message: reading randomness for an id: %w", err)
	}
	ms := now.UnixMilli()
	idState.Lock()
	if ms > idState.ms {
		idState.ms = ms
		// Start low in the counter's range so that many ids in one
		// millisecond rarely spill into the next.
		idState.seq = binary.BigEndian.Uint16(b[6:8]) & 0x3ff
	} else {
		// Same millisecond, or a clock that reads earlier than the last id
		// (an injected test clock): keep counting from the last id.
		idState.seq++
		if idState.seq > 0xfff {
			idState.ms++
			idState.seq = 0
		}
		ms = idState.ms
	}
	seq := idState.seq
	idState.Unlock()

	binary.BigEndian.PutUint64(b[0:8], uint64(ms)<<16|uint64(0x7000|seq))
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
