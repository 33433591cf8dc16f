package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"
)

const (
	// MinSecretLen is the shortest secret New accepts, in characters.
	MinSecretLen = 32

	idLen    = 4
	nonceLen = 12 // GCM standard nonce
	tagLen   = 16
	// Overhead is what Seal adds to the plaintext: key id, nonce and tag.
	Overhead = idLen + nonceLen + tagLen

	// The info string names the key's one use, so the same operator secret
	// could never yield this key for some other purpose.
	hkdfInfo = "cognate seal v1 aes-256-gcm"
	// macInfo derives MAC's key from the current secret: another key than
	// the sealing one, for another use.
	macInfo = "cognate mac v1 hmac-sha256"
)

// ErrOpen is the one error Open returns for anything it cannot open: an
// unknown key, a wrong AAD, a tampered or truncated blob. The causes are
// deliberately not told apart.
var ErrOpen = errors.New("seal: cannot open")

type key struct {
	id   [idLen]byte
	aead cipher.AEAD
}

// Keyring seals with its first key and opens with whichever key a blob
// names. It is safe for concurrent use.
type Keyring struct {
	keys   []key // keys[0] is current
	macKey []byte
}

// New builds a keyring from secrets, the current one first. Each secret
// must have at least MinSecretLen characters; any string works because the
// AES key is derived from it with HKDF-SHA256.
func New(secrets []string) (*Keyring, error) {
	if len(secrets) == 0 {
		return nil, errors.New("seal: no secret given")
	}
	k := &Keyring{}
	seen := map[[idLen]byte]int{}
	for i, s := range secrets {
		if n := utf8.RuneCountInString(s); n < MinSecretLen {
			return nil, fmt.Errorf("seal: secret %d has %d characters; at least %d are required", i+1, n, MinSecretLen)
		}
		raw, err := hkdf.Key(sha256.New, []byte(s), nil, hkdfInfo, 32)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		var id [idLen]byte
		copy(id[:], sum[:])
		if j, dup := seen[id]; dup {
			return nil, fmt.Errorf("seal: secrets %d and %d are the same key", j+1, i+1)
		}
		seen[id] = i
		k.keys = append(k.keys, key{id: id, aead: aead})
		if i == 0 {
			if k.macKey, err = hkdf.Key(sha256.New, []byte(s), nil, macInfo, 32); err != nil {
				return nil, err
			}
		}
	}
	return k, nil
}

// MAC is HMAC-SHA256 of data under a key derived from the current secret:
// a deterministic value nobody without the secret can compute or predict
// (the simulated SRP salt of a user who does not exist, say).
func (k *Keyring) MAC(data []byte) []byte {
	m := hmac.New(sha256.New, k.macKey)
	m.Write(data)
	return m.Sum(nil)
}

// CurrentID is the id of the key Seal uses, for logs and metrics.
func (k *Keyring) CurrentID() string { return fmt.Sprintf("%x", k.keys[0].id) }

// Seal encrypts plaintext under the current key, binding aad (which Open
// must be given again), and returns key id ‖ nonce ‖ ciphertext+tag.
// Put in aad whatever the blob must not be moved between: the pool, the
// user, the column, the purpose.
func (k *Keyring) Seal(plaintext, aad []byte) []byte {
	cur := k.keys[0]
	out := make([]byte, idLen+nonceLen, Overhead+len(plaintext))
	copy(out, cur.id[:])
	rand.Read(out[idLen:])
	return cur.aead.Seal(out, out[idLen:], plaintext, aad)
}

// Open returns the plaintext of a Seal output made by any key of the ring
// with the same aad, or ErrOpen.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < Overhead {
		return nil, ErrOpen
	}
	for _, c := range k.keys {
		if [idLen]byte(sealed[:idLen]) != c.id {
			continue
		}
		pt, err := c.aead.Open(nil, sealed[idLen:idLen+nonceLen], sealed[idLen+nonceLen:], aad)
		if err != nil {
			return nil, ErrOpen
		}
		return pt, nil
	}
	return nil, ErrOpen
}

// Two text forms, because the blobs travel in two kinds of field:
//
//   - SealString (URL-safe base64, no padding) for Session and anything else
//     only Cognate reads back. Session is a SessionType (20–2048 characters,
//     no pattern), so its plaintext may be at most 1504 bytes.
//   - SealStdString (standard base64, padded) for SECRET_BLOCK, which the
//     client base64-decodes itself to sign it: the JS client happens to
//     accept both alphabets, but Python (warrant, pycognito) and Go clients
//     use the standard, padded decoder.
var (
	urlEnc = base64.RawURLEncoding.Strict()
	stdEnc = base64.StdEncoding.Strict()
)

// SealString is Seal in URL-safe base64 without padding.
func (k *Keyring) SealString(plaintext, aad []byte) string {
	return urlEnc.EncodeToString(k.Seal(plaintext, aad))
}

// OpenString opens a SealString output.
func (k *Keyring) OpenString(s string, aad []byte) ([]byte, error) {
	b, err := urlEnc.DecodeString(s)
	if err != nil {
		return nil, ErrOpen
	}
	return k.Open(b, aad)
}

// SealStdString is Seal in standard, padded base64: the form for SECRET_BLOCK.
func (k *Keyring) SealStdString(plaintext, aad []byte) string {
	return stdEnc.EncodeToString(k.Seal(plaintext, aad))
}

// OpenStdString opens a SealStdString output.
func (k *Keyring) OpenStdString(s string, aad []byte) ([]byte, error) {
	b, err := stdEnc.DecodeString(s)
	if err != nil {
		return nil, ErrOpen
	}
	return k.Open(b, aad)
}

// Generate returns a new random secret of 43 characters (256 bits in
// URL-safe base64), for local mode's self-made keyring.
func Generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
