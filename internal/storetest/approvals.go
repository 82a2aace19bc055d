package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func approvalCases() []testCase {
	return []testCase{
		{"ApprovalFieldsRoundTrip", approvalFieldsRoundTrip},
		{"StatsCountBreakGlass", statsCountBreakGlass},
	}
}

// UpdateRunStep stores what an approval is bound to (when, the plan's digest), the
// break-glass reason and count, and a voided approval's reason and plan change; each reads
// back exactly, and cleared fields read back empty.
func approvalFieldsRoundTrip(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	r := createRun(t, s, fullRun(inc.ID))
	st := &r.Steps[0]
	st.State, st.RequestedBy, st.ApprovedBy = incident.StepRunning, "U0ALICE", "U0ALICE"
	st.ApprovedAt, st.ApprovedPlan = at(20*time.Minute+ms(3)), "1a2b3c4d5e6f7a8b"
	st.BreakGlass, st.BreakGlasses = "the other approver is “unreachable” <&>", 2
	st.Plan, st.PlannedAt = "would scale deployment apps/api: replicas 1 -> 3", at(19*time.Minute)
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	wantNoDiff(t, "Run after an approval", r, readRun(t, s, r.ID))

	st.State, st.ApprovedBy, st.ApprovedAt, st.ApprovedPlan = incident.StepAwaitingApproval, "", time.Time{}, ""
	st.Voided, st.PlanChange = incident.VoidPlanChanged, "- replicas 1 -> 3\n+ replicas 2 -> 3"
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	wantNoDiff(t, "Run after a voided approval", r, readRun(t, s, r.ID))

	st.Voided, st.PlanChange = "", ""
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	wantNoDiff(t, "Run after clearing the void", r, readRun(t, s, r.ID))
}

// StatsFacts counts each incident's break-glass approvals over its runs' steps, and a
// break-glass approval (which moves its step) is a change StatsChanges names.
func statsCountBreakGlass(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	other := createIncident(t, s, minimalIncident(2))
	r1, r2 := createRun(t, s, fullRun(inc.ID)), createRun(t, s, fullRun(inc.ID))
	createRun(t, s, fullRun(other.ID))
	var position int64
	view(t, s, func(tx incident.Tx) (err error) { _, position, err = tx.StatsChanges(0); return err })
	for _, st := range []*incident.RunStep{&r1.Steps[0], &r1.Steps[3], &r2.Steps[0]} {
		st.State, st.ApprovedBy, st.BreakGlass, st.BreakGlasses = incident.StepRunning, "U0ALICE", "alone", 1
		update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(st) })
	}
	r2.Steps[0].BreakGlasses = 2
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(&r2.Steps[0]) })
	var facts []incident.StatsFact
	var changed []int64
	view(t, s, func(tx incident.Tx) (err error) {
		if facts, err = tx.StatsFactsOf([]int64{inc.ID, other.ID}); err != nil {
			return err
		}
		changed, _, err = tx.StatsChanges(position)
		return err
	})
	if len(facts) != 2 || facts[0].BreakGlass != 4 || facts[1].BreakGlass != 0 {
		t.Errorf("break-glass counts %+v, want 4 for incident %d and 0 for %d", facts, inc.ID, other.ID)
	}
	if len(changed) != 1 || changed[0] != inc.ID {
		t.Errorf("StatsChanges after the break-glass approvals: %v, want [%d]", changed, inc.ID)
	}
}
