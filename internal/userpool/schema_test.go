package userpool

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

func attr(name, typ string) model.SchemaAttributeType {
	a := model.SchemaAttributeType{Name: ptr(name)}
	if typ != "" {
		a.AttributeDataType = ptr(typ)
	}
	return a
}

func TestBuildSchema(t *testing.T) {
	devOnly := attr("secret", "String")
	devOnly.DeveloperOnlyAttribute = ptr(true)
	immutable := attr("tier", "String")
	immutable.Mutable = ptr(false)
	immutable.StringAttributeConstraints = &model.StringAttributeConstraintsType{MinLength: ptr("1"), MaxLength: ptr("12")}
	requiredEmail := attr("email", "")
	requiredEmail.Required = ptr(true)

	schema, err := buildSchema([]model.SchemaAttributeType{devOnly, immutable, requiredEmail, attr("score", "Number")})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]model.SchemaAttributeType{}
	for _, a := range schema {
		byName[*a.Name] = a
	}
	if len(schema) != len(standardAttributes)+3 {
		t.Fatalf("schema has %d attributes, want %d standard + 3 custom", len(schema), len(standardAttributes))
	}
	if a := byName["dev:custom:secret"]; !deref(a.DeveloperOnlyAttribute) || !deref(a.Mutable) {
		t.Errorf("developer-only attribute: %+v", a)
	}
	if a := byName["custom:tier"]; deref(a.Mutable) || deref(a.StringAttributeConstraints.MaxLength) != "12" {
		t.Errorf("immutable custom attribute: %+v", a)
	}
	if a := byName["email"]; !deref(a.Required) || deref(a.AttributeDataType) != "String" {
		t.Errorf("required email: %+v", a)
	}
	if a := byName["custom:score"]; a.NumberAttributeConstraints != nil || a.StringAttributeConstraints != nil {
		t.Errorf("number attribute without constraints: %+v", a)
	}
	if a := byName["sub"]; deref(a.Mutable) || !deref(a.Required) {
		t.Errorf("sub must stay immutable and required: %+v", a)
	}
}

func TestBuildSchemaErrors(t *testing.T) {
	required := attr("x", "String")
	required.Required = ptr(true)
	badLen := attr("x", "String")
	badLen.StringAttributeConstraints = &model.StringAttributeConstraintsType{MinLength: ptr("5"), MaxLength: ptr("2")}
	tooLong := attr("x", "String")
	tooLong.StringAttributeConstraints = &model.StringAttributeConstraintsType{MaxLength: ptr("4096")}
	notNumber := attr("n", "Number")
	notNumber.NumberAttributeConstraints = &model.NumberAttributeConstraintsType{MinValue: ptr("ten")}
	devEmail := attr("email", "")
	devEmail.DeveloperOnlyAttribute = ptr(true)
	mutableSub := attr("sub", "")
	mutableSub.Mutable = ptr(true)

	for _, tc := range []struct {
		name string
		in   []model.SchemaAttributeType
		want string
	}{
		{"required custom", []model.SchemaAttributeType{required}, "Required custom attributes are not supported currently."},
		{"custom without type", []model.SchemaAttributeType{attr("x", "")}, "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."},
		{"min above max", []model.SchemaAttributeType{badLen}, "user.custom:x: Max length cannot be less than min length."},
		{"over 2048", []model.SchemaAttributeType{tooLong}, "user.custom:x: String attributes cannot have a length of more than 2048"},
		{"non-numeric bound", []model.SchemaAttributeType{notNumber}, "Invalid NumberAttributeConstraints for schema attribute custom:n"},
		{"standard type change", []model.SchemaAttributeType{attr("email", "Number")}, "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{"developer-only standard", []model.SchemaAttributeType{devEmail}, "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{"mutable sub", []model.SchemaAttributeType{mutableSub}, "The sub attribute must be required and immutable."},
		{"duplicate", []model.SchemaAttributeType{attr("x", "String"), attr("x", "String")}, "Duplicate schema attribute name x."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildSchema(tc.in)
			var me *model.Error
			if !errors.As(err, &me) || me.Type != model.InvalidParameterException || me.Message != tc.want {
				t.Fatalf("got %v, want InvalidParameterException %q", err, tc.want)
			}
		})
	}
}

func TestClientValidity(t *testing.T) {
	for _, tc := range []struct {
		name          string
		access, ident *int32
		refresh       *int32
		units         *model.TokenValidityUnitsType
		ok            bool
	}{
		{"defaults", nil, nil, ptr(int32(30)), nil, true},
		{"five minutes", ptr(int32(5)), ptr(int32(5)), ptr(int32(1)), &model.TokenValidityUnitsType{AccessToken: ptr("minutes"), IdToken: ptr("minutes"), RefreshToken: ptr("hours")}, true},
		{"four minutes", ptr(int32(4)), nil, ptr(int32(30)), &model.TokenValidityUnitsType{AccessToken: ptr("minutes")}, false},
		{"two days", ptr(int32(2)), nil, ptr(int32(30)), &model.TokenValidityUnitsType{AccessToken: ptr("days")}, false},
		{"one day in seconds", ptr(int32(86400)), nil, ptr(int32(30)), &model.TokenValidityUnitsType{AccessToken: ptr("seconds")}, true},
		{"refresh 59 minutes", nil, nil, ptr(int32(59)), &model.TokenValidityUnitsType{RefreshToken: ptr("minutes")}, false},
		{"refresh ten years", nil, nil, ptr(int32(3650)), nil, true},
		{"refresh over ten years", nil, nil, ptr(int32(3651)), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkTokenValidity(model.UserPoolClientType{
				AccessTokenValidity: tc.access, IdTokenValidity: tc.ident, RefreshTokenValidity: tc.refresh, TokenValidityUnits: tc.units,
			})
			if (err == nil) != tc.ok {
				t.Fatalf("ok=%v, err=%v", tc.ok, err)
			}
			if err != nil && err.Error() != "InvalidParameterException: Invalid range for token validity." {
				t.Fatalf("message: %v", err)
			}
		})
	}
}

func TestCheckRedirect(t *testing.T) {
	for url, want := range map[string]string{
		"https://app.example.com/cb": "",
		"http://localhost:3000/cb":   "",
		"http://127.0.0.1/cb":        "",
		"http://[::1]:8080/cb":       "",
		"myapp://callback":           "",
		"http://app.example.com/cb":  "InvalidParameterException: http://app.example.com/cb cannot use the HTTP protocol.",
		"https://x/cb#frag":          "InvalidParameterException: Invalid CallbackURLs: https://x/cb#frag",
		"/relative":                  "InvalidParameterException: Invalid CallbackURLs: /relative",
	} {
		err := checkRedirect(url, "CallbackURLs")
		if got := fmt.Sprint(err); (err == nil && want != "") || (err != nil && got != want) {
			t.Errorf("checkRedirect(%q) = %v, want %q", url, err, want)
		}
	}
}
