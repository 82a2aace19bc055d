package kube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// An approval is for the plan that was shown. Between the dry run on the card and the
// execution someone else scales the Deployment on the API server: the bot plans again at
// execution, finds another plan, runs nothing, puts the step back to awaiting approval
// with what changed, and says so on the timeline; approved again, it runs.
func TestDriftVoidsTheApprovalOnTheAPIServer(t *testing.T) {
	c, kc := e2e(t)
	ctx := context.Background()
	for _, name := range []string{"llm-processor", "rag-service", "nephoran-controller"} {
		createDeployment(t, kc, name, 2)
	}
	waitFor(t, "llm-processor", 60*time.Second, func() bool { return available(t, kc, "llm-processor") })
	sys, ch := drill(t, c)
	do(t, sys, "U0ALICE", ch, "playbook application-service-failure cluster=us-east-1", "Started")
	sys.Deliver()
	shown := steps(t, sys)[2]
	if !strings.Contains(shown.Plan, "would restart deployment nephoran-system/llm-processor") || !strings.Contains(shown.Plan, "replicas 2") {
		t.Fatalf("the restart's dry run: %q", shown.Plan)
	}

	// Someone scales llm-processor by hand after the card showed its plan.
	if _, err := kc.AppsV1().Deployments(ns).Patch(ctx, "llm-processor", types.MergePatchType, []byte(`{"spec":{"replicas":4}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	do(t, sys, "U0BOB", ch, "step 3 run", "Asked for approval")
	do(t, sys, "U0ALICE", ch, "step 3 approve", "Approved; running")
	sys.Deliver()

	st := steps(t, sys)[2]
	if st.State != incident.StepAwaitingApproval || st.Voided != incident.VoidPlanChanged || st.ApprovedBy != "" {
		t.Fatalf("after the drift the step is %s (voided %q, approved by %q), want awaiting a new approval", st.State, st.Voided, st.ApprovedBy)
	}
	if !strings.Contains(st.PlanChange, "replicas 2") || !strings.Contains(st.PlanChange, "replicas 4") || !strings.Contains(st.Plan, "replicas 4") {
		t.Errorf("the card's new plan %q and what changed %q", st.Plan, st.PlanChange)
	}
	d, err := kc.AppsV1().Deployments(ns).Get(ctx, "llm-processor", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Template.Annotations[kube.RestartedAtAnnotation] != "" {
		t.Fatal("the voided approval restarted llm-processor")
	}
	var voided []incident.EventData
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStepVoided {
			voided = append(voided, e.Data)
		}
	}
	if len(voided) != 1 || voided[0].Digest != incident.PlanDigest(st.Plan) {
		t.Errorf("the timeline's voided approvals: %+v (want one, naming the new plan %s)", voided, incident.PlanDigest(st.Plan))
	}

	// Approved again, for the plan the card shows now: it runs.
	do(t, sys, "U0ALICE", ch, "step 3 approve", "Approved; running")
	sys.Deliver()
	if st = steps(t, sys)[2]; st.State != incident.StepSucceeded {
		t.Fatalf("the second approval: %s: %s", st.State, st.Output)
	}
	if d, _ = kc.AppsV1().Deployments(ns).Get(ctx, "llm-processor", metav1.GetOptions{}); d.Spec.Template.Annotations[kube.RestartedAtAnnotation] == "" {
		t.Error("llm-processor was not restarted after the second approval")
	}
}
