package commands_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubesim"
	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

const scaleAllDrill = `name: scale-all
title: Scale everything down
kind: runbook
phases:
  - name: Stop
    within: 15m
    steps:
      - id: stop-apps
        title: Stop every application
        owner: technical-lead
        approval: {roles: [incident-commander]}
        action: {type: kubernetes.scale, cluster: us-east-1, namespace: apps, all: true, replicas: 0}
`

// A scale of every Deployment refused halfway can be undone: its card says what it changed
// and offers Undo. Retried, it succeeds, and the undo restores each Deployment as it was
// before the first attempt, not as the retry found it.
func TestAStepThatFailedHalfwayCanBeUndone(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "scale-all.yaml"), []byte(scaleAllDrill), 0o644); err != nil {
		t.Fatal(err)
	}
	cluster := kubesim.New("us-east-1", nil, kubesim.Deployment("apps", "api", 3), kubesim.Deployment("apps", "web", 2))
	refuse := true
	cluster.Clientset().PrependReactor("patch", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if refuse && a.(k8stesting.PatchAction).GetName() == "web" {
			return true, nil, errors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "web", nil)
		}
		return false, nil, nil
	})
	x := &kube.Actions{Clusters: kube.Static(map[string]*kube.Client{"us-east-1": cluster.Client()}), Poll: time.Millisecond}
	sys := testenv.NewSystem(t, testenv.WithPlaybooks(dir), testenv.WithKubernetes(x, "us-east-1"))
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 intent-processing everything is on fire")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	replicas := func(name string) int32 {
		d, err := cluster.Clientset().AppsV1().Deployments("apps").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return *d.Spec.Replicas
	}
	s := &script{t: t, sys: sys}
	s.do(alice, ch, "playbook scale-all", "Started")
	sys.Deliver()
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	st := runSteps(t, sys)
	if st[0].State != incident.StepFailed || !st[0].Prior.Undoable() || replicas("api") != 0 || replicas("web") != 2 {
		t.Fatalf("the refused scale: %s, prior %+v, api %d, web %d", st[0].State, st[0].Prior, replicas("api"), replicas("web"))
	}
	if undoButton(t, sys, ch, st[0].ID) == "" {
		t.Error("the failed step's card offers no Undo")
	}

	refuse = false
	s.do(bob, ch, "step 1.1 retry", "pending again")
	s.do(bob, ch, "step 1.1 run", "Asked for approval")
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	// The plan the card showed was the refusal's: the fresh one differs, so the approval is
	// voided and asked for again with the plan as it is now.
	if st = runSteps(t, sys); st[0].State != incident.StepAwaitingApproval || st[0].Voided != incident.VoidPlanChanged {
		t.Fatalf("the retry's first approval: %s, voided %q", st[0].State, st[0].Voided)
	}
	s.do(alice, ch, "step 1.1 approve", "Approved; running")
	sys.Deliver()
	if st = runSteps(t, sys); st[0].State != incident.StepSucceeded || replicas("web") != 0 {
		t.Fatalf("the retry: %s: %s", st[0].State, st[0].Output)
	}
	got := s.do(bob, ch, "step 1.1 undo", "Step 1.2 undoes step 1.1")
	for _, want := range []string{"deployment apps/api back to 3 replicas", "deployment apps/web back to 2 replicas"} {
		if !strings.Contains(got, want) {
			t.Errorf("the undo says %q, want %q", got, want)
		}
	}
	sys.Deliver()
	s.do(alice, ch, "step 1.2 approve", "Approved; running")
	sys.Deliver()
	if replicas("api") != 3 || replicas("web") != 2 {
		t.Errorf("after the undo: api %d, web %d; want 3 and 2", replicas("api"), replicas("web"))
	}
}
