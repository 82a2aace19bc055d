package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/nephoran/incidentbot/bot/views"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// hook is the failover endpoint the drill playbook calls.
type hook struct {
	srv      *httptest.Server
	failover atomic.Int32
	mu       sync.Mutex
	bodies   []string
	auth     []string
	// entered, when set, is told of each failover call, which then waits for release.
	entered, release chan struct{}
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/failover":
			h.failover.Add(1)
			if h.entered != nil {
				h.entered <- struct{}{}
				<-h.release
			}
			h.mu.Lock()
			h.bodies, h.auth = append(h.bodies, string(body)), append(h.auth, r.Header.Get("Authorization"))
			h.mu.Unlock()
			fmt.Fprint(w, `{"dns":"moved"}`)
		case "/health":
			fmt.Fprint(w, "healthy")
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func drillSystem(t *testing.T) (*testenv.System, *hook, string) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"))
	sys.Env["FAILOVER_TOKEN"] = "Bearer s3cret-token"
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	return sys, newHook(t), sys.Incident(1).ChannelID
}

// A playbook run with approvals by the right and the wrong people, in the style of upspin's
// scripted tests.
func TestScriptedPlaybookRun(t *testing.T) {
	sys, h, ch := drillSystem(t)
	s := &script{t: t, sys: sys}

	s.do(alice, ch, "playbooks", "*Fit INC-1*", "`failover-drill`: Failover drill", "`regional-outage`")
	if card := string(sys.Slack.Channel(ch).Messages[0].Blocks); !strings.Contains(card, `"value":"playbook failover-drill"`) || strings.Count(card, `"value":"playbook `) != 5 {
		t.Errorf("the incident card does not offer the playbooks that fit: %s", card)
	}
	s.do(alice, ch, "playbook", "Name a playbook")
	s.do(alice, ch, "playbook nope", `There is no playbook "nope"`)
	s.do(alice, ch, "playbook failover-drill", "missing required param hook", "missing required param ticket",
		"Usage: `/incident playbook failover-drill hook=<value> [region=us-west-2] ticket=<value>`")
	s.do(alice, ch, "playbook failover-drill region=mars ticket=CHG-1 hook="+h.srv.URL, "region=mars is not one of us-west-2, eu-west-1")
	s.do(alice, ch, "playbook failover-drill ticket=CHG-1 hook=http://evil.example", `host "evil.example" is not in actions.http.allowed_hosts`)
	s.do(alice, ch, "playbook failover-drill ticket=CHG-42 region=eu-west-1 hook="+h.srv.URL, "Started Failover drill: 5 steps in 2 phases")
	s.do(alice, ch, "playbook failover-drill ticket=CHG-43 hook="+h.srv.URL, "already running")
	sys.Deliver()

	msgs := sys.Slack.Channel(ch).Messages
	var cards []string
	for _, m := range msgs {
		if strings.Contains(m.Text, "step ") || strings.Contains(m.Text, "playbook Failover drill") {
			cards = append(cards, m.Text)
		}
	}
	want := []string{"INC-1 playbook Failover drill: 0/5 steps done", "INC-1 step 1.1: Tell the team (pending)", "INC-1 step 1.2: Check the replica lag (pending)",
		"INC-1 step 1.3: Move DNS to eu-west-1 (pending)", "INC-1 step 1.4: Read the health of eu-west-1 (pending)", "INC-1 step 1.5: Wait for the applications (pending)"}
	if strings.Join(cards, "|") != strings.Join(want, "|") {
		t.Fatalf("cards in this order:\n%s\nwant:\n%s", strings.Join(cards, "\n"), strings.Join(want, "\n"))
	}

	s.do(bob, ch, "step 1.1 run", "Running")
	s.do(bob, ch, "step 1.2 run", "done by a person: do it, then press Mark done")
	s.do(bob, ch, "step 1.2 done", "Marked")
	s.do(bob, ch, "step 1.2 done", "has succeeded; it cannot be marked done now")
	s.do(alice, ch, "step 1.3 run", "Asked for approval of", "by the Incident commander")
	if r := sys.Do(alice, ch, "step 1.3 approve"); !r.Error || !strings.Contains(r.Text, "two-person rule") {
		t.Errorf("alice approved her own request: %+v", r)
	}
	if r := sys.Do(bob, ch, "step 1.3 approve"); !r.Error || !strings.Contains(r.Text, "it needs the Incident commander") {
		t.Errorf("bob approved without the role: %+v", r)
	}
	sys.Deliver()
	if n := h.failover.Load(); n != 0 {
		t.Fatalf("the hook was called %d times before an approval", n)
	}
	s.do(alice, ch, "role ic <@U0BOB|bob>", "is now the Incident commander")
	s.do(bob, ch, "step 1.3 approve", "Approved; running")
	s.do(bob, ch, "step 1.3 approve", "is running; it cannot be approved now")
	s.do(bob, ch, "step 1.4 run", "Running")
	s.do(bob, ch, "step 1.5 run", "Running")
	s.do(bob, ch, "step 1.9 run", "Run 1 of INC-1 (Failover drill) has 5 steps")
	s.do(bob, ch, "step 1.1 dance", "Unknown step action")
	sys.Deliver()

	if n := h.failover.Load(); n != 1 {
		t.Fatalf("the hook was called %d times, want 1", n)
	}
	var body map[string]string
	json.Unmarshal([]byte(h.bodies[0]), &body)
	if body["region"] != "eu-west-1" || body["ticket"] != "CHG-42" || h.auth[0] != "Bearer s3cret-token" {
		t.Errorf("the hook got %v with %q", body, h.auth[0])
	}
	runs, _ := sys.Service.RunsOf(sys.Ctx, 1)
	states := ""
	for _, st := range runs[0].Steps {
		states += string(st.State) + " "
	}
	if states != "succeeded succeeded succeeded succeeded failed " {
		t.Errorf("states %s", states)
	}
	if out := runs[0].Steps[2].Output; !strings.Contains(out, "HTTP 200 OK") || !strings.Contains(out, `{"dns":"moved"}`) {
		t.Errorf("dns step output %q", out)
	}
	// No cluster is configured: the step fails with the reason, as in production.
	if out := runs[0].Steps[4].Output; !strings.Contains(out, `unknown cluster "eu-west-1"`) {
		t.Errorf("kubernetes step output %q", out)
	}
	s.do(bob, ch, "step 1.5 done", "Marked")
	sys.Deliver()

	channel := sys.Slack.Channel(ch)
	all := ""
	for _, m := range channel.Messages {
		all += m.Text + "\n" + string(m.Blocks) + "\n"
	}
	if !strings.Contains(all, "Failing INC-1 over to eu-west-1 (CHG-42)") {
		t.Error("the notify step did not post")
	}
	if !strings.Contains(all, "INC-1 playbook Failover drill: 5/5 steps done") {
		t.Error("the run card was not kept current")
	}
	if strings.Contains(all, "s3cret") {
		t.Error("a secret header value reached Slack")
	}
	var timeline []string
	for _, e := range sys.Events(1) {
		timeline = append(timeline, string(e.Kind)+" "+views.EventText(e))
		if strings.Contains(e.DataJSON+e.Text, "s3cret") {
			t.Errorf("a secret reached the timeline: %s", views.EventText(e))
		}
	}
	joined := strings.Join(timeline, "\n")
	for _, w := range []string{
		"run_started <@U0ALICE> started the playbook Failover drill (failover-drill) with hook=",
		"step_requested <@U0ALICE> asked to run \"Move DNS to eu-west-1\" (dns); it needs the approval of the Incident commander (two-person rule",
		"step_refused <@U0ALICE> may not approve \"Move DNS to eu-west-1\" (dns): the two-person rule",
		"step_refused <@U0BOB> may not approve \"Move DNS to eu-west-1\" (dns): it needs the Incident commander",
		"step_approved <@U0BOB> approved \"Move DNS to eu-west-1\" (dns), asked by <@U0ALICE>",
		"step_result \"Move DNS to eu-west-1\" succeeded: \n```\nHTTP 200 OK",
		"step_result \"Wait for the applications\" failed: could not run: unknown cluster \"eu-west-1\"",
		"step_done <@U0BOB> marked \"Wait for the applications\" (wait-apps) done (it was failed; they verified it by hand)",
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("timeline lacks %q", w)
		}
	}
	if b := incident.VerifyChain(sys.Events(1)); b != nil {
		t.Errorf("chain: %+v", b)
	}
}

