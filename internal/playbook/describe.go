package playbook

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Describe renders an action on one line: its type, then each field of its kind that is
// set, in the kind's order. Secret header values never appear: only their variable names.
func Describe(a incident.Action) string {
	k := KindOf(a.Type)
	if k == nil {
		return a.Type
	}
	parts := []string{a.Type}
	for _, name := range k.Fields {
		f := field(&a, name)
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
	case time.Duration:
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
