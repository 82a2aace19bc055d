package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A succeeded scale step offers Undo; once its undo step is asked for, its card names that
// step instead, and the undo step's own card (its phase Undo) asks for approval. A restart
// says it has no undo and offers none.
func TestUndoCardsGolden(t *testing.T) {
	inc := sampleIncident()
	inc.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: "U0BOB"}}
	run, now := sampleRun()
	three, zero := 3, 0
	scale := &run.Steps[0]
	scale.Spec = incident.StepSpec{StepID: "scale-down", Title: "Scale the primary region down", Owner: incident.RoleTechnicalLead,
		Action: incident.Action{Type: "kubernetes.scale"}, Summary: "kubernetes.scale cluster=us-east-1 namespace=nephoran-system deployment=api replicas=0",
		Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}, TwoPerson: true}
	scale.Output = "scaled (previous counts, to restore them):\ndeployment nephoran-system/api: replicas 3 -> 0"
	scale.Prior = &incident.Prior{Cluster: "us-east-1", Objects: []incident.PriorObject{{What: incident.PriorReplicas, APIVersion: "apps/v1",
		Kind: "Deployment", Namespace: "nephoran-system", Name: "api", Replicas: &three, SetReplicas: &zero}}}
	blocks, _ := StepCard(inc, run, scale, now)
	golden(t, "step-undo-offered", blocks)

	run.Steps = append(run.Steps, incident.RunStep{ID: 4, RunID: 7, Seq: 4, Phase: 2, PhaseName: incident.UndoPhase, PhaseAfter: 7 * time.Minute,
		PhaseWithin: 12 * time.Minute, State: incident.StepAwaitingApproval, RequestedBy: "U0BOB", Plan: "would scale deployment nephoran-system/api: replicas 0 -> 3",
		PlannedAt: now, Spec: incident.StepSpec{StepID: "scale-down-undo", Title: "Undo step 1.1: Scale the primary region down", Owner: incident.RoleTechnicalLead,
			Action:  incident.Action{Type: incident.ActionUndo, Undo: scale.Prior, UndoOf: scale.ID},
			Summary: "undo of step 1.1:\n" + scale.Prior.Summary(), Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}, TwoPerson: true}})
	blocks, _ = StepCard(inc, run, &run.Steps[0], now)
	golden(t, "step-undo-asked", blocks)
	blocks, _ = StepCard(inc, run, &run.Steps[3], now)
	golden(t, "step-undo-step", blocks)

	run.Steps = run.Steps[:3]
	scale.Prior = &incident.Prior{NoInverse: "a rollout restart has no inverse: the old pods are gone, and restarting again would only replace the new ones"}
	blocks, _ = StepCard(inc, run, scale, now)
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	j := string(raw)
	if strings.Contains(j, "step 1 undo") || !strings.Contains(j, "No undo: a rollout restart has no inverse") {
		t.Errorf("a restart's card: %s", j)
	}
}
