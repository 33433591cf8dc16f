package main

import (
	"strings"
	"unicode"
)

// pathName is the name AWS uses for a member in validation paths: the member
// name with its first character lowered ("UserAttributes" -> "userAttributes").
// Names starting with an acronym lower only that first character
// ("SMSMfaSettings" -> "sMSMfaSettings"); that is what the Java (Coral)
// validator does with bean-style names, e.g. STS reports 'sAMLAssertion'.
func pathName(member string) string {
	if member == "" {
		return member
	}
	r := []rune(member)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// fieldName is the Go field name for a member: the member name, with its first
// letter raised so that members such as HttpHeader.headerName are exported.
func fieldName(member string) string {
	r := []rune(member)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// enumSuffix turns an enum value into the CamelCase tail of its constant name:
// "USER_SRP_AUTH" -> "UserSrpAuth", "phone_number" -> "PhoneNumber",
// "userNotification" -> "UserNotification", "V1_0" -> "V10". Words written in
// capitals are title-cased; mixed-case words keep their inner capitals.
func enumSuffix(value string) string {
	var b strings.Builder
	words := strings.FieldsFunc(value, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	})
	for _, w := range words {
		if strings.ToUpper(w) == w {
			w = strings.ToLower(w)
		}
		b.WriteString(fieldName(w))
	}
	if b.Len() == 0 {
		return "Empty"
	}
	return b.String()
}
