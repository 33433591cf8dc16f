package password

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cognate/cognate/internal/api/model"
)

const (
	lowerChars = "abcdefghijklmnopqrstuvwxyz"
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digitChars = "0123456789"

	// generatedMinLength is longer than Cognito's own 8-character temporary
	// passwords: they are typed once, and the extra characters cost nothing.
	generatedMinLength = 12

	// maxPasswordLength is the model's limit on PasswordType.
	maxPasswordLength = 256
)

// Generate returns a temporary password for AdminCreateUser that satisfies
// policy (nil means Cognito's default). It always contains at least one
// lowercase letter, uppercase letter, digit and symbol, whatever the policy
// requires, so it passes any policy; every other character is drawn uniformly
// from all four classes. Space is never used. rnd defaults to crypto/rand.
func Generate(policy *model.PasswordPolicyType, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	n := max(resolve(policy).minLength, generatedMinLength)
	if n > maxPasswordLength {
		return "", fmt.Errorf("password: policy minimum length %d exceeds Cognito's maximum of %d", n, maxPasswordLength)
	}
	all := lowerChars + upperChars + digitChars + Symbols
	classes := []string{lowerChars, upperChars, digitChars, Symbols}

	out := make([]byte, n)
	for i := range out {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		j, err := uniform(rnd, len(set))
		if err != nil {
			return "", err
		}
		out[i] = set[j]
	}
	// Fisher–Yates, so the guaranteed characters are not always in front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := uniform(rnd, i+1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// uniform returns an integer in [0, n) without modulo bias.
func uniform(rnd io.Reader, n int) (int, error) {
	limit := (1 << 32) / uint64(n) * uint64(n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return 0, fmt.Errorf("password: reading randomness: %w", err)
		}
		if v := uint64(binary.BigEndian.Uint32(b[:])); v < limit {
			return int(v % uint64(n)), nil
		}
	}
}
