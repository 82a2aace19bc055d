package kubesim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv/kubesim"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const ns = "nephoran-system"

func step(_ *testing.T, a *incident.Action) *incident.RunStep {
	return &incident.RunStep{Spec: incident.StepSpec{Action: *a}}
}

func newCluster(t *testing.T) (*kubesim.Cluster, *kube.Actions, context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := kubesim.New("sim", []string{"postgresql-primary", "postgresql-replica-0"},
		kubesim.Deployment(ns, "api", 1), kubesim.Deployment(ns, "web", 0), kubesim.StatefulSet(ns, "postgresql-replica", 1))
	c.Step = 5 * time.Millisecond
	c.Settle(ctx)
	go c.Run(ctx)
	x := &kube.Actions{Clusters: kube.Static(map[string]*kube.Client{"sim": c.Client()}), Poll: 5 * time.Millisecond}
	return c, x, ctx
}

func run(t *testing.T, ctx context.Context, x *kube.Actions, a *incident.Action) incident.StepResult {
	t.Helper()
	res, err := x.Execute(ctx, nil, step(t, a))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Scaling up, waiting for availability and checking pods go through the real executor and
// end with the pods there; a dry run of the same scale changed nothing.
func TestScaleWaitAndCheck(t *testing.T) {
	c, x, ctx := newCluster(t)
	three := 3
	scale := &incident.Action{Type: "kubernetes.scale", Cluster: "sim", Namespace: ns, All: true, Replicas: &three}
	plan, err := x.Plan(ctx, nil, step(t, scale))
	if err != nil || !strings.Contains(plan, "would scale") || !strings.Contains(plan, "deployment nephoran-system/web: replicas 0 -> 3") {
		t.Fatalf("plan %q %v", plan, err)
	}
	d, err := c.Clientset().AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 0 || d.Generation != 1 {
		t.Fatalf("the dry run changed web: %+v %v", d.Spec.Replicas, err)
	}

	if res := run(t, ctx, x, scale); !res.OK || !strings.Contains(res.Output, "deployment nephoran-system/api: replicas 1 -> 3") {
		t.Fatalf("scale %+v", res)
	}
	wait := &incident.Action{Type: "kubernetes.wait", Cluster: "sim", Namespace: ns, All: true, For: "available", Timeout: 10 * time.Second}
	if res := run(t, ctx, x, wait); !res.OK || !strings.Contains(res.Output, "deployment nephoran-system/web: 3/3 available") ||
		!strings.Contains(res.Output, "observedGeneration 2/2") {
		t.Fatalf("wait %+v", res)
	}
	check := &incident.Action{Type: "kubernetes.check", Cluster: "sim", Namespace: ns, All: true}
	if res := run(t, ctx, x, check); !res.OK || !strings.Contains(res.Output, "pods ready: 7/7") {
		t.Fatalf("check %+v", res)
	}
}

// A rollout restart replaces every pod of the Deployment, surging, and the wait for a
// complete rollout sees it through.
func TestRolloutRestart(t *testing.T) {
	c, x, ctx := newCluster(t)
	before, err := c.Clientset().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
	if err != nil || len(before.Items) != 1 {
		t.Fatalf("pods before %v %v", before, err)
	}
	restart := &incident.Action{Type: "kubernetes.rollout-restart", Cluster: "sim", Namespace: ns, Deployment: "api"}
	if res := run(t, ctx, x, restart); !res.OK || !strings.Contains(res.Output, "generation 2") {
		t.Fatalf("restart %+v", res)
	}
	wait := &incident.Action{Type: "kubernetes.wait", Cluster: "sim", Namespace: ns, Deployment: "api", For: "rollout-complete", Timeout: 10 * time.Second}
	if res := run(t, ctx, x, wait); !res.OK {
		t.Fatalf("wait %+v", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		after, err := c.Clientset().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
		if err == nil && len(after.Items) == 1 && after.Items[0].Name != before.Items[0].Name {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the old pod was not replaced: %v", after.Items)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The Patroni stand-in switches over once; the same switchover again is refused because
// the named leader no longer leads; a missing pod and a missing program fail as a real
// cluster's would.
func TestExecSwitchover(t *testing.T) {
	c, x, ctx := newCluster(t)
	switchover := &incident.Action{Type: "kubernetes.exec", Cluster: "sim", Namespace: ns, Pod: "postgresql-replica-0",
		Command: []string{"patronictl", "switchover", "--master", "postgresql-primary", "--candidate", "postgresql-replica-0", "--force"}}
	res := run(t, ctx, x, switchover)
	if !res.OK || !strings.Contains(res.Output, `Successfully switched over to "postgresql-replica-0"`) || c.Leader() != "postgresql-replica-0" {
		t.Fatalf("switchover %+v, leader %s", res, c.Leader())
	}
	if res := run(t, ctx, x, switchover); res.OK || !strings.Contains(res.Output, "exit code 1") ||
		!strings.Contains(res.Output, "Member postgresql-primary is not the leader") {
		t.Errorf("second switchover %+v", res)
	}
	missing := &incident.Action{Type: "kubernetes.exec", Cluster: "sim", Namespace: ns, Pod: "postgresql-replica-7", Command: []string{"true"}}
	if res := run(t, ctx, x, missing); res.OK || !strings.Contains(res.Output, "not found") {
		t.Errorf("exec in a missing pod %+v", res)
	}
	psql := &incident.Action{Type: "kubernetes.exec", Cluster: "sim", Namespace: ns, Pod: "postgresql-replica-0", Command: []string{"psql", "-c", "select 1"}}
	if res := run(t, ctx, x, psql); res.OK || !strings.Contains(res.Output, "exit code 127") {
		t.Errorf("a program the container lacks %+v", res)
	}
}
