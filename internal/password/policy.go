package password

import (
	"strings"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/api/model"
)

// Evidence for the texts and order below (quoted from real Cognito
// responses in public code and issues; "recorded" means seen verbatim,
// "inferred" means reasoned from neighbouring evidence):
//
//   - The five reasons "Password not long enough", "Password must have
//     {lowercase,uppercase,numeric,symbol} characters" are recorded, always
//     one per response (amazon-cognito-identity-js#311: "it throws an
//     individual exception for each constraint violation").
//   - Order, recorded against one pool that requires all four classes and 8
//     characters (UI tests of buggy.justtestit.org): "12345678" → lowercase,
//     "12345678a" → uppercase, "12345678aB" → symbol, "TestTest" → numeric;
//     a 6-character attempt got "not long enough" and its 8-character retry
//     "lowercase". Another pool: "abcdefgh" → uppercase, "Abcdefgh" →
//     numeric. Hence length, lowercase, uppercase, numeric, symbol. Note that
//     lowercase comes before uppercase, unlike the console's listing.
//   - The prefix depends on the operation (see Wording).
//   - Leading or trailing whitespace: the wire validation of password
//     members really uses ^[\S]+.*[\S]+$ (recorded in 2025 on
//     ConfirmForgotPassword as InvalidParameterException "1 validation error
//     detected: Value at 'password' failed to satisfy constraint: Member must
//     satisfy regular expression pattern: ^[\S]+.*[\S]+$", although botocore's
//     model says [\S]+). Where no wire pattern applies (the NEW_PASSWORD
//     challenge response), the policy check itself answers "Password does not
//     conform to policy: Password must satisfy regular expression pattern:
//     ^\S.*\S$" (recorded). That check runs first here (order inferred).
//   - Character classes are Basic Latin only and the space counts as a
//     symbol (AWS developer guide, user-pool-settings-policies).
//   - Length is counted in UTF-16 code units, as Java's String.length() and
//     the model validator count (inferred: Cognito is a Java service; no
//     response with non-ASCII passwords was found).

// Wording is the sentence Cognito puts in front of a policy failure. It is
// not the same for every operation.
type Wording int

const (
	// DidNotConform: "Password did not conform with policy: …". Recorded on
	// SignUp and ChangePassword.
	DidNotConform Wording = iota
	// DidNotConformPasswordPolicy: "Password did not conform with password
	// policy: …". Recorded on AdminCreateUser (TemporaryPassword).
	DidNotConformPasswordPolicy
	// DoesNotConform: "Password does not conform to policy: …". Recorded on
	// ConfirmForgotPassword and RespondToAuthChallenge (NEW_PASSWORD_REQUIRED);
	// inferred for AdminSetUserPassword.
	DoesNotConform
)

func (w Wording) prefix() string {
	switch w {
	case DidNotConformPasswordPolicy:
		return "Password did not conform with password policy: "
	case DoesNotConform:
		return "Password does not conform to policy: "
	default:
		return "Password did not conform with policy: "
	}
}

// The reasons Cognito gives, in the order it checks them.
const (
	ReasonPattern   = `Password must satisfy regular expression pattern: ^\S.*\S$`
	ReasonLength    = "Password not long enough"
	ReasonLowercase = "Password must have lowercase characters"
	ReasonUppercase = "Password must have uppercase characters"
	ReasonNumeric   = "Password must have numeric characters"
	ReasonSymbol    = "Password must have symbol characters"
)

// Symbols is Cognito's symbol set; a space inside the password also counts.
const Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"

// DefaultMinimumLength is Cognito's minimum length when a pool sets none.
const DefaultMinimumLength = 8

// Check reports the first way password breaks policy, worded as SignUp words
// it; see Wording.Check. A nil policy is Cognito's default: 8 characters and
// all four character classes.
func Check(policy *model.PasswordPolicyType, password string) error {
	return DidNotConform.Check(policy, password)
}

// Check returns nil when password satisfies policy, and otherwise an
// InvalidPasswordException naming the first rule it breaks, in Cognito's
// order. In a non-nil policy an unset MinimumLength means 8 and an unset
// Require* means false.
func (w Wording) Check(policy *model.PasswordPolicyType, password string) error {
	if reason := firstFailure(resolve(policy), password); reason != "" {
		return model.Errorf(model.InvalidPasswordException, "%s%s", w.prefix(), reason)
	}
	return nil
}

type rules struct {
	minLength                      int
	upper, lower, numbers, symbols bool
}

func resolve(p *model.PasswordPolicyType) rules {
	if p == nil {
		return rules{DefaultMinimumLength, true, true, true, true}
	}
	r := rules{minLength: DefaultMinimumLength}
	if p.MinimumLength != nil {
		r.minLength = int(*p.MinimumLength)
	}
	is := func(b *bool) bool { return b != nil && *b }
	r.upper, r.lower, r.numbers, r.symbols = is(p.RequireUppercase), is(p.RequireLowercase), is(p.RequireNumbers), is(p.RequireSymbols)
	return r
}

func firstFailure(r rules, pw string) string {
	if !matchesEdgePattern(pw) {
		return ReasonPattern
	}
	if utf16Len(pw) < r.minLength {
		return ReasonLength
	}
	var upper, lower, digit, symbol bool
	for _, c := range pw {
		switch {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		case c == ' ' || (c < utf8.RuneSelf && strings.ContainsRune(Symbols, c)):
			symbol = true
		}
	}
	switch {
	case r.lower && !lower:
		return ReasonLowercase
	case r.upper && !upper:
		return ReasonUppercase
	case r.numbers && !digit:
		return ReasonNumeric
	case r.symbols && !symbol:
		return ReasonSymbol
	}
	return ""
}

// matchesEdgePattern is Java's Pattern.matches(`^\S.*\S$`, pw): Java's \s is
// ASCII whitespace including \v (unlike RE2's), and its '.' refuses every
// Unicode line terminator (unlike RE2's, which refuses only \n), so RE2
// cannot be used as is.
func matchesEdgePattern(pw string) bool {
	first, n := utf8.DecodeRuneInString(pw)
	last, m := utf8.DecodeLastRuneInString(pw)
	if n == 0 || n+m > len(pw) || javaSpace(first) || javaSpace(last) {
		return false
	}
	for _, c := range pw[n : len(pw)-m] {
		switch c {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			return false
		}
	}
	return true
}

func javaSpace(c rune) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// utf16Len counts as Java's String.length() does.
func utf16Len(s string) int {
	n := 0
	for _, c := range s {
		n++
		if c > 0xFFFF {
			n++
		}
	}
	return n
}
