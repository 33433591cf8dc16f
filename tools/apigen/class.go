package main

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// charClass is a pattern that is one character class repeated, ^[…]+$ or
// ^[…]*$ once anchored. Most of the model's patterns have this form, and the
// access token's is checked on every authenticated call: generated code
// checks them with a bitmap and a range table instead of the regexp engine,
// which was a fifth of GetUser's cost.
type charClass struct {
	ascii  [2]uint64 // bit r set: rune r < 128 is in the class
	ranges []rune    // members from 128 up, as sorted lo, hi pairs
	plus   bool      // at least one rune (+ rather than *)
}

// simpleClass recognises a pattern of that form. Anything else, or a class
// it does not understand, is left to the regexp engine.
func simpleClass(re2 string) (*charClass, bool) {
	re, err := syntax.Parse(anchor(re2), syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpConcat {
		subs := re.Sub
		for len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
			subs = subs[1:]
		}
		for len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
			subs = subs[:len(subs)-1]
		}
		if len(subs) != 1 {
			return nil, false
		}
		re = subs[0]
	} else {
		return nil, false // not anchored at both ends: cannot be ours
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	c := &charClass{}
	switch re.Op {
	case syntax.OpPlus:
		c.plus = true
	case syntax.OpStar:
	default:
		return nil, false
	}
	var pairs []rune
	switch sub := re.Sub[0]; sub.Op {
	case syntax.OpCharClass:
		pairs = sub.Rune
	case syntax.OpAnyChar:
		pairs = []rune{0, 0x10FFFF}
	case syntax.OpAnyCharNotNL:
		pairs = []rune{0, '\n' - 1, '\n' + 1, 0x10FFFF}
	case syntax.OpLiteral:
		if sub.Flags&syntax.FoldCase != 0 || len(sub.Rune) != 1 {
			return nil, false
		}
		pairs = []rune{sub.Rune[0], sub.Rune[0]}
	default:
		return nil, false
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		lo, hi := pairs[i], pairs[i+1]
		for r := lo; r <= hi && r < 128; r++ {
			c.ascii[r>>6] |= 1 << (r & 63)
		}
		if hi >= 128 {
			c.ranges = append(c.ranges, max(lo, 128), hi)
		}
	}
	return c, true
}

// literal is the class as a Go composite literal of model.charClass.
func (c *charClass) literal() string {
	var b strings.Builder
	fmt.Fprintf(&b, "charClass{plus: %t, ascii: [2]uint64{%#x, %#x}", c.plus, c.ascii[0], c.ascii[1])
	if len(c.ranges) > 0 {
		b.WriteString(", ranges: []rune{")
		for i := 0; i < len(c.ranges); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			if i%16 == 0 {
				b.WriteString("\n\t\t")
			}
			fmt.Fprintf(&b, "%#x, %#x", c.ranges[i], c.ranges[i+1])
		}
		b.WriteString(",\n\t}")
	}
	b.WriteString("}")
	return b.String()
}
