package incident_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A manual step with an approval (the seed's Terraform apply) is done only once approved:
// Mark done before is refused, saying how to ask; its card offers Request approval, then,
// once approved, Mark done; nothing is executed for it.
func TestAManualStepWithAnApprovalIsDoneOnlyOnceApproved(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rebuild.yaml"), []byte(`name: rebuild
title: Rebuild
kind: runbook
phases:
  - name: Provision
    within: 2h
    steps:
      - id: terraform-apply
        title: Provision clean infrastructure with Terraform
        owner: technical-lead
        approval: {roles: [incident-commander], two_person: true}
        action: {type: manual, instructions: "terraform apply"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	sys := testenv.NewSystem(t, testenv.WithPlaybooks(dir))
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	do := func(user, ch, text string) string {
		t.Helper()
		r := sys.Do(user, ch, text)
		sys.Deliver()
		return r.Text
	}
	do("U0ALICE", general, "declare P1 platform rebuild the platform")
	ch := sys.Incident(1).ChannelID
	do("U0ALICE", ch, "role technical-lead <@U0BOB>")
	do("U0ALICE", ch, "playbook rebuild")
	state := func() incident.StepState {
		t.Helper()
		runs, err := sys.Service.RunsOf(sys.Ctx, 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		return runs[0].Steps[0].State
	}
	card := func() string {
		msgs := sys.Slack.Channel(ch).Messages
		return string(msgs[len(msgs)-1].Blocks)
	}
	if c := card(); !strings.Contains(c, "Request approval") || strings.Contains(c, "Mark done") {
		t.Errorf("the pending step's card offers:\n%s", c)
	}
	if got := do("U0BOB", ch, "step 1.1 done"); !strings.Contains(got, "needs the approval of the Incident commander before anyone does it") || state() != incident.StepPending {
		t.Fatalf("done before approval: %q, %s", got, state())
	}
	if got := do("U0BOB", ch, "step 1.1 run"); !strings.Contains(got, "Asked for approval") || state() != incident.StepAwaitingApproval {
		t.Fatalf("request: %q, %s", got, state())
	}
	if got := do("U0BOB", ch, "step 1.1 done"); state() != incident.StepAwaitingApproval {
		t.Fatalf("done while awaiting approval: %q, %s", got, state())
	}
	if got := do("U0ALICE", ch, "step 1.1 approve"); !strings.Contains(got, "may be done now: do it, then press Mark done") || state() != incident.StepApproved {
		t.Fatalf("approve: %q, %s", got, state())
	}
	if c := card(); !strings.Contains(c, "Mark done") {
		t.Errorf("the approved step's card offers:\n%s", c)
	}
	for _, e := range sys.Effects(1) {
		if e.Kind == incident.EffectExecuteStep {
			t.Errorf("a manual step was executed: %+v", e)
		}
	}
	if got := do("U0BOB", ch, "step 1.1 done"); !strings.Contains(got, "Marked") || state() != incident.StepSucceeded {
		t.Fatalf("done once approved: %q, %s", got, state())
	}
}
