package playbook_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/playbooks"
)

// The built-in library loads, and holds the BCDR plan's four scenarios and six runbooks.
func TestBuiltinLibrary(t *testing.T) {
	lib := playbook.NewLibrary()
	if err := lib.LoadFS(playbooks.FS, ".", "playbooks", playbook.Options{AllowedHosts: []string{"dns-failover.internal", "global-lb.internal"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"single-node-failure": "scenario", "regional-outage": "scenario", "multi-region-cloud-outage": "scenario",
		"cyber-security-incident": "scenario", "database-primary-failure": "runbook", "database-region-failure": "runbook",
		"database-corruption": "runbook", "application-service-failure": "runbook", "application-region-failover": "runbook",
		"application-complete-rebuild": "runbook",
	}
	if got := len(lib.List()); got != len(want) {
		t.Errorf("%d playbooks, want %d", got, len(want))
	}
	for name, kind := range want {
		p, ok := lib.Get(name)
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if p.Kind != kind || p.Source == "" {
			t.Errorf("%s: kind %q source %q", name, p.Kind, p.Source)
		}
		for _, ps := range p.Steps() {
			if ps.Step.Owner == "" {
				t.Errorf("%s: step %s has no owner", name, ps.Step.ID)
			}
		}
	}
	// The seed's database primary-failure runbook, command for command.
	p, _ := lib.Get("database-primary-failure")
	var types []string
	for _, ps := range p.Steps() {
		types = append(types, ps.Step.Action.Type)
	}
	wantTypes := []string{"kubernetes.exec", "kubernetes.patch", "kubernetes.rollout-restart", "kubernetes.rollout-restart", "kubernetes.wait", "kubernetes.exec"}
	if len(types) != len(wantTypes) {
		t.Fatalf("primary-failure steps %v", types)
	}
	for i := range types {
		if types[i] != wantTypes[i] {
			t.Errorf("step %d is %s, want %s", i, types[i], wantTypes[i])
		}
	}
}
