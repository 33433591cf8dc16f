package message

import (
	"strings"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/api/model"
)

// MaskEmail masks an address as Cognito shows it in CodeDeliveryDetails
// (behaviour reference §1.7, decision 4): the first character of the local
// part, "***@", the first character of the domain, "***". The domain's
// suffix is dropped too, as in the recorded trace: test@example.com →
// t***@e***.
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return firstRune(addr) + "***"
	}
	return firstRune(local) + "***@" + firstRune(domain) + "***"
}

// MaskPhone masks a phone number as decision 4 says: the leading "+", a "*"
// for each hidden digit, and the last four digits: +12345551234 →
// +*******1234. Anything that is not a digit (spaces, dashes) is dropped.
func MaskPhone(phone string) string {
	var digits []byte
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	var b strings.Builder
	if strings.HasPrefix(phone, "+") {
		b.WriteByte('+')
	}
	shown := min(4, len(digits))
	b.WriteString(strings.Repeat("*", len(digits)-shown))
	b.Write(digits[len(digits)-shown:])
	return b.String()
}

// Mask masks a destination by its delivery medium (EMAIL or SMS).
func Mask(medium, destination string) string {
	if medium == model.DeliveryMediumTypeSms {
		return MaskPhone(destination)
	}
	return MaskEmail(destination)
}

// DeliveryDetails is the CodeDeliveryDetails entry an operation answers
// for a message it sent, with the destination masked.
func DeliveryDetails(medium, attribute, destination string) model.CodeDeliveryDetailsType {
	masked := Mask(medium, destination)
	return model.CodeDeliveryDetailsType{
		Destination:    &masked,
		DeliveryMedium: &medium,
		AttributeName:  &attribute,
	}
}

func firstRune(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
