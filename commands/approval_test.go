package commands_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// cluster is a Kubernetes executor and planner whose plan a test changes, as a cluster
// that drifts (or an object someone else changes) would.
type cluster struct {
	mu      sync.Mutex
	plan    string
	planned atomic.Int32
	ran     atomic.Int32
}

func (c *cluster) Plan(_ context.Context, _ *incident.Incident, _ *incident.RunStep) (string, error) {
	c.planned.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plan, nil
}

func (c *cluster) Execute(_ context.Context, _ *incident.Incident, _ *incident.RunStep) (incident.StepResult, error) {
	c.ran.Add(1)
	return incident.StepResult{OK: true, Output: "scaled"}, nil
}

func (c *cluster) drift(plan string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plan = plan
}

const (
	planBefore = "would scale deployment apps/api: replicas 1 -> 3"
	planAfter  = "would scale deployment apps/api: replicas 2 -> 3"
)

// guarded declares INC-1 (alice is its commander) and starts the guarded-scale playbook:
// one two-person kubernetes.scale step, 1.1, dry-run at the start.
func guarded(t *testing.T, opts ...testenv.Option) (*testenv.System, *cluster, *script, string) {
	t.Helper()
	c := &cluster{plan: planBefore}
	opts = append([]testenv.Option{testenv.WithPlaybooks("testdata/approvals"), testenv.WithKubernetes(c, "us-west-2")}, opts...)
	sys := testenv.NewSystem(t, opts...)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P1 intent-processing Intent API returning 500s", "Declared *INC-1*")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s.do(alice, ch, "playbook guarded-scale", "Started Guarded scale")
	sys.Deliver()
	if c.planned.Load() != 1 {
		t.Fatalf("%d dry runs at the start, want 1", c.planned.Load())
	}
	return sys, c, s, ch
}

// theStep reads step 1.1 of INC-1.
func theStep(t *testing.T, sys *testenv.System) incident.RunStep {
	t.Helper()
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	return runs[0].Steps[0]
}

// approveButton returns the value of the Approve button on the step's card as posted now.
func approveButton(t *testing.T, sys *testenv.System, ch string) string {
	t.Helper()
	step := theStep(t, sys)
	for _, m := range sys.Slack.Channel(ch).Messages {
		if m.TS != step.CardTS {
			continue
		}
		var blocks []struct {
			Elements []struct{ ActionID, Value string } `json:"elements"`
		}
		json.Unmarshal(m.Blocks, &blocks)
		for _, b := range blocks {
			for _, e := range b.Elements {
				if strings.HasPrefix(e.Value, "step ") && strings.Contains(e.Value, " approve") {
					return e.Value
				}
			}
		}
	}
	t.Fatalf("the card of step 1.1 has no Approve button")
	return ""
}

// click presses a button as user: the command its value carries.
func click(sys *testenv.System, user, ch, value string) commands.Reply {
	return sys.Router.Handle(sys.Ctx, commands.Request{UserID: user, ChannelID: ch, Text: value, Button: true})
}

func cardOf(sys *testenv.System, ch, ts string) string {
	for _, m := range sys.Slack.Channel(ch).Messages {
		if m.TS == ts {
			return string(m.Blocks)
		}
	}
	return ""
}

func timelineText(sys *testenv.System) string {
	var b strings.Builder
	for _, e := range sys.Events(1) {
		b.WriteString(string(e.Kind) + " " + views.EventText(e) + "\n")
	}
	return b.String()
}

// The approval is for the plan that was shown: when the cluster drifts between the
// approval and the execution, the fresh dry run differs, the approval is void and nothing
// runs; the card shows the new plan and what changed, and only a new approval runs it.
// (Before plans were bound to approvals, the step ran on the first approval.)
func TestDriftBeforeExecutionVoidsTheApproval(t *testing.T) {
	sys, c, s, ch := guarded(t)
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	sys.Deliver()
	value := approveButton(t, sys, ch)
	before := incident.PlanDigest(planBefore)
	if !strings.HasSuffix(value, " --plan "+before) {
		t.Fatalf("the Approve button carries %q, not the digest of the plan on the card (%s)", value, before)
	}
	if r := click(sys, alice, ch, value); r.Error || !strings.Contains(r.Text, "Approved; running") {
		t.Fatalf("alice's approval: %+v", r)
	}
	c.drift(planAfter)
	sys.Deliver()

	if n := c.ran.Load(); n != 0 {
		t.Fatalf("the step ran %d times on an approval of a plan that changed", n)
	}
	step := theStep(t, sys)
	if step.State != incident.StepAwaitingApproval || step.ApprovedBy != "" || step.Voided != incident.VoidPlanChanged || step.Plan != planAfter {
		t.Fatalf("after the drift the step is %s, approved by %q, voided %q, plan %q", step.State, step.ApprovedBy, step.Voided, step.Plan)
	}
	wantChange := "- " + planBefore + "\n+ " + planAfter
	if step.PlanChange != wantChange {
		t.Errorf("what changed: %q, want %q", step.PlanChange, wantChange)
	}
	card := cardOf(sys, ch, step.CardTS)
	after := incident.PlanDigest(planAfter)
	for _, w := range []string{"The plan changed", "replicas 2 -\\u003e 3", "What changed", "--plan " + after} {
		if !strings.Contains(card, w) {
			t.Errorf("the card lacks %q:\n%s", w, card)
		}
	}
	tl := timelineText(sys)
	for _, w := range []string{
		"step_approved <@U0ALICE> approved \"Scale the API up\" (scale-api), asked by <@U0BOB>, for plan " + before,
		"step_voided The approval of \"Scale the API up\" (scale-api) by <@U0ALICE> is void: the plan changed from " + before + " to " + after,
	} {
		if !strings.Contains(tl, w) {
			t.Errorf("the timeline lacks %q:\n%s", w, tl)
		}
	}
	// The earlier approval no longer counts, and the two-person rule still holds.
	if r := sys.Do(bob, ch, "step 1.1 approve"); !r.Error || !strings.Contains(r.Text, "two-person rule") {
		t.Errorf("bob approved his own request after the void: %+v", r)
	}
	if r := click(sys, alice, ch, approveButton(t, sys, ch)); r.Error || !strings.Contains(r.Text, "Approved; running") {
		t.Fatalf("alice's second approval: %+v", r)
	}
	sys.Deliver()
	if n := c.ran.Load(); n != 1 {
		t.Fatalf("the step ran %d times after a second approval of the plan as it is, want 1", n)
	}
	if st := theStep(t, sys); st.State != incident.StepSucceeded || st.Voided != "" || st.PlanChange != "" {
		t.Errorf("the step ended %s (voided %q, change %q)", st.State, st.Voided, st.PlanChange)
	}
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain: %+v", b)
	}
}

