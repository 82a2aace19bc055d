package playbook_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/playbook"
	"github.com/nephoran/incidentbot/playbooks"
)

// A drill's switchover runs for real only on a drill database's Patroni (drills.patroni_hosts);
// on any other host, and outside drills, it is not marked live.
func TestDrillSwitchoverIsLiveOnlyOnADrillPatroni(t *testing.T) {
	lib := playbook.NewLibrary()
	if err := lib.LoadFS(playbooks.FS, ".", "playbooks", playbook.Options{}); err != nil {
		t.Fatal(err)
	}
	p, _ := lib.Get("database-primary-failure")
	opts := playbook.BuildOptions{DrillPatroniHosts: []string{"127.0.0.1"}}
	for _, c := range []struct {
		drill bool
		url   string
		live  bool
	}{
		{true, "http://127.0.0.1:8008", true},
		{true, "http://patroni.nephoran-system.svc:8008", false},
		{false, "http://127.0.0.1:8008", false},
	} {
		inc := &incident.Incident{Number: 7, Title: "db down", Severity: incident.P1, Drill: c.drill}
		run, err := playbook.Build(p, map[string]string{"patroni_url": c.url}, inc, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range run.Phases[0].Steps {
			if s.StepID == "switchover" && s.DrillLive != c.live {
				t.Errorf("drill %v at %s: live %v, want %v", c.drill, c.url, s.DrillLive, c.live)
			}
		}
	}
}
