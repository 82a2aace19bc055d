package web

import (
	"slices"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The console offers what a step's Slack card offers: Mark done for a manual step (after
// its approval, when it needs one), Undo for a step that recorded what it changed, until
// its undo is asked for.
func TestConsoleOffersWhatTheCardOffers(t *testing.T) {
	manual := incident.StepSpec{Action: incident.Action{Type: "manual"}}
	gated := manual
	gated.ApprovalRoles = []incident.Role{incident.RoleCommander}
	scale := incident.StepSpec{Action: incident.Action{Type: "kubernetes.scale"}, Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}}
	scaled := &incident.Prior{Objects: []incident.PriorObject{{What: incident.PriorReplicas, Kind: "Deployment", Name: "api"}}}
	for _, tc := range []struct {
		name string
		step incident.RunStep
		want []string
	}{
		{"manual, pending", incident.RunStep{State: incident.StepPending, Spec: manual}, []string{"done", "skip"}},
		{"manual with an approval, pending", incident.RunStep{State: incident.StepPending, Spec: gated}, []string{"run", "skip"}},
		{"manual, approved", incident.RunStep{State: incident.StepApproved, Spec: gated}, []string{"done", "skip"}},
		{"scale, approved", incident.RunStep{State: incident.StepApproved, Spec: scale}, nil},
		{"scale, succeeded", incident.RunStep{ID: 1, State: incident.StepSucceeded, Spec: scale, Prior: scaled}, []string{"undo"}},
		{"scale, failed partway", incident.RunStep{ID: 1, State: incident.StepFailed, Spec: scale, Prior: scaled}, []string{"retry", "done", "skip", "undo"}},
		{"scale, failed", incident.RunStep{ID: 1, State: incident.StepFailed, Spec: scale}, []string{"retry", "done", "skip"}},
	} {
		run := &incident.Run{Steps: []incident.RunStep{tc.step}}
		if got := consoleVerbs(run, &run.Steps[0]); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Once its undo is asked for, a step offers none.
	run := &incident.Run{Steps: []incident.RunStep{
		{ID: 1, State: incident.StepSucceeded, Spec: scale, Prior: scaled},
		{ID: 2, State: incident.StepAwaitingApproval, Spec: incident.StepSpec{Action: incident.Action{Type: incident.ActionUndo, UndoOf: 1}}},
	}}
	if got := consoleVerbs(run, &run.Steps[0]); slices.Contains(got, "undo") {
		t.Errorf("a step with its undo asked for: %v", got)
	}
}
