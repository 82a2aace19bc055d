// Package yamlx decodes YAML nodes into Go values strictly: unknown keys and type mismatches
// are errors that name file:line:column, the key path and what was expected. It exists
// because people write playbooks by hand at 3 a.m. and the error must point at the line.
package yamlx

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem at one place in a file.
type Error struct {
	File      string
	Line, Col int
	Path      string // such as phases[1].steps[0].action.replicas
	Msg       string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Col, e.Path, e.Msg)
}

// Pos is where a value starts. Structs with a field `Pos yamlx.Pos` get it filled.
type Pos struct {
	File      string
	Line, Col int
	Path      string
}

// Errorf makes an error at p.
func (p Pos) Errorf(format string, args ...any) *Error {
	return &Error{File: p.File, Line: p.Line, Col: p.Col, Path: p.Path, Msg: fmt.Sprintf(format, args...)}
}

// Field returns the position of a child key (for errors about a field that is missing,
// reported at its parent).
func (p Pos) Field(name string) Pos {
	p.Path = Join(p.Path, name)
	return p
}

// Decoder is a type that decodes itself from a node (durations, free-form values).
type Decoder interface {
	DecodeYAML(node *yaml.Node) error
}

// Parse parses data and returns its document node (nil for an empty document).
func Parse(file string, data []byte) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if _, after, ok := strings.Cut(msg, "line "); ok {
			n, _ := strconv.Atoi(strings.SplitN(after, ":", 2)[0])
			line = n
			if _, m, ok := strings.Cut(after, ": "); ok {
				msg = m
			}
		}
		return nil, &Error{File: file, Line: line, Col: 1, Msg: "not valid YAML: " + msg}
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	return root.Content[0], nil
}

// Decode decodes node into v, a pointer, collecting every error.
func Decode(file string, node *yaml.Node, v any) error { return DecodeAt(file, node, v, "") }

// DecodeAt is Decode for a node found at path in its file.
func DecodeAt(file string, node *yaml.Node, v any, path string) error {
	d := &decoder{file: file}
	d.value(node, reflect.ValueOf(v).Elem(), path)
	return errors.Join(d.errs...)
}

type decoder struct {
	file string
	errs []error
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

var (
	posType  = reflect.TypeOf(Pos{})
	nodeType = reflect.TypeOf(yaml.Node{})
)

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.CanAddr() {
		if dec, ok := v.Addr().Interface().(Decoder); ok {
			if err := dec.DecodeYAML(n); err != nil {
				d.fail(n, path, "%v", err)
			}
			return
		}
	}
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Tag == "!!null" {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.structValue(n, v, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping of names to values, got %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			elem := reflect.New(v.Type().Elem()).Elem()
			d.value(val, elem, Join(path, k.Value))
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
		}
		v.Set(m)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.fail(n, path, "expected text, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.fail(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.fail(n, path, "expected a whole number, got %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.fail(n, path, "%v", err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.fail(n, path, "cannot decode into %s", v.Type())
	}
}

func (d *decoder) structValue(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type == posType {
			v.Field(i).Set(reflect.ValueOf(Pos{File: d.file, Line: n.Line, Col: n.Column, Path: path}))
			continue
		}
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	slices.Sort(names)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		switch {
		case !ok:
			d.fail(k, Join(path, k.Value), "unknown key; expected one of %s", strings.Join(names, ", "))
		case seen[k.Value]:
			d.fail(k, Join(path, k.Value), "appears twice")
		default:
			seen[k.Value] = true
			d.value(val, v.Field(idx), Join(path, k.Value))
		}
	}
}

// describe says what a node holds, for "expected X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// Join appends key to a dotted path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
