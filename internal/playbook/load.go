package playbook

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
	"go.yaml.in/yaml/v3"
)

// Options are what loading checks against, beyond the file itself.
type Options struct {
	AllowedHosts []string // http hosts; nil skips the check
	Services     []string // configured services, for match; nil skips the check
}

var (
	nameRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	paramRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// Parse decodes and validates one playbook. exists reports whether a file beside it exists.
// Every problem is returned, each at its file:line:column.
func Parse(file string, data []byte, exists func(rel string) bool, opts Options) (*Playbook, error) {
	root, err := yamlx.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, &yamlx.Error{File: file, Line: 1, Col: 1, Msg: "the file is empty; a playbook needs name, title and phases"}
	}
	p := &Playbook{File: file, Dir: path.Dir(file)}
	if err := yamlx.Decode(file, root, p); err != nil {
		return nil, err
	}
	if errs := nullEntries(p); len(errs) > 0 {
		return nil, errors.Join(sortErrors(errs)...)
	}
	var errs []error
	for _, ps := range p.Steps() {
		errs = append(errs, decodeAction(file, ps.Step, p, exists, opts)...)
	}
	errs = append(errs, validate(p, opts)...)
	if len(errs) > 0 {
		return nil, errors.Join(sortErrors(errs)...)
	}
	return p, nil
}

// nullEntries reports params, phases and steps written as null (a "-" or "name:" with
// nothing after it): they decode to nothing, which the checks below cannot look into.
func nullEntries(p *Playbook) []error {
	var errs []error
	for name, par := range p.Params {
		if par == nil {
			errs = append(errs, p.Pos.Field("params."+name).Errorf("empty; give a default, an enum or required: true"))
		}
	}
	for i, ph := range p.Phases {
		if ph == nil {
			errs = append(errs, p.Pos.Field(fmt.Sprintf("phases[%d]", i)).Errorf("empty; a phase needs a name, within and steps"))
			continue
		}
		for j, st := range ph.Steps {
			if st == nil {
				errs = append(errs, ph.Pos.Field(fmt.Sprintf("steps[%d]", j)).Errorf("empty; a step needs an id, a title and an action"))
			}
		}
	}
	return errs
}

// decodeAction decodes a step's action by its type and checks it.
func decodeAction(file string, st *Step, p *Playbook, exists func(string) bool, opts Options) []error {
	pos := st.Pos.Field("action")
	raw := &st.Raw
	if raw.Kind == 0 {
		return []error{pos.Errorf("required")}
	}
	if raw.Kind != yaml.MappingNode {
		return []error{&yamlx.Error{File: file, Line: raw.Line, Col: raw.Column, Path: pos.Path, Msg: "expected a mapping with a type"}}
	}
	pos.Line, pos.Col = raw.Line, raw.Column
	typ := ""
	for i := 0; i+1 < len(raw.Content); i += 2 {
		if raw.Content[i].Value == "type" {
			typ = raw.Content[i+1].Value
			pos.Line, pos.Col = raw.Content[i+1].Line, raw.Content[i+1].Column
		}
	}
	kind := KindOf(typ)
	switch {
	case typ == "":
		return []error{pos.Field("type").Errorf("required; one of %s", typeNames())}
	case kind == nil:
		return []error{pos.Field("type").Errorf("unknown action type %q; expected one of %s", typ, typeNames())}
	}
	a, err := decodeFields(file, raw, kind, pos.Path)
	if err != nil {
		return []error{err}
	}
	st.Action = a
	pos.Line, pos.Col = raw.Line, raw.Column
	var errs []error
	if kind.check != nil {
		errs = kind.check(&a, pos, CheckEnv{AllowedHosts: opts.AllowedHosts, Exists: exists})
	}
	texts, values := templates(&a)
	for _, s := range texts {
		if msg := checkTemplate(*s, p.Params); msg != "" {
			errs = append(errs, pos.Errorf("%s", msg))
		}
	}
	for _, v := range values {
		for _, s := range anyStrings(*v) {
			if msg := checkTemplate(s, p.Params); msg != "" {
				errs = append(errs, pos.Errorf("%s", msg))
			}
		}
	}
	return errs
}

