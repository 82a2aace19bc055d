package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func undoCases() []testCase {
	return []testCase{
		{"PriorRoundTrips", priorRoundTrips},
		{"AddRunStepAppends", addRunStepAppends},
	}
}

// fullPrior is a prior state of every form, with absent, null and nested values.
func fullPrior() *incident.Prior {
	no, yes := false, true
	return &incident.Prior{Cluster: "us-west-2", Note: "the 2 evicted pods are not brought back", Objects: []incident.PriorObject{
		{What: incident.PriorReplicas, APIVersion: "apps/v1", Kind: "Deployment", Namespace: "ns", Name: "api", Replicas: intp(0), SetReplicas: intp(3)},
		{What: incident.PriorUnschedulable, APIVersion: "v1", Kind: "Node", Name: "node-7", Unschedulable: &no, SetUnschedulable: &yes},
		{What: incident.PriorFields, APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "db", Fields: []incident.PriorField{
			{Path: []string{"data", "primary.host"}, Before: "pg-0", After: "pg-1"},
			{Path: []string{"data", "new"}, Absent: true, After: "x"},
			{Path: []string{"data", "gone"}, Before: "y", Removed: true},
			{Path: []string{"metadata", "labels"}, Before: map[string]any{"a": "b"}, After: []any{1.0, nil, "c"}},
			{Path: []string{"spec", "n"}, Before: nil, After: 2.5},
		}},
		{What: incident.PriorObjectState, APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "new", After: map[string]any{"data": map[string]any{"k": "v"}}},
		{What: incident.PriorObjectState, APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "old",
			Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "“old”"}}, After: map[string]any{"data": map[string]any{"k": "new"}}},
	}}
}

// A step's Prior reads back as stored by UpdateRunStep, nil stays nil, and a later update
// without one clears it (a retried step that failed has nothing to undo).
func priorRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	if got := readRun(t, s, r.ID); got.Steps[0].Prior != nil {
		t.Errorf("a new step has Prior %+v", got.Steps[0].Prior)
	}
	st := r.Steps[7]
	st.State, st.Output, st.Prior = incident.StepSucceeded, "scaled", fullPrior()
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(&st) })
	got := readRun(t, s, r.ID)
	wantNoDiff(t, "Prior", fullPrior(), got.Steps[7].Prior)
	st.Prior = nil
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(&st) })
	if got := readRun(t, s, r.ID); got.Steps[7].Prior != nil {
		t.Errorf("an update without Prior left %+v", got.Steps[7].Prior)
	}
}

// AddRunStep appends a step to a run with every field it sets, a fresh ID, and its action's
// Undo; the run reads it last; a second step at a taken place is refused.
func addRunStepAppends(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	n := len(r.Steps)
	u := incident.RunStep{RunID: r.ID, Seq: n + 1, Phase: 2, PhaseName: incident.UndoPhase, PhaseAfter: 20*time.Minute + ms(7),
		PhaseWithin: 35 * time.Minute, State: incident.StepAwaitingApproval, RequestedBy: "U0BOB", UpdatedAt: at(time.Hour),
		Spec: incident.StepSpec{StepID: "scale-undo", Title: "Undo step 1.8: scale", Owner: incident.RoleTechnicalLead, Mutating: true,
			Summary: "undo of step 1.8:\nscale deployment ns/api back to 0 replicas", ApprovalRoles: []incident.Role{incident.RoleCommander}, TwoPerson: true,
			Action: incident.Action{Type: incident.ActionUndo, Cluster: "us-west-2", Undo: fullPrior(), UndoOf: r.Steps[7].ID}}}
	update(t, s, func(tx incident.Tx) error { return tx.AddRunStep(&u) })
	if u.ID <= 0 || u.ID == r.Steps[n-1].ID {
		t.Errorf("AddRunStep set ID %d", u.ID)
	}
	got := readRun(t, s, r.ID)
	if len(got.Steps) != n+1 {
		t.Fatalf("%d steps after AddRunStep, want %d", len(got.Steps), n+1)
	}
	wantNoDiff(t, "added step", u, got.Steps[n])
	wantFails(t, s, "a second step at the same place", func(tx incident.Tx) error {
		again := u
		again.ID = 0
		return tx.AddRunStep(&again)
	})
}
