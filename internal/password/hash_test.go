package password

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/api/model"
)

// Vectors from the reference C implementation (libargon2 20171227,
// argon2id_hash_encoded), so PHC strings made elsewhere — a user-migration
// import, say — verify here and ours verify there.
var referenceVectors = []struct {
	name, password, phc string
}{
	{"ascii m=64", "correct horse battery staple", "$argon2id$v=19$m=64,t=2,p=1$Y29nbmF0ZS12ZWN0b3ItMQ$o8SBuHH2r7BYiIF+gFI6aFNtFBoNfOsQupONw1/J3Dg"},
	{"utf-8 two lanes", "pässwörd 🔑", "$argon2id$v=19$m=256,t=1,p=2$MDEyMzQ1Njc4OWFiY2RlZg$yVSfwZZuptokeMaKd1BYD6FxG4hi+XkokpwXrqMOrj4"},
	{"strong profile", "Passw0rd!", "$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$p/BjyCO766QzZQap06RDV5aYSAMU8gPcmtWoB0XXLwk"},
}

func TestVerifyReferenceVectors(t *testing.T) {
	h := New(Fast, 2)
	for _, v := range referenceVectors {
		t.Run(v.name, func(t *testing.T) {
			ok, err := h.Verify(t.Context(), v.phc, v.password)
			if err != nil || !ok {
				t.Fatalf("Verify(right password) = %v, %v; want true, nil", ok, err)
			}
			ok, err = h.Verify(t.Context(), v.phc, v.password+"x")
			if err != nil || ok {
				t.Fatalf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestHashRoundTrip(t *testing.T) {
	h := New(Fast, 0)
	cases := []struct {
		name, password, attempt string
		want                    bool
	}{
		{"same password", "Passw0rd!", "Passw0rd!", true},
		{"other password", "Passw0rd!", "Passw0rd?", false},
		{"case matters", "Passw0rd!", "passw0rd!", false},
		{"prefix is not enough", "Passw0rd!", "Passw0rd", false},
		{"empty", "", "", true},
		{"empty attempt", "Passw0rd!", "", false},
		{"unicode", "Ünïcödé 密码 🔑", "Ünïcödé 密码 🔑", true},
		{"256 characters", strings.Repeat("aB3$", 64), strings.Repeat("aB3$", 64), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			phc, err := h.Hash(t.Context(), c.password)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := h.Verify(t.Context(), phc, c.attempt)
			if err != nil || ok != c.want {
				t.Fatalf("Verify = %v, %v; want %v, nil", ok, err, c.want)
			}
		})
	}
}

func TestHashFormat(t *testing.T) {
	cases := []struct {
		name   string
		params Params
		prefix string
	}{
		{"fast", Fast, "$argon2id$v=19$m=64,t=1,p=1$"},
		{"strong", Strong, "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"custom", Params{Memory: 128, Time: 3, Threads: 2}, "$argon2id$v=19$m=128,t=3,p=2$"},
	}
	// 16-byte salt → 22 characters, 32-byte key → 43, unpadded standard base64.
	tail := regexp.MustCompile(`^[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(c.params, 1)
			a, err := h.Hash(t.Context(), "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := h.Hash(t.Context(), "Passw0rd!")
			rest, ok := strings.CutPrefix(a, c.prefix)
			if !ok || !tail.MatchString(rest) {
				t.Fatalf("Hash = %q; want %s<salt>$<hash>", a, c.prefix)
			}
			if a == b {
				t.Fatal("two hashes of one password are equal: the salt is not random")
			}
			if h.NeedsRehash(a) {
				t.Fatal("NeedsRehash of a fresh hash = true")
			}
		})
	}
}

func TestVerifyRejectsMalformedAndHostile(t *testing.T) {
	h := New(Fast, 1)
	good := referenceVectors[0].phc
	cases := []struct {
		name, phc string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"version 16", strings.Replace(good, "v=19", "v=16", 1)},
		{"missing field", strings.TrimSuffix(good, "$o8SBuHH2r7BYiIF+gFI6aFNtFBoNfOsQupONw1/J3Dg")},
		{"extra field", good + "$x"},
		{"parameters reordered", strings.Replace(good, "m=64,t=2,p=1", "t=2,m=64,p=1", 1)},
		{"memory over 1 GiB", strings.Replace(good, "m=64", "m=1048577", 1)},
		{"memory overflows uint32", strings.Replace(good, "m=64", "m=4294967296", 1)},
		{"time over 10", strings.Replace(good, "t=2", "t=11", 1)},
		{"threads over 16", strings.Replace(good, "p=1", "p=17", 1)},
		{"time zero", strings.Replace(good, "t=2", "t=0", 1)},
		{"threads zero", strings.Replace(good, "p=1", "p=0", 1)},
		{"memory below 8 per lane", strings.Replace(good, "m=64,t=2,p=1", "m=15,t=2,p=2", 1)},
		{"negative", strings.Replace(good, "t=2", "t=-2", 1)},
		{"salt not base64", strings.Replace(good, "Y29nbmF0ZS12ZWN0b3ItMQ", "Y29nbmF0ZS12ZWN0b3ItMQ!!", 1)},
		{"salt padded", strings.Replace(good, "Y29nbmF0ZS12ZWN0b3ItMQ", "Y29nbmF0ZS12ZWN0b3ItMQ==", 1)},
		{"salt too short", strings.Replace(good, "Y29nbmF0ZS12ZWN0b3ItMQ", "AAAA", 1)},
		{"hash too short", strings.Replace(good, "o8SBuHH2r7BYiIF+gFI6aFNtFBoNfOsQupONw1/J3Dg", "AAAAAAAA", 1)},
		{"too long", good + strings.Repeat("A", 300)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := h.Verify(t.Context(), c.phc, referenceVectors[0].password)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify = %v, %v; want false, ErrMalformedHash", ok, err)
			}
			if !h.NeedsRehash(c.phc) {
				t.Fatal("NeedsRehash of an unreadable hash = false")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	h := New(Params{Memory: 64, Time: 2, Threads: 1}, 1)
	cases := []struct {
		name, phc string
		want      bool
	}{
		{"same parameters", referenceVectors[0].phc, false},
		{"other memory", referenceVectors[1].phc, true},
		{"strong profile", referenceVectors[2].phc, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := h.NeedsRehash(c.phc); got != c.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, c.want)
			}
		})
	}
}

func TestVerifyDummy(t *testing.T) {
	h := New(Fast, 1)
	if err := h.VerifyDummy(t.Context(), "anything"); err != nil {
		t.Fatal(err)
	}
	// The dummy must cost a hash of the hasher's own parameters.
	d, err := decode(h.dummy)
	if err != nil || d.params != Fast {
		t.Fatalf("dummy hash %q decodes to %+v, %v; want parameters %+v", h.dummy, d.params, err, Fast)
	}
	if ok, _ := h.Verify(t.Context(), h.dummy, ""); ok {
		t.Fatal("the dummy hash matched a password")
	}
}

func TestConcurrencyBound(t *testing.T) {
	h := New(Fast, 1)
	h.sem <- struct{}{} // occupy the only slot

	t.Run("context ends while waiting", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, err := h.Hash(ctx, "x")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Hash = %v; want context.DeadlineExceeded", err)
		}
	})

	t.Run("context already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := h.Verify(ctx, referenceVectors[0].phc, "x"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Verify = %v; want context.Canceled", err)
		}
	})

	t.Run("queue full fails fast", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for range queueFactor {
			wg.Go(func() { h.Hash(ctx, "x") })
		}
		deadline := time.Now().Add(5 * time.Second)
		for h.waiting.Load() < queueFactor {
			if time.Now().After(deadline) {
				t.Fatalf("only %d waiters queued", h.waiting.Load())
			}
			time.Sleep(time.Millisecond)
		}
		_, err := h.Hash(t.Context(), "x")
		var me *model.Error
		if !errors.As(err, &me) || me.Type != model.TooManyRequestsException || me.Message != "Too many requests" {
			t.Fatalf("Hash with a full queue = %v; want TooManyRequestsException", err)
		}
		cancel()
		wg.Wait()
		if n := h.waiting.Load(); n != 0 {
			t.Fatalf("%d waiters left after cancellation", n)
		}
	})

	<-h.sem
	t.Run("slot free again", func(t *testing.T) {
		if _, err := h.Hash(t.Context(), "x"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestProductionProfileIsNotFast(t *testing.T) {
	// CI guard: the profile meant for deployments must stay at or above the
	// OWASP minimum, and must never be confused with the test profile.
	if Strong.Memory < 19456 || Strong.Time < 2 || Strong.Threads < 1 || Strong == Fast {
		t.Fatalf("Strong = %+v is below the OWASP minimum (m=19456, t=2, p=1)", Strong)
	}
}

func BenchmarkHashStrong(b *testing.B) { benchHash(b, Strong) }
func BenchmarkHashFast(b *testing.B)   { benchHash(b, Fast) }

func benchHash(b *testing.B, p Params) {
	h := New(p, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "Passw0rd!"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyStrong(b *testing.B) {
	h := New(Strong, 1)
	phc, err := h.Hash(context.Background(), "Passw0rd!")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := h.Verify(context.Background(), phc, "Passw0rd!"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
