package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
)

// trim reads a botocore service model and writes the subset apigen needs:
// no documentation, keys sorted, except structure members, which keep the
// model's order because that is the order of struct fields and of violations.
func trim(in, out string) error {
	tree, err := readModelFile(in)
	if err != nil {
		return err
	}
	// Build the model first so an unknown key fails here, not after commit.
	if _, err := buildModel(tree); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	trimmed, err := trimTree(tree)
	if err != nil {
		return err
	}
	data, err := encodeTrimmed(trimmed)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

func encodeTrimmed(tree any) ([]byte, error) {
	var buf bytes.Buffer
	keepOrder := func(path []string) bool {
		return len(path) == 3 && path[0] == "shapes" && path[2] == "members"
	}
	if err := writeOrdered(&buf, tree, nil, keepOrder, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func pick(o *object, keys []string, each func(k string, v any) (any, error)) (*object, error) {
	out := newObject()
	for _, k := range o.keys {
		if !slices.Contains(keys, k) {
			continue
		}
		v := o.vals[k]
		if each != nil {
			var err error
			if v, err = each(k, v); err != nil {
				return nil, err
			}
		}
		out.set(k, v)
	}
	return out, nil
}

func trimRef(v any) (any, error) {
	o, err := asObject("ref", v)
	if err != nil {
		return nil, err
	}
	return pick(o, keepRef, nil)
}

func trimTree(tree any) (any, error) {
	top := tree.(*object)
	return pick(top, keepTop, func(k string, v any) (any, error) {
		switch k {
		case "operations":
			return mapObject(v, func(op *object) (any, error) {
				return pick(op, keepOperation, func(k string, v any) (any, error) {
					switch k {
					case "input", "output":
						return trimRef(v)
					case "errors":
						list := v.([]any)
						out := make([]any, 0, len(list))
						for _, e := range list {
							r, err := trimRef(e)
							if err != nil {
								return nil, err
							}
							out = append(out, r)
						}
						return out, nil
					}
					return v, nil
				})
			})
		case "shapes":
			return mapObject(v, func(s *object) (any, error) {
				return pick(s, keepShape, func(k string, v any) (any, error) {
					switch k {
					case "members":
						return mapObject(v, func(m *object) (any, error) { return trimRef(m) })
					case "key", "value", "member":
						return trimRef(v)
					}
					return v, nil
				})
			})
		}
		return v, nil
	})
}

func mapObject(v any, f func(*object) (any, error)) (any, error) {
	o, err := asObject("object", v)
	if err != nil {
		return nil, err
	}
	out := newObject()
	for _, k := range o.keys {
		child, err := asObject(k, o.vals[k])
		if err != nil {
			return nil, err
		}
		nv, err := f(child)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out.set(k, nv)
	}
	return out, nil
}
