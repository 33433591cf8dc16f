package message

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestNewCode(t *testing.T) {
	six := regexp.MustCompile(`^[0-9]{6}$`)
	tests := []struct {
		name string
		rnd  []byte
		want string
	}{
		{"zero keeps leading zeros", u32(0), "000000"},
		{"modulo", u32(1_234_567), "234567"},
		{"largest accepted value", u32(4_293_999_999), "999999"},
		// 4294000000 and above would bias the low codes: skipped.
		{"rejected then accepted", append(u32(4_294_000_000), u32(42)...), "000042"},
		{"max uint32 rejected", append(u32(0xffffffff), u32(39126)...), "039126"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewCode(bytes.NewReader(tc.rnd))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !six.MatchString(got) {
				t.Fatalf("NewCode = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := NewCode(bytes.NewReader(nil)); err == nil {
		t.Fatal("NewCode with no randomness: no error")
	}
	// Spread: with crypto/rand, 2000 codes cover every first digit.
	first := map[byte]int{}
	for range 2000 {
		c, err := NewCode(rand.Reader)
		if err != nil || !six.MatchString(c) {
			t.Fatalf("NewCode = %q, %v", c, err)
		}
		first[c[0]]++
	}
	if len(first) != 10 {
		t.Fatalf("first digits seen: %v", first)
	}
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func TestHashCode(t *testing.T) {
	h := HashCode("123456")
	if !strings.HasPrefix(h, "sha256-salted$") || strings.Contains(h, "123456") {
		t.Fatalf("HashCode = %q", h)
	}
	if h2 := HashCode("123456"); h2 == h {
		t.Fatal("two hashes of one code are equal: no salt")
	}
	parts := strings.Split(h, "$")
	tests := []struct {
		name string
		hash string
		code string
		want bool
	}{
		{"right code", h, "123456", true},
		{"wrong code", h, "123457", false},
		{"empty code", h, "", false},
		{"code with a space", h, "123456 ", false},
		{"other scheme", "sha1$" + parts[1] + "$" + parts[2], "123456", false},
		{"missing part", parts[0] + "$" + parts[1], "123456", false},
		{"bad base64", parts[0] + "$" + parts[1] + "$!!", "123456", false},
		{"truncated digest", parts[0] + "$" + parts[1] + "$" + parts[2][:10], "123456", false},
		{"other salt", parts[0] + "$AAAAAAAAAAAAAAAAAAAAAA$" + parts[2], "123456", false},
		{"empty hash", "", "123456", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckCode(tc.hash, tc.code); got != tc.want {
				t.Fatalf("CheckCode(%q, %q) = %v, want %v", tc.hash, tc.code, got, tc.want)
			}
		})
	}
}

func TestNewIDIsTimeOrderedUUIDv7(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	base := time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	// Same millisecond many times (a fixed test clock), then later ones,
	// then an earlier one (another test's clock): always increasing.
	times := []time.Time{base, base, base, base.Add(time.Millisecond), base.Add(time.Hour), base}
	for range 5000 {
		times = append(times, base.Add(time.Hour))
	}
	for _, at := range times {
		id, err := NewID(at, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(id) {
			t.Fatalf("NewID = %q: not a UUIDv7", id)
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids made one after another do not sort in that order")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
	// The timestamp is the time given when it is later than every id made
	// before in this process (other tests included).
	idState.Lock()
	later := time.UnixMilli(idState.ms).Add(time.Hour).UTC()
	idState.Unlock()
	id, _ := NewID(later, rand.Reader)
	hexms := strings.ReplaceAll(id, "-", "")[:12]
	var ms int64
	for _, c := range hexms {
		ms = ms*16 + int64(strings.IndexRune("0123456789abcdef", c))
	}
	if ms != later.UnixMilli() {
		t.Fatalf("id %s carries %d ms, want %d", id, ms, later.UnixMilli())
	}
	if _, err := NewID(later, bytes.NewReader(nil)); err == nil {
		t.Fatal("NewID with no randomness: no error")
	}
}