// decodeFields decodes an action's mapping n (found at path) into an incident.Action,
// strictly: the keys of its kind only, each once, each of its field's shape. It collects
// every error, in the order of the keys, as yamlx does for a struct.
func decodeFields(file string, n *yaml.Node, kind *Kind, path string) (incident.Action, error) {
	var a incident.Action
	keys := append([]string{"type"}, kind.Fields...)
	expected := slices.Clone(keys)
	slices.Sort(expected)
	var errs []error
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		at := yamlx.Join(path, k.Value)
		switch {
		case !slices.Contains(keys, k.Value):
			errs = append(errs, &yamlx.Error{File: file, Line: k.Line, Col: k.Column, Path: at,
				Msg: "unknown key; expected one of " + strings.Join(expected, ", ")})
		case seen[k.Value]:
			errs = append(errs, &yamlx.Error{File: file, Line: k.Line, Col: k.Column, Path: at, Msg: "appears twice"})
		default:
			seen[k.Value] = true
			if err := decodeField(file, val, field(&a, k.Value), at); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return a, errors.Join(errs...)
}

var durationType = reflect.TypeOf(time.Duration(0))

// decodeField decodes one value into f; durations are written as 30s, 15m or 4h.
func decodeField(file string, n *yaml.Node, f reflect.Value, path string) error {
	if f.Type() == durationType {
		var d Duration
		err := yamlx.DecodeAt(file, n, &d, path)
		f.SetInt(int64(d))
		return err
	}
	return yamlx.DecodeAt(file, n, f.Addr().Interface(), path)
}

func validRole(r string) bool {
	_, err := incident.ParseRole(r)
	return err == nil && slices.Contains(roleNames(), r)
}

func roleNames() []string {
	var out []string
	for _, r := range incident.CrisisRoles {
		out = append(out, string(r))
	}
	return out
}

func validate(p *Playbook, opts Options) []error {
	var errs []error
	bad := func(pos yamlx.Pos, format string, args ...any) { errs = append(errs, pos.Errorf(format, args...)) }
	switch {
	case p.Name == "":
		bad(p.Pos.Field("name"), "required")
	case !nameRe.MatchString(p.Name):
		bad(p.Pos.Field("name"), "expected lowercase letters, digits and hyphens, got %q", p.Name)
	}
	if p.Title == "" {
		bad(p.Pos.Field("title"), "required")
	}
	if p.Kind != "" && p.Kind != "scenario" && p.Kind != "runbook" {
		bad(p.Pos.Field("kind"), "expected scenario or runbook, got %q", p.Kind)
	}
	if p.Severity != "" {
		if _, err := incident.ParseSeverity(p.Severity); err != nil || p.Severity != strings.ToUpper(p.Severity) {
			bad(p.Pos.Field("severity"), "expected P0, P1, P2 or P3, got %q", p.Severity)
		}
	}
	if m := p.Match; m != nil {
		for i, s := range m.Severities {
			if _, err := incident.ParseSeverity(s); err != nil || s != strings.ToUpper(s) {
				bad(m.Pos.Field(fmt.Sprintf("severities[%d]", i)), "expected P0, P1, P2 or P3, got %q", s)
			}
		}
		for i, s := range m.Services {
			if opts.Services != nil && !slices.Contains(opts.Services, s) {
				bad(m.Pos.Field(fmt.Sprintf("services[%d]", i)), "unknown service %q (configured: %s)", s, strings.Join(opts.Services, ", "))
			}
		}
	}
	for name, par := range p.Params {
		pos := par.Pos
		if !paramRe.MatchString(name) {
			bad(pos, "a param name is lowercase letters, digits and _, starting with a letter")
		}
		if par.Required && par.Default != "" {
			bad(pos, "a required param cannot have a default")
		}
		if par.Default != "" && len(par.Enum) > 0 && !slices.Contains(par.Enum, par.Default) {
			bad(pos.Field("default"), "%q is not one of the enum values %s", par.Default, strings.Join(par.Enum, ", "))
		}
	}
	for i, r := range p.Roles {
		if !validRole(r) {
			bad(p.Pos.Field(fmt.Sprintf("roles[%d]", i)), "%q is not a crisis role (%s)", r, strings.Join(roleNames(), ", "))
		}
	}
	if len(p.Phases) == 0 {
		bad(p.Pos.Field("phases"), "required: at least one phase")
	}
	ids := map[string]yamlx.Pos{}
	for _, ph := range p.Phases {
		if ph.Name == "" {
			bad(ph.Pos.Field("name"), "required")
		}
		if ph.Within == 0 {
			bad(ph.Pos.Field("within"), "required: the phase's deadline from the start of the run, such as 15m")
		} else if ph.After >= ph.Within {
			bad(ph.Pos.Field("after"), "the window opens at %s but closes at %s", ph.After, ph.Within)
		}
		if len(ph.Steps) == 0 {
			bad(ph.Pos.Field("steps"), "required: at least one step")
		}
		for _, st := range ph.Steps {
			switch prev, dup := ids[st.ID]; {
			case st.ID == "":
				bad(st.Pos.Field("id"), "required")
			case !nameRe.MatchString(st.ID):
				bad(st.Pos.Field("id"), "expected lowercase letters, digits and hyphens, got %q", st.ID)
			case dup:
				bad(st.Pos.Field("id"), "%q is already the id of the step at line %d", st.ID, prev.Line)
			default:
				ids[st.ID] = st.Pos
			}
			if st.Title == "" {
				bad(st.Pos.Field("title"), "required")
			} else if msg := checkTemplate(st.Title, p.Params); msg != "" {
				bad(st.Pos.Field("title"), "%s", msg)
			}
			if st.Owner != "" && !validRole(st.Owner) {
				bad(st.Pos.Field("owner"), "%q is not a crisis role (%s)", st.Owner, strings.Join(roleNames(), ", "))
			}
			if a := st.Approval; a != nil {
				for i, r := range a.Roles {
					if !validRole(r) {
						bad(a.Pos.Field(fmt.Sprintf("roles[%d]", i)), "%q is not a crisis role (%s)", r, strings.Join(roleNames(), ", "))
					}
				}
				if len(a.Roles) == 0 && len(a.Groups) == 0 {
					bad(a.Pos, "name the roles or groups that approve")
				}
			}
		}
	}
	return errs
}

// sortErrors orders errors by file position.
func sortErrors(errs []error) []error {
	sort.SliceStable(errs, func(i, j int) bool {
		a, aok := errs[i].(*yamlx.Error)
		b, bok := errs[j].(*yamlx.Error)
		if !aok || !bok {
			return aok
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return errs
}

// Library is a set of playbooks by name.
type Library struct {
	byName map[string]*Playbook
}

// NewLibrary returns an empty library.
func NewLibrary() *Library { return &Library{byName: map[string]*Playbook{}} }

// Get returns the named playbook.
func (l *Library) Get(name string) (*Playbook, bool) {
	p, ok := l.byName[name]
	return p, ok
}

// List returns the playbooks sorted by name.
func (l *Library) List() []*Playbook {
	out := make([]*Playbook, 0, len(l.byName))
	for _, p := range l.byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// add adds p unless its name is taken.
func (l *Library) add(p *Playbook) error {
	if prev, ok := l.byName[p.Name]; ok {
		return p.Pos.Field("name").Errorf("%q is already the name of the playbook in %s", p.Name, prev.File)
	}
	l.byName[p.Name] = p
	return nil
}

// LoadFS adds every *.yaml and *.yml file directly in dir of fsys, labelling files with
// label (a directory path or "builtin"). It returns every error of every file.
func (l *Library) LoadFS(fsys fs.FS, dir, label string, opts Options) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("playbooks: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		if err := l.LoadFile(fsys, path.Join(dir, e.Name()), path.Join(label, e.Name()), opts); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LoadFile adds one playbook file of fsys, named label in errors.
func (l *Library) LoadFile(fsys fs.FS, name, label string, opts Options) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	dir := path.Dir(name)
	exists := func(rel string) bool {
		st, err := fs.Stat(fsys, path.Join(dir, rel))
		return err == nil && !st.IsDir()
	}
	p, err := Parse(label, data, exists, opts)
	if err != nil {
		return err
	}
	p.fsys, p.fsDir = fsys, dir
	return l.add(p)
}
