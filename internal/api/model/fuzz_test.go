package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeValidate decodes arbitrary bodies into every operation's input.
// Decoding and validation must never panic; a body that decodes and validates
// must re-encode to JSON that decodes to an equal, still valid value.
func FuzzDecodeValidate(f *testing.F) {
	names := OperationNames()
	for i, name := range names {
		f.Add(uint16(i), []byte(`{}`))
		f.Add(uint16(i), []byte(SeedBodies[name]))
	}
	f.Add(uint16(0), []byte(`{"UserPoolId":"us-east-1_x","CustomAttributes":[{"Name":"","NumberAttributeConstraints":{"MinValue":"1"}}]}`))
	f.Fuzz(func(t *testing.T, opIndex uint16, body []byte) {
		op := Operations[names[int(opIndex)%len(names)]]
		in := op.NewInput()
		if json.Unmarshal(body, in) != nil {
			return
		}
		if err := in.Validate(); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) == 0 {
				t.Fatalf("%s: Validate returned %T %v", op.Name, err, err)
			}
			for _, v := range ve.Violations {
				if !strings.HasPrefix(v, "Value ") || !strings.Contains(v, "' failed to satisfy constraint: ") {
					t.Fatalf("%s: malformed violation %q", op.Name, v)
				}
			}
			return
		}
		encoded, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("%s: re-encode: %v", op.Name, err)
		}
		again := op.NewInput()
		if err := json.Unmarshal(encoded, again); err != nil {
			t.Fatalf("%s: decode re-encoded %s: %v", op.Name, encoded, err)
		}
		if !equalValues(reflect.ValueOf(in), reflect.ValueOf(again)) {
			t.Fatalf("%s: round trip changed the value\nbody:       %q\nre-encoded: %s", op.Name, body, encoded)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("%s: re-decoded value no longer validates: %v", op.Name, err)
		}
	})
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// equalValues is reflect.DeepEqual except that document members
// (json.RawMessage) compare as JSON values: encoding compacts them, so their
// bytes legitimately change on a round trip.
func equalValues(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == rawMessageType {
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameJSON(a.Bytes(), b.Bytes())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !equalValues(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func sameJSON(x, y []byte) bool {
	decode := func(b []byte) (any, error) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		err := d.Decode(&v)
		return v, err
	}
	vx, errx := decode(x)
	vy, erry := decode(y)
	return errx == nil && erry == nil && reflect.DeepEqual(vx, vy)
}
