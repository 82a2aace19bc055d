package kube_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// undoOf is the inverse step of a step whose execution recorded p, with p as it reads back
// from the store (JSON both ways), as after a restart of the bot.
func undoOf(t *testing.T, res incident.StepResult) *incident.RunStep {
	t.Helper()
	if !res.Prior.Undoable() {
		t.Fatalf("the step recorded no undoable prior state: %+v (%s)", res.Prior, res.Output)
	}
	b, err := json.Marshal(res.Prior)
	if err != nil {
		t.Fatal(err)
	}
	var p incident.Prior
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return actionStep(incident.Action{Type: incident.ActionUndo, Cluster: p.Cluster, Undo: &p})
}

func executed(t *testing.T, ctx context.Context, x *kube.Actions, s *incident.RunStep) incident.StepResult {
	t.Helper()
	res, err := x.Execute(ctx, nil, s)
	if err != nil || !res.OK {
		t.Fatalf("%s: %+v %v", s.Spec.Action.Type, res, err)
	}
	return res
}

func planned(t *testing.T, ctx context.Context, x *kube.Actions, s *incident.RunStep, want ...string) {
	t.Helper()
	plan, err := x.Plan(ctx, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(plan, w) {
			t.Errorf("the plan lacks %q:\n%s", w, plan)
		}
	}
}

