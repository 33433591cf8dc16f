package model

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValidationError lists the violations of the model's constraints found in a
// request, each worded as AWS words it:
//
//	Value '<value>' at '<path>' failed to satisfy constraint: Member must ...
//
// with "Value at" for sensitive members (the value is never shown) and
// "Value null at" for a missing required member.
type ValidationError struct {
	Violations []string
	// Omitted counts the violations found past MaxMessageBytes, which the
	// message counts but does not list.
	Omitted int
}

// Error formats the violations as AWS's message: "1 validation error
// detected: <v>" or "N validation errors detected: <v1>; <v2>; ...". When
// some were omitted (a request with tens of thousands of bad list
// elements), N counts them all and the list ends "; ... (K more)".
func (e *ValidationError) Error() string {
	n := len(e.Violations) + e.Omitted
	var s string
	if n == 1 {
		s = "1 validation error detected: " + strings.Join(e.Violations, "; ")
	} else {
		s = strconv.Itoa(n) + " validation errors detected: " + strings.Join(e.Violations, "; ")
	}
	if e.Omitted > 0 {
		s += "; ... (" + strconv.Itoa(e.Omitted) + " more)"
	}
	return s
}

// Bounds on validation messages. As far as anyone has recorded, AWS echoes a
// member's value whole: Cognito quoted a ListUsers Filter of about 260
// characters in full (aws/aws-aspnet-cognito-identity-provider#247), and
// CloudFormation, whose messages come from the same Java framework, quoted a
// templateBody over its 51,200-byte limit (mbailey/bash-my-aws#100). How AWS
// treats a value of a megabyte, or a list of 80,000 bad elements, is not
// recorded. Both caps are therefore Cognate's choice (inferred), set above
// every recorded whole echo so that none of those changes, and low enough
// that a 1 MiB request cannot make a multi-megabyte answer. The
// x-amzn-ErrorMessage header is cut much shorter (internal/api).
const (
	// MaxEchoedValue is how many bytes of a value a violation quotes; a
	// longer value is cut at a character boundary and ends in "...".
	MaxEchoedValue = 64 << 10
	// MaxMessageBytes bounds the violations listed in one message; the
	// ones found after it are counted, not listed.
	MaxMessageBytes = 256 << 10
)

// clip cuts s to MaxEchoedValue bytes, at a UTF-8 character boundary, and
// marks the cut with "...".
func clip(s string) string {
	if len(s) <= MaxEchoedValue {
		return s
	}
	i := MaxEchoedValue
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// APIError returns the error as Cognito sends it: an
// InvalidParameterException (not the ValidationException other AWS services
// use) carrying the same message.
func (e *ValidationError) APIError() *Error {
	return &Error{Type: InvalidParameterException, Message: e.Error()}
}

// As lets errors.As(err, &apiErr) with apiErr *Error see a validation error as
// the InvalidParameterException it is sent as.
func (e *ValidationError) As(target any) bool {
	if p, ok := target.(**Error); ok {
		*p = e.APIError()
		return true
	}
	return false
}

// path is the location of a structure, or of a list element, inside the
// request, linked to its parent. Validators build it on the stack and only
// format it when they report a violation, so a valid request costs no
// allocation.
type path struct {
	parent *path
	name   string // lowerCamelCase member name
	index  int    // 1-based list index, rendered "<name>.<index>.member"; 0 for a member
	sens   bool   // an enclosing member, list or structure is sensitive
}

func (p *path) sensitive() bool { return p != nil && p.sens }

func appendPath(b []byte, p *path) []byte {
	if p == nil {
		return b
	}
	b = appendPath(b, p.parent)
	if len(b) > 0 {
		b = append(b, '.')
	}
	b = append(b, p.name...)
	if p.index > 0 {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(p.index), 10)
		b = append(b, ".member"...)
	}
	return b
}

// violations collects messages; it allocates only on the first violation.
// Past MaxMessageBytes it only counts them.
type violations struct {
	list    []string
	size    int // bytes in list
	omitted int
}

