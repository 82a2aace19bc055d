package drills

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The drills read step cards as the bot renders them (views.StepCard): this keeps the
// reader in step with the view without a control plane.
func TestStepCardsReadsTheBotsCards(t *testing.T) {
	inc := &incident.Incident{Number: 7, Title: "drill", Severity: incident.P1, Commander: alice.SlackID}
	spec := incident.StepSpec{StepID: "switchover", Title: "Promote the replica", Owner: incident.RoleTechnicalLead,
		Action: incident.Action{Type: "kubernetes.exec"}, Summary: "kubernetes.exec namespace=ns pod=p command=[patronictl switchover]",
		Mutating: true, ApprovalRoles: []incident.Role{incident.RoleCommander}, TwoPerson: true}
	run := &incident.Run{ID: 3, Number: 1, Title: "t", Playbook: "p", StartedAt: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)}
	run.Steps = []incident.RunStep{
		{ID: 41, RunID: 3, Seq: 1, State: incident.StepSucceeded, Spec: incident.StepSpec{StepID: "first", Title: "First", Action: incident.Action{Type: "manual"}, Summary: "manual"}, DecidedBy: bob.SlackID},
		{ID: 42, RunID: 3, Seq: 2, State: incident.StepAwaitingApproval, Spec: spec, RequestedBy: bob.SlackID, Output: "exit code 0\nstdout:\nok"},
	}
	var ch testenv.SlackChannel
	for i := len(run.Steps) - 1; i >= 0; i-- { // posted in any order: read in the run's
		blocks, _ := views.StepCard(inc, run, &run.Steps[i], run.StartedAt)
		raw, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		ch.Messages = append(ch.Messages, testenv.SlackMessage{Blocks: raw})
	}
	cards := stepCards(&ch)
	if len(cards) != 2 || cards[0].ID != 41 || cards[1].ID != 42 {
		t.Fatalf("cards %+v", cards)
	}
	c := cards[1]
	if c.Seq != 2 || c.Title != "Promote the replica" || c.State != "awaiting approval" || c.Type() != "kubernetes.exec" ||
		c.RequestedBy() != bob.SlackID || c.ApprovedBy() != "" || c.Output != "exit code 0\nstdout:\nok" {
		t.Errorf("card %+v", c)
	}
	if _, ok := c.Button(incident.StepVerbApprove); !ok {
		t.Errorf("no Approve button on %+v", c.Buttons)
	}
	if _, ok := c.Button(incident.StepVerbRun); ok {
		t.Errorf("a Run button on a step awaiting approval: %+v", c.Buttons)
	}
	if want := "two-person"; !strings.Contains(c.Approval, want) {
		t.Errorf("approval field %q lacks %q", c.Approval, want)
	}
	if cards[0].State != "succeeded" || cards[0].Type() != "manual" {
		t.Errorf("first card %+v", cards[0])
	}
}
