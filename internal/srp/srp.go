package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// nHex is the 3072-bit MODP prime of RFC 3526 / RFC 5054, as in
// amazon-cognito-identity-js's AuthenticationHelper (initN).
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	groupN, _ = new(big.Int).SetString(nHex, 16)
	groupG    = big.NewInt(2)
	// k = H(pad(N) ‖ pad(g)).
	multiplierK = new(big.Int).SetBytes(hash(pad(groupN), pad(groupG)))
)

const (
	// SaltLen is the length of the random salt NewVerifier makes.
	SaltLen = 16
	// ephemeralLen gives b 256 bits, the floor SRP-6a asks for.
	ephemeralLen = 32
	// GroupBytes is the length of N, the group's modulus, in bytes.
	GroupBytes = 384
	// maxIntLen bounds every integer Verify accepts (N is 384 bytes), so
	// that hostile input cannot make it exponentiate huge numbers.
	maxIntLen = 512
	// maxHexLen is maxIntLen in hex digits.
	maxHexLen = 2 * maxIntLen
	// beginAttempts bounds Begin's retries, which only a broken random
	// source would ever exhaust.
	beginAttempts = 8

	hkdfInfo = "Caldera Derived Key"
	keyLen   = 16
)

// Errors Verify returns for input that no honest client sends. A caller
// should answer them as it answers a wrong password.
var (
	ErrInvalidA  = errors.New("srp: A mod N is zero")
	ErrInvalidU  = errors.New("srp: u is zero")
	ErrMalformed = errors.New("srp: malformed parameter")
)

// PoolName is the part of a user pool id after the underscore
// ("us-east-1_AbC123" → "AbC123"), which is what Cognito hashes.
func PoolName(userPoolID string) string {
	_, name, _ := strings.Cut(userPoolID, "_")
	return name
}

// NewVerifier draws a random salt and returns it with the pad-encoded
// verifier v = g^x mod N for the user, where
// x = H(pad(int(salt)) ‖ H(poolName ‖ userIDForSRP ‖ ":" ‖ password)).
// Store both (the verifier sealed: it is password-equivalent to a guesser).
// rnd defaults to crypto/rand.
func NewVerifier(poolName, userIDForSRP, password string, rnd io.Reader) (salt, verifier []byte, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	salt = make([]byte, SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, nil, fmt.Errorf("srp: reading salt: %w", err)
	}
	x := privateX(poolName, userIDForSRP, password, salt)
	return salt, pad(new(big.Int).Exp(groupG, x, groupN)), nil
}

func privateX(poolName, userID, password string, salt []byte) *big.Int {
	inner := sha256.Sum256([]byte(poolName + userID + ":" + password))
	// The client reads SALT as an integer and re-encodes it with pad, so a
	// salt with a leading zero byte (or a high first bit) is hashed in that
	// form, not as the raw bytes.
	return new(big.Int).SetBytes(hash(pad(new(big.Int).SetBytes(salt)), inner[:]))
}

// Begin draws the server's private ephemeral b and returns it with the
// public B = (k·v + g^b) mod N, both as unsigned big-endian bytes. verifier
// is as NewVerifier returns it. b must travel only sealed (SECRET_BLOCK).
func Begin(verifier []byte, rnd io.Reader) (b, B []byte, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	v, err := element("verifier", verifier)
	if err != nil {
		return nil, nil, err
	}
	kv := new(big.Int).Mul(multiplierK, v)
	for range beginAttempts {
		b = make([]byte, ephemeralLen)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return nil, nil, fmt.Errorf("srp: reading b: %w", err)
		}
		bi := new(big.Int).SetBytes(b)
		if bi.Sign() == 0 {
			continue
		}
		pub := new(big.Int).Exp(groupG, bi, groupN)
		pub.Add(pub, kv).Mod(pub, groupN)
		if pub.Sign() != 0 {
			return b, pub.Bytes(), nil
		}
	}
	return nil, nil, errors.New("srp: random source produced no usable b")
}

// VerifyParams is everything Verify needs. Integers are unsigned big-endian
// bytes of any width (leading zeros are ignored): Verifier as NewVerifier
// returned it, SmallB (b) and B as Begin returned them, A as DecodeHex
// returns SRP_A. SecretBlock and Signature are the base64-decoded
// PASSWORD_CLAIM_SECRET_BLOCK and PASSWORD_CLAIM_SIGNATURE, and Timestamp is
// TIMESTAMP exactly as received: the client signed that string. There is no
// salt: the verifier already binds it, and only the client needs it.
type VerifyParams struct {
	PoolName, UserIDForSRP string
	Verifier               []byte
	A, B, SmallB           []byte
	SecretBlock            []byte
	Timestamp              string
	Signature              []byte
}

// Verify reports whether Signature is the client's proof of the password
// behind Verifier for this handshake. A wrong password is (false, nil);
// out-of-range or malformed parameters, including A ≡ 0 and u = 0, are
// errors (ErrInvalidA, ErrInvalidU, ErrMalformed), never a match.
func Verify(p VerifyParams) (bool, error) {
	v, err := element("verifier", p.Verifier)
	if err != nil {
		return false, err
	}
	pubB, err := element("B", p.B)
	if err != nil {
		return false, err
	}
	if len(p.A) > maxIntLen {
		return false, fmt.Errorf("%w: A has %d bytes", ErrMalformed, len(p.A))
	}
	if len(p.SmallB) == 0 || len(p.SmallB) > maxIntLen {
		return false, fmt.Errorf("%w: b has %d bytes", ErrMalformed, len(p.SmallB))
	}
	pubA := new(big.Int).SetBytes(p.A)
	aModN := new(big.Int).Mod(pubA, groupN)
	if aModN.Sign() == 0 {
		return false, ErrInvalidA
	}
	u := new(big.Int).SetBytes(hash(pad(pubA), pad(pubB)))
	if u.Sign() == 0 {
		return false, ErrInvalidU
	}
	// S = (A · v^u)^b mod N
	s := new(big.Int).Exp(v, u, groupN)
	s.Mul(s, aModN).Mod(s, groupN)
	s.Exp(s, new(big.Int).SetBytes(p.SmallB), groupN)

	key, err := hkdf.Key(sha256.New, pad(s), pad(u), hkdfInfo, keyLen)
	if err != nil {
		return false, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(p.PoolName))
	mac.Write([]byte(p.UserIDForSRP))
	mac.Write(p.SecretBlock)
	mac.Write([]byte(p.Timestamp))
	return hmac.Equal(mac.Sum(nil), p.Signature), nil
}

// element parses a group element and insists on 0 < x < N.
func element(name string, b []byte) (*big.Int, error) {
	if len(b) > maxIntLen {
		return nil, fmt.Errorf("%w: %s has %d bytes", ErrMalformed, name, len(b))
	}
	x := new(big.Int).SetBytes(b)
	if x.Sign() == 0 || x.Cmp(groupN) >= 0 {
		return nil, fmt.Errorf("%w: %s is not in (0, N)", ErrMalformed, name)
	}
	return x, nil
}

// pad is the byte form every hashed integer takes: minimal big-endian
// two's complement (Java's BigInteger.toByteArray, the JS client's padHex),
// i.e. the minimal bytes plus a 0x00 when the top bit is set. It is not
// RFC 5054's padding to the width of N; that would fail about half of all
// logins.
func pad(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

func hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
