package playbook

import (
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/yamlx"
)

// Action is a step's action, decoded into the struct of its type.
type Action interface {
	// Kind describes the action's type.
	Kind() *Kind
	// Check validates the decoded fields; p is the action's position.
	Check(p yamlx.Pos, env CheckEnv) []error
	// Strings returns the templated text fields, rendered in place when a run starts.
	Strings() []*string
	// Values returns free-form fields (bodies, patches) whose strings are templated too.
	Values() []*any
}

// Mutates reports whether an action changes something outside the bot (and so is planned and
// approved): its kind says so, unless the action knows better (an http GET does not).
func Mutates(a Action) bool {
	if m, ok := a.(interface{ Mutates() bool }); ok {
		return m.Mutates()
	}
	return a.Kind().Mutating
}

// Kind is a type of action.
type Kind struct {
	Type     string
	Mutating bool // it changes something outside the bot: it is planned and needs approval
	Doc      string
	New      func() Action
}

// CheckEnv is what load-time checks may consult.
type CheckEnv struct {
	// AllowedHosts are the hosts http actions may call (actions.http.allowed_hosts); nil
	// skips the check (validating a playbook repository without the bot's config).
	AllowedHosts []string
	// Exists reports whether a file beside the playbook exists (for manifests).
	Exists func(rel string) bool
}

var kinds = map[string]*Kind{}

func register(k *Kind) { kinds[k.Type] = k }

// Kinds returns every action type, sorted by name.
func Kinds() []*Kind {
	out := make([]*Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *Kind) int { return strings.Compare(a.Type, b.Type) })
	return out
}

// KindOf returns the kind of an action type, or nil.
func KindOf(t string) *Kind { return kinds[t] }

func typeNames() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Type)
	}
	return strings.Join(names, ", ")
}

// templated reports whether s contains template actions.
func templated(s string) bool { return strings.Contains(s, "{{") }

// exactlyOne checks that exactly one of the named fields is set.
func exactlyOne(p yamlx.Pos, fields map[string]bool) []error {
	var set, names []string
	for name, ok := range fields {
		names = append(names, name)
		if ok {
			set = append(set, name)
		}
	}
	slices.Sort(names)
	slices.Sort(set)
	switch len(set) {
	case 1:
		return nil
	case 0:
		return []error{p.Errorf("set one of %s", strings.Join(names, ", "))}
	}
	return []error{p.Errorf("set only one of %s (got %s)", strings.Join(names, ", "), strings.Join(set, " and "))}
}

func required(p yamlx.Pos, name, value string) []error {
	if value == "" {
		return []error{p.Field(name).Errorf("required")}
	}
	return nil
}
