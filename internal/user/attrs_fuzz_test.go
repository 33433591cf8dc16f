package user

import (
	"errors"
	"testing"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/userpool"
)

// FuzzAttributeUpdate feeds arbitrary attribute names and values through
// the update rules and the pure apply step. Properties: no panic; a
// rejection is one of the API's own errors (InvalidParameterException or
// NotAuthorizedException); an accepted update keeps sub, never shows a
// pending value as an attribute, and leaves every attribute named in the
// schema.
func FuzzAttributeUpdate(f *testing.F) {
	for _, seed := range [][3]string{
		{"email", "a@example.com", "admin"}, {"email", "", "user"}, {"phone_number", "+12065551234", "user"},
		{"custom:tier", "gold", "user"}, {"sub", "x", "admin"}, {"email_verified", "true", "admin"},
		{"dev:custom:secret", "s", "admin"}, {"custom:score", "NaN", "admin"}, {"birthdate", "0000-02-29", "user"},
		{"name", "\x00", "user"}, {"", "", "user"}, {"custom:", "v", "admin"},
	} {
		f.Add(seed[0], seed[1], seed[2] == "admin", true)
	}
	score := model.SchemaAttributeType{Name: ptr("custom:score"), AttributeDataType: ptr("Number"), Mutable: ptr(true),
		NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: ptr("0"), MaxValue: ptr("100")}}
	tier := model.SchemaAttributeType{Name: ptr("custom:tier"), AttributeDataType: ptr("String"), Mutable: ptr(false)}
	secret := model.SchemaAttributeType{Name: ptr("dev:custom:secret"), AttributeDataType: ptr("String"), Mutable: ptr(true), DeveloperOnlyAttribute: ptr(true)}
	p := testPool(model.UserPoolType{
		SchemaAttributes:            append(standardSchema(f), score, tier, secret),
		AutoVerifiedAttributes:      []string{"email"},
		UserAttributeUpdateSettings: &model.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []string{"email"}},
	})
	client := &appClient{Client: &userpool.Client{}, pool: p}
	f.Fuzz(func(t *testing.T, name, value string, admin, present bool) {
		w := writer{client: client}
		if admin {
			w = writer{}
		}
		var v *string
		if present {
			v = &value
		}
		changes, err := planUpdate(p, w, []model.AttributeType{{Name: &name, Value: v}})
		if err != nil {
			var me *model.Error
			if !errors.As(err, &me) || (me.Type != model.InvalidParameterException && me.Type != model.NotAuthorizedException) {
				t.Fatalf("%q=%q: unexpected error %v", name, value, err)
			}
			return
		}
		r := &Record{Attributes: []Attribute{{"sub", "s-1"}, {"email", "old@example.com"}, {"email_verified", "true"}}}
		applyUpdate(p, r, changes, admin)
		if v, _ := r.Get("sub"); v != "s-1" {
			t.Fatalf("%q=%q changed sub to %q", name, value, v)
		}
		for _, a := range r.Attributes {
			if _, ok := p.schema(a.Name); !ok {
				t.Fatalf("%q=%q stored %q, which is not in the schema", name, value, a.Name)
			}
		}
		if pend, ok := r.Pending["email"]; ok {
			if cur, _ := r.Get("email"); cur == pend {
				t.Fatalf("pending email %q shown as the attribute", pend)
			}
		}
	})
}

// standardSchema is the schema of a new pool, from the userpool package.
func standardSchema(tb testing.TB) []model.SchemaAttributeType {
	var out []model.SchemaAttributeType
	for _, n := range userpool.StandardAttributeNames() {
		typ := "String"
		switch n {
		case "email_verified", "phone_number_verified":
			typ = "Boolean"
		case "updated_at":
			typ = "Number"
		}
		out = append(out, model.SchemaAttributeType{Name: ptr(n), AttributeDataType: ptr(typ), Mutable: ptr(n != "sub"), Required: ptr(n == "sub")})
	}
	return out
}
