package userpool

import (
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/api/model"
)

// standardAttribute is one attribute every pool has, with Cognito's own
// definition (as DescribeUserPool shows it on a new pool).
type standardAttribute struct {
	name     string
	dataType string
	mutable  bool
	required bool
	minLen   string // String constraints; "" when the attribute has none
	maxLen   string
	minValue string // Number constraints
}

// standardAttributes in the order DescribeUserPool lists them. `identities`
// is Cognito's record of federated identities: it appears in the schema with
// empty constraints.
var standardAttributes = []standardAttribute{
	{name: "sub", dataType: "String", mutable: false, required: true, minLen: "1", maxLen: "2048"},
	{name: "name", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "given_name", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "family_name", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "middle_name", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "nickname", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "preferred_username", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "profile", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "picture", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "website", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "email", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "email_verified", dataType: "Boolean", mutable: true},
	{name: "gender", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "birthdate", dataType: "String", mutable: true, minLen: "10", maxLen: "10"},
	{name: "zoneinfo", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "locale", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "phone_number_verified", dataType: "Boolean", mutable: true},
	{name: "address", dataType: "String", mutable: true, minLen: "0", maxLen: "2048"},
	{name: "updated_at", dataType: "Number", mutable: true, minValue: "0"},
	{name: "identities", dataType: "String", mutable: true},
}

// StandardAttributeNames lists the standard attribute names in schema order.
func StandardAttributeNames() []string {
	out := make([]string, len(standardAttributes))
	for i, a := range standardAttributes {
		out[i] = a.name
	}
	return out
}

func findStandard(name string) (standardAttribute, bool) {
	for _, a := range standardAttributes {
		if a.name == name {
			return a, true
		}
	}
	return standardAttribute{}, false
}

func (a standardAttribute) schema() model.SchemaAttributeType {
	s := model.SchemaAttributeType{
		Name:                   ptr(a.name),
		AttributeDataType:      ptr(a.dataType),
		DeveloperOnlyAttribute: ptr(false),
		Mutable:                ptr(a.mutable),
		Required:               ptr(a.required),
	}
	switch {
	case a.dataType == "Number":
		s.NumberAttributeConstraints = &model.NumberAttributeConstraintsType{MinValue: ptr(a.minValue)}
	case a.dataType == "String":
		c := &model.StringAttributeConstraintsType{}
		if a.maxLen != "" {
			c.MinLength, c.MaxLength = ptr(a.minLen), ptr(a.maxLen)
		}
		s.StringAttributeConstraints = c
	}
	return s
}

// maxCustomAttributes is Cognito's quota of custom attributes per pool.
const maxCustomAttributes = 50

// buildSchema returns the pool schema for CreateUserPool: the standard
// attributes, overridden where the request says so, then the custom ones.
// Error texts are those other Cognito emulators record from AWS (moto);
// they have not been checked against the live service.
func buildSchema(in []model.SchemaAttributeType) ([]model.SchemaAttributeType, error) {
	schema := make([]model.SchemaAttributeType, len(standardAttributes))
	for i, a := range standardAttributes {
		schema[i] = a.schema()
	}
	var custom []model.SchemaAttributeType
	seen := map[string]bool{}
	for _, attr := range in {
		name := deref(attr.Name)
		if seen[name] {
			return nil, invalidParameter("Duplicate schema attribute name %s.", name)
		}
		seen[name] = true
		if std, ok := findStandard(name); ok {
			s, err := overrideStandard(std, attr)
			if err != nil {
				return nil, err
			}
			for i := range schema {
				if deref(schema[i].Name) == name {
					schema[i] = s
				}
			}
			continue
		}
		s, err := customAttribute(attr)
		if err != nil {
			return nil, err
		}
		custom = append(custom, s)
	}
	if len(custom) > maxCustomAttributes {
		return nil, invalidParameter("The user pool cannot have more than %d custom attributes.", maxCustomAttributes)
	}
	return append(schema, custom...), nil
}

// overrideStandard applies what a request may change on a standard attribute:
// Required, Mutable and the String/Number constraints, never the type.
func overrideStandard(std standardAttribute, in model.SchemaAttributeType) (model.SchemaAttributeType, error) {
	if (in.AttributeDataType != nil && *in.AttributeDataType != std.dataType) || deref(in.DeveloperOnlyAttribute) {
		return model.SchemaAttributeType{}, invalidParameter(
			"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute %s", std.name)
	}
	s := std.schema()
	if in.Mutable != nil {
		s.Mutable = ptr(*in.Mutable)
	}
	if in.Required != nil {
		s.Required = ptr(*in.Required)
	}
	if std.name == "sub" && (deref(s.Mutable) || !deref(s.Required)) {
		return model.SchemaAttributeType{}, invalidParameter("The sub attribute must be required and immutable.")
	}
	if err := applyConstraints(&s, in, std.name); err != nil {
		return model.SchemaAttributeType{}, err
	}
	return s, nil
}

