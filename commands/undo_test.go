package commands_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubesim"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const scaleDrill = `name: scale-drill
title: Scale drill
kind: runbook
match: {severities: [P1]}
phases:
  - name: Scale
    within: 15m
    steps:
      - id: scale-down
        title: Scale the API down
        owner: technical-lead
        approval: {roles: [incident-commander], two_person: true}
        action: {type: kubernetes.scale, cluster: us-east-1, namespace: apps, deployment: api, replicas: 0}
      - id: restart
        title: Restart the API
        owner: technical-lead
        approval: {roles: [incident-commander]}
        action: {type: kubernetes.rollout-restart, cluster: us-east-1, namespace: apps, deployment: api}
`

// undoSystem is an incident whose playbook scales and restarts a Deployment of a simulated
// cluster, filing its review on GitHub when resolved.
func undoSystem(t *testing.T) (*testenv.System, *kubesim.Cluster, string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "scale-drill.yaml"), []byte(scaleDrill), 0o644); err != nil {
		t.Fatal(err)
	}
	cluster := kubesim.New("us-east-1", nil, kubesim.Deployment("apps", "api", 3))
	x := &kube.Actions{Clusters: kube.Static(map[string]*kube.Client{"us-east-1": cluster.Client()}), Poll: time.Millisecond}
	sys := testenv.NewSystem(t, testenv.WithPlaybooks(dir), testenv.WithKubernetes(x, "us-east-1"), testenv.WithGitHub(true))
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 intent-processing Intent API returning 500s")
	sys.Deliver()
	return sys, cluster, sys.Incident(1).ChannelID
}

func apiReplicas(t *testing.T, c *kubesim.Cluster) int32 {
	t.Helper()
	d, err := c.Clientset().AppsV1().Deployments("apps").Get(context.Background(), "api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return *d.Spec.Replicas
}

func runSteps(t *testing.T, sys *testenv.System) []incident.RunStep {
	t.Helper()
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	return runs[0].Steps
}

// undoButton finds the Undo button on the posted card of step id: the command it carries.
func undoButton(t *testing.T, sys *testenv.System, ch string, id int64) string {
	t.Helper()
	value := regexp.MustCompile(fmt.Sprintf(`"value":"(step %d undo)"`, id))
	for _, m := range sys.Slack.Channel(ch).Messages {
		if v := value.FindStringSubmatch(string(m.Blocks)); v != nil {
			return v[1]
		}
	}
	return ""
}

// The Undo button of a succeeded scale step adds its inverse step, which is dry-run and
// approved like any mutating step (two-person rule included), scales the Deployment back,
// and lands on the timeline and in the review; typed, `/incident step 1.3 undo` undoes the
// undo; a restart has no undo and says so.
func TestUndoThroughTheButtonAndTyped(t *testing.T) {
	sys, cluster, ch := undoSystem(t)
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "playbook scale-drill", "Started")
	sys.Deliver()
	s.do(bob, ch, "step 1.1 undo", "cannot be undone: only a step that succeeded, or failed after changing something, can be undone")
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	if n := apiReplicas(t, cluster); n != 0 {
		t.Fatalf("api has %d replicas after the scale", n)
	}
	st := runSteps(t, sys)
	if st[0].State != incident.StepSucceeded || !st[0].Prior.Undoable() {
		t.Fatalf("step 1.1 is %s with prior %+v: %s", st[0].State, st[0].Prior, st[0].Output)
	}

	// The card offers Undo; the click adds step 1.3, asked for by the one who clicked.
	click := undoButton(t, sys, ch, st[0].ID)
	if click == "" {
		t.Fatal("the card of step 1.1 has no Undo button")
	}
	r := sys.Router.Handle(sys.Ctx, commands.Request{UserID: bob, ChannelID: ch, Text: click, Button: true})
	if r.Error || !strings.Contains(r.Text, "Step 1.3 undoes step 1.1:\nscale deployment apps/api back to 3 replicas") ||
		!strings.Contains(r.Text, "it needs the approval of the Incident commander") {
		t.Fatalf("Undo: %+v", r)
	}
	sys.Deliver()
	st = runSteps(t, sys)
	if len(st) != 3 {
		t.Fatalf("%d steps after Undo", len(st))
	}
	u := st[2]
	if u.State != incident.StepAwaitingApproval || u.RequestedBy != bob || u.Spec.Action.Type != incident.ActionUndo || !u.Spec.TwoPerson ||
		u.Spec.Title != "Undo step 1.1: Scale the API down" || u.PhaseName != incident.UndoPhase {
		t.Errorf("the undo step: %+v", u)
	}
	if u.Plan != "would scale deployment apps/api: replicas 0 -> 3" {
		t.Errorf("the undo's dry run: %q", u.Plan)
	}
	if n := apiReplicas(t, cluster); n != 0 {
		t.Fatalf("the dry run changed api: %d replicas", n)
	}
	var undoCard string
	for _, m := range sys.Slack.Channel(ch).Messages {
		if strings.Contains(string(m.Blocks), "Step 1.3: Undo step 1.1") {
			undoCard = string(m.Blocks)
		}
	}
	if !strings.Contains(undoCard, "would scale deployment apps/api: replicas 0 -\\u003e 3") || !strings.Contains(undoCard, fmt.Sprintf(`"value":"step %d approve --plan %s"`, u.ID, incident.PlanDigest(u.Plan))) {
		t.Errorf("the undo step's card shows no plan or no Approve: %s", undoCard)
	}
	s.do(alice, ch, "step 1.1 undo", "has its undo already: step 1.3")
	s.do(bob, ch, "step 1.3 approve", "You may not approve this step: the two-person rule")
	s.do(alice, ch, "step 1.3 approve", "Approved; running")
	sys.Deliver()
	if n := apiReplicas(t, cluster); n != 3 {
		t.Errorf("api has %d replicas after the undo, want 3", n)
	}
	st = runSteps(t, sys)
	if st[2].State != incident.StepSucceeded || st[2].Output != "scale deployment apps/api: replicas 0 -> 3" {
		t.Errorf("the undo ended %s: %q", st[2].State, st[2].Output)
	}

	// A restart has no undo. Its plan was made when the run started, before the scale and
	// its undo bumped the Deployment's generation: the first approval is voided at execution
	// (the plan changed) and the card asks again, with the plan as it is now.
	s.do(bob, ch, "step 1.2 run", "Asked for approval")
	s.do(alice, ch, "step 1.2 approve", "Approved; running")
	sys.Deliver()
	if st = runSteps(t, sys); st[1].State != incident.StepAwaitingApproval || st[1].Voided != incident.VoidPlanChanged {
		t.Fatalf("the restart after the scale and its undo: %s, voided %q", st[1].State, st[1].Voided)
	}
	s.do(alice, ch, "step 1.2 approve", "Approved; running")
	sys.Deliver()
	s.do(bob, ch, "step 1.2 undo", "cannot be undone: a rollout restart has no inverse")
	if undoButton(t, sys, ch, st[1].ID) != "" {
		t.Error("the restart's card offers Undo")
	}

	// Typed: the undo of the undo scales down again, once approved; here it is rejected.
	s.do(bob, ch, "step 1.3 undo", "Step 1.4 undoes step 1.3:\nscale deployment apps/api back to 0 replicas")
	sys.Deliver()
	s.do(alice, ch, "step 1.4 reject", "Rejected")
	sys.Deliver()
	s.do(bob, ch, "step 1.3 undo", "has its undo already: step 1.4, which is rejected (skip it to ask for another)")

	kinds := map[incident.EventKind]int{}
	for _, e := range sys.Events(1) {
		kinds[e.Kind]++
	}
	if kinds[incident.EventStepUndo] != 2 {
		t.Errorf("%d step_undo events, want 2", kinds[incident.EventStepUndo])
	}
	s.do(alice, ch, "timeline", `asked to undo "Scale the API down" (scale-down) with a new step, "Undo step 1.1: Scale the API down"`)

	s.do(alice, ch, "resolve Scaled back.", "")
	sys.Deliver()
	var review string
	for _, is := range sys.GitHub.Issues() {
		if strings.HasPrefix(is.Title, "Post-incident review") {
			review = is.Body
		}
	}
	for _, want := range []string{
		"| scale-drill | Scale the API down | Technical lead | bob | alice | succeeded: scaled (previous counts, to restore them):; its undo is step 1.3 (succeeded) |",
		"| scale-drill | Undo step 1.1: Scale the API down | Technical lead | bob | alice | succeeded: scale deployment apps/api: replicas 0 -> 3; its undo is step 1.4 (rejected) |",
		"| Undo step 1.3: Undo step 1.1: Scale the API down | Technical lead | bob | - | rejected |",
		`asked to undo "Scale the API down" (scale-down) with a new step`,
	} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
}
