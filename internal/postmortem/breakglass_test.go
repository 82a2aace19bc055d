package postmortem_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
)

// The review counts the approvals the commander gave alone: the step's row says so, and a
// section lists each such step with how many times and the latest reason. A review without
// any has no such section.
func TestReviewCountsBreakGlass(t *testing.T) {
	w, err := postmortem.New("", nil)
	if err != nil {
		t.Fatal(err)
	}
	declared := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	inc := &incident.Incident{Number: 9, Title: "Region down", Severity: incident.P0, Status: incident.StatusResolved, DeclaredAt: declared,
		ResolvedAt: declared.Add(42 * time.Minute), RPOAchieved: -1, Commander: "U0ALICE"}
	step := incident.RunStep{Seq: 1, Spec: incident.StepSpec{StepID: "scale-api", Title: "Scale the API up", Owner: incident.RoleTechnicalLead},
		State: incident.StepSucceeded, RequestedBy: "U0ALICE", ApprovedBy: "U0ALICE", Output: "scaled",
		BreakGlass: "the DBA is unreachable &amp; <@U0BOB> is asleep", BreakGlasses: 2}
	d := incident.ReviewData{Incident: inc, Now: declared.Add(time.Hour), Names: map[string]string{"U0ALICE": "Alice", "U0BOB": "Bob"},
		Runs: []incident.Run{{Playbook: "regional-outage", Steps: []incident.RunStep{step}}}}
	r, err := w.Write(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| regional-outage | Scale the API up | Technical lead | Alice | Alice (break-glass) | succeeded: scaled |",
		"## Break-glass approvals",
		"| regional-outage | Scale the API up | 2 | the DBA is unreachable & Bob is asleep |",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the review lacks %q:\n%s", want, r.Body)
		}
	}
	d.Runs[0].Steps[0].BreakGlasses, d.Runs[0].Steps[0].BreakGlass = 0, ""
	if r, _ = w.Write(d); strings.Contains(r.Body, "Break-glass") || strings.Contains(r.Body, "(break-glass)") {
		t.Errorf("a review without break-glass mentions it:\n%s", r.Body)
	}
}
