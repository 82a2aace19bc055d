package commands_test

import (
	"context"
	"github.com/nephoran/incidentbot/bot/views"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A drill rehearses a playbook end to end: it is marked DRILL wherever people look, pages
// nobody, and its steps change nothing real.
func TestDrillRehearsesAPlaybookWithoutChangingAnything(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty(), testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"))
	h := newHook(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)

	s.do(alice, general, "drill", "Name a playbook")
	s.do(alice, general, "drill nope", `There is no playbook "nope"`)
	s.do(alice, general, "drill failover-drill region=mars ticket=CHG-1 hook="+h.srv.URL, "region=mars is not one of")
	s.do(alice, general, "drill failover-drill ticket=CHG-9 hook="+h.srv.URL, "Drill *INC-1* declared for Failover drill: 5 steps in 2 phases", "Nobody is paged")
	sys.Deliver()

	inc := sys.Incident(1) // the refused drills declared nothing: this is INC-1
	if !inc.Drill || inc.Title != "Drill: Failover drill" || inc.Severity != incident.P2 {
		t.Fatalf("drill incident %+v", inc)
	}
	if !strings.HasPrefix(inc.Description, "Drill of playbook failover-drill with hook=") || strings.Contains(inc.Description, "()") { // it names no source in the plan: no "()"
		t.Errorf("drill description %q", inc.Description)
	}
	ch := sys.Slack.Channel(inc.ChannelID)
	if !strings.HasPrefix(ch.Name, "inc-1-drill-failover-drill") || !strings.HasPrefix(ch.Topic, "[DRILL] INC-1") {
		t.Errorf("channel %q topic %q do not say drill", ch.Name, ch.Topic)
	}
	carded := false
	for _, m := range ch.Messages {
		carded = carded || strings.Contains(string(m.Blocks), ":test_tube: DRILL")
	}
	if !carded {
		t.Error("no card in the drill channel says DRILL")
	}
	if n := len(sys.PD.Incidents()); n != 0 {
		t.Errorf("a drill paged %d times", n)
	}
	s.do(alice, inc.ChannelID, "page tl", "is a drill: nobody is paged")

	s.do(alice, inc.ChannelID, "role ic <@U0BOB|bob>", "is now the Incident commander")
	s.do(bob, inc.ChannelID, "step 1 run", "Running")
	s.do(alice, inc.ChannelID, "step 3 run", "Asked for approval")
	s.do(bob, inc.ChannelID, "step 3 approve", "Approved; running")
	sys.Deliver()
	if n := h.failover.Load(); n != 0 {
		t.Errorf("a drill called the failover hook %d times", n)
	}
	runs, err := sys.Service.RunsOf(sys.Ctx, inc.ID)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	if st := runs[0].Steps[2]; st.State != incident.StepSucceeded || !strings.HasPrefix(st.Output, "DRILL: not run for real; it would have sent:") ||
		!strings.Contains(st.Output, "CHG-9") {
		t.Errorf("drill dns step %s: %q", st.State, st.Output)
	}
	announced := false
	for _, m := range sys.Slack.Channel(inc.ChannelID).Messages {
		announced = announced || m.Text == "[DRILL] Failing INC-1 over to us-west-2 (CHG-9)"
	}
	if !announced {
		t.Error("the notify step did not post, marked DRILL, in the drill channel")
	}
	declared := sys.Events(inc.ID)[0]
	if got := views.EventText(declared); !strings.HasPrefix(got, "[DRILL] <@U0ALICE> declared P2") {
		t.Errorf("timeline opens with %q", got)
	}
}

// recorder is a kubernetes executor and planner that records which action ran where.
type recorder struct{ ran, planned []string }

func (r *recorder) Execute(_ context.Context, _ *incident.Incident, step *incident.RunStep) (incident.StepResult, error) {
	r.ran = append(r.ran, step.Spec.Summary)
	return incident.StepResult{OK: true, Output: "restarted"}, nil
}

func (r *recorder) Plan(_ context.Context, _ *incident.Incident, step *incident.RunStep) (string, error) {
	r.planned = append(r.planned, step.Spec.Summary)
	return "would restart", nil
}

// With drills.paging and drills.clusters configured, a drill pages the drill policy (and
// nobody else), and a kubernetes step on a mapped cluster runs for real on its drill
// cluster; on a cluster without a drill cluster it stays a dry run.
func TestDrillPagesTheDrillTargetAndActsOnDrillClusters(t *testing.T) {
	rec := &recorder{}
	sys := testenv.NewSystem(t, testenv.WithPagerDuty(), testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"),
		testenv.WithKubernetes(rec, "us-west-2", "eu-west-1", "drill-usw2"),
		testenv.WithDrills(incident.PageTarget{EscalationPolicy: "PDRILL1"}, map[string]string{"us-west-2": "drill-usw2"}))
	sys.Outbox.Planner = rec
	sys.PD.SetOnCall("PDRILL1", "", "PUCAROL")
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)

	s.do(alice, general, "drill restart-drill", "Drill *INC-1* declared", "Its pages go to the drill target (escalation policy PDRILL1) only.",
		"Steps restart act on drill clusters for real")
	s.do(alice, general, "drill restart-drill region=eu-west-1", "Drill *INC-2* declared", "No step changes anything real")
	sys.Deliver()

	pages := sys.PD.Incidents()
	if len(pages) == 0 {
		t.Fatal("the drills paged nobody")
	}
	for _, p := range pages {
		if p.EscalationPolicy != "PDRILL1" || !strings.HasPrefix(p.Title, "[DRILL] [INC-") {
			t.Errorf("a drill paged %q through %q, not the drill policy", p.Title, p.EscalationPolicy)
		}
	}
	one, two := sys.Incident(1), sys.Incident(2)
	s.do(alice, one.ChannelID, "page <@U0BOB|bob>", "only roles are paged, through the drill target")
	for _, inc := range []*incident.Incident{one, two} { // each run has one step: step 1 of each
		s.do(alice, inc.ChannelID, "step 1 run", "Asked for approval")
		s.do(alice, inc.ChannelID, "step 1 approve", "Approved; running")
	}
	sys.Deliver()
	if len(rec.ran) != 1 || !strings.Contains(rec.ran[0], "drill-usw2") {
		t.Fatalf("ran %q: want one restart, on drill-usw2", rec.ran)
	}
	runs, err := sys.Service.RunsOf(sys.Ctx, two.ID)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	if st := runs[0].Steps[0]; st.State != incident.StepSucceeded || st.Output != "DRILL: dry run only: would restart" {
		t.Errorf("the eu-west-1 drill's restart: %s %q", st.State, st.Output)
	}
}