// A click on an old card, whose plan is no longer the step's, is refused and runs
// nothing; so is a button that carries no digest at all on a step with a plan.
func TestStaleCardIsRefused(t *testing.T) {
	sys, c, s, ch := guarded(t)
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	sys.Deliver()
	old := approveButton(t, sys, ch)
	// The plan is made again (it grew older than plan_max_age) while the cluster drifted.
	c.drift(planAfter)
	sys.Clock.Advance(2 * time.Minute)
	s.do(alice, ch, "step 1.1 approve", "I am making a fresh one")
	sys.Deliver()
	if p := theStep(t, sys).Plan; p != planAfter {
		t.Fatalf("plan %q after the fresh dry run", p)
	}
	events := len(sys.Events(1))
	r := click(sys, alice, ch, old)
	if !r.Error || !strings.Contains(r.Text, "That card is out of date") || !strings.Contains(r.Text, incident.PlanDigest(planBefore)) {
		t.Errorf("a click on the old card: %+v", r)
	}
	stepID := theStep(t, sys).ID
	if r := click(sys, alice, ch, "step "+strconv.FormatInt(stepID, 10)+" approve"); !r.Error || !strings.Contains(r.Text, "out of date") {
		t.Errorf("a button without a digest: %+v", r)
	}
	sys.Deliver()
	if st := theStep(t, sys); st.State != incident.StepAwaitingApproval || st.ApprovedBy != "" || c.ran.Load() != 0 {
		t.Fatalf("after stale clicks the step is %s, approved by %q, ran %d", st.State, st.ApprovedBy, c.ran.Load())
	}
	tl := timelineText(sys)
	if got := len(sys.Events(1)) - events; got < 2 || !strings.Contains(tl, "refused: the card was out of date (the card showed plan "+incident.PlanDigest(planBefore)) {
		t.Errorf("the refusals are not on the timeline (%d events):\n%s", got, tl)
	}
	// The card as it is now approves, and the step runs.
	if r := click(sys, alice, ch, approveButton(t, sys, ch)); r.Error {
		t.Fatalf("the current card's Approve: %+v", r)
	}
	sys.Deliver()
	if c.ran.Load() != 1 {
		t.Errorf("ran %d times, want 1", c.ran.Load())
	}
}

// An approval that has not run within approvals.ttl lapses: nothing runs, the card says
// so, the timeline has it, and a new approval is asked for. With a ttl of 0 approvals
// never lapse. The fake clock moves; nothing sleeps.
func TestApprovalLapses(t *testing.T) {
	ttl := func(d time.Duration) testenv.Option {
		return testenv.WithConfig(func(c *config.Config) { c.Approvals.TTL = config.Duration(d) })
	}
	sys, c, s, ch := guarded(t, ttl(10*time.Minute))
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Clock.Advance(11 * time.Minute) // the execution was held back past the ttl
	sys.Deliver()
	if n := c.ran.Load(); n != 0 {
		t.Fatalf("a lapsed approval ran the step %d times", n)
	}
	step := theStep(t, sys)
	if step.State != incident.StepAwaitingApproval || step.Voided != incident.VoidLapsed || step.ApprovedBy != "" {
		t.Fatalf("after the lapse the step is %s, voided %q, approved by %q", step.State, step.Voided, step.ApprovedBy)
	}
	if card := cardOf(sys, ch, step.CardTS); !strings.Contains(card, "The approval lapsed") {
		t.Errorf("the card does not say the approval lapsed:\n%s", card)
	}
	if tl := timelineText(sys); !strings.Contains(tl, "step_voided The approval of \"Scale the API up\" (scale-api) by <@U0ALICE> lapsed: the step had not run within 10m") {
		t.Errorf("the lapse is not on the timeline:\n%s", tl)
	}
	// Approved again (on a fresh plan: the old one is past plan_max_age), it runs.
	s.do(alice, ch, "step 1.1 approve", "I am making a fresh one")
	sys.Deliver()
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	if n := c.ran.Load(); n != 1 {
		t.Fatalf("ran %d times after the new approval, want 1", n)
	}

	sys, c, s, ch = guarded(t, ttl(0))
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Clock.Advance(3 * time.Hour)
	sys.Deliver()
	if n := c.ran.Load(); n != 1 {
		t.Errorf("with approvals.ttl 0 the approval lapsed (ran %d times)", n)
	}
}
