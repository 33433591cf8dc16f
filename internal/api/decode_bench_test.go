package api

import (
	"testing"

	"github.com/cognate/cognate/internal/api/model"
)

// BenchmarkDecodeValidate is the first step of every request: the body of an
// UpdateUserAttributes call decoded into its generated struct and checked
// against the model's constraints.
func BenchmarkDecodeValidate(b *testing.B) {
	body := []byte(`{"AccessToken":"eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJ4In0.c2ln","UserAttributes":[{"Name":"name","Value":"Alice"},{"Name":"email","Value":"alice@example.com"}],"ClientMetadata":{"campaign":"x"}}`)
	op := model.Operations["UpdateUserAttributes"]
	b.ReportAllocs()
	for b.Loop() {
		in := op.NewInput()
		if e := decode(body, in); e != nil {
			b.Fatal(e)
		}
		if err := in.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
