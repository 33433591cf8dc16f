package srp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"
)

const testTimestamp = "Thu Nov 26 2:04:05 UTC 2026"

// handshake runs NewVerifier, Begin and the test client, and returns the
// parameters Verify gets for an honest login with clientPassword.
func handshake(t testing.TB, poolName, userID, password, clientPassword string) VerifyParams {
	t.Helper()
	return handshakeWithSalt(t, nil, poolName, userID, password, clientPassword)
}

// handshakeWithSalt is handshake with the salt taken from saltRnd.
func handshakeWithSalt(t testing.TB, saltRnd io.Reader, poolName, userID, password, clientPassword string) VerifyParams {
	t.Helper()
	salt, verifier, err := NewVerifier(poolName, userID, password, saltRnd)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, poolName, userID, clientPassword)
	a, err := DecodeHex(c.srpA())
	if err != nil {
		t.Fatal(err)
	}
	b, pubB, err := Begin(verifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 64)
	rand.Read(secret)
	sig, err := c.sign(EncodeHex(salt), EncodeHex(pubB), secret, testTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	return VerifyParams{
		PoolName: poolName, UserIDForSRP: userID,
		Verifier: verifier,
		A:        a, B: pubB, SmallB: b,
		SecretBlock: secret, Timestamp: testTimestamp, Signature: sig,
	}
}

func TestRoundTrip(t *testing.T) {
	for i := range 200 {
		user := EncodeHex(randomBytes(8))
		password := "Pw-" + EncodeHex(randomBytes(6)) + "-ü🔑"
		p := handshake(t, "AbC123", user, password, password)
		ok, err := Verify(p)
		if err != nil || !ok {
			t.Fatalf("handshake %d (user %s): Verify = %v, %v; want true, nil", i, user, ok, err)
		}
	}
}

