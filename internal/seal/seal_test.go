package seal

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

const (
	secretA = "correct horse battery staple, 32+ characters long"
	secretB = "another secret that is long enough to be accepted"
	secretC = "a third secret, also comfortably over the minimum"
)

func mustNew(t testing.TB, secrets ...string) *Keyring {
	t.Helper()
	k, err := New(secrets)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNew(t *testing.T) {
	cases := []struct {
		name    string
		secrets []string
		wantErr string
	}{
		{"one secret", []string{secretA}, ""},
		{"rotation list", []string{secretA, secretB, secretC}, ""},
		{"exactly 32 characters", []string{strings.Repeat("x", 32)}, ""},
		{"32 characters, not bytes", []string{strings.Repeat("é", 32)}, ""},
		{"none", nil, "no secret"},
		{"too short", []string{strings.Repeat("x", 31)}, "31 characters"},
		{"31 multibyte characters", []string{strings.Repeat("é", 31)}, "31 characters"},
		{"second too short", []string{secretA, "short"}, "secret 2"},
		{"duplicate", []string{secretA, secretB, secretA}, "secrets 1 and 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := New(c.secrets)
			if c.wantErr == "" {
				if err != nil || k == nil {
					t.Fatalf("New = %v, %v; want a keyring", k, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("New = %v; want an error mentioning %q", err, c.wantErr)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	k := mustNew(t, secretA, secretB)
	aad := []byte("pool=us-east-1_AbC123/user=alice/column=srp_verifier")
	cases := []struct {
		name      string
		plaintext []byte
		mutate    func(sealed []byte) []byte
		openAAD   []byte
		wantErr   bool
	}{
		{name: "round trip", plaintext: []byte("the verifier")},
		{name: "empty plaintext", plaintext: []byte{}},
		{name: "large plaintext", plaintext: bytes.Repeat([]byte{0xA5}, 64<<10)},
		{name: "wrong aad", plaintext: []byte("x"), openAAD: []byte("pool=us-east-1_AbC123/user=bob/column=srp_verifier"), wantErr: true},
		{name: "missing aad", plaintext: []byte("x"), openAAD: []byte{}, wantErr: true},
		{name: "tampered key id", plaintext: []byte("x"), mutate: flip(0), wantErr: true},
		{name: "tampered nonce", plaintext: []byte("x"), mutate: flip(idLen), wantErr: true},
		{name: "tampered ciphertext", plaintext: []byte("secret"), mutate: flip(idLen + nonceLen), wantErr: true},
		{name: "tampered tag", plaintext: []byte("x"), mutate: func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, wantErr: true},
		{name: "truncated", plaintext: []byte("x"), mutate: func(b []byte) []byte { return b[:len(b)-1] }, wantErr: true},
		{name: "shorter than overhead", plaintext: []byte("x"), mutate: func(b []byte) []byte { return b[:Overhead-1] }, wantErr: true},
		{name: "extended", plaintext: []byte("x"), mutate: func(b []byte) []byte { return append(b, 0) }, wantErr: true},
		{name: "empty", plaintext: []byte("x"), mutate: func([]byte) []byte { return nil }, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sealed := k.Seal(c.plaintext, aad)
			if len(sealed) != len(c.plaintext)+Overhead {
				t.Fatalf("sealed %d bytes into %d; want %d", len(c.plaintext), len(sealed), len(c.plaintext)+Overhead)
			}
			if len(c.plaintext) > 4 && bytes.Contains(sealed, c.plaintext) {
				t.Fatal("the sealed blob contains the plaintext")
			}
			if c.mutate != nil {
				sealed = c.mutate(sealed)
			}
			openAAD := aad
			if c.openAAD != nil {
				openAAD = c.openAAD
			}
			got, err := k.Open(sealed, openAAD)
			if c.wantErr {
				if !errors.Is(err, ErrOpen) || got != nil {
					t.Fatalf("Open = %q, %v; want nil, ErrOpen", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.plaintext) {
				t.Fatalf("Open = %q, %v; want %q", got, err, c.plaintext)
			}
		})
	}
}

func flip(i int) func([]byte) []byte {
	return func(b []byte) []byte { b[i] ^= 1; return b }
}

func TestSealIsRandomized(t *testing.T) {
	k := mustNew(t, secretA)
	a, b := k.Seal([]byte("same"), nil), k.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: the nonce is not random")
	}
}

func TestRotation(t *testing.T) {
	old := mustNew(t, secretA)
	sealedOld := old.Seal([]byte("from before"), []byte("aad"))

	rotated := mustNew(t, secretB, secretA)
	sealedNew := rotated.Seal([]byte("from after"), []byte("aad"))

	cases := []struct {
		name    string
		ring    *Keyring
		sealed  []byte
		want    string
		wantErr bool
	}{
		{"rotated ring opens old blobs", rotated, sealedOld, "from before", false},
		{"rotated ring opens its own", rotated, sealedNew, "from after", false},
		{"old ring cannot open new blobs", old, sealedNew, "", true},
		{"retired key is gone", mustNew(t, secretB), sealedOld, "", true},
		{"unrelated ring", mustNew(t, secretC), sealedOld, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.ring.Open(c.sealed, []byte("aad"))
			if c.wantErr {
				if !errors.Is(err, ErrOpen) {
					t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("Open = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if !bytes.Equal(sealedNew[:idLen], rotated.keys[0].id[:]) || rotated.CurrentID() == old.CurrentID() {
		t.Fatal("the rotated ring does not seal with its first secret")
	}
}

func TestKeyDerivationIsStable(t *testing.T) {
	// The same secret must name the same key on every instance and after
	// every restart, or blobs sealed elsewhere could not be opened.
	a, b := mustNew(t, secretA), mustNew(t, secretA)
	if a.CurrentID() != b.CurrentID() {
		t.Fatalf("one secret gave key ids %s and %s", a.CurrentID(), b.CurrentID())
	}
	got, err := b.Open(a.Seal([]byte("x"), nil), nil)
	if err != nil || string(got) != "x" {
		t.Fatalf("Open across keyrings = %q, %v", got, err)
	}
}

func TestStringForms(t *testing.T) {
	k := mustNew(t, secretA)
	// Session travels as SessionType (20–2048 characters); the URL-safe form
	// must also satisfy the token-style pattern the other wire fields use.
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9\-_]+$`)
	std := regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)
	cases := []struct {
		name      string
		plaintext []byte
		seal      func([]byte, []byte) string
		open      func(string, []byte) ([]byte, error)
		pattern   *regexp.Regexp
	}{
		{"url-safe, empty", nil, k.SealString, k.OpenString, urlSafe},
		{"url-safe, max session", bytes.Repeat([]byte{0xff}, 1504), k.SealString, k.OpenString, urlSafe},
		{"standard, secret block", bytes.Repeat([]byte{0xfb}, 100), k.SealStdString, k.OpenStdString, std},
		{"standard, needs padding", []byte("x"), k.SealStdString, k.OpenStdString, std},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.seal(c.plaintext, []byte("aad"))
			if !c.pattern.MatchString(s) || len(s) < 20 || len(s) > 2048 {
				t.Fatalf("sealed string %q (%d characters) does not fit the wire", s, len(s))
			}
			got, err := c.open(s, []byte("aad"))
			if err != nil || !bytes.Equal(got, c.plaintext) {
				t.Fatalf("open = %q, %v; want %q", got, err, c.plaintext)
			}
			if _, err := c.open(s, []byte("other")); !errors.Is(err, ErrOpen) {
				t.Fatalf("open with other aad = %v; want ErrOpen", err)
			}
		})
	}
}

func TestOpenStringRejectsForeignEncodings(t *testing.T) {
	k := mustNew(t, secretA)
	blob := k.Seal([]byte("hello"), nil)
	url, std := k.SealString([]byte("hello"), nil), k.SealStdString([]byte("hello"), nil)
	cases := []struct {
		name string
		open func(string, []byte) ([]byte, error)
		in   string
	}{
		{"standard alphabet to OpenString", k.OpenString, std},
		{"padding to OpenString", k.OpenString, url + "="},
		{"url-safe to OpenStdString", k.OpenStdString, strings.NewReplacer("+", "-", "/", "_").Replace(std) + "-_"},
		{"unpadded to OpenStdString", k.OpenStdString, strings.TrimRight(std, "=") + "A"},
		{"whitespace", k.OpenString, url[:10] + " " + url[10:]},
		{"not base64", k.OpenString, "!!!!"},
		{"raw bytes", k.OpenString, string(blob)},
		{"empty", k.OpenString, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := c.open(c.in, nil); !errors.Is(err, ErrOpen) {
				t.Fatalf("open(%q) = %q, %v; want ErrOpen", c.in, got, err)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 43 || !regexp.MustCompile(`^[A-Za-z0-9\-_]{43}$`).MatchString(s) {
			t.Fatalf("Generate = %q; want 43 URL-safe characters", s)
		}
		if _, err := New([]string{s}); err != nil {
			t.Fatalf("New rejects a generated secret: %v", err)
		}
		seen[s] = true
	}
	if len(seen) != 100 {
		t.Fatalf("100 generated secrets have %d distinct values", len(seen))
	}
}

// FuzzOpen feeds Open and OpenString arbitrary input: no panic, and nothing
// opens except what the ring sealed. Seeds run under plain `go test`.
func FuzzOpen(f *testing.F) {
	k := mustNew(f, secretA, secretB)
	good := k.Seal([]byte("payload"), []byte("aad"))
	f.Add(good, []byte("aad"))
	f.Add(good[:Overhead], []byte("aad"))
	f.Add([]byte{}, []byte{})
	f.Add(append(append([]byte{}, good[:idLen]...), make([]byte, 40)...), []byte("aad"))
	f.Add(bytes.Repeat([]byte{0}, Overhead), []byte(nil))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		pt, err := k.Open(sealed, aad)
		// Seeds are sealed afresh in every fuzz worker, so compare what was
		// opened rather than the bytes: only a seal of "payload" under "aad"
		// can ever open.
		if err == nil && (string(pt) != "payload" || string(aad) != "aad") {
			t.Fatalf("Open accepted a blob it did not seal: %x", sealed)
		}
		if err != nil && !errors.Is(err, ErrOpen) {
			t.Fatalf("Open = %v; want ErrOpen", err)
		}
		k.OpenString(string(sealed), aad)
		k.OpenStdString(string(sealed), aad)
	})
}

func TestMAC(t *testing.T) {
	a, _ := New([]string{strings.Repeat("a", 32)})
	a2, _ := New([]string{strings.Repeat("a", 32), strings.Repeat("b", 32)})
	b, _ := New([]string{strings.Repeat("b", 32)})
	m := a.MAC([]byte("x"))
	if len(m) != 32 || !bytes.Equal(m, a.MAC([]byte("x"))) || !bytes.Equal(m, a2.MAC([]byte("x"))) {
		t.Errorf("MAC is not deterministic under the same current secret")
	}
	if bytes.Equal(m, b.MAC([]byte("x"))) || bytes.Equal(m, a.MAC([]byte("y"))) {
		t.Errorf("MAC ignores the secret or the data")
	}
}
