package main

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestEveryModelPatternTranslates(t *testing.T) {
	m, err := loadModel(committedModel)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range m.Shapes {
		if s.Pattern == "" {
			continue
		}
		n++
		if _, err := translatePattern(s.Pattern); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if n == 0 {
		t.Fatal("no patterns found")
	}
}

func TestTranslatePattern(t *testing.T) {
	tests := []struct {
		java        string
		match, miss []string
	}{
		// Java's \s includes the vertical tab; RE2's does not.
		{`[\w\s+=,.@-]+`, []string{"my pool", "a\x0bb", "a\tb"}, []string{"a/b", ""}},
		{`[\S]+`, []string{"p@ss", "é"}, []string{"a b", "a\x0bb", ""}},
		{`[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`, []string{"", "a\x0b*"}, []string{"\x00"}},
		// Java's '.' stops at every line terminator, not only \n.
		{`.*\{####\}.*`, []string{"code {####}", "{####} ok"}, []string{"code\r{####}", "a\u2028{####}", "\n{####}", "code"}},
		{`(?s).*`, []string{"", "a\r\n\u2028b"}, nil},
		{`[A-Za-z0-9-_=.]+`, []string{"eyJ.a-b_c=", "-"}, []string{"", "a b", "a+b"}},
		{`^[0-9a-fA-F]+$`, []string{"abc0"}, []string{"abc\n", "xyz"}},
		{`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`, []string{"Google", "abc"}, []string{"_ab", "ab", "a b c"}},
		{`[\x21\x23-\x5B\x5D-\x7E]+`, []string{"openid", "a/b"}, []string{`a"b`, `a\b`, "a b"}},
		// The known translation of the lookbehind.
		{`^[0-9A-Za-z\.\-_]*(?<!\.)$`, []string{"", "bucket", "my.bucket-1_", "a.b"}, []string{".", "bucket.", "a b"}},
	}
	for _, tt := range tests {
		re2, err := translatePattern(tt.java)
		if err != nil {
			t.Errorf("%s: %v", tt.java, err)
			continue
		}
		re := regexp.MustCompile(anchor(re2))
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%s (RE2 %s) should match %q", tt.java, re2, s)
			}
		}
		for _, s := range tt.miss {
			if re.MatchString(s) {
				t.Errorf("%s (RE2 %s) should not match %q", tt.java, re2, s)
			}
		}
	}
}

// The lookbehind translation against a direct implementation of its meaning.
func TestLookbehindTranslationExhaustively(t *testing.T) {
	re := regexp.MustCompile(anchor(knownTranslations[`^[0-9A-Za-z\.\-_]*(?<!\.)$`]))
	allowed := func(s string) bool {
		for _, c := range s {
			if !strings.ContainsRune("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_", c) {
				return false
			}
		}
		return !strings.HasSuffix(s, ".")
	}
	alphabet := []rune("a.-_Z9 /é")
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]rune, r.IntN(6))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		if re.MatchString(s) != allowed(s) {
			t.Fatalf("%q: RE2 %v, meaning %v", s, re.MatchString(s), allowed(s))
		}
	}
}

func TestTranslateRejects(t *testing.T) {
	for _, p := range []string{
		`(?<=a)b`,     // lookbehind without a reviewed translation
		`a(?=b)`,      // lookahead
		`(?i)abc`,     // flags other than a leading (?s)
		`[a-z&&[^e]]`, // class intersection
		`[a[bc]]`,     // nested class
		`[a\S]`,       // \S inside a larger class
		`\Qa.b\E`,     // quoting
		`\v`,          // Java's vertical-whitespace class
		`[abc`,        // unterminated
	} {
		if got, err := translatePattern(p); err == nil {
			t.Errorf("%s: translated to %s, want an error", p, got)
		}
	}
}
