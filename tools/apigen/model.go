package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// The keys of botocore's service-2.json that apigen keeps. Anything not listed
// here or in the ignore lists below makes trim and gen fail: a new key may
// carry a constraint (a union, a timestamp format) that the validators would
// otherwise silently miss.
var (
	keepTop       = []string{"version", "metadata", "operations", "shapes"}
	keepOperation = []string{"name", "input", "output", "errors", "authtype"}
	keepShape     = []string{"type", "members", "required", "min", "max", "pattern", "enum", "sensitive", "exception", "fault", "document", "key", "value", "member"}
	keepRef       = []string{"shape", "sensitive"}

	ignoreTop       = []string{"documentation"}
	ignoreOperation = []string{"documentation", "http", "auth"}
	ignoreShape     = []string{"documentation"}
	// box only tells Java SDKs to use boxed types; deprecated members are still
	// accepted on the wire.
	ignoreRef = []string{"documentation", "box", "deprecated", "deprecatedMessage"}
)

// Model is the part of the service model the generator uses.
type Model struct {
	Operations map[string]*Operation
	Shapes     map[string]*Shape
}

// Operation is one API operation.
type Operation struct {
	Name     string
	Input    string // shape name
	Output   string // shape name, "" when the operation returns nothing
	Errors   []string
	AuthType string
}

// Ref points at a shape: a structure member, a list member, a map key or value.
type Ref struct {
	Name      string // member name; empty for list members and map keys/values
	Shape     string
	Sensitive bool
	Required  bool
}

// Shape is one model shape.
type Shape struct {
	Name      string
	Type      string
	Members   []*Ref // model order
	Min, Max  *int64
	Pattern   string
	Enum      []string
	Sensitive bool
	Exception bool
	Fault     bool
	Document  bool
	Key       *Ref
	Value     *Ref
	Member    *Ref
}

// readModelFile reads a service model, gunzipping it when it is compressed.
func readModelFile(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	tree, err := parseOrdered(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tree, nil
}

func checkKeys(where string, o *object, keep, ignore []string) error {
	for _, k := range o.keys {
		if !slices.Contains(keep, k) && !slices.Contains(ignore, k) {
			return fmt.Errorf("%s: unknown key %q; teach apigen what it means before using this model", where, k)
		}
	}
	return nil
}

func asObject(where string, v any) (*object, error) {
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("%s: want an object, got %T", where, v)
	}
	return o, nil
}

func str(o *object, k string) string {
	s, _ := o.vals[k].(string)
	return s
}

func boolean(o *object, k string) bool {
	b, _ := o.vals[k].(bool)
	return b
}

func intPtr(where string, o *object, k string) (*int64, error) {
	v, ok := o.vals[k]
	if !ok {
		return nil, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("%s.%s: want a number, got %T", where, k, v)
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: want an integer: %w", where, k, err)
	}
	return &i, nil
}

func ref(where string, v any) (*Ref, error) {
	o, err := asObject(where, v)
	if err != nil {
		return nil, err
	}
	if err := checkKeys(where, o, keepRef, ignoreRef); err != nil {
		return nil, err
	}
	r := &Ref{Shape: str(o, "shape"), Sensitive: boolean(o, "sensitive")}
	if r.Shape == "" {
		return nil, fmt.Errorf("%s: no shape", where)
	}
	return r, nil
}