// Ten people press Approve at once: the step runs once.
func TestTenConcurrentApprovalsRunOnce(t *testing.T) {
	sys, h, ch := drillSystem(t)
	sys.Do(alice, ch, "playbook failover-drill ticket=CHG-7 hook="+h.srv.URL)
	sys.Deliver()
	sys.Do(bob, ch, "step 3 run")
	var wg sync.WaitGroup
	approved := atomic.Int32{}
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := sys.Do(alice, ch, "step 3 approve"); strings.Contains(r.Text, "Approved; running") {
				approved.Add(1)
			}
		}()
	}
	wg.Wait()
	sys.Deliver()
	if n := approved.Load(); n != 1 {
		t.Errorf("%d approvals took effect, want 1", n)
	}
	if n := h.failover.Load(); n != 1 {
		t.Errorf("the step ran %d times, want 1", n)
	}
}

// A step that was running when the bot stopped is never run again on its own.
func TestRunningStepBecomesUnknownAfterACrash(t *testing.T) {
	sys, h, ch := drillSystem(t)
	sys.Do(alice, ch, "playbook failover-drill ticket=CHG-8 hook="+h.srv.URL)
	sys.Deliver()
	sys.Do(alice, ch, "step 3 run")
	sys.Do(bob, ch, "role ic me")
	sys.Do(bob, ch, "step 3 approve")
	// The bot dies before the execution is delivered: the effect is claimed (inflight) and
	// the step is running. At the next start the step is recovered and the effect released.
	if err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) error {
		_, err := tx.ClaimEffects(sys.Clock.Now(), 100, time.Minute)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n, err := sys.Service.RecoverSteps(sys.Ctx)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	if err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) error { _, err := tx.ReleaseInflight(); return err }); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	if n := h.failover.Load(); n != 0 {
		t.Fatalf("the interrupted step ran again %d times", n)
	}
	runs, _ := sys.Service.RunsOf(sys.Ctx, 1)
	step := runs[0].Steps[2]
	if step.State != incident.StepUnknown {
		t.Fatalf("state %s, want unknown", step.State)
	}
	card := ""
	for _, m := range sys.Slack.Channel(ch).Messages {
		if m.TS == step.CardTS {
			card = string(m.Blocks)
		}
	}
	if !strings.Contains(card, "It will not run again on its own") || !strings.Contains(card, `"incident:step-retry-3"`) {
		t.Errorf("the step card does not ask a person to verify: %s", card)
	}
	// A person verifies and retries: it goes through approval again.
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "step 3 retry", "pending again")
	s.do(alice, ch, "step 3 run", "Asked for approval")
	s.do(bob, ch, "step 3 approve", "Approved; running")
	sys.Deliver()
	if n := h.failover.Load(); n != 1 {
		t.Errorf("after the retry the step ran %d times, want 1", n)
	}
}

