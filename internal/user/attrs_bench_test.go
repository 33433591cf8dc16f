package user

import (
	"testing"

	"github.com/cognate/cognate/internal/api/model"
	"github.com/cognate/cognate/internal/userpool"
)

// BenchmarkAttributeRules is the per-attribute rule check and the pure
// update step of UpdateUserAttributes for a typical two-attribute request.
func BenchmarkAttributeRules(b *testing.B) {
	p := testPool(model.UserPoolType{SchemaAttributes: standardSchema(b), AutoVerifiedAttributes: []string{"email"}})
	c := &appClient{Client: &userpool.Client{}, pool: p}
	in := []model.AttributeType{{Name: ptr("name"), Value: ptr("Alice")}, {Name: ptr("email"), Value: ptr("alice2@example.com")}}
	base := &Record{Attributes: []Attribute{{"sub", "s"}, {"email", "alice@example.com"}, {"email_verified", "true"}}}
	b.ReportAllocs()
	for b.Loop() {
		changes, err := planUpdate(p, writer{client: c}, in)
		if err != nil {
			b.Fatal(err)
		}
		applyUpdate(p, cloneRecord(base), changes, false)
	}
}
