package kube

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// stored is p as it reads back from the store (JSON both ways): an undo works from that,
// after a restart of the bot.
func stored(t *testing.T, p *incident.Prior) *incident.Prior {
	t.Helper()
	if p == nil {
		t.Fatal("the step recorded no prior state")
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var out incident.Prior
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// undoStep is the inverse step of a step whose execution recorded p.
func undoStep(t *testing.T, p *incident.Prior) *incident.RunStep {
	return step(&incident.Action{Type: incident.ActionUndo, Cluster: "us-east-1", Undo: stored(t, p)})
}

func execute(t *testing.T, x *Actions, s *incident.RunStep) incident.StepResult {
	t.Helper()
	res, err := x.Execute(context.Background(), nil, s)
	if err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	return res
}

// Scale records each workload's replicas before it; the undo scales them back, says what
// someone else changed since, and records its own prior state (so it can be undone too).
func TestUndoScale(t *testing.T) {
	ctx := context.Background()
	x, c := fakeActions(deployment("api", 3, true), deployment("web", 2, true))
	res := execute(t, x, step(&incident.Action{Type: "kubernetes.scale", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, Replicas: ptr(0)}))
	p := res.Prior
	if p == nil || len(p.Objects) != 2 || *p.Objects[0].Replicas != 3 || *p.Objects[1].Replicas != 2 || *p.Objects[0].SetReplicas != 0 || p.Cluster != "us-east-1" {
		t.Fatalf("prior %+v", p)
	}
	if got := p.Summary(); got != "scale deployment nephoran-system/web back to 2 replicas\nscale deployment nephoran-system/api back to 3 replicas" {
		t.Errorf("summary %q", got)
	}
	d, _ := c.Kube.AppsV1().Deployments("nephoran-system").Get(ctx, "api", metav1.GetOptions{})
	d.Spec.Replicas = ptr(int32(5)) // someone else scales api meanwhile
	if _, err := c.Kube.AppsV1().Deployments("nephoran-system").Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	undo := execute(t, x, undoStep(t, p))
	want := "scale deployment nephoran-system/web: replicas 0 -> 2\nscale deployment nephoran-system/api: replicas 5 -> 3\n" +
		DriftHeading + "\n  replicas: the step set 0, they are 5 now"
	if undo.Output != want {
		t.Errorf("undo output:\n%s\nwant:\n%s", undo.Output, want)
	}
	for name, n := range map[string]int32{"api": 3, "web": 2} {
		d, _ := c.Kube.AppsV1().Deployments("nephoran-system").Get(ctx, name, metav1.GetOptions{})
		if *d.Spec.Replicas != n {
			t.Errorf("%s has %d replicas after the undo, want %d", name, *d.Spec.Replicas, n)
		}
	}
	if r := undo.Prior; !r.Undoable() || *r.Objects[0].Replicas != 0 || *r.Objects[1].Replicas != 5 {
		t.Errorf("the undo's own prior state %+v", r)
	}
}

// A merge patch records the prior values of exactly the fields it changed ("absent" for the
// one it added); the undo is a merge patch setting them back (null for the added one).
func TestUndoPatchMerge(t *testing.T) {
	ctx := context.Background()
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "database-config", Namespace: "nephoran-system", Labels: map[string]string{"app": "db"}},
		Data:       map[string]string{"primary.host": "postgresql-primary", "keep": "x"}}
	x, c := fakeActions(cm)
	res := execute(t, x, step(&incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config",
		PatchType: "merge", Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0", "port": "5432"}}}))
	want := []incident.PriorField{
		{Path: []string{"data", "port"}, Absent: true, After: "5432"},
		{Path: []string{"data", "primary.host"}, Before: "postgresql-primary", After: "postgresql-replica-0"},
	}
	if p := res.Prior; p == nil || len(p.Objects) != 1 || !reflect.DeepEqual(p.Objects[0].Fields, want) || p.Objects[0].Kind != "ConfigMap" || p.Objects[0].APIVersion != "v1" {
		t.Fatalf("prior %+v, want fields %+v", res.Prior, want)
	}
	if inv := mergeInverse(stored(t, res.Prior).Objects[0].Fields); !reflect.DeepEqual(inv, map[string]any{"data": map[string]any{"port": nil, "primary.host": "postgresql-primary"}}) {
		t.Errorf("inverse merge patch %v", inv)
	}
	undo := execute(t, x, undoStep(t, res.Prior))
	if want := "patch ConfigMap nephoran-system/database-config:\ndata.port: 5432 -> (unset)\ndata.primary.host: postgresql-replica-0 -> postgresql-primary"; undo.Output != want {
		t.Errorf("undo output %q, want %q", undo.Output, want)
	}
	got, _ := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "database-config", metav1.GetOptions{})
	if !reflect.DeepEqual(got.Data, cm.Data) || !reflect.DeepEqual(got.Labels, cm.Labels) {
		t.Errorf("after the undo: data %v labels %v", got.Data, got.Labels)
	}
}

// A JSON patch is recorded the same way, from the object before and after it; the undo
// shows a field someone else changed since.
func TestUndoPatchJSONShowsDrift(t *testing.T) {
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "routing", Namespace: "nephoran-system"}, Data: map[string]string{"region": "us-east-1", "old": "1"}}
	x, c := fakeActions(cm)
	res := execute(t, x, step(&incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "routing",
		PatchType: "json", Patch: []any{map[string]any{"op": "replace", "path": "/data/region", "value": "us-west-2"}, map[string]any{"op": "remove", "path": "/data/old"}}}))
	want := []incident.PriorField{
		{Path: []string{"data", "old"}, Before: "1", Removed: true},
		{Path: []string{"data", "region"}, Before: "us-east-1", After: "us-west-2"},
	}
	if p := res.Prior; p == nil || len(p.Objects) != 1 || !reflect.DeepEqual(p.Objects[0].Fields, want) {
		t.Fatalf("prior %+v, want fields %+v", res.Prior, want)
	}
	now, _ := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "routing", metav1.GetOptions{})
	now.Data["region"] = "eu-west-1"
	if _, err := c.Kube.CoreV1().ConfigMaps("nephoran-system").Update(ctx, now, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	undo := execute(t, x, undoStep(t, res.Prior))
	if !strings.Contains(undo.Output, DriftHeading+"\n  data.region: the step set us-west-2, it is eu-west-1 now") {
		t.Errorf("undo output does not show the drift:\n%s", undo.Output)
	}
	got, _ := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "routing", metav1.GetOptions{})
	if !reflect.DeepEqual(got.Data, cm.Data) {
		t.Errorf("after the undo: data %v, want %v", got.Data, cm.Data)
	}
}

