package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Diff names each differing field by its path, and only those.
func TestDiffNamesEachDifference(t *testing.T) {
	want := fullIncident(1)
	got := fullIncident(1)
	got.Title = "other"
	got.Comms["team"] = got.Comms["team"].Add(time.Millisecond)
	delete(got.Impact, "mid-market")
	got.Roles[incident.RoleCommander] = incident.RoleState{Holder: "U0X"}
	got.Services = got.Services[:2]
	got.DeclaredAt = got.DeclaredAt.In(time.FixedZone("X", 3600)) // the same instant: no difference
	wantDiffs := []string{
		`Incident.Title: got "other", want "API gateway 5xx in us-east-1 — “edge” <&> 1"`,
		`Incident.Services: got 2 elements []string{"api-gateway", "intent-processing"}, want 3 []string{"api-gateway", "intent-processing", "analytics"}`,
		`Incident.Roles[incident-commander]: got incident.RoleState{Holder:"U0X", OnCall:""}, want no such key`,
		`Incident.Impact[mid-market]: missing, want 0`,
		`Incident.Comms[team]: got 2026-03-04T06:21:07.892000000Z (UTC), want 2026-03-04T06:21:07.891000000Z (UTC)`,
	}
	if got := Diff(want, got); !slices.Equal(got, wantDiffs) {
		t.Errorf("Diff =\n%q\nwant\n%q", got, wantDiffs)
	}
}

// Nil and empty maps and slices are equal; pointers and interfaces compare what they hold.
func TestDiffTreatsNilAsEmpty(t *testing.T) {
	a := incident.Incident{Roles: map[incident.Role]incident.RoleState{}, Services: []string{}}
	if d := Diff(a, incident.Incident{}); len(d) != 0 {
		t.Errorf("empty against nil: %q", d)
	}
	zero, one := 0, 1
	for _, c := range []struct {
		want, got incident.Action
		diffs     int
	}{
		{incident.Action{Replicas: &zero}, incident.Action{Replicas: &zero}, 0},
		{incident.Action{Replicas: &zero}, incident.Action{}, 1},
		{incident.Action{Replicas: &zero}, incident.Action{Replicas: &one}, 1},
		{incident.Action{Patch: map[string]any{"a": []any{1.0}}}, incident.Action{Patch: map[string]any{"a": []any{1.0}}}, 0},
		{incident.Action{Patch: map[string]any{"a": 1.0}}, incident.Action{Patch: map[string]any{"a": "1"}}, 1},
	} {
		if d := Diff(c.want, c.got); len(d) != c.diffs {
			t.Errorf("Diff(%+v, %+v) = %q, want %d differences", c.want, c.got, d, c.diffs)
		}
	}
}

// NonUTC finds the times that are not in UTC, wherever they are.
func TestNonUTC(t *testing.T) {
	inc := fullIncident(1)
	if p := NonUTC(inc); len(p) != 0 {
		t.Errorf("a UTC incident: %q", p)
	}
	inc.AckedAt = inc.AckedAt.In(time.FixedZone("UTC", 0)) // named UTC, but not time.UTC
	inc.Comms["team"] = inc.Comms["team"].In(time.FixedZone("Y", 3600))
	p := NonUTC(inc)
	slices.Sort(p)
	if len(p) != 2 || p[0][:len("Incident.AckedAt")] != "Incident.AckedAt" || p[1][:len("Incident.Comms[team]")] != "Incident.Comms[team]" {
		t.Errorf("NonUTC = %q", p)
	}
}
