package srp

import (
	"encoding/hex"
	"fmt"
	"time"
)

// DecodeHex parses a hex integer from the wire (SRP_A; also SRP_B and SALT
// when playing the client) the way the JS client's BigInteger(s, 16) does,
// because that client sends the hex of the integer, not of fixed-width
// bytes: case is ignored, leading zeros are ignored, and an odd number of
// digits is fine ("abc" is 0x0abc). Refused: an empty string, a sign, a 0x
// prefix, whitespace, any other character, and more than 1024 digits. The
// result is the integer's minimal unsigned big-endian bytes (empty for zero).
func DecodeHex(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty hex", ErrMalformed)
	}
	if len(s) > maxHexLen {
		return nil, fmt.Errorf("%w: %d hex digits (max %d)", ErrMalformed, len(s), maxHexLen)
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b, nil
}

// EncodeHex is the lowercase hex of b, two digits a byte. Send SALT as
// EncodeHex(salt) (always 32 digits) and SRP_B as EncodeHex(B) with B as
// Begin returns it. Clients parse both as integers, so leading zeros carry
// no meaning, but an even number of digits keeps clients that hex-decode to
// bytes working too.
func EncodeHex(b []byte) string { return hex.EncodeToString(b) }

// TimestampLayout is the JS client's TIMESTAMP format, e.g.
// "Thu Nov 26 12:44:21 UTC 2026" (the day is not zero-padded).
const TimestampLayout = "Mon Jan 2 15:04:05 MST 2006"

// ParseTimestamp reads a TIMESTAMP for logging clock skew. The signature
// covers the string exactly as received.
func ParseTimestamp(s string) (time.Time, error) {
	return time.Parse(TimestampLayout, s)
}

// ValidTimestamp reports whether a TIMESTAMP is in Cognito's exact form,
// "EEE MMM d HH:mm:ss UTC yyyy": the day not zero-padded, the hours,
// minutes and seconds two digits, the weekday that of the date. Cognito
// refuses any other form, as a wrong password (measured on a real pool:
// ministackorg/ministack#1758), so a client that pads the day or uses a
// 12-hour clock fails there too.
func ValidTimestamp(s string) bool {
	t, err := time.Parse(TimestampLayout, s)
	// time.Parse accepts "05" for the day and ignores the weekday's
	// agreement; formatting back catches both.
	return err == nil && t.Location() == time.UTC && t.Format(TimestampLayout) == s
}
