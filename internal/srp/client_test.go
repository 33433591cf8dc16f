package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"
)

// testClient is the client half of the handshake, written from the JS
// client's AuthenticationHelper for round-trip tests without node.
type testClient struct {
	poolName, userID, password string
	a, pubA                    *big.Int
}

func newTestClient(t testing.TB, poolName, userID, password string) *testClient {
	t.Helper()
	// Like the JS client: 128 random bytes read as a positive integer.
	raw := make([]byte, 128)
	rand.Read(raw)
	a := new(big.Int).SetBytes(raw)
	return &testClient{
		poolName: poolName, userID: userID, password: password,
		a: a, pubA: new(big.Int).Exp(groupG, a, groupN),
	}
}

// srpA is SRP_A as the JS client sends it: BigInteger.toString(16).
func (c *testClient) srpA() string { return c.pubA.Text(16) }

// sign parses SALT and SRP_B from the wire and returns the
// PASSWORD_CLAIM_SIGNATURE for secretBlock and timestamp.
func (c *testClient) sign(saltHex, srpBHex string, secretBlock []byte, timestamp string) ([]byte, error) {
	saltBytes, err := DecodeHex(saltHex)
	if err != nil {
		return nil, err
	}
	bBytes, err := DecodeHex(srpBHex)
	if err != nil {
		return nil, err
	}
	pubB := new(big.Int).SetBytes(bBytes)
	if new(big.Int).Mod(pubB, groupN).Sign() == 0 {
		return nil, errors.New("B cannot be zero")
	}
	u := new(big.Int).SetBytes(hash(pad(c.pubA), pad(pubB)))
	if u.Sign() == 0 {
		return nil, errors.New("U cannot be zero")
	}
	inner := sha256.Sum256([]byte(c.poolName + c.userID + ":" + c.password))
	x := new(big.Int).SetBytes(hash(pad(new(big.Int).SetBytes(saltBytes)), inner[:]))

	// S = (B − k·g^x)^(a + u·x) mod N
	base := new(big.Int).Exp(groupG, x, groupN)
	base.Mul(base, multiplierK)
	base.Sub(pubB, base).Mod(base, groupN)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	s := new(big.Int).Exp(base, exp, groupN)

	key, err := hkdf.Key(sha256.New, pad(s), pad(u), "Caldera Derived Key", 16)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.poolName))
	mac.Write([]byte(c.userID))
	mac.Write(secretBlock)
	mac.Write([]byte(timestamp))
	return mac.Sum(nil), nil
}
