package password

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

func ptr[T any](v T) *T { return &v }

func policy(min int32, upper, lower, numbers, symbols bool) *model.PasswordPolicyType {
	return &model.PasswordPolicyType{
		MinimumLength:    ptr(min),
		RequireUppercase: ptr(upper),
		RequireLowercase: ptr(lower),
		RequireNumbers:   ptr(numbers),
		RequireSymbols:   ptr(symbols),
	}
}

func TestCheck(t *testing.T) {
	all := policy(8, true, true, true, true)
	none := policy(6, false, false, false, false)
	const p = "Password did not conform with policy: "
	cases := []struct {
		name     string
		policy   *model.PasswordPolicyType
		password string
		want     string // message; "" means accepted
	}{
		{"conforming", all, "Passw0rd!", ""},
		{"nil policy is Cognito's default", nil, "Passw0rd!", ""},
		{"nil policy requires 8", nil, "Pa0rd!x", p + ReasonLength},
		{"nil policy requires symbols", nil, "Passw0rdx", p + ReasonSymbol},

		// Recorded against a real pool requiring all four classes and 8.
		{"recorded 12345678", all, "12345678", p + ReasonLowercase},
		{"recorded 12345678a", all, "12345678a", p + ReasonUppercase},
		{"recorded 12345678aB", all, "12345678aB", p + ReasonSymbol},
		{"recorded TestTest", all, "TestTest", p + ReasonNumeric},
		{"recorded T#st123", all, "T#st123", p + ReasonLength},
		{"recorded PASSSWORD@1", all, "PASSSWORD@1", p + ReasonLowercase},
		{"recorded password@1", all, "password@1", p + ReasonUppercase},
		{"recorded Password@", all, "Password@", p + ReasonNumeric},
		{"recorded Password1", all, "Password1", p + ReasonSymbol},

		{"length before every class", all, "abc", p + ReasonLength},
		{"lowercase before uppercase", all, "!!!!!!!!", p + ReasonLowercase},
		{"uppercase before numeric", all, "abcdefgh", p + ReasonUppercase},
		{"numeric before symbol", all, "Abcdefgh", p + ReasonNumeric},
		{"exactly the minimum", all, "Pa0rd!xy", ""},
		{"classes not required", none, "aaaaaa", ""},
		{"only symbols", none, "!!!!!!", ""},
		{"minimum length 99", policy(99, false, false, false, false), strings.Repeat("a", 98), p + ReasonLength},

		{"every symbol counts", policy(6, false, false, false, true), "aaaaa" + "^", ""},
		{"inner space is a symbol", policy(6, false, false, false, true), "abc def", ""},
		{"tab is not a symbol", policy(6, false, false, false, true), "abc\tdef", p + ReasonSymbol},
		{"non-ASCII punctuation is not a symbol", policy(6, false, false, false, true), "abc§def", p + ReasonSymbol},
		{"non-ASCII letters are not letters", policy(6, true, true, false, false), "ÄÖÜäöü", p + ReasonLowercase},
		{"non-ASCII digits are not numbers", policy(6, false, false, true, false), "abc٣٤٥", p + ReasonNumeric},

		{"leading space", all, " Passw0rd!", p + ReasonPattern},
		{"trailing space", all, "Passw0rd! ", p + ReasonPattern},
		{"trailing vertical tab", all, "Passw0rd!\v", p + ReasonPattern},
		{"inner newline", all, "Pass\nw0rd!", p + ReasonPattern},
		{"inner line separator", all, "Pass\u2028w0rd!", p + ReasonPattern},
		{"no-break space at the edge is not Java whitespace", policy(6, false, false, false, false), "\u00a0abcdef", ""},
		{"single character", none, "a", p + ReasonPattern},
		{"empty", none, "", p + ReasonPattern},
		{"pattern before length", all, " a", p + ReasonPattern},

		// Length is in UTF-16 code units: each emoji counts twice.
		{"astral characters count twice", policy(8, false, false, false, false), "🔑🔑🔑🔑", ""},
		{"BMP characters count once", policy(8, false, false, false, false), "ééééééé", p + ReasonLength},

		{"unset minimum means 8", &model.PasswordPolicyType{}, "abcdefg", p + ReasonLength},
		{"unset requirements mean false", &model.PasswordPolicyType{MinimumLength: ptr(int32(6))}, "abcdef", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.policy, c.password)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v; want nil", c.password, err)
				}
				return
			}
			var me *model.Error
			if !errors.As(err, &me) || me.Type != model.InvalidPasswordException || me.Message != c.want {
				t.Fatalf("Check(%q) = %v; want InvalidPasswordException: %s", c.password, err, c.want)
			}
		})
	}
}

