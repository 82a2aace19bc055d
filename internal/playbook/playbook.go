// Package playbook is incidentbot's playbook library: the YAML format (strictly decoded,
// every error at file:line:column), validation, parameters and templating, and the kinds
// of action a step can take.
package playbook

import (
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
	"go.yaml.in/yaml/v3"
)

// Playbook is a phased runbook.
type Playbook struct {
	Pos         yamlx.Pos
	Name        string            `yaml:"name"`
	Title       string            `yaml:"title"`
	Description string            `yaml:"description"`
	Kind        string            `yaml:"kind"`     // scenario or runbook
	Severity    string            `yaml:"severity"` // the severity it is written for
	Source      string            `yaml:"source"`   // where in the BCDR plan it comes from
	Match       *Match            `yaml:"match"`
	Params      map[string]*Param `yaml:"params"`
	Roles       []string          `yaml:"roles"`
	Phases      []*Phase          `yaml:"phases"`

	File string `yaml:"-"` // where it was loaded from
	Dir  string `yaml:"-"` // the directory of File, for manifests beside it

	fsys  fs.FS // the files beside it, for manifests
	fsDir string
}

// ReadFile reads a file beside the playbook (a manifest of kubernetes.apply).
func (p *Playbook) ReadFile(rel string) ([]byte, error) {
	if p.fsys == nil {
		return nil, fmt.Errorf("playbook %s has no files beside it", p.Name)
	}
	return fs.ReadFile(p.fsys, path.Join(p.fsDir, path.Clean(rel)))
}

// Match says which incidents the playbook is offered for.
type Match struct {
	Pos        yamlx.Pos
	Services   []string `yaml:"services"`
	Severities []string `yaml:"severities"`
}

// Param is a run parameter.
type Param struct {
	Pos         yamlx.Pos
	Description string   `yaml:"description"`
	Default     string   `yaml:"default"`
	Enum        []string `yaml:"enum"`
	Required    bool     `yaml:"required"`
}

// Phase is a stage with a time window measured from the start of the run.
type Phase struct {
	Pos    yamlx.Pos
	Name   string   `yaml:"name"`
	After  Duration `yaml:"after"`  // the window opens (default 0)
	Within Duration `yaml:"within"` // the deadline
	Steps  []*Step  `yaml:"steps"`
}

// Step is one thing to do, by one role, maybe approved first.
type Step struct {
	Pos      yamlx.Pos
	ID       string    `yaml:"id"`
	Title    string    `yaml:"title"`
	Owner    string    `yaml:"owner"`
	Approval *Approval `yaml:"approval"`
	Raw      yaml.Node `yaml:"action"`

	Action incident.Action `yaml:"-"` // decoded from Raw by the loader, by its type
}

// Approval says who must approve a step before it runs.
type Approval struct {
	Pos       yamlx.Pos
	Roles     []string `yaml:"roles"`
	Groups    []string `yaml:"groups"`
	TwoPerson bool     `yaml:"two_person"` // whoever asked to run it may not approve it
}

// Duration is a time.Duration written as 15m or 4h.
type Duration time.Duration

// DecodeYAML parses a duration.
func (d *Duration) DecodeYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("expected a duration such as 30s, 15m or 4h, got %q", n.Value)
	}
	if v < 0 {
		return fmt.Errorf("a duration cannot be negative")
	}
	*d = Duration(v)
	return nil
}

// String renders the duration compactly.
func (d Duration) String() string { return time.Duration(d).String() }

// Steps returns every step in order, with its phase.
func (p *Playbook) Steps() []PhaseStep {
	var out []PhaseStep
	for i, ph := range p.Phases {
		for _, st := range ph.Steps {
			out = append(out, PhaseStep{Phase: ph, PhaseIndex: i, Step: st})
		}
	}
	return out
}

// PhaseStep is a step with the phase it belongs to.
type PhaseStep struct {
	Phase      *Phase
	PhaseIndex int
	Step       *Step
}