// A field that held null cannot be set back by a merge patch: the inverse is a JSON patch.
func TestInversePatches(t *testing.T) {
	fields := []incident.PriorField{
		{Path: []string{"spec", "paused"}, Before: nil, After: true},
		{Path: []string{"metadata", "annotations", "a/b~c"}, Absent: true, After: "x"},
		{Path: []string{"spec", "replicas"}, Before: 3.0, After: 0.0},
	}
	wantMerge := map[string]any{"spec": map[string]any{"paused": nil, "replicas": 3.0}, "metadata": map[string]any{"annotations": map[string]any{"a/b~c": nil}}}
	if got := mergeInverse(fields); !reflect.DeepEqual(got, wantMerge) {
		t.Errorf("merge inverse %v", got)
	}
	wantJSON := []any{
		map[string]any{"op": "add", "path": "/spec/paused", "value": nil},
		map[string]any{"op": "remove", "path": "/metadata/annotations/a~1b~0c"},
		map[string]any{"op": "add", "path": "/spec/replicas", "value": 3.0},
	}
	if got := jsonInverse(fields); !reflect.DeepEqual(got, wantJSON) {
		t.Errorf("json inverse %v", got)
	}
}

// A cordon records the node's spec.unschedulable; its undo uncordons. A cordon of a node
// already cordoned changed nothing, and says so.
func TestUndoCordon(t *testing.T) {
	ctx := context.Background()
	x, c := fakeActions(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}})
	cordon := step(&incident.Action{Type: "kubernetes.cordon", Cluster: "us-east-1", Node: "node-7"})
	res := execute(t, x, cordon)
	if got := res.Prior.Summary(); got != "uncordon node node-7" {
		t.Errorf("summary %q", got)
	}
	if again := execute(t, x, cordon); again.Prior == nil || again.Prior.Undoable() || again.Prior.NoInverse != "it changed nothing" {
		t.Errorf("a cordon of a cordoned node recorded %+v", again.Prior)
	}
	undo := execute(t, x, undoStep(t, res.Prior))
	if undo.Output != "uncordon node node-7: spec.unschedulable true -> false" {
		t.Errorf("undo output %q", undo.Output)
	}
	if n, _ := c.Kube.CoreV1().Nodes().Get(ctx, "node-7", metav1.GetOptions{}); n.Spec.Unschedulable {
		t.Error("still cordoned after the undo")
	}
	if got := undo.Prior.Summary(); got != "cordon node node-7 again" {
		t.Errorf("the undo's own undo: %q", got)
	}
}

