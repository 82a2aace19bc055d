package playbook

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Describe renders an action on one line: its type, then each field that is set, in the
// order the type declares them. Secret header values never appear: only their variable names.
func Describe(a Action) string {
	v := reflect.ValueOf(a).Elem()
	t := v.Type()
	parts := []string{a.Kind().Type}
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" || name == "type" {
			continue
		}
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		parts = append(parts, name+"="+format(f.Interface()))
	}
	return strings.Join(parts, " ")
}

func format(x any) string {
	switch x := x.(type) {
	case string:
		if strings.ContainsAny(x, " \t\"") {
			return fmt.Sprintf("%q", x)
		}
		return x
	case *int:
		return fmt.Sprint(*x)
	case bool:
		return fmt.Sprint(x)
	case Duration:
		return x.String()
	case []string:
		quoted := make([]string, len(x))
		for i, s := range x {
			quoted[i] = format(s)
		}
		return "[" + strings.Join(quoted, " ") + "]"
	case map[string]*string:
		m := map[string]string{}
		for k, v := range x {
			if v != nil {
				m[k] = *v
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	return string(b)
}