// customAttribute turns a requested custom attribute into its schema entry,
// named custom:<name> (dev:custom:<name> when developer-only).
func customAttribute(in model.SchemaAttributeType) (model.SchemaAttributeType, error) {
	base := deref(in.Name)
	name := "custom:" + base
	if deref(in.DeveloperOnlyAttribute) {
		name = "dev:" + name
	}
	if in.AttributeDataType == nil {
		return model.SchemaAttributeType{}, invalidParameter("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.")
	}
	if deref(in.Required) {
		return model.SchemaAttributeType{}, invalidParameter("Required custom attributes are not supported currently.")
	}
	s := model.SchemaAttributeType{
		Name:                   ptr(name),
		AttributeDataType:      ptr(*in.AttributeDataType),
		DeveloperOnlyAttribute: ptr(deref(in.DeveloperOnlyAttribute)),
		// Cognito's API treats an omitted Mutable as true for custom
		// attributes (the CLI and SDKs send nothing unless asked).
		Mutable:  ptr(in.Mutable == nil || *in.Mutable),
		Required: ptr(false),
	}
	if *in.AttributeDataType == "String" {
		s.StringAttributeConstraints = &model.StringAttributeConstraintsType{}
	}
	if err := applyConstraints(&s, in, name); err != nil {
		return model.SchemaAttributeType{}, err
	}
	return s, nil
}

// applyConstraints copies the requested String or Number constraints after
// checking that they are non-negative integers in a sensible order.
func applyConstraints(s *model.SchemaAttributeType, in model.SchemaAttributeType, name string) error {
	switch deref(s.AttributeDataType) {
	case "String":
		c := in.StringAttributeConstraints
		if c == nil {
			return nil
		}
		minLen, err := constraintNumber(c.MinLength, "StringAttributeConstraints", name, false)
		if err != nil {
			return err
		}
		maxLen, err := constraintNumber(c.MaxLength, "StringAttributeConstraints", name, false)
		if err != nil {
			return err
		}
		if (minLen != nil && *minLen > 2048) || (maxLen != nil && *maxLen > 2048) {
			return invalidParameter("user.%s: String attributes cannot have a length of more than 2048", name)
		}
		if minLen != nil && maxLen != nil && *minLen > *maxLen {
			return invalidParameter("user.%s: Max length cannot be less than min length.", name)
		}
		out := &model.StringAttributeConstraintsType{}
		if c.MinLength != nil {
			out.MinLength = ptr(strconv.FormatInt(*minLen, 10))
		}
		if c.MaxLength != nil {
			out.MaxLength = ptr(strconv.FormatInt(*maxLen, 10))
		}
		s.StringAttributeConstraints = out
	case "Number":
		c := in.NumberAttributeConstraints
		if c == nil {
			return nil
		}
		minV, err := constraintNumber(c.MinValue, "NumberAttributeConstraints", name, true)
		if err != nil {
			return err
		}
		maxV, err := constraintNumber(c.MaxValue, "NumberAttributeConstraints", name, true)
		if err != nil {
			return err
		}
		if minV != nil && maxV != nil && *minV > *maxV {
			return invalidParameter("user.%s: Max value cannot be less than min value.", name)
		}
		out := &model.NumberAttributeConstraintsType{}
		if c.MinValue != nil {
			out.MinValue = ptr(strconv.FormatInt(*minV, 10))
		}
		if c.MaxValue != nil {
			out.MaxValue = ptr(strconv.FormatInt(*maxV, 10))
		}
		s.NumberAttributeConstraints = out
	}
	return nil
}

func constraintNumber(v *string, kind, name string, allowNegative bool) (*int64, error) {
	if v == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
	if err != nil || (!allowNegative && n < 0) {
		return nil, invalidParameter("Invalid %s for schema attribute %s", kind, name)
	}
	return &n, nil
}

// customCount counts the custom attributes of a schema.
func customCount(schema []model.SchemaAttributeType) int {
	n := 0
	for _, a := range schema {
		if IsCustomName(deref(a.Name)) {
			n++
		}
	}
	return n
}

// IsCustomName reports whether a schema name is a custom attribute
// (custom:x, or dev:custom:x for developer-only ones).
func IsCustomName(name string) bool {
	return strings.HasPrefix(name, "custom:") || strings.HasPrefix(name, "dev:custom:")
}

func invalidParameter(format string, args ...any) *model.Error {
	return model.Errorf(model.InvalidParameterException, format, args...)
}