func TestSaltEncodings(t *testing.T) {
	// The client hashes pad(int(SALT)), so these salts are hashed in a form
	// other than their raw 16 bytes; each must still log in.
	cases := []struct {
		name string
		salt string
	}{
		{"leading zero byte", "00" + strings.Repeat("5a", 15)},
		{"two leading zero bytes", "0000" + strings.Repeat("5a", 14)},
		{"leading zero nibble", "0f" + strings.Repeat("5a", 15)},
		{"top bit set", "80" + strings.Repeat("5a", 15)},
		{"all ones", strings.Repeat("ff", 16)},
		{"all zeros", strings.Repeat("00", 16)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := hex.DecodeString(c.salt)
			p := handshakeWithSalt(t, bytes.NewReader(raw), "AbC123", "alice", "Passw0rd!", "Passw0rd!")
			ok, err := Verify(p)
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v; want true, nil", ok, err)
			}
		})
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(p *VerifyParams)
		wrong  bool // the client used a wrong password
	}{
		{name: "wrong password", wrong: true},
		{name: "timestamp", mutate: func(p *VerifyParams) { p.Timestamp = strings.Replace(p.Timestamp, "2:04", "2:05", 1) }},
		{name: "timestamp reformatted", mutate: func(p *VerifyParams) { p.Timestamp = strings.Replace(p.Timestamp, " 2:", " 02:", 1) }},
		{name: "secret block", mutate: func(p *VerifyParams) { p.SecretBlock[10] ^= 1 }},
		{name: "secret block truncated", mutate: func(p *VerifyParams) { p.SecretBlock = p.SecretBlock[:63] }},
		{name: "signature", mutate: func(p *VerifyParams) { p.Signature[0] ^= 0x80 }},
		{name: "signature truncated", mutate: func(p *VerifyParams) { p.Signature = p.Signature[:31] }},
		{name: "signature empty", mutate: func(p *VerifyParams) { p.Signature = nil }},
		{name: "pool name", mutate: func(p *VerifyParams) { p.PoolName = "AbC124" }},
		{name: "user id", mutate: func(p *VerifyParams) { p.UserIDForSRP += "x" }},
		{name: "other b", mutate: func(p *VerifyParams) { p.SmallB = randomBytes(32) }},
		{name: "verifier of another salt", mutate: func(p *VerifyParams) {
			_, p.Verifier, _ = NewVerifier(p.PoolName, p.UserIDForSRP, "Passw0rd!", nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clientPassword := "Passw0rd!"
			if c.wrong {
				clientPassword = "Passw0rd?"
			}
			p := handshake(t, "AbC123", "alice", "Passw0rd!", clientPassword)
			if c.mutate != nil {
				c.mutate(&p)
			}
			ok, err := Verify(p)
			if err != nil || ok {
				t.Fatalf("Verify = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestVerifyGuardRails(t *testing.T) {
	n := groupN.Bytes()
	twoN := new(big.Int).Lsh(groupN, 1).Bytes()
	cases := []struct {
		name   string
		mutate func(p *VerifyParams)
		want   error
	}{
		{"A is zero", func(p *VerifyParams) { p.A = nil }, ErrInvalidA},
		{"A is N", func(p *VerifyParams) { p.A = n }, ErrInvalidA},
		{"A is 2N", func(p *VerifyParams) { p.A = twoN }, ErrInvalidA},
		{"A is N with leading zeros", func(p *VerifyParams) { p.A = append([]byte{0, 0}, n...) }, ErrInvalidA},
		{"A too long", func(p *VerifyParams) { p.A = bytes.Repeat([]byte{1}, maxIntLen+1) }, ErrMalformed},
		{"B is zero", func(p *VerifyParams) { p.B = []byte{0} }, ErrMalformed},
		{"B is N", func(p *VerifyParams) { p.B = n }, ErrMalformed},
		{"verifier empty", func(p *VerifyParams) { p.Verifier = nil }, ErrMalformed},
		{"verifier is N", func(p *VerifyParams) { p.Verifier = n }, ErrMalformed},
		{"b empty", func(p *VerifyParams) { p.SmallB = nil }, ErrMalformed},
		{"b too long", func(p *VerifyParams) { p.SmallB = make([]byte, maxIntLen+1) }, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := handshake(t, "AbC123", "alice", "Passw0rd!", "Passw0rd!")
			c.mutate(&p)
			ok, err := Verify(p)
			if ok || !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, %v; want false, %v", ok, err, c.want)
			}
		})
	}
}

func TestBegin(t *testing.T) {
	_, verifier, err := NewVerifier("AbC123", "alice", "Passw0rd!", nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		verifier []byte
		rnd      func() *bytes.Reader
		wantErr  bool
	}{
		{"zero b is redrawn", verifier, func() *bytes.Reader {
			return bytes.NewReader(append(make([]byte, 32), bytes.Repeat([]byte{7}, 32)...))
		}, false},
		{"random source of zeros", verifier, func() *bytes.Reader { return bytes.NewReader(make([]byte, 32*beginAttempts)) }, true},
		{"random source runs dry", verifier, func() *bytes.Reader { return bytes.NewReader(make([]byte, 5)) }, true},
		{"zero verifier", []byte{0}, func() *bytes.Reader { return bytes.NewReader(randomBytes(32)) }, true},
		{"verifier not below N", groupN.Bytes(), func() *bytes.Reader { return bytes.NewReader(randomBytes(32)) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, pubB, err := Begin(c.verifier, c.rnd())
			if c.wantErr {
				if err == nil {
					t.Fatalf("Begin = %x, %x, nil; want an error", b, pubB)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, bytes.Repeat([]byte{7}, 32)) {
				t.Fatalf("b = %x; want the second draw", b)
			}
			// B = k·v + g^b mod N
			want := new(big.Int).Exp(groupG, new(big.Int).SetBytes(b), groupN)
			want.Add(want, new(big.Int).Mul(multiplierK, new(big.Int).SetBytes(c.verifier))).Mod(want, groupN)
			if new(big.Int).SetBytes(pubB).Cmp(want) != 0 {
				t.Fatalf("B = %x; want %x", pubB, want.Bytes())
			}
		})
	}
}

func TestPad(t *testing.T) {
	cases := []struct {
		name string
		in   string // hex integer
		want string // hex bytes
	}{
		{"zero", "0", "00"},
		{"small", "7f", "7f"},
		{"top bit set", "80", "0080"},
		{"two bytes", "100", "0100"},
		{"two bytes top bit", "ff01", "00ff01"},
		{"N", nHex, "00" + strings.ToLower(nHex)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, _ := new(big.Int).SetString(c.in, 16)
			if got := hex.EncodeToString(pad(x)); got != c.want {
				t.Fatalf("pad(0x%s) = %s; want %s", c.in, got, c.want)
			}
		})
	}
}

func TestMultiplier(t *testing.T) {
	// k as amazon-cognito-identity-js 6.3.21 computes it
	// (new AuthenticationHelper(…).k.toString(16)).
	const want = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
	if got := multiplierK.Text(16); got != want {
		t.Fatalf("k = %s; want %s", got, want)
	}
}

func TestDecodeHex(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    string // hex of the bytes
		wantErr bool
	}{
		{"even", "0abc", "0abc", false},
		{"odd length", "abc", "0abc", false},
		{"single digit", "5", "05", false},
		{"leading zero bytes dropped", "0000ff", "ff", false},
		{"leading zero digit", "0ff", "ff", false},
		{"uppercase", "ABCDEF", "abcdef", false},
		{"zero", "0", "", false},
		{"many zeros", "0000", "", false},
		{"max length", strings.Repeat("f", maxHexLen), strings.Repeat("f", maxHexLen), false},
		{"empty", "", "", true},
		{"too long", strings.Repeat("0", maxHexLen+1), "", true},
		{"0x prefix", "0xabc", "", true},
		{"minus", "-abc", "", true},
		{"plus", "+abc", "", true},
		{"space", "ab cd", "", true},
		{"trailing newline", "abcd\n", "", true},
		{"not hex", "abcg", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeHex(c.in)
			if c.wantErr {
				if err == nil || !errors.Is(err, ErrMalformed) {
					t.Fatalf("DecodeHex(%q) = %x, %v; want ErrMalformed", c.in, got, err)
				}
				return
			}
			if err != nil || hex.EncodeToString(got) != c.want {
				t.Fatalf("DecodeHex(%q) = %x, %v; want %s", c.in, got, err, c.want)
			}
		})
	}
}

func TestEncodeHex(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"salt with leading zero keeps its width", []byte{0, 1, 0xab}, "0001ab"},
		{"lowercase", []byte{0xAB, 0xCD}, "abcd"},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := EncodeHex(c.in); got != c.want {
				t.Fatalf("EncodeHex(%x) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"JS client, one-digit day", "Thu Nov 26 12:44:21 UTC 2026", time.Date(2026, 11, 26, 12, 44, 21, 0, time.UTC), false},
		{"JS client, day not padded", "Sun Mar 1 09:05:07 UTC 2026", time.Date(2026, 3, 1, 9, 5, 7, 0, time.UTC), false},
		{"zero-padded day", "Sun Mar 01 09:05:07 UTC 2026", time.Date(2026, 3, 1, 9, 5, 7, 0, time.UTC), false},
		{"ISO 8601", "2026-11-26T12:44:21Z", time.Time{}, true},
		{"empty", "", time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseTimestamp(c.in)
			if c.wantErr {
				if err == nil {
					t.Fatalf("ParseTimestamp(%q) = %v; want an error", c.in, got)
				}
				return
			}
			if err != nil || !got.Equal(c.want) {
				t.Fatalf("ParseTimestamp(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

func TestPoolName(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"region and name", "us-east-1_AbC123", "AbC123"},
		{"no underscore", "AbC123", ""},
		{"underscore in name", "eu-west-2_a_b", "a_b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PoolName(c.in); got != c.want {
				t.Fatalf("PoolName(%q) = %q; want %q", c.in, got, c.want)
			}
		})
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func BenchmarkNewVerifier(b *testing.B) {
	for b.Loop() {
		if _, _, err := NewVerifier("AbC123", "alice", "Passw0rd!", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandshakeServerSide is what the server spends on one SRP login:
// Begin at InitiateAuth, Verify at RespondToAuthChallenge.
func BenchmarkHandshakeServerSide(b *testing.B) {
	p := handshake(b, "AbC123", "alice", "Passw0rd!", "Passw0rd!")
	for b.Loop() {
		if _, _, err := Begin(p.Verifier, nil); err != nil {
			b.Fatal(err)
		}
		if ok, err := Verify(p); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
