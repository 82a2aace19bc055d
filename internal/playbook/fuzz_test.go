package playbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// FuzzPlaybook feeds YAML to Parse, as a playbook directory would. Seeds: the built-in
// library, the test playbooks and their error fixtures. Properties: no panic; a refusal
// names the file; an accepted playbook is valid (a name, phases, steps with actions) and
// builds with its defaults (or says why not) without panicking.
func FuzzPlaybook(f *testing.F) {
	for _, glob := range []string{"../../playbooks/*.yaml", "testdata/valid/*.yaml", "testdata/errors/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("name: x\n"))
	f.Add([]byte("name: &a [*a]\n"))
	exists := func(string) bool { return true }
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data, exists, Options{AllowedHosts: []string{"dns-failover.internal"}})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("the error does not name the file: %v", err)
			}
			return
		}
		if !nameRe.MatchString(p.Name) || len(p.Phases) == 0 {
			t.Fatalf("accepted a playbook without a valid name or phases: %+v", p)
		}
		for _, ps := range p.Steps() {
			if KindOf(ps.Step.Action.Type) == nil {
				t.Fatalf("accepted step %q without an action", ps.Step.ID)
			}
		}
		inc := &incident.Incident{Number: 1, Title: "fuzz", Severity: incident.P1, Services: []string{"api"}}
		if spec, err := Build(p, nil, inc, BuildOptions{AllowedHosts: []string{"dns-failover.internal"}}); err == nil && len(spec.Phases) != len(p.Phases) {
			t.Fatalf("built %d phases of %d", len(spec.Phases), len(p.Phases))
		}
	})
}
