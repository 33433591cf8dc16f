package model

import (
	"log/slog"
	"reflect"
	"strconv"
	"strings"
)

// extraSecrets are members the model does not mark sensitive but Cognate
// never logs either: ClientMetadata is passed to Lambda triggers and may
// carry anything, and confirmation codes are one-time secrets.
var extraSecrets = map[string]bool{
	"ClientMetadata":   true,
	"ConfirmationCode": true,
	"Code":             true,
	"UserCode":         true,
	"SecretHash":       true,
}

// Redacted wraps a request or response for logging: every member the model
// marks sensitive (the generated `sensitive:"true"` tag), plus ClientMetadata
// and codes, prints as REDACTED; the rest prints as it would on the wire.
func Redacted(v any) slog.LogValuer { return redacted{v} }

type redacted struct{ v any }

func (r redacted) LogValue() slog.Value {
	return slog.AnyValue(redactValue(reflect.ValueOf(r.v)))
}

func redactValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return redactValue(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(Time); ok {
			return t.Std()
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			fv := v.Field(i)
			if !f.IsExported() || fv.IsZero() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if f.Tag.Get("sensitive") == "true" || extraSecrets[f.Name] {
				out[name] = "REDACTED"
				continue
			}
			out[name] = redactValue(fv)
		}
		return out
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return strconv.Itoa(v.Len()) + " bytes"
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = redactValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			out[iter.Key().String()] = redactValue(iter.Value())
		}
		return out
	default:
		return v.Interface()
	}
}
