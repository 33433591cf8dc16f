package model

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGeneratedClasses proves every class the validators use accepts exactly
// what its regexp accepts: on each range's edges and neighbours, on invalid
// UTF-8, and on random strings drawn from the class and around it.
func TestGeneratedClasses(t *testing.T) {
	if len(generatedClasses) == 0 {
		t.Fatal("the generator produced no class: the access token's pattern at least should be one")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, gc := range generatedClasses {
		re := regexp.MustCompile(gc.pattern)
		check := func(s string) {
			t.Helper()
			if got, want := gc.class.matches(s), re.MatchString(s); got != want {
				t.Fatalf("%s: matches(%q) = %t, regexp %s says %t", gc.name, s, got, gc.pattern, want)
			}
		}
		var probes []rune
		for r := rune(0); r < 256; r++ {
			probes = append(probes, r)
		}
		for i := 0; i+1 < len(gc.class.ranges); i += 2 {
			lo, hi := gc.class.ranges[i], gc.class.ranges[i+1]
			probes = append(probes, lo-1, lo, lo+1, hi-1, hi, hi+1)
		}
		probes = append(probes, 0xFFFD, 0x10FFFF, 0xD800, 0x2028, 0x1F600)
		check("")
		for _, r := range probes {
			s := string(r)
			check(s)
			check(s + s)
			check("a" + s)
			check(s + "0")
		}
		for _, bad := range []string{"\xff", "a\xffb", "\xc3", "\xe2\x82", "\xed\xa0\x80"} {
			check(bad)
		}
		for range 2000 {
			var b strings.Builder
			for range rng.IntN(12) {
				r := probes[rng.IntN(len(probes))]
				if rng.IntN(4) == 0 {
					r = rune(rng.IntN(utf8.MaxRune + 1))
				}
				b.WriteRune(r)
			}
			check(b.String())
		}
	}
}

// BenchmarkAccessTokenPattern: the check every authenticated call makes on
// a token of a typical length.
func BenchmarkAccessTokenPattern(b *testing.B) {
	tok := strings.Repeat("eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.", 28)
	for b.Loop() {
		if !classTokenModelType.matches(tok) {
			b.Fatal("no match")
		}
	}
}
