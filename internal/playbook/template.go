package playbook

import (
	"fmt"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// IncidentFields are what templates may read under .incident.
var IncidentFields = []string{"key", "number", "title", "severity", "service", "tier", "channel", "commander"}

// parseTemplate parses s as a text/template with missing keys as errors.
func parseTemplate(s string) (*template.Template, error) {
	return template.New("").Option("missingkey=error").Parse(s)
}

// checkTemplate parses s and checks that it reads only declared params and known incident
// fields. It returns a message, or "".
func checkTemplate(s string, params map[string]*Param) string {
	if !templated(s) {
		return ""
	}
	t, err := parseTemplate(s)
	if err != nil {
		return "bad template: " + strings.TrimPrefix(err.Error(), "template: :")
	}
	var problems []string
	walk(t.Tree.Root, func(fields []string) {
		if len(fields) == 0 {
			return
		}
		switch fields[0] {
		case "params":
			if len(fields) < 2 {
				problems = append(problems, "use .params.<name>, not .params")
			} else if _, ok := params[fields[1]]; !ok {
				problems = append(problems, fmt.Sprintf("unknown param %q (declared: %s)", fields[1], paramNames(params)))
			}
		case "incident":
			if len(fields) < 2 {
				problems = append(problems, "use .incident.<field>, not .incident")
			} else if !slices.Contains(IncidentFields, fields[1]) {
				problems = append(problems, fmt.Sprintf("unknown incident field %q (known: %s)", fields[1], strings.Join(IncidentFields, ", ")))
			}
		default:
			problems = append(problems, fmt.Sprintf("unknown value .%s: templates read .params and .incident", fields[0]))
		}
	})
	return strings.Join(problems, "; ")
}

func paramNames(params map[string]*Param) string {
	if len(params) == 0 {
		return "none"
	}
	var names []string
	for n := range params {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// walk calls fn with the field chain of every field reference in the tree.
func walk(n parse.Node, fn func([]string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.FieldNode:
		fn(n.Ident)
	case *parse.ChainNode:
		walk(n.Node, fn)
	case *parse.IfNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	}
}

// render executes a checked template with data.
func render(s string, data map[string]any) (string, error) {
	if !templated(s) {
		return s, nil
	}
	t, err := parseTemplate(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// renderAny renders every string inside a free-form value (maps, lists, scalars).
func renderAny(v any, data map[string]any) (any, error) {
	switch v := v.(type) {
	case string:
		return render(v, data)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := renderAny(x, data)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := renderAny(x, data)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// anyStrings lists the strings inside a free-form value, for template checks.
func anyStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, anyStrings(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, anyStrings(x)...)
		}
		return out
	}
	return nil
}