// Every undo on a real API server: each one's dry run changes nothing and shows what it
// would do (and what someone else changed since the step); run, it puts back what the step
// changed. A restart records that it has no inverse.
func TestUndoOnTheAPIServer(t *testing.T) {
	c, kc := e2e(t)
	ctx := incident.WithChangeMark(context.Background(), mark)
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"admin": "e2e"}), Poll: 100 * time.Millisecond}
	createDeployment(t, kc, "web", 2)
	waitFor(t, "web", 60*time.Second, func() bool { return available(t, kc, "web") })
	replicasOf := func(name string) int32 {
		d, err := kc.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return *d.Spec.Replicas
	}

	t.Run("scale", func(t *testing.T) {
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.scale", Cluster: "admin", Namespace: ns, Deployment: "web", Replicas: ptr(0)}))
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would scale deployment nephoran-system/web: replicas 0 -> 2")
		if n := replicasOf("web"); n != 0 {
			t.Fatalf("the undo's dry run scaled web to %d", n)
		}
		// Someone else, meanwhile; a patch, as the controllers update the Deployment too.
		if _, err := kc.AppsV1().Deployments(ns).Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		planned(t, ctx, x, undo, "would scale deployment nephoran-system/web: replicas 1 -> 2", kube.DriftHeading, "replicas: the step set 0, they are 1 now")
		executed(t, ctx, x, undo)
		if n := replicasOf("web"); n != 2 {
			t.Errorf("web has %d replicas after the undo, want 2", n)
		}
		waitFor(t, "web back", 60*time.Second, func() bool { return available(t, kc, "web") })
	})

	t.Run("patch-merge", func(t *testing.T) {
		orig := map[string]string{"primary.host": "postgresql-primary"}
		if _, err := kc.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "database-config", Namespace: ns}, Data: orig}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.patch", Cluster: "admin", Namespace: ns, Kind: "ConfigMap", Name: "database-config",
			PatchType: "merge", Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0", "port": "5432"}}}))
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would patch ConfigMap nephoran-system/database-config:\ndata.port: 5432 -> (unset)\ndata.primary.host: postgresql-replica-0 -> postgresql-primary")
		if cm, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "database-config", metav1.GetOptions{}); cm.Data["port"] != "5432" {
			t.Fatalf("the undo's dry run changed the ConfigMap: %v", cm.Data)
		}
		executed(t, ctx, x, undo)
		cm, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "database-config", metav1.GetOptions{})
		if len(cm.Data) != 1 || cm.Data["primary.host"] != "postgresql-primary" {
			t.Errorf("after the undo: %v", cm.Data)
		}
		wantMark(t, "the ConfigMap the undo patched", cm)
	})

	t.Run("patch-json", func(t *testing.T) {
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.patch", Cluster: "admin", Namespace: ns, Kind: "Deployment", Name: "web",
			PatchType: "json", Patch: []any{
				map[string]any{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.invalid/web:v2"},
				map[string]any{"op": "add", "path": "/metadata/labels", "value": map[string]any{"tier": "front"}},
			}}))
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would patch Deployment nephoran-system/web:",
			"metadata.labels.tier: front -> (unset)", "spec.template.spec.containers[0].image: registry.invalid/web:v2 -> registry.invalid/web")
		executed(t, ctx, x, undo)
		d, _ := kc.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.invalid/web" || d.Labels["tier"] != "" || len(d.Spec.Template.Spec.Containers) != 1 {
			t.Errorf("after the undo: image %q, labels %v", img, d.Labels)
		}
		waitFor(t, "web rolled back", 60*time.Second, func() bool { return available(t, kc, "web") })
	})

	t.Run("cordon", func(t *testing.T) {
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.cordon", Cluster: "admin", Node: "kwok-node-0"}))
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would uncordon node kwok-node-0: spec.unschedulable true -> false")
		if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); !n.Spec.Unschedulable {
			t.Fatal("the undo's dry run uncordoned the node")
		}
		executed(t, ctx, x, undo)
		if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); n.Spec.Unschedulable {
			t.Error("the node is still cordoned after the undo")
		}
	})

	t.Run("drain", func(t *testing.T) {
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.drain", Cluster: "admin", Node: "kwok-node-0", Timeout: time.Minute}))
		if !strings.Contains(res.Prior.Note, "pods the drain evicted are not brought back") {
			t.Errorf("the drain's prior state: %+v", res.Prior)
		}
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would uncordon node kwok-node-0: spec.unschedulable true -> false", "Uncordoning does not undo the evictions")
		out := executed(t, ctx, x, undo).Output
		if !strings.Contains(out, "uncordon node kwok-node-0") || !strings.Contains(out, "not brought back") {
			t.Errorf("undo output %q", out)
		}
		if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); n.Spec.Unschedulable {
			t.Error("the node is still cordoned after the undo")
		}
		waitFor(t, "web rescheduled", 60*time.Second, func() bool { return available(t, kc, "web") })
	})

	t.Run("apply", func(t *testing.T) {
		first := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: routing}\ndata: {region: us-east-1}\n"
		executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.apply", Cluster: "admin", Namespace: ns, Manifest: "a.yaml", Content: first}))
		manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: routing}\ndata: {region: us-west-2}\n---\n" +
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: standby}\ndata: {mode: hot}\n"
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.apply", Cluster: "admin", Namespace: ns, Manifest: "b.yaml", Content: manifest}))
		if !strings.Contains(res.Output, "routing configured") || !strings.Contains(res.Output, "standby created") {
			t.Fatalf("apply %q", res.Output)
		}
		routing, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "routing", metav1.GetOptions{})
		routing.Labels = map[string]string{"by": "hand"} // someone else, meanwhile
		if _, err := kc.CoreV1().ConfigMaps(ns).Update(ctx, routing, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		undo := undoOf(t, res)
		planned(t, ctx, x, undo, "would delete ConfigMap nephoran-system/standby (the step created it)",
			"would restore ConfigMap nephoran-system/routing as it was before the step:\ndata.region: us-west-2 -> us-east-1\nmetadata.labels.by: hand -> (unset)",
			kube.DriftHeading, "metadata.labels.by: (unset) -> hand")
		if _, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "standby", metav1.GetOptions{}); err != nil {
			t.Fatalf("the undo's dry run deleted standby: %v", err)
		}
		if cm, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "routing", metav1.GetOptions{}); cm.Data["region"] != "us-west-2" {
			t.Fatalf("the undo's dry run changed routing: %v", cm.Data)
		}
		redo := undoOf(t, executed(t, ctx, x, undo))
		if _, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "standby", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("standby after the undo: %v", err)
		}
		cm, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "routing", metav1.GetOptions{})
		if cm.Data["region"] != "us-east-1" || cm.Labels["by"] != "" {
			t.Errorf("routing after the undo: %v %v", cm.Data, cm.Labels)
		}
		wantMark(t, "the ConfigMap the undo restored", cm)
		// The undo of the undo applies the change again.
		planned(t, ctx, x, redo, "would create ConfigMap nephoran-system/standby again, as it was before the step")
		executed(t, ctx, x, redo)
		if cm, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "standby", metav1.GetOptions{}); err != nil || cm.Data["mode"] != "hot" {
			t.Errorf("standby after the redo: %v %v", cm, err)
		}
	})

	t.Run("restart", func(t *testing.T) {
		res := executed(t, ctx, x, actionStep(incident.Action{Type: "kubernetes.rollout-restart", Cluster: "admin", Namespace: ns, Deployment: "web"}))
		if res.Prior == nil || res.Prior.Undoable() || !strings.HasPrefix(res.Prior.NoInverse, "a rollout restart has no inverse") {
			t.Errorf("the restart's prior state: %+v", res.Prior)
		}
	})
}