func TestWording(t *testing.T) {
	cases := []struct {
		name    string
		wording Wording
		want    string
	}{
		{"sign-up", DidNotConform, "Password did not conform with policy: Password not long enough"},
		{"admin create user", DidNotConformPasswordPolicy, "Password did not conform with password policy: Password not long enough"},
		{"reset and new-password challenge", DoesNotConform, "Password does not conform to policy: Password not long enough"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.wording.Check(nil, "Pa0rd!")
			var me *model.Error
			if !errors.As(err, &me) || me.Type != model.InvalidPasswordException || me.Message != c.want {
				t.Fatalf("Check = %v; want InvalidPasswordException: %s", err, c.want)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	cases := []struct {
		name    string
		policy  *model.PasswordPolicyType
		wantLen int
	}{
		{"default policy", nil, 12},
		{"all classes, minimum 6", policy(6, true, true, true, true), 12},
		{"nothing required", policy(6, false, false, false, false), 12},
		{"symbols only, minimum 20", policy(20, false, false, false, true), 20},
		{"minimum 99", policy(99, true, true, true, true), 99},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 200 {
				pw, err := Generate(c.policy, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(pw) != c.wantLen {
					t.Fatalf("Generate = %q (%d characters); want %d", pw, len(pw), c.wantLen)
				}
				// Every generated password must pass the strictest policy
				// of its length, not just the one asked for.
				if err := Check(policy(int32(c.wantLen), true, true, true, true), pw); err != nil {
					t.Fatalf("Generate = %q fails the full policy: %v", pw, err)
				}
				if strings.Contains(pw, " ") {
					t.Fatalf("Generate = %q contains a space", pw)
				}
				seen[pw] = true
			}
			if len(seen) < 200 {
				t.Fatalf("200 generated passwords have only %d distinct values", len(seen))
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	cases := []struct {
		name   string
		policy *model.PasswordPolicyType
		rnd    *bytes.Reader
	}{
		{"randomness runs out", nil, bytes.NewReader(make([]byte, 10))},
		{"unsatisfiable minimum", policy(257, false, false, false, false), bytes.NewReader(nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if pw, err := Generate(c.policy, c.rnd); err == nil {
				t.Fatalf("Generate = %q, nil; want an error", pw)
			}
		})
	}
}

func TestUniformRejectsBiasedDraws(t *testing.T) {
	// For n = 3 the largest multiple of 3 below 2^32 is 0xFFFFFFFF, so that
	// draw would favour 0 if taken modulo; it must be thrown away.
	cases := []struct {
		name     string
		n        int
		input    []byte
		want     int
		consumed int
	}{
		{"value in range", 3, []byte{0, 0, 0, 5}, 2, 4},
		{"biased draw rejected", 3, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5}, 2, 8},
		{"power of two never rejects", 4, []byte{0xff, 0xff, 0xff, 0xff}, 3, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := bytes.NewReader(c.input)
			got, err := uniform(r, c.n)
			if err != nil || got != c.want {
				t.Fatalf("uniform = %d, %v; want %d", got, err, c.want)
			}
			if n := len(c.input) - r.Len(); n != c.consumed {
				t.Fatalf("consumed %d bytes; want %d", n, c.consumed)
			}
		})
	}
}
