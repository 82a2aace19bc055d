package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A notify step whose post the Slack budget holds back (the channel has had its burst) is
// not failed: nothing was posted, so it is delivered again once the budget has room, and
// succeeds, posting once.
func TestANotifyStepHeldBackByTheBudgetRunsLater(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"), testenv.WithSlackBudget())
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	h := newHook(t)
	if r := sys.Do(alice, ch, "playbook failover-drill ticket=CHG-42 region=eu-west-1 hook="+h.srv.URL); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver() // the run card and the step cards spend the channel's burst
	if r := sys.Do(bob, ch, "step 1.1 run"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	step := func() incident.RunStep {
		runs, err := sys.Service.RunsOf(sys.Ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return runs[0].Steps[0]
	}
	if s := step(); s.State != incident.StepRunning {
		t.Fatalf("with the channel's burst spent, the notify step is %s (%q), want still running, held back", s.State, s.Output)
	}
	for i := 0; i < 20 && step().State == incident.StepRunning; i++ {
		sys.Clock.Advance(2 * time.Second)
		sys.Deliver()
	}
	if s := step(); s.State != incident.StepSucceeded || s.Output != "posted" {
		t.Fatalf("the notify step ended %s: %q", s.State, s.Output)
	}
	posted := 0
	for _, m := range sys.Slack.Channel(ch).Messages {
		if strings.Contains(m.Text, "Failing INC-1 over to eu-west-1 (CHG-42)") {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("the notify step posted %d times, want once", posted)
	}
}
