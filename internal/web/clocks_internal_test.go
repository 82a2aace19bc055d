package web

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The incident's clocks: the RTO from declaration to mitigation (or now) and, once a data
// loss is measured or recorded, the RPO, each against its target and in words.
func TestClocks(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	o := incident.Objectives{RTO: 15 * time.Minute, RPO: 30 * time.Second, RTOService: "intent-processing"}
	for _, c := range []struct {
		name string
		inc  incident.Incident
		now  time.Time
		want []bar // Name, Text and Class
	}{
		{"running, no data loss yet", incident.Incident{DeclaredAt: t0, RPOAchieved: -1}, t0.Add(5 * time.Minute), []bar{
			{Name: "RTO", Text: "5m elapsed of 15m, 10m left · intent-processing"},
			{Name: "RPO", Text: "target 30s; no data loss measured yet"}}},
		{"overdue, loss recorded over its target", incident.Incident{DeclaredAt: t0, RPOAchieved: 2 * time.Minute}, t0.Add(20 * time.Minute), []bar{
			{Name: "RTO", Text: "20m elapsed, overdue by 5m (target 15m) · intent-processing", Class: "over"},
			{Name: "RPO", Text: "2m of data lost (recorded), 1m over the 30s target", Class: "over"}}},
		{"mitigated in time, loss measured", incident.Incident{DeclaredAt: t0, MitigatedAt: t0.Add(9 * time.Minute), RPOAchieved: -1,
			RPOMeasured: &incident.MeasuredRPO{Window: 0}}, t0.Add(time.Hour), []bar{
			{Name: "RTO", Text: "mitigated in 9m, within the 15m target · intent-processing", Class: "ok"},
			{Name: "RPO", Text: "0s of data lost (measured), target 30s", Class: "ok"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := clocks(&c.inc, o, c.now)
			if len(got) != len(c.want) {
				t.Fatalf("%d clocks, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				if got[i].Name != w.Name || got[i].Text != w.Text || got[i].Class != w.Class {
					t.Errorf("clock %d = %s %q %q, want %s %q %q", i, got[i].Name, got[i].Text, got[i].Class, w.Name, w.Text, w.Class)
				}
			}
		})
	}
	if got := clocks(&incident.Incident{DeclaredAt: t0, RPOAchieved: -1}, incident.Objectives{}, t0); len(got) != 0 {
		t.Errorf("an incident without a service has clocks: %+v", got)
	}
}
