package playbook_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
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
	wantTypes := []string{"kubernetes.preflight", "patroni.switchover", "kubernetes.patch", "kubernetes.rollout-restart", "kubernetes.rollout-restart", "kubernetes.wait", "kubernetes.exec"}
	if len(types) != len(wantTypes) {
		t.Fatalf("primary-failure steps %v", types)
	}
	for i := range types {
		if types[i] != wantTypes[i] {
			t.Errorf("step %d is %s, want %s", i, types[i], wantTypes[i])
		}
	}
}

// The failover playbooks open the phase that fails over with a preflight, which weighs the
// cluster changes that follow it in the run.
func TestBuiltinFailoversBeginWithAPreflight(t *testing.T) {
	lib := playbook.NewLibrary()
	if err := lib.LoadFS(playbooks.FS, ".", "playbooks", playbook.Options{}); err != nil {
		t.Fatal(err)
	}
	args := map[string]map[string]string{"single-node-failure": {"node": "node-7"}, "database-region-failure": {"backup_date": "20261201"},
		"database-corruption": {"backup_timestamp": "2026-12-01T03:00:00Z"}}
	for name, phase := range map[string]string{
		"regional-outage": "Failover activation", "database-primary-failure": "Promote the standby",
		"database-region-failure": "Activate the database in the target region", "application-region-failover": "Scale up the secondary region",
		"multi-region-cloud-outage": "Cross-cloud failover", "single-node-failure": "Manual verification",
		"database-corruption": "Restart the applications",
	} {
		p, ok := lib.Get(name)
		if !ok {
			t.Fatalf("no playbook %s", name)
		}
		run, err := playbook.Build(p, args[name], &incident.Incident{Number: 1}, playbook.BuildOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		found := false
		for _, ph := range run.Phases {
			if ph.Name != phase {
				continue
			}
			found = true
			pre := ph.Steps[0]
			if pre.Action.Type != "kubernetes.preflight" {
				t.Errorf("%s: phase %q opens with %s, not a preflight", name, phase, pre.Action.Type)
				continue
			}
			changes := 0
			for _, u := range pre.Action.Ahead {
				if playbook.Mutates(u.Action) {
					changes++
				}
			}
			if changes == 0 || !strings.Contains(pre.Plan, "fails if any check fails") {
				t.Errorf("%s: the preflight weighs no change to its cluster: %+v\n%s", name, pre.Action.Ahead, pre.Plan)
			}
		}
		if !found {
			t.Errorf("%s has no phase %q", name, phase)
		}
	}
}
