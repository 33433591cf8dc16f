package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

type goldenVector struct {
	Name         string `json:"name"`
	UserPoolID   string `json:"userPoolId"`
	UserIDForSRP string `json:"userIdForSrp"`
	Password     string `json:"password"`
	Salt         string `json:"salt"`
	SmallB       string `json:"b"`
	SmallA       string `json:"a"`
	SRPA         string `json:"srpA"`
	SRPB         string `json:"srpB"`
	SecretBlock  string `json:"secretBlock"`
	Timestamp    string `json:"timestamp"`
	Signature    string `json:"signature"`
}

// TestGoldenVectors replays transcripts whose client side was computed by
// amazon-cognito-identity-js, so the encodings stay checked against the
// official client even where node is not installed.
func TestGoldenVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Vectors []goldenVector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			salt, _ := hex.DecodeString(v.Salt)
			b, _ := hex.DecodeString(v.SmallB)
			_, verifier, err := NewVerifier(PoolName(v.UserPoolID), v.UserIDForSRP, v.Password, bytes.NewReader(salt))
			if err != nil {
				t.Fatal(err)
			}
			gotB, pubB, err := Begin(verifier, bytes.NewReader(b))
			if err != nil || !bytes.Equal(gotB, b) {
				t.Fatalf("Begin = %x, %v; want b = %s", gotB, err, v.SmallB)
			}
			if EncodeHex(pubB) != v.SRPB {
				t.Fatalf("SRP_B = %s; want %s", EncodeHex(pubB), v.SRPB)
			}
			a, err := DecodeHex(v.SRPA)
			if err != nil {
				t.Fatal(err)
			}
			secret, _ := base64.StdEncoding.DecodeString(v.SecretBlock)
			sig, _ := base64.StdEncoding.DecodeString(v.Signature)
			p := VerifyParams{
				PoolName: PoolName(v.UserPoolID), UserIDForSRP: v.UserIDForSRP,
				Verifier: verifier, A: a, B: pubB, SmallB: b,
				SecretBlock: secret, Timestamp: v.Timestamp, Signature: sig,
			}
			if ok, err := Verify(p); !ok || err != nil {
				t.Fatalf("Verify = %v, %v; want true, nil", ok, err)
			}
			// The same transcript under another password must fail.
			_, other, _ := NewVerifier(PoolName(v.UserPoolID), v.UserIDForSRP, v.Password+"!", bytes.NewReader(salt))
			p.Verifier = other
			if ok, err := Verify(p); ok || err != nil {
				t.Fatalf("Verify with another password's verifier = %v, %v; want false, nil", ok, err)
			}
		})
	}
}
