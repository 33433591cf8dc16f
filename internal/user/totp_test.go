package user

import "testing"

// TestTOTPRFC6238Vectors checks the server's TOTP against the SHA-1 test
// vectors of RFC 6238 appendix B (secret "12345678901234567890", 30-second
// steps), truncated to the six digits Cognito uses.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, eight := range map[int64]string{
		59:          "94287082",
		1111111109:  "07081804",
		1111111111:  "14050471",
		1234567890:  "89005924",
		2000000000:  "69279037",
		20000000000: "65353130",
	} {
		if got, want := totpCode(secret, unix/30), eight[2:]; got != want {
			t.Errorf("T=%d: got %s, want %s", unix, got, want)
		}
	}
}
