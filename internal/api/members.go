package api

import (
	"reflect"
	"strings"
	"sync"

	"github.com/cognate/cognate/internal/api/model"
)

// foldedMembers holds, lower-cased, every member name of every structure an
// operation input can contain. A body key that folds to one of these without
// being exactly a member name could be matched by encoding/json's
// case-insensitive decoding, which AWS would not do.
var foldedMembers = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			names[strings.ToLower(name)] = true
			walk(f.Type)
		}
	}
	for _, op := range model.Operations {
		walk(reflect.TypeOf(op.NewInput()))
	}
	return names
})

// exactMembers holds every member name exactly as the model spells it.
var exactMembers = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	for _, op := range model.Operations {
		t := reflect.TypeOf(op.NewInput())
		collectExact(t, names, map[reflect.Type]bool{})
	}
	return names
})

func collectExact(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		names[name] = true
		collectExact(f.Type, names, seen)
	}
}

// mayBeMiscased reports whether some object key of a JSON body could be a
// member name in the wrong case. It scans the body once without decoding it;
// SDK traffic never has such keys, so the common path decodes once.
func mayBeMiscased(body []byte) bool {
	folded, exact := foldedMembers(), exactMembers()
	var lower []byte
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		start := i + 1
		escaped := false
		j := start
		for ; j < len(body); j++ {
			if body[j] == '\\' {
				escaped = true
				j++
				continue
			}
			if body[j] == '"' {
				break
			}
		}
		if j >= len(body) {
			return true // malformed: let the careful path report it
		}
		k := j + 1
		for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
			k++
		}
		if k < len(body) && body[k] == ':' {
			key := body[start:j]
			if escaped {
				return true // an escaped key: decode carefully
			}
			if !exact[string(key)] {
				lower = append(lower[:0], key...)
				for n, c := range lower {
					if 'A' <= c && c <= 'Z' {
						lower[n] = c + 'a' - 'A'
					}
				}
				if folded[string(lower)] {
					return true
				}
			}
		}
		i = j
	}
	return false
}

// hasNUL reports whether a JSON body carries the NUL character (written
// \u0000, as JSON allows no raw control characters). PostgreSQL cannot store
// it in text, so Cognate refuses it at the edge with a clear error rather
// than failing deep in the store.
func hasNUL(body []byte) bool {
	for i := 0; i+1 < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if body[i+1] == 'u' && i+5 < len(body) && string(body[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character, so \\u0000 is not read as an escape
	}
	return false
}