// The seed's single-node-failure scenario through the bot's domain on a real API server:
// the drain after the cordon has nothing to undo and says so; the cordon's undo is planned,
// approved like the cordon, run, and uncordons the node.
func TestDrillSingleNodeFailureUndo(t *testing.T) {
	c, kc := e2e(t)
	ctx := context.Background()
	createDeployment(t, kc, "web", 2)
	waitFor(t, "web", 60*time.Second, func() bool { return available(t, kc, "web") })
	sys, ch := drill(t, c)
	do(t, sys, "U0ALICE", ch, "playbook single-node-failure node=kwok-node-0", "Started")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 1 run", "Running")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 2 done", "Marked")
	do(t, sys, "U0BOB", ch, "step 3 run", "Running")
	sys.Deliver()
	// The preflight before the cordon and drain (read-only: it runs without approval).
	do(t, sys, "U0BOB", ch, "step 4 run", "Running")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 5 run", "Asked for approval")
	do(t, sys, "U0ALICE", ch, "step 5 approve", "Approved; running")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 6 run", "Asked for approval")
	do(t, sys, "U0ALICE", ch, "step 6 approve", "Approved; running")
	sys.Deliver()
	st := steps(t, sys)
	if st[4].State != incident.StepSucceeded || st[5].State != incident.StepSucceeded {
		t.Fatalf("cordon %s (%s), drain %s (%s)", st[4].State, st[4].Output, st[5].State, st[5].Output)
	}
	do(t, sys, "U0BOB", ch, "step 6 undo", "cannot be undone: node kwok-node-0 was cordoned before the drain, so there is nothing to uncordon, and the 2 pods the drain evicted are not brought back")
	do(t, sys, "U0BOB", ch, "step 5 undo", "Step 1.10 undoes step 1.5:\nuncordon node kwok-node-0\nIts dry run will be on its card; it needs the approval of the Incident commander.")
	sys.Deliver()
	st = steps(t, sys)
	if u := st[9]; u.State != incident.StepAwaitingApproval || u.Plan != "would uncordon node kwok-node-0: spec.unschedulable true -> false" {
		t.Fatalf("the undo step is %s with plan %q", u.State, u.Plan)
	}
	if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); !n.Spec.Unschedulable {
		t.Fatal("the undo's dry run uncordoned the node")
	}
	do(t, sys, "U0ALICE", ch, "step 10 approve", "Approved; running")
	sys.Deliver()
	if st = steps(t, sys); st[9].State != incident.StepSucceeded {
		t.Fatalf("the undo %s: %s", st[9].State, st[9].Output)
	}
	n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{})
	if n.Spec.Unschedulable {
		t.Error("the node is still cordoned after the undo")
	}
	if by := n.Annotations[kube.ChangedByAnnotation]; !strings.HasPrefix(by, "INC-1 step 1.10 cordon-node-undo, claim ") {
		t.Errorf("the node carries the mark %q", by)
	}
}