// buildModel turns a parsed service model into a Model, checking that every
// reference resolves.
func buildModel(tree any) (*Model, error) {
	top, err := asObject("model", tree)
	if err != nil {
		return nil, err
	}
	if err := checkKeys("model", top, keepTop, ignoreTop); err != nil {
		return nil, err
	}
	m := &Model{Operations: map[string]*Operation{}, Shapes: map[string]*Shape{}}

	shapes, err := asObject("shapes", top.vals["shapes"])
	if err != nil {
		return nil, err
	}
	for _, name := range shapes.keys {
		where := "shapes." + name
		o, err := asObject(where, shapes.vals[name])
		if err != nil {
			return nil, err
		}
		if err := checkKeys(where, o, keepShape, ignoreShape); err != nil {
			return nil, err
		}
		pattern := str(o, "pattern")
		if live, ok := livePatterns[name]; ok && pattern == live.model {
			pattern = live.live
		}
		s := &Shape{
			Name: name, Type: str(o, "type"), Pattern: pattern,
			Sensitive: boolean(o, "sensitive"), Exception: boolean(o, "exception"),
			Fault: boolean(o, "fault"), Document: boolean(o, "document"),
		}
		if s.Min, err = intPtr(where, o, "min"); err != nil {
			return nil, err
		}
		if s.Max, err = intPtr(where, o, "max"); err != nil {
			return nil, err
		}
		if ev, ok := o.vals["enum"].([]any); ok {
			for _, e := range ev {
				es, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%s.enum: want strings", where)
				}
				s.Enum = append(s.Enum, es)
			}
		}
		required := map[string]bool{}
		if rv, ok := o.vals["required"].([]any); ok {
			for _, r := range rv {
				rs, _ := r.(string)
				required[rs] = true
			}
		}
		if mv, ok := o.vals["members"]; ok {
			members, err := asObject(where+".members", mv)
			if err != nil {
				return nil, err
			}
			for _, mn := range members.keys {
				r, err := ref(where+".members."+mn, members.vals[mn])
				if err != nil {
					return nil, err
				}
				r.Name = mn
				r.Required = required[mn]
				delete(required, mn)
				s.Members = append(s.Members, r)
			}
		}
		for rn := range required {
			return nil, fmt.Errorf("%s: required member %q does not exist", where, rn)
		}
		for k, dst := range map[string]**Ref{"key": &s.Key, "value": &s.Value, "member": &s.Member} {
			if v, ok := o.vals[k]; ok {
				if *dst, err = ref(where+"."+k, v); err != nil {
					return nil, err
				}
			}
		}
		m.Shapes[name] = s
	}

	ops, err := asObject("operations", top.vals["operations"])
	if err != nil {
		return nil, err
	}
	for _, name := range ops.keys {
		where := "operations." + name
		o, err := asObject(where, ops.vals[name])
		if err != nil {
			return nil, err
		}
		if err := checkKeys(where, o, keepOperation, ignoreOperation); err != nil {
			return nil, err
		}
		op := &Operation{Name: str(o, "name"), AuthType: str(o, "authtype")}
		if op.Name != name {
			return nil, fmt.Errorf("%s: name is %q", where, op.Name)
		}
		if v, ok := o.vals["input"]; ok {
			r, err := ref(where+".input", v)
			if err != nil {
				return nil, err
			}
			op.Input = r.Shape
		} else {
			return nil, fmt.Errorf("%s: no input", where)
		}
		if v, ok := o.vals["output"]; ok {
			r, err := ref(where+".output", v)
			if err != nil {
				return nil, err
			}
			op.Output = r.Shape
		}
		if ev, ok := o.vals["errors"].([]any); ok {
			for i, e := range ev {
				r, err := ref(fmt.Sprintf("%s.errors[%d]", where, i), e)
				if err != nil {
					return nil, err
				}
				op.Errors = append(op.Errors, r.Shape)
			}
		}
		m.Operations[name] = op
	}
	return m, m.check()
}

func (m *Model) check() error {
	resolve := func(where, name string) error {
		if _, ok := m.Shapes[name]; !ok {
			return fmt.Errorf("%s: unknown shape %q", where, name)
		}
		return nil
	}
	for _, s := range m.Shapes {
		for _, r := range append(slices.Clone(s.Members), s.Key, s.Value, s.Member) {
			if r != nil {
				if err := resolve("shapes."+s.Name, r.Shape); err != nil {
					return err
				}
			}
		}
	}
	for _, op := range m.Operations {
		for _, n := range append([]string{op.Input, op.Output}, op.Errors...) {
			if n == "" {
				continue
			}
			if err := resolve("operations."+op.Name, n); err != nil {
				return err
			}
		}
		for _, e := range op.Errors {
			if !m.Shapes[e].Exception {
				return fmt.Errorf("operations.%s: error %s is not an exception shape", op.Name, e)
			}
		}
		if op.AuthType != "" && op.AuthType != "none" {
			return fmt.Errorf("operations.%s: unknown authtype %q", op.Name, op.AuthType)
		}
	}
	return nil
}

func loadModel(path string) (*Model, error) {
	tree, err := readModelFile(path)
	if err != nil {
		return nil, err
	}
	m, err := buildModel(tree)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// livePatterns replaces a model pattern where the live service is recorded
// checking another one. Each entry names its evidence; the model pattern is
// matched too, so that a model update that changes it is looked at again.
var livePatterns = map[string]struct{ model, live string }{
	// PasswordType: botocore says [\S]+, which would refuse a space inside a
	// password; Cognito accepts inner spaces (its documented symbol set
	// includes the space) and answers a leading or trailing space with
	// "Value at 'password' failed to satisfy constraint: Member must satisfy
	// regular expression pattern: ^[\S]+.*[\S]+$" (a 2025 response).
	"PasswordType": {model: `[\S]+`, live: `^[\S]+.*[\S]+$`},
}
