package srp

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

// FuzzDecodeHex checks SRP_A parsing against math/big's reading of the same
// digits. Seeds are in testdata/fuzz/FuzzDecodeHex and below; plain `go test`
// runs them.
func FuzzDecodeHex(f *testing.F) {
	for _, s := range []string{"", "0", "abc", "00ff", "0x10", "-1", "+1", "1_0", " 1", strings.Repeat("f", maxHexLen), strings.Repeat("f", maxHexLen+1), nHex} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeHex(s)
		plain := s != "" && len(s) <= maxHexLen && strings.Trim(s, "0123456789abcdefABCDEF") == ""
		if err != nil {
			if plain {
				t.Fatalf("DecodeHex(%q) = %v; want success", s, err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodeHex(%q) = %v; want ErrMalformed", s, err)
			}
			return
		}
		if !plain {
			t.Fatalf("DecodeHex(%q) accepted non-hex input", s)
		}
		if len(b) > 0 && b[0] == 0 {
			t.Fatalf("DecodeHex(%q) = %x has a leading zero byte", s, b)
		}
		want, ok := new(big.Int).SetString(s, 16)
		if !ok || want.Cmp(new(big.Int).SetBytes(b)) != 0 {
			t.Fatalf("DecodeHex(%q) = %x; math/big reads %v", s, b, want)
		}
	})
}

// FuzzVerify feeds Verify arbitrary wire input around one honest handshake:
// it must never panic, and an error must never come with a match.
func FuzzVerify(f *testing.F) {
	p := handshake(f, "AbC123", "alice", "Passw0rd!", "Passw0rd!")
	f.Add(EncodeHex(p.A), p.B, p.SmallB, p.Verifier, p.SecretBlock, p.Timestamp, p.Signature)
	f.Add("0", p.B, p.SmallB, p.Verifier, p.SecretBlock, p.Timestamp, p.Signature)
	f.Add(nHex, p.B, p.SmallB, p.Verifier, p.SecretBlock, p.Timestamp, p.Signature)
	f.Add("zz", []byte{}, []byte{}, []byte{}, []byte{}, "", []byte{})
	f.Add("1", []byte{1}, []byte{1}, []byte{1}, []byte{}, "", []byte{})
	f.Add(EncodeHex(p.A), groupN.Bytes(), p.SmallB, p.Verifier, p.SecretBlock, p.Timestamp, p.Signature)
	f.Fuzz(func(t *testing.T, aHex string, pubB, smallB, verifier, secret []byte, timestamp string, sig []byte) {
		a, err := DecodeHex(aHex)
		if err != nil {
			return
		}
		ok, err := Verify(VerifyParams{
			PoolName: "AbC123", UserIDForSRP: "alice",
			Verifier: verifier, A: a, B: pubB, SmallB: smallB,
			SecretBlock: secret, Timestamp: timestamp, Signature: sig,
		})
		if err != nil && ok {
			t.Fatalf("Verify = true with error %v", err)
		}
	})
}