// A drain's inverse is the uncordon; the evicted pods are not brought back, and the undo says so.
func TestUndoDrainUncordons(t *testing.T) {
	ctx := context.Background()
	x, c := fakeActions(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}}, nodePod("api-1", "node-7", "ReplicaSet", "api-6f9"))
	(&evictions{}).install(t, c)
	res := execute(t, x, drainStep(incident.Action{Timeout: time.Minute}))
	p := res.Prior
	if !p.Undoable() || p.Summary() != "uncordon node node-7" || !strings.Contains(p.Note, "the 1 pods the drain evicted are not brought back") || !strings.Contains(p.Note, "apps/api-1") {
		t.Fatalf("prior %+v", p)
	}
	undo := execute(t, x, undoStep(t, p))
	if !strings.HasPrefix(undo.Output, "uncordon node node-7: spec.unschedulable true -> false\nUncordoning does not undo the evictions") {
		t.Errorf("undo output %q", undo.Output)
	}
	if n, _ := c.Kube.CoreV1().Nodes().Get(ctx, "node-7", metav1.GetOptions{}); n.Spec.Unschedulable {
		t.Error("still cordoned after the undo")
	}
	// A drain of a node cordoned before it has nothing to undo.
	res = execute(t, x, drainStep(incident.Action{Timeout: time.Minute}))
	res = execute(t, x, drainStep(incident.Action{Timeout: time.Minute}))
	if res.Prior.Undoable() || !strings.Contains(res.Prior.NoInverse, "was cordoned before the drain") {
		t.Errorf("a drain of a cordoned node recorded %+v", res.Prior)
	}
}

// A restart has no inverse and says so; a wait changes nothing and records nothing.
func TestRestartHasNoInverse(t *testing.T) {
	x, _ := fakeActions(deployment("api", 2, true))
	res := execute(t, x, step(&incident.Action{Type: "kubernetes.rollout-restart", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "api"}))
	if res.Prior == nil || res.Prior.Undoable() || !strings.HasPrefix(res.Prior.NoInverse, "a rollout restart has no inverse") {
		t.Errorf("restart recorded %+v", res.Prior)
	}
	res = execute(t, x, step(&incident.Action{Type: "kubernetes.wait", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "api", Timeout: time.Second}))
	if res.Prior != nil {
		t.Errorf("a wait recorded %+v", res.Prior)
	}
}

// The undo of an apply deletes what it created, and the undo of that creates it again; the
// undo of an apply that changed an object puts the recorded object back, over what someone
// changed since. (The fake clients cannot server-side apply: the priors are written here
// as apply records them; the real API server runs the whole round in the e2e test.)
func TestUndoApply(t *testing.T) {
	ctx := context.Background()
	created := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "standby", Namespace: "nephoran-system"}, Data: map[string]string{"k": "v"}}
	changed := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "routing", Namespace: "nephoran-system", Labels: map[string]string{"by": "hand"}}, Data: map[string]string{"region": "eu-west-1"}}
	x, c := fakeActions(created, changed)
	obj := func(cm *corev1.ConfigMap, data map[string]any) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": cm.Name, "namespace": cm.Namespace}, "data": data}
	}
	p := &incident.Prior{Cluster: "us-east-1", Objects: []incident.PriorObject{
		{What: incident.PriorObjectState, APIVersion: "v1", Kind: "ConfigMap", Namespace: "nephoran-system", Name: "standby", After: obj(created, map[string]any{"k": "v"})},
		{What: incident.PriorObjectState, APIVersion: "v1", Kind: "ConfigMap", Namespace: "nephoran-system", Name: "routing",
			Object: obj(changed, map[string]any{"region": "us-east-1"}), After: obj(changed, map[string]any{"region": "us-west-2"})},
	}}
	if got := p.Summary(); got != "restore configmap nephoran-system/routing as it was before the step\ndelete configmap nephoran-system/standby (the step created it)" {
		t.Errorf("summary %q", got)
	}
	undo := execute(t, x, undoStep(t, p))
	for _, want := range []string{
		"restore ConfigMap nephoran-system/routing as it was before the step:\ndata.region: eu-west-1 -> us-east-1\nmetadata.labels.by: hand -> (unset)\n" + DriftHeading,
		"data.region: us-west-2 -> eu-west-1", "metadata.labels.by: (unset) -> hand",
		"delete ConfigMap nephoran-system/standby (the step created it)",
	} {
		if !strings.Contains(undo.Output, want) {
			t.Errorf("undo output lacks %q:\n%s", want, undo.Output)
		}
	}
	if _, err := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "standby", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("standby after the undo: %v", err)
	}
	got, _ := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "routing", metav1.GetOptions{})
	if got.Data["region"] != "us-east-1" || len(got.Labels) != 0 {
		t.Errorf("routing after the undo: %v %v", got.Data, got.Labels)
	}
	// The undo of the undo: standby is created again, routing set back to what the undo found.
	redo := execute(t, x, undoStep(t, undo.Prior))
	if !strings.Contains(redo.Output, "create ConfigMap nephoran-system/standby again, as it was before the step") {
		t.Errorf("redo output %q", redo.Output)
	}
	again, err := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "standby", metav1.GetOptions{})
	if err != nil || again.Data["k"] != "v" {
		t.Errorf("standby after the redo: %v %v", again, err)
	}
	if got, _ := c.Kube.CoreV1().ConfigMaps("nephoran-system").Get(ctx, "routing", metav1.GetOptions{}); got.Data["region"] != "eu-west-1" || got.Labels["by"] != "hand" {
		t.Errorf("routing after the redo: %v %v", got.Data, got.Labels)
	}
}
