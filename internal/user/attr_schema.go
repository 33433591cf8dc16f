package user

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognate/cognate/internal/api/model"
)

const (
	msgBadEmail = "Invalid email address format."
	msgBadPhone = "Invalid phone number format."
)

// violation is one attribute that does not conform to the schema.
type violation struct {
	name string
	msg  string
	// whole marks texts Cognito sends as the whole message, without the
	// attribute name in front (email and phone formats).
	whole bool
}

// schemaName is how Cognito names an attribute in schema messages: the
// standard name and address are OpenID structures internally.
func schemaName(name string) string {
	switch name {
	case "name", "address":
		return name + ".formatted"
	}
	return name
}

// checkValue checks one attribute value against its schema entry. Texts are
// those Cognito sends on the update path (cognito-behaviour.md §7.6); the
// Number texts are inferred from the String ones.
func checkValue(a model.SchemaAttributeType, name, value string) *violation {
	switch name {
	case "email":
		if !emailPattern.MatchString(value) {
			return &violation{name: name, msg: msgBadEmail, whole: true}
		}
	case "phone_number":
		if !phonePattern.MatchString(value) {
			return &violation{name: name, msg: msgBadPhone, whole: true}
		}
	case "birthdate":
		if _, err := time.Parse("2006-01-02", value); err != nil && !isYearlessDate(value) {
			return &violation{name: name, msg: "Invalid birthdate format."}
		}
	}
	switch deref(a.AttributeDataType) {
	case "String":
		c := a.StringAttributeConstraints
		if c == nil {
			return nil
		}
		n := utf8.RuneCountInString(value)
		if min, err := strconv.Atoi(deref(c.MinLength)); err == nil && c.MinLength != nil && n < min {
			return &violation{name: name, msg: fmt.Sprintf("String must be no shorter than %d characters", min)}
		}
		if max, err := strconv.Atoi(deref(c.MaxLength)); err == nil && c.MaxLength != nil && n > max {
			return &violation{name: name, msg: fmt.Sprintf("String must be no longer than %d characters", max)}
		}
	case "Number":
		v, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return &violation{name: name, msg: "Number is not valid"}
		}
		if c := a.NumberAttributeConstraints; c != nil {
			if min, err := strconv.ParseFloat(deref(c.MinValue), 64); err == nil && c.MinValue != nil && v < min {
				return &violation{name: name, msg: "Number must be no less than " + deref(c.MinValue)}
			}
			if max, err := strconv.ParseFloat(deref(c.MaxValue), 64); err == nil && c.MaxValue != nil && v > max {
				return &violation{name: name, msg: "Number must be no greater than " + deref(c.MaxValue)}
			}
		}
	case "Boolean":
		// Case does not matter: AdminCreateUser takes email_verified "True"
		// (cognito-behaviour.md §8.3, moto's aws_verified
		// test_forgot_password_with_email_delivery_details); canonical
		// stores it lowercase. The text is inferred.
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return &violation{name: name, msg: "Boolean is not valid"}
		}
	case "DateTime":
		if _, err := time.Parse(time.RFC3339, value); err != nil {
			if _, err := strconv.ParseInt(value, 10, 64); err != nil {
				return &violation{name: name, msg: "DateTime is not valid"}
			}
		}
	}
	return nil
}

// canonical is the stored form of a value checkValue accepted: Booleans
// lowercase, so that "True" verifies an email as "true" does.
func canonical(a model.SchemaAttributeType, value string) string {
	if deref(a.AttributeDataType) == "Boolean" {
		return strings.ToLower(value)
	}
	return value
}

// isYearlessDate accepts OpenID's 0000-MM-DD form for a birthday without a year.
func isYearlessDate(v string) bool {
	if !strings.HasPrefix(v, "0000-") {
		return false
	}
	_, err := time.Parse("2006-01-02", "2000"+v[4:])
	return err == nil
}

// schemaError formats violations as SignUp and AdminCreateUser report them:
// "Attributes did not conform to the schema: " then "<name>: <text>\n" for
// each (amplify-flutter#509 shows the list form).
func schemaError(vs []violation) *model.Error {
	var b strings.Builder
	b.WriteString("Attributes did not conform to the schema: ")
	for _, v := range vs {
		if v.whole && len(vs) == 1 {
			return invalidParameter("%s", v.msg)
		}
		b.WriteString(schemaName(v.name))
		b.WriteString(": ")
		b.WriteString(v.msg)
		b.WriteString("\n")
	}
	return invalidParameter("%s", b.String())
}

// newUserAttributes validates the attributes given when a user is created
// (SignUp, AdminCreateUser) and returns them in request order. admin
// relaxes what only the admin API may do: write developer-only attributes
// and the verified flags, and leave required attributes out.
func newUserAttributes(p pool, in []model.AttributeType, admin bool, writable func(string) bool) ([]Attribute, error) {
	var vs []violation
	out := make([]Attribute, 0, len(in)+2)
	seen := map[string]bool{}
	for _, a := range in {
		name, value := deref(a.Name), deref(a.Value)
		if a.Value == nil {
			return nil, invalidParameter("Attribute value for %s must not be null", name)
		}
		if name == "sub" {
			return nil, invalidParameter("Cannot modify the non-mutable attribute sub")
		}
		s, ok := p.schema(name)
		if !ok && admin {
			s, ok = p.schema("dev:" + name)
		}
		if !ok {
			vs = append(vs, violation{name: name, msg: "Attribute does not exist in the schema."})
			continue
		}
		if !admin && (strings.HasPrefix(deref(s.Name), "dev:") || name == "email_verified" || name == "phone_number_verified" || (writable != nil && !writable(name))) {
			return nil, notAuthorized("A client attempted to write unauthorized attribute")
		}
		if v := checkValue(s, name, value); v != nil {
			vs = append(vs, *v)
			continue
		}
		value = canonical(s, value)
		if seen[name] {
			// The last value wins, as in an attribute map.
			for i := range out {
				if out[i].Name == name {
					out[i].Value = value
				}
			}
			continue
		}
		seen[name] = true
		out = append(out, Attribute{name, value})
	}
	if len(vs) > 0 {
		return nil, schemaError(vs)
	}
	return out, nil
}

// missingRequired lists the required attributes a new user lacks.
func missingRequired(p pool, r *Record) []violation {
	var vs []violation
	for _, a := range p.Config.SchemaAttributes {
		name := deref(a.Name)
		if !deref(a.Required) || name == "sub" {
			continue
		}
		if v, ok := r.Get(name); !ok || v == "" {
			vs = append(vs, violation{name: name, msg: "The attribute is required"})
		}
	}
	return vs
}