// An interrupted delivery of an execution (attempts counted at restart) is not repeated.
func TestInterruptedExecutionIsNotRepeated(t *testing.T) {
	sys, h, ch := drillSystem(t)
	sys.Do(alice, ch, "playbook failover-drill ticket=CHG-9 hook="+h.srv.URL)
	sys.Deliver()
	sys.Do(alice, ch, "step 4 run") // the GET needs no approval
	if err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) error {
		if _, err := tx.ClaimEffects(sys.Clock.Now(), 100, time.Minute); err != nil {
			return err
		}
		_, err := tx.ReleaseInflight()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	runs, _ := sys.Service.RunsOf(sys.Ctx, 1)
	if st := runs[0].Steps[3].State; st != incident.StepUnknown {
		t.Errorf("state %s, want unknown", st)
	}
}

// Approver groups from the configuration, and rejections.
func TestApproverGroupsAndRejection(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"), testenv.WithApproverGroup("dba", "U0CAROL"))
	sys.Slack.AddUser("U0CAROL", "carol", "carol@example.com")
	sys.Env["FAILOVER_TOKEN"] = "Bearer t"
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 db down")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	hook := newHook(t)
	// A playbook step approved by a group: rewrite the drill's dns step approval in memory.
	p, _ := sys.Library.Get("failover-drill")
	p.Phases[1].Steps[0].Approval.Roles = nil
	p.Phases[1].Steps[0].Approval.Groups = []string{"dba"}
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "playbook failover-drill ticket=CHG-5 hook="+hook.srv.URL, "Started")
	sys.Deliver()
	s.do(alice, ch, "step 3 run", "by a member of dba")
	if r := sys.Do(alice, ch, "step 3 approve"); !r.Error {
		t.Errorf("alice, commander but not in dba, approved: %+v", r)
	}
	s.do("U0CAROL", ch, "step 3 reject", "Rejected")
	s.do("U0CAROL", ch, "step 3 approve", "is rejected; it cannot be approved now")
	s.do(alice, ch, "step 3 retry", "pending again")
	s.do(alice, ch, "step 3 run", "Asked for approval")
	s.do("U0CAROL", ch, "step 3 approve", "Approved; running")
	sys.Deliver()
	if n := hook.failover.Load(); n != 1 {
		t.Errorf("hook called %d times", n)
	}
	k := map[incident.EventKind]int{}
	for _, e := range sys.Events(1) {
		k[e.Kind]++
	}
	if k[incident.EventStepRejected] != 1 || k[incident.EventStepApproved] != 1 || k[incident.EventStepRefused] != 1 || k[incident.EventStepReset] != 1 {
		t.Errorf("timeline %v", k)
	}
}

