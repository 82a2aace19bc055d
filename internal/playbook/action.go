package playbook

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

// Kind is a type of action: which fields of incident.Action it takes, and how they are checked.
type Kind struct {
	Type     string
	Mutating bool // it changes something outside the bot: it is planned and needs approval
	Doc      string
	// Fields are the keys the type takes besides type (incident.Action's JSON names), in
	// the order Describe shows them.
	Fields []string
	// check validates the decoded fields; p is the action's position.
	check func(a *incident.Action, p yamlx.Pos, env CheckEnv) []error
}

// Mutates reports whether an action changes something outside the bot (and so is planned and
// approved): its kind says so, except that an http GET or HEAD only reads.
func Mutates(a incident.Action) bool {
	if a.Type == "http" {
		m := a.HTTPMethod()
		return m != "GET" && m != "HEAD"
	}
	k := KindOf(a.Type)
	return k != nil && k.Mutating
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

// fieldIndex finds incident.Action's fields by their JSON names.
var fieldIndex = func() map[string]int {
	t := reflect.TypeOf(incident.Action{})
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		out[strings.Split(t.Field(i).Tag.Get("json"), ",")[0]] = i
	}
	return out
}()

func register(k *Kind) {
	for _, f := range k.Fields {
		if _, ok := fieldIndex[f]; !ok || f == "type" {
			panic(fmt.Sprintf("playbook: action %s takes %q, which incident.Action does not have", k.Type, f))
		}
	}
	kinds[k.Type] = k
}

// field returns the field of a named by its JSON name.
func field(a *incident.Action, name string) reflect.Value {
	return reflect.ValueOf(a).Elem().Field(fieldIndex[name])
}

// fixedFields are text fields that choose behaviour: they are checked against their
// allowed values when the playbook loads, and are never templates.
var fixedFields = map[string]bool{"for": true, "patch_type": true, "manifest": true}

// templates returns the templated parts of an action, rendered in place when a run starts:
// its text fields, command arguments and header values, and its free-form values (patch,
// body) whose strings are templated too. Secret headers name variables: never templates.
func templates(a *incident.Action) (texts []*string, values []*any) {
	for _, name := range KindOf(a.Type).Fields {
		if fixedFields[name] {
			continue
		}
		switch x := field(a, name).Addr().Interface().(type) {
		case *string:
			texts = append(texts, x)
		case *[]string:
			for i := range *x {
				texts = append(texts, &(*x)[i])
			}
		case *map[string]*string:
			for _, v := range *x {
				if v != nil {
					texts = append(texts, v)
				}
			}
		case *any:
			values = append(values, x)
		}
	}
	return texts, values
}

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
