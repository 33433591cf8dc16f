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
}

// Error formats the violations as AWS's message: "1 validation error
// detected: <v>" or "N validation errors detected: <v1>; <v2>; ...".
func (e *ValidationError) Error() string {
	if len(e.Violations) == 1 {
		return "1 validation error detected: " + e.Violations[0]
	}
	return strconv.Itoa(len(e.Violations)) + " validation errors detected: " + strings.Join(e.Violations, "; ")
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
type violations struct {
	list []string
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
	prefix := "Value null at '"
	if sens {
		prefix = "Value at '"
	}
	v.list = append(v.list, prefix+v.at(p, name)+"' failed to satisfy constraint: Member must not be null")
}

// add reports that member name under p, whose value renders as value, fails
// constraint. The value is left out when the member is sensitive.
func (v *violations) add(p *path, name string, sens bool, value, constraint string) {
	var s string
	if sens {
		s = "Value at '" + v.at(p, name) + "' failed to satisfy constraint: " + constraint
	} else {
		s = "Value '" + value + "' at '" + v.at(p, name) + "' failed to satisfy constraint: " + constraint
	}
	v.list = append(v.list, s)
}

func (v *violations) err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.list}
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

func renderList[E any](l []E, f func(E) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range l {
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
