package main

import (
	"fmt"
	"regexp"
	"strings"
)

// knownTranslations maps model patterns that RE2 cannot express to
// equivalent RE2 patterns. AWS validates with java.util.regex; Go's regexp has
// no lookaround, so each entry here is a hand proof, reviewed once:
//
//   - S3BucketType: "a run of [0-9A-Za-z.\-_] that does not end in a dot".
//     The empty string matches the original (the lookbehind sees nothing
//     before it), hence the optional group.
var knownTranslations = map[string]string{
	`^[0-9A-Za-z\.\-_]*(?<!\.)$`: `^(?:[0-9A-Za-z.\-_]*[0-9A-Za-z\-_])?$`,
}

// Java's predefined classes differ from RE2's in two places that these
// patterns use: \s also matches \x0B (vertical tab), and '.' outside DOTALL
// mode excludes every Java line terminator, not only \n.
const (
	javaSpaceInClass = `\t\n\x0B\f\r `
	javaDot          = `[^\n\r\x{85}\x{2028}\x{2029}]`
)

// translatePattern turns a Java pattern from the model into an RE2 pattern
// that accepts exactly the same strings under full-match semantics, and
// compiles it to prove it. It fails on any construct it does not understand
// rather than guessing.
func translatePattern(java string) (string, error) {
	re2, ok := knownTranslations[java]
	if !ok {
		var err error
		if re2, err = translateMechanically(java); err != nil {
			return "", fmt.Errorf("pattern %q: %w", java, err)
		}
	}
	if _, err := regexp.Compile(anchor(re2)); err != nil {
		return "", fmt.Errorf("pattern %q (as RE2 %q) does not compile: %w; add a reviewed entry to knownTranslations", java, re2, err)
	}
	return re2, nil
}

// anchor makes a pattern match the whole value, as Java's Matcher.matches does.
func anchor(re2 string) string { return `^(?:` + re2 + `)$` }

func translateMechanically(p string) (string, error) {
	var b strings.Builder
	dotAll := false
	if rest, ok := strings.CutPrefix(p, "(?s)"); ok {
		dotAll = true
		b.WriteString("(?s)")
		p = rest
	}
	inClass := false
	classStart := 0 // index in p just after '[' (or "[^")
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("trailing backslash")
			}
			e := p[i+1]
			switch {
			case e == 's':
				if inClass {
					b.WriteString(javaSpaceInClass)
				} else {
					b.WriteString("[" + javaSpaceInClass + "]")
				}
				i++
			case e == 'S':
				if inClass {
					// Only the whole class [\S] can be rewritten as a negation.
					if i != classStart || !strings.HasPrefix(p[i:], `\S]`) || p[classStart-1] != '[' {
						return "", fmt.Errorf(`\S inside a larger character class`)
					}
					// Replace the "[" already written with the negated class.
					s := b.String()
					b.Reset()
					b.WriteString(strings.TrimSuffix(s, "["))
					b.WriteString("[^" + javaSpaceInClass + "]")
					inClass = false
					i += 2
				} else {
					b.WriteString("[^" + javaSpaceInClass + "]")
					i++
				}
			case e == 'p' || e == 'P':
				end := strings.IndexByte(p[i:], '}')
				if i+2 >= len(p) || p[i+2] != '{' || end < 0 {
					return "", fmt.Errorf(`malformed \%c`, e)
				}
				b.WriteString(p[i : i+end+1])
				i += end
			case e == 'x':
				if i+3 >= len(p) || !isHex(p[i+2]) || !isHex(p[i+3]) {
					return "", fmt.Errorf(`only \xHH escapes are supported`)
				}
				b.WriteString(p[i : i+4])
				i += 3
			case strings.IndexByte("wWdDtnrf", e) >= 0:
				b.WriteString(p[i : i+2])
				i++
			case strings.IndexByte(`\.-{}[]()*+?|^$/`, e) >= 0:
				b.WriteString(p[i : i+2])
				i++
			default:
				return "", fmt.Errorf(`escape \%c has no known RE2 equivalent`, e)
			}
		case inClass:
			switch {
			case c == '[':
				return "", fmt.Errorf("nested character classes are Java-only")
			case c == '&' && i+1 < len(p) && p[i+1] == '&':
				return "", fmt.Errorf("class intersection is Java-only")
			case c == ']' && i > classStart:
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			classStart = i + 1
		case c == '(' && i+1 < len(p) && p[i+1] == '?':
			if !strings.HasPrefix(p[i:], "(?:") {
				return "", fmt.Errorf("group construct %q is not supported mechanically", p[i:min(i+4, len(p))])
			}
			b.WriteString("(?:")
			i += 2
		case c == '.' && !dotAll:
			b.WriteString(javaDot)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("unterminated character class")
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
