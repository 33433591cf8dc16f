package model

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Time is a timestamp as AWS JSON 1.1 carries it: a JSON number of seconds
// since the Unix epoch, with millisecond precision. It is a defined type rather
// than a struct embedding time.Time so that none of time.Time's own JSON, text
// or IsZero methods leak into encoding (omitzero would otherwise drop a
// non-nil *Time holding the zero instant).
type Time time.Time

// NewTime returns a pointer to t as a Time, for filling response structs.
func NewTime(t time.Time) *Time {
	mt := Time(t)
	return &mt
}

// Std returns t as a time.Time; the zero time when t is nil.
func (t *Time) Std() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Time(*t)
}

// MarshalJSON writes seconds with up to three decimals and no exponent:
// 1700000000.123, or 1700000000 on a whole second. Sub-millisecond digits are
// dropped (rounding towards the past), as AWS stores milliseconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return appendEpochMillis(nil, time.Time(t).UnixMilli()), nil
}

func appendEpochMillis(b []byte, ms int64) []byte {
	u := uint64(ms)
	if ms < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/1000, 10)
	if f := u % 1000; f != 0 {
		b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
		b = bytes.TrimRight(b, "0")
	}
	return b
}

// UnmarshalJSON accepts any JSON number (integer, fraction, exponent) of
// epoch seconds and keeps whole milliseconds, rounding towards the past. The
// number is read in decimal, not through float64, so 1700000000.123 stays
// .123 and not .122999.
func (t *Time) UnmarshalJSON(data []byte) error {
	s := string(data)
	if s == "null" {
		return nil
	}
	ms, err := parseEpochMillis(s)
	if err != nil {
		return err
	}
	*t = Time(time.UnixMilli(ms).UTC())
	return nil
}

var (
	errTimeNotNumber = errors.New("model: timestamp is not a JSON number of epoch seconds")
	errTimeRange     = errors.New("model: timestamp out of range")
)

// maxMillisDigits bounds the integer part of a timestamp in milliseconds
// (about 31 million years), far inside int64 and time.Time.
const maxMillisDigits = 18

func parseEpochMillis(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intEnd := digitsEnd(s)
	if intEnd == 0 {
		return 0, errTimeNotNumber
	}
	digits := s[:intEnd]
	frac := ""
	rest := s[intEnd:]
	if strings.HasPrefix(rest, ".") {
		n := digitsEnd(rest[1:])
		if n == 0 {
			return 0, errTimeNotNumber
		}
		frac, rest = rest[1:1+n], rest[1+n:]
	}
	exp := 0
	if rest != "" {
		if rest[0] != 'e' && rest[0] != 'E' {
			return 0, errTimeNotNumber
		}
		rest = rest[1:]
		expNeg := false
		if rest != "" && (rest[0] == '+' || rest[0] == '-') {
			expNeg = rest[0] == '-'
			rest = rest[1:]
		}
		n := digitsEnd(rest)
		if n == 0 || n != len(rest) {
			return 0, errTimeNotNumber
		}
		for _, c := range rest {
			// Saturate: anything past a million digits either overflows or
			// rounds to zero, and both are decided below without the value.
			if exp < 1_000_000 {
				exp = exp*10 + int(c-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
	}
	// The value is mantissa × 10^shift milliseconds.
	mantissa := strings.TrimLeft(digits+frac, "0")
	shift := exp - len(frac) + 3
	if mantissa == "" {
		return 0, nil
	}
	whole := len(mantissa) + shift // digits before the decimal point
	if whole > maxMillisDigits {
		return 0, errTimeRange
	}
	var ms int64
	var remainder bool
	switch {
	case whole <= 0:
		remainder = true
	case shift >= 0:
		ms = atoi(mantissa) * pow10(shift)
	default:
		ms = atoi(mantissa[:whole])
		remainder = strings.Trim(mantissa[whole:], "0") != ""
	}
	if neg {
		ms = -ms
		if remainder {
			ms-- // floor, as UnixMilli does for the way back
		}
	}
	return ms, nil
}

func digitsEnd(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// atoi converts at most maxMillisDigits decimal digits.
func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