// full reports whether the message has no room left, counting the
// violation about to be reported as omitted.
func (v *violations) full() bool {
	if v.size < MaxMessageBytes {
		return false
	}
	v.omitted++
	return true
}

func (v *violations) push(s string) {
	v.list = append(v.list, s)
	v.size += len(s) + 2
}

func (v *violations) at(p *path, name string) string {
	b := appendPath(make([]byte, 0, 64), p)
	if len(b) > 0 {
		b = append(b, '.')
	}
	return string(append(b, name...))
}

// null reports a required member that is absent (or JSON null).
func (v *violations) null(p *path, name string, sens bool) {
	if v.full() {
		return
	}
	prefix := "Value null at '"
	if sens {
		prefix = "Value at '"
	}
	v.push(prefix + v.at(p, name) + "' failed to satisfy constraint: Member must not be null")
}

// add reports that member name under p, whose value renders as value, fails
// constraint. The value is left out when the member is sensitive, and cut
// to MaxEchoedValue bytes otherwise.
func (v *violations) add(p *path, name string, sens bool, value, constraint string) {
	if v.full() {
		return
	}
	var s string
	if sens {
		s = "Value at '" + v.at(p, name) + "' failed to satisfy constraint: " + constraint
	} else {
		s = "Value '" + clip(value) + "' at '" + v.at(p, name) + "' failed to satisfy constraint: " + constraint
	}
	v.push(s)
}

func (v *violations) err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.list, Omitted: v.omitted}
}

// utf16Len is the length of s as Java counts it (UTF-16 code units), which is
// what the model's min and max mean.
func utf16Len(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				n++
				if r > 0xFFFF {
					n++
				}
			}
			return n
		}
	}
	return n
}

// absentDocument reports whether a document member is absent: missing, or JSON null.
func absentDocument(m json.RawMessage) bool { return m == nil || string(m) == "null" }

// The render functions print values the way the Java service does in its
// messages (String.valueOf, List.toString, Map.toString).

func renderString(s string) string { return s }

func renderInt64(n int64) string { return strconv.FormatInt(n, 10) }

// renderBlob prints what Java prints for the ByteBuffer holding a blob,
// e.g. "java.nio.HeapByteBuffer[pos=0 lim=7843602 cap=7843602]".
func renderBlob(b []byte) string {
	n := strconv.Itoa(len(b))
	return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]"
}

// renderList and renderMap stop once the text is longer than add will
// quote (MaxEchoedValue), so that a list of a megabyte is not printed whole
// to be cut.
func renderList[E any](l []E, f func(E) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range l {
		if b.Len() > MaxEchoedValue {
			return b.String()
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f(e))
	}
	b.WriteByte(']')
	return b.String()
}

// renderMap prints {k1=v1, k2=v2}. Java prints a HashMap in hash order; keys
// are sorted here so that the message is at least deterministic.
func renderMap[V any](m map[string]V, f func(V) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if b.Len() > MaxEchoedValue {
			return b.String()
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(f(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// charClass is a model pattern of the form ^[class]+$ or ^[class]*$ (see
// tools/apigen), checked without the regexp engine. Runes are decoded as
// regexp decodes them, an invalid byte being U+FFFD, so both accept the
// same strings.
type charClass struct {
	plus   bool      // at least one rune
	ascii  [2]uint64 // bit r set: rune r < 128 is in the class
	ranges []rune    // members from 128 up, as sorted lo, hi pairs
}

func (c *charClass) matches(s string) bool {
	if s == "" {
		return !c.plus
	}
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if c.ascii[b>>6]&(1<<(b&63)) == 0 {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !c.hasWide(r) {
			return false
		}
		i += n
	}
	return true
}

// hasWide reports whether a rune of 128 or more is in the class.
func (c *charClass) hasWide(r rune) bool {
	lo, hi := 0, len(c.ranges)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.ranges[2*m+1] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(c.ranges)/2 && c.ranges[2*lo] <= r
}
