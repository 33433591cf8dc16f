package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// object is a JSON object that remembers the order of its keys. Botocore's
// member order is the order AWS validates and documents members in, and
// encoding/json's maps would lose it.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// parseOrdered decodes JSON into *object, []any, string, json.Number, bool
// and nil values.
func parseOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				if _, dup := o.vals[k]; dup {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	default:
		return tok, nil
	}
}

// writeOrdered writes v as indented JSON. Object keys are sorted, except
// inside objects for which keepOrder(path) is true; those keep their insertion
// order. path is the chain of keys leading to the object.
func writeOrdered(w *bytes.Buffer, v any, path []string, keepOrder func([]string) bool, indent string) error {
	switch t := v.(type) {
	case *object:
		if len(t.keys) == 0 {
			w.WriteString("{}")
			return nil
		}
		keys := t.keys
		if !keepOrder(path) {
			keys = slices.Sorted(slices.Values(t.keys))
		}
		w.WriteString("{\n")
		inner := indent + "  "
		for i, k := range keys {
			w.WriteString(inner)
			writeString(w, k)
			w.WriteString(": ")
			if err := writeOrdered(w, t.vals[k], append(path[:len(path):len(path)], k), keepOrder, inner); err != nil {
				return err
			}
			if i < len(keys)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return nil
		}
		w.WriteString("[\n")
		inner := indent + "  "
		for i, e := range t {
			w.WriteString(inner)
			if err := writeOrdered(w, e, append(path[:len(path):len(path)], "[]"), keepOrder, inner); err != nil {
				return err
			}
			if i < len(t)-1 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
		}
		w.WriteString(indent + "]")
	case string:
		writeString(w, t)
	case json.Number:
		w.WriteString(t.String())
	case bool:
		if t {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case nil:
		w.WriteString("null")
	default:
		return fmt.Errorf("cannot write %T", v)
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping, so patterns
// such as (?<!\.) stay readable in the committed model.
func writeString(w *bytes.Buffer, s string) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	w.WriteString(strings.TrimSuffix(b.String(), "\n"))
}