// A secret header whose variable is unset fails the step with a reason, without calling.
func TestMissingSecretFailsTheStep(t *testing.T) {
	sys, h, ch := drillSystem(t)
	delete(sys.Env, "FAILOVER_TOKEN")
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "playbook failover-drill ticket=CHG-6 hook="+h.srv.URL, "Started")
	sys.Deliver()
	s.do(alice, ch, "step 3 run", "Asked")
	s.do(bob, ch, "role ic me", "Incident commander")
	s.do(bob, ch, "step 3 approve", "Approved")
	sys.Deliver()
	runs, _ := sys.Service.RunsOf(sys.Ctx, 1)
	if st := runs[0].Steps[2]; st.State != incident.StepFailed || !strings.Contains(st.Output, "$FAILOVER_TOKEN, which is not set") {
		t.Errorf("step %s: %q", st.State, st.Output)
	}
	if h.failover.Load() != 0 {
		t.Error("the hook was called without its secret")
	}
}

// planner answers dry runs and counts them.
type planner struct{ calls atomic.Int32 }

func (p *planner) Plan(_ context.Context, _ *incident.Incident, step *incident.RunStep) (string, error) {
	n := p.calls.Add(1)
	return fmt.Sprintf("would run %s (dry run %d)", step.Spec.StepID, n), nil
}

// Steps that change a cluster are dry-run when the run starts; an approval of a stale plan
// makes a fresh one first.
func TestDryRunPlansBeforeApproval(t *testing.T) {
	pl := &planner{}
	sys := testenv.NewSystem(t, testenv.WithPlanner(pl, 5*time.Minute))
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 db primary down")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "playbook database-primary-failure", "Started")
	sys.Deliver()
	// switchover (exec), update-config (patch), two restarts and the validation exec change
	// or may change the cluster: five dry runs; the preflight and the wait change nothing.
	if n := pl.calls.Load(); n != 5 {
		t.Errorf("%d dry runs at start, want 5", n)
	}
	runs, _ := sys.Service.RunsOf(sys.Ctx, 1)
	first := runs[0].Steps[1] // after the preflight, which only reads
	if first.Plan != "would run switchover (dry run 1)" && !strings.HasPrefix(first.Plan, "would run switchover") {
		t.Errorf("plan %q", first.Plan)
	}
	card := ""
	for _, m := range sys.Slack.Channel(ch).Messages {
		if m.TS == first.CardTS {
			card = string(m.Blocks)
		}
	}
	if !strings.Contains(card, "*Dry run*") || !strings.Contains(card, "would run switchover") {
		t.Errorf("the card does not show the dry run: %s", card)
	}
	s.do(bob, ch, "step 2 run", "Asked for approval")
	sys.Clock.Advance(6 * time.Minute)
	before := pl.calls.Load()
	if r := sys.Do(alice, ch, "step 2 approve"); !r.Error || !strings.Contains(r.Text, "dry-run plan 6m old; I am making a fresh one") {
		t.Errorf("a stale plan was approved: %+v", r)
	}
	sys.Deliver()
	if pl.calls.Load() != before+1 {
		t.Errorf("no fresh dry run")
	}
	s.do(alice, ch, "step 2 approve", "Approved; running")
	sys.Deliver()
	evs := ""
	for _, e := range sys.Events(1) {
		evs += string(e.Kind) + " " + views.EventText(e) + "\n"
	}
	if !strings.Contains(evs, `step_planned Dry run of "Promote postgresql-replica-0 to primary": would run switchover`) {
		t.Errorf("the plans are not on the timeline:\n%s", evs)
	}
}

