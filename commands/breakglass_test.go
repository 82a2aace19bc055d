package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// channelText is everything posted in ch, text and blocks.
func channelText(ch *testenv.SlackChannel) string {
	var b strings.Builder
	for _, m := range ch.Messages {
		b.WriteString(m.Text + "\n" + string(m.Blocks) + "\n")
	}
	return b.String()
}

// When nobody else can approve, the incident commander approves alone with a quoted
// reason: the step runs on that one approval, the channel and the announce channel are
// told, the timeline has it, and the KPIs count it (real incidents and drills apart). The
// plan rule still holds for a break-glass approval. (Before break-glass, the commander's
// approval of their own request was refused by the two-person rule, and nothing ran.)
func TestBreakGlassByTheCommander(t *testing.T) {
	sys, c, s, ch := guarded(t)
	// Alice, the commander, asks to run the step: the two-person rule forbids her approval.
	s.do(alice, ch, "step 1.1 run", "Asked for approval")
	if r := sys.Do(alice, ch, "step 1.1 approve"); !r.Error || !strings.Contains(r.Text, "two-person rule") {
		t.Fatalf("alice approved her own request: %+v", r)
	}
	// Break-glass, but the cluster drifts before it runs: the plan rule voids it too.
	s.do(alice, ch, `step 1.1 approve --break-glass "Bob is the only other approver and he is unreachable"`,
		"Approved alone under break-glass", "The channel and the announce channel are told")
	c.drift(planAfter)
	sys.Deliver()
	if n := c.ran.Load(); n != 0 {
		t.Fatalf("a break-glass approval of a plan that changed ran %d times", n)
	}
	if st := theStep(t, sys); st.State != incident.StepAwaitingApproval || st.Voided != incident.VoidPlanChanged {
		t.Fatalf("after the drift the step is %s (voided %q)", st.State, st.Voided)
	}
	// One person still never counts as two: without break-glass, her approval is refused.
	if r := sys.Do(alice, ch, "step 1.1 approve"); !r.Error || !strings.Contains(r.Text, "two-person rule") {
		t.Fatalf("alice approved her own request after the void: %+v", r)
	}
	s.do(alice, ch, "step 1.1 approve --break-glass \u201cstill nobody else\u201d", "Approved alone under break-glass")
	sys.Deliver()
	if n := c.ran.Load(); n != 1 {
		t.Fatalf("the step ran %d times on the second break-glass approval, want 1", n)
	}
	st := theStep(t, sys)
	if st.State != incident.StepSucceeded || st.BreakGlasses != 2 || st.BreakGlass != "still nobody else" || st.ApprovedBy != alice {
		t.Errorf("the step: %s, break-glass %d %q, approved by %q", st.State, st.BreakGlasses, st.BreakGlass, st.ApprovedBy)
	}

	inChannel, announced := channelText(sys.Slack.Channel(ch)), channelText(sys.Slack.Channel(sys.Announce))
	for _, w := range []string{"*Break-glass* in INC-1: <@U0ALICE> approved \"Scale the API up\" (scale-api) alone",
		"Reason: Bob is the only other approver and he is unreachable", "Reason: still nobody else"} {
		if !strings.Contains(inChannel, w) {
			t.Errorf("the incident channel was not told %q:\n%s", w, inChannel)
		}
		if !strings.Contains(announced, w) {
			t.Errorf("the announce channel was not told %q:\n%s", w, announced)
		}
	}
	if card := cardOf(sys, ch, st.CardTS); !strings.Contains(card, "break-glass (2): still nobody else") {
		t.Errorf("the card does not show the break-glass approvals:\n%s", card)
	}
	tl := timelineText(sys)
	if !strings.Contains(tl, "step_approved <@U0ALICE> approved \"Scale the API up\" (scale-api) alone, under break-glass, asked by <@U0ALICE>, for plan "+
		incident.PlanDigest(planBefore)+": Bob is the only other approver") {
		t.Errorf("the break-glass approval is not on the timeline:\n%s", tl)
	}

	// A drill's break-glass counts among the drills', and is told in its channel only.
	general := sys.Slack.AddChannel("general-2", alice, bob)
	s.do(alice, general, "drill guarded-scale", "Drill *INC-2* declared")
	sys.Deliver()
	drill := sys.Incident(2).ChannelID
	s.do(alice, drill, "step 1.1 run", "Asked for approval")
	s.do(alice, drill, `step 1.1 approve --break-glass "drilling the break-glass path"`, "Approved alone under break-glass", "The channel is told.")
	sys.Deliver()
	if a := channelText(sys.Slack.Channel(sys.Announce)); strings.Contains(a, "drilling the break-glass path") {
		t.Errorf("a drill's break-glass reached the announce channel:\n%s", a)
	}
	stats, err := sys.Service.Stats(sys.Ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if r, d := stats.Real.All, stats.Drill.All; r.BreakGlass != 2 || r.BreakGlassIncidents != 1 || d.BreakGlass != 1 || d.BreakGlassIncidents != 1 {
		t.Errorf("KPIs count real %d (in %d), drills %d (in %d) break-glass approvals; want 2 (1) and 1 (1)",
			r.BreakGlass, r.BreakGlassIncidents, d.BreakGlass, d.BreakGlassIncidents)
	}
	s.do(alice, ch, "stats all", "break-glass approvals 2 (in 1 of 1)", "break-glass approvals 1 (in 1 of 1)")
}

// Break-glass is the commander's alone, needs a quoted reason, and is for a step nobody
// else can approve: anything else is refused and changes nothing (a refusal of someone
// who may not is on the timeline, as every refused approval is).
func TestBreakGlassRefusals(t *testing.T) {
	sys, c, s, ch := guarded(t)
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	events := len(sys.Events(1))
	for _, bad := range []struct{ user, text, want string }{
		{alice, "step 1.1 approve --break-glass", "Break-glass needs the reason, in quotes"},
		{alice, "step 1.1 approve --break-glass urgent", "Break-glass needs the reason, in quotes"},
		{alice, `step 1.1 approve --break-glass ""`, "Break-glass needs the reason, in quotes"},
		{alice, `step 1.1 approve --break-glass "  "`, "Break-glass needs the reason, in quotes"},
		{alice, `step 1.1 run --break-glass "why"`, `"run" takes no "--break-glass"`},
		// Alice may approve bob's request as usual: break-glass is not needed.
		{alice, `step 1.1 approve --break-glass "in a hurry"`, "You may approve step"},
	} {
		if r := sys.Do(bad.user, ch, bad.text); !r.Error || !strings.Contains(r.Text, bad.want) {
			t.Errorf("%s: /incident %s\n answered %+v\n want %q", bad.user, bad.text, r, bad.want)
		}
	}
	if got := len(sys.Events(1)); got != events {
		t.Errorf("bad break-glass input wrote %d events", got-events)
	}
	// Bob is not the commander: refused, on the timeline, and nothing else changes.
	if r := sys.Do(bob, ch, `step 1.1 approve --break-glass "I am sure"`); !r.Error || !strings.Contains(r.Text, "only the Incident commander may approve alone") {
		t.Errorf("bob's break-glass: %+v", r)
	}
	sys.Deliver()
	st := theStep(t, sys)
	if st.State != incident.StepAwaitingApproval || st.ApprovedBy != "" || st.BreakGlasses != 0 || c.ran.Load() != 0 {
		t.Errorf("after refused break-glass the step is %s, approved by %q, break-glass %d, ran %d", st.State, st.ApprovedBy, st.BreakGlasses, c.ran.Load())
	}
	tl := timelineText(sys)
	if strings.Contains(tl, "step_approved") || !strings.Contains(tl, "step_refused <@U0BOB> may not approve \"Scale the API up\" (scale-api): only the Incident commander may approve alone (break-glass)") {
		t.Errorf("the timeline after refused break-glass:\n%s", tl)
	}
	if a := channelText(sys.Slack.Channel(sys.Announce)); strings.Contains(a, "Break-glass") {
		t.Errorf("a refused break-glass was announced:\n%s", a)
	}
	// The ordinary two-person approval still works.
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	if c.ran.Load() != 1 {
		t.Errorf("ran %d times, want 1", c.ran.Load())
	}
}
