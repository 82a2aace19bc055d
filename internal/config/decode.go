package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decode parses YAML into cfg, rejecting unknown keys with their path and position.
func decode(file string, data []byte, cfg *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(root.Content) == 0 {
		return nil // an empty file keeps every default
	}
	doc := root.Content[0]
	if errs := checkKeys(file, doc, reflect.TypeOf(*cfg), ""); len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := doc.Decode(cfg); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// checkKeys walks node against t and reports every mapping key t has no field for.
func checkKeys(file string, node *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	var errs []error
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode || t == reflect.TypeOf(Duration(0)) {
			return nil // type mismatches are reported by Decode
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if tag != "" && tag != "-" {
				fields[tag] = t.Field(i).Type
				names = append(names, tag)
			}
		}
		slices.Sort(names)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				errs = append(errs, fmt.Errorf("%s:%d:%d: %s: unknown key; known keys here: %s", file, k.Line, k.Column, join(path, k.Value), strings.Join(names, ", ")))
				continue
			}
			errs = append(errs, checkKeys(file, v, ft, join(path, k.Value))...)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			errs = append(errs, checkKeys(file, node.Content[i+1], t.Elem(), join(path, node.Content[i].Value))...)
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return nil
		}
		for i, item := range node.Content {
			errs = append(errs, checkKeys(file, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// UnmarshalYAML parses a duration such as "15m" or "4h".
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	v, err := time.ParseDuration(node.Value)
	if err != nil || node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: %q is not a duration such as 30s, 15m or 4h", node.Line, node.Value)
	}
	*d = Duration(v)
	return nil
}