// The number on a step's card is the one a person types: <run>.<step>, counted within the
// incident, so `step 1.1` in a second incident is that incident's first step. The buttons
// carry the step's ID, as those of cards already posted do, and keep working.
func TestStepNumbersAreTheCards(t *testing.T) {
	sys, h, ch1 := drillSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general-2", alice, bob)
	s.do(alice, general, "declare P1 intent-processing Checkout is slow too", "INC-2")
	sys.Deliver()
	ch2 := sys.Incident(2).ChannelID
	s.do(alice, ch1, "playbook failover-drill ticket=CHG-1 hook="+h.srv.URL, "Started Failover drill")
	s.do(alice, ch2, "playbook failover-drill ticket=CHG-2 hook="+h.srv.URL, "Started Failover drill")
	sys.Deliver()
	s.do(alice, ch2, "playbook restart-drill", "Started Restart drill")
	sys.Deliver()

	var cards []string
	for _, m := range sys.Slack.Channel(ch2).Messages {
		if strings.Contains(m.Text, " step ") {
			cards = append(cards, m.Text)
		}
	}
	want := []string{"INC-2 step 1.1: Tell the team (pending)", "INC-2 step 1.2: Check the replica lag (pending)", "INC-2 step 1.3: Move DNS to us-west-2 (pending)",
		"INC-2 step 1.4: Read the health of us-west-2 (pending)", "INC-2 step 1.5: Wait for the applications (pending)", "INC-2 step 2.1: Restart the API in us-west-2 (pending)"}
	if strings.Join(cards, "|") != strings.Join(want, "|") {
		t.Fatalf("INC-2's step cards:\n%s\nwant:\n%s", strings.Join(cards, "\n"), strings.Join(want, "\n"))
	}
	blocks := ""
	for _, m := range sys.Slack.Channel(ch2).Messages {
		blocks += string(m.Blocks)
	}
	if !strings.Contains(blocks, "*Step 1.2: Check the replica lag*") || !strings.Contains(blocks, "*Step 2.1: Restart the API in us-west-2*") {
		t.Errorf("the cards do not show the numbers to type:\n%s", blocks)
	}

	s.do(bob, ch2, "step 1.2 run", "done by a person")
	s.do(bob, ch2, "step 1.2 done", `Marked "Check the replica lag" (check-lag) done`)
	s.do(bob, ch2, "step 2.1 run", `Asked for approval of "Restart the API in us-west-2"`)
	s.do(bob, ch2, "step 3.1 run", "INC-2 has 2 playbook runs; its steps are numbered as on their cards, such as /incident step 1.1 run.")
	s.do(bob, ch2, "step 1.6 run", "Run 1 of INC-2 (Failover drill) has 5 steps; its steps are numbered 1.1 to 1.5.")
	s.do(bob, ch2, "step 1.0 run", `"1.0" is not a step number`)
	s.do(bob, ch2, "step 1.x run", `"1.x" is not a step number`)
	s.do(bob, ch1, "step 2.1 run", "INC-1 has 1 playbook run; its steps are numbered as on their cards, such as /incident step 1.1 run.")
	// A bare number typed is the step's place in the incident's only run; with two runs it
	// needs the run too.
	s.do(bob, ch2, "step 1 run", "INC-2 has 2 playbook runs; type the step as its card shows it, such as /incident step 2.1 run.")
	s.do(bob, ch1, "step 9 run", "Run 1 of INC-1 (Failover drill) has 5 steps; its steps are numbered 1.1 to 1.5.")
	// INC-2's first step has ID 6: its button, posted before or after this change, says so,
	// and a button's number is the step's ID.
	if !strings.Contains(blocks, `"value":"step 6 run"`) {
		t.Fatalf("the buttons no longer carry the step's ID:\n%s", blocks)
	}
	if r := sys.Router.Handle(sys.Ctx, commands.Request{UserID: bob, ChannelID: ch2, Text: "step 6 run", Button: true}); r.Error || !strings.Contains(r.Text, "Running") {
		t.Errorf("the button of INC-2's first step: %q", r.Text)
	}
	if r := sys.Router.Handle(sys.Ctx, commands.Request{UserID: bob, ChannelID: ch2, Text: "step 1 run", Button: true}); !r.Error || !strings.Contains(r.Text, "belongs to another incident") {
		t.Errorf("a button carrying INC-1's step, clicked in INC-2: %q", r.Text)
	}
	sys.Deliver()
	runs, _ := sys.Service.RunsOf(sys.Ctx, 2)
	if got := string(runs[0].Steps[0].State) + " " + string(runs[0].Steps[1].State) + " " + string(runs[1].Steps[0].State); got != "succeeded succeeded awaiting_approval" {
		t.Errorf("INC-2's steps: %s", got)
	}
	runs, _ = sys.Service.RunsOf(sys.Ctx, 1)
	for _, st := range runs[0].Steps {
		if st.State != incident.StepPending {
			t.Errorf("INC-1's step %d is %s: INC-2's commands reached it", st.Seq, st.State)
		}
	}
}
