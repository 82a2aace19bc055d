package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv/kubefake"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
)

func ptr[T any](v T) *T { return &v }

func deployment(name string, replicas int32, available bool) *appsv1.Deployment {
	status := corev1.ConditionFalse
	if available {
		status = corev1.ConditionTrue
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "nephoran-system", Generation: 2},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr(replicas), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: replicas, UpdatedReplicas: replicas, AvailableReplicas: replicas,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: status}}},
	}
}

func pod(name, app string, ready bool) *corev1.Pod {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "nephoran-system", Labels: map[string]string{"app": app}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}}}
}

// fakeCluster is a cluster of client-go's typed fake clientset, which the test reads and
// arranges directly (Kube) while the actions reach it through the dynamic client.
type fakeCluster struct {
	*Client
	Kube *fake.Clientset
}

// fakeActions runs actions on client-go's fake clients as cluster "us-east-1".
func fakeActions(objs ...runtime.Object) (*Actions, *fakeCluster) {
	cs := fake.NewClientset(objs...)
	mapper := StaticMapper{{Resource: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"},
		Kind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Namespaced: true}}
	c := &fakeCluster{Client: &Client{Dynamic: kubefake.Dynamic(cs), Mapper: mapper}, Kube: cs}
	return &Actions{Clusters: Static(map[string]*Client{"us-east-1": c.Client}), Poll: time.Millisecond,
		Now: func() time.Time { return time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC) }}, c
}

// step wraps an action as a run step, the way a playbook run builds it.
func step(a *incident.Action) *incident.RunStep {
	return &incident.RunStep{Spec: incident.StepSpec{Action: *a}}
}

func TestRolloutRestart(t *testing.T) {
	ctx := context.Background()
	paused := deployment("llm-processor", 2, true)
	paused.Spec.Paused = true
	x, c := fakeActions(deployment("nephoran-controller", 3, true), paused)
	res, err := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.rollout-restart", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "nephoran-controller"}))
	if err != nil || !res.OK || !strings.Contains(res.Output, "kubectl.kubernetes.io/restartedAt=2026-11-26T03:04:05Z") {
		t.Fatalf("%+v %v", res, err)
	}
	d, _ := c.Kube.AppsV1().Deployments("nephoran-system").Get(ctx, "nephoran-controller", metav1.GetOptions{})
	if d.Spec.Template.Annotations[RestartedAtAnnotation] != "2026-11-26T03:04:05Z" {
		t.Errorf("annotation %v", d.Spec.Template.Annotations)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.rollout-restart", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "llm-processor"}))
	if res.OK || !strings.Contains(res.Output, "is paused") {
		t.Errorf("a paused deployment was restarted: %+v", res)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.rollout-restart", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "ghost"}))
	if res.OK || !strings.Contains(res.Output, "NotFound (404)") {
		t.Errorf("missing deployment: %+v", res)
	}
	if _, err := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.rollout-restart", Cluster: "mars", Namespace: "x", Deployment: "y"})); err == nil || !strings.Contains(err.Error(), `unknown cluster "mars"`) {
		t.Errorf("unknown cluster: %v", err)
	}
}

func TestScaleRecordsPreviousReplicas(t *testing.T) {
	ctx := context.Background()
	x, c := fakeActions(deployment("api", 3, true), deployment("web", 2, true))
	res, err := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.scale", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, Replicas: ptr(0)}))
	if err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	want := "scaled (previous counts, to restore them):\ndeployment nephoran-system/api: replicas 3 -> 0\ndeployment nephoran-system/web: replicas 2 -> 0"
	if res.Output != want {
		t.Errorf("output:\n%s\nwant:\n%s", res.Output, want)
	}
	for _, name := range []string{"api", "web"} {
		d, _ := c.Kube.AppsV1().Deployments("nephoran-system").Get(ctx, name, metav1.GetOptions{})
		if *d.Spec.Replicas != 0 {
			t.Errorf("%s has %d replicas", name, *d.Spec.Replicas)
		}
	}
}

func TestPatchConfigMapShowsTheChange(t *testing.T) {
	ctx := context.Background()
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "database-config", Namespace: "nephoran-system"}, Data: map[string]string{"primary.host": "postgresql-primary"}}
	x, c := fakeActions(cm)
	res, err := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config",
		PatchType: "merge", Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0"}}}))
	if err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	if want := "patch ConfigMap nephoran-system/database-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"; res.Output != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	got, _ := c.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("nephoran-system").Get(ctx, "database-config", metav1.GetOptions{})
	if host, _, _ := unstructuredString(got.Object, "data", "primary.host"); host != "postgresql-replica-0" {
		t.Errorf("configmap data %v", got.Object["data"])
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "Gizmo", Name: "x", Patch: map[string]any{}}))
	if res.OK || !strings.Contains(res.Output, "the cluster has no kind Gizmo") {
		t.Errorf("unknown kind: %+v", res)
	}
}

func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false, nil
		}
		cur = m[f]
	}
	s, ok := cur.(string)
	return s, ok, nil
}

func TestWaitAndCheck(t *testing.T) {
	ctx := context.Background()
	x, _ := fakeActions(deployment("api", 2, true), deployment("web", 1, false),
		pod("api-1", "api", true), pod("api-2", "api", true), pod("web-1", "web", false))
	res, _ := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.wait", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "api", For: "rollout-complete", Timeout: time.Second}))
	if !res.OK || !strings.Contains(res.Output, "deployment nephoran-system/api: 2/2 available") {
		t.Errorf("wait for api: %+v", res)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.wait", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, Timeout: 20 * time.Millisecond}))
	if res.OK || !strings.Contains(res.Output, "not ready after 20ms") || !strings.Contains(res.Output, "web: 1/1 available, 1 updated, Available=false") {
		t.Errorf("wait for all: %+v", res)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.check", Cluster: "us-east-1", Namespace: "nephoran-system", Deployment: "api"}))
	if !res.OK || !strings.Contains(res.Output, "pods ready: 2/2") {
		t.Errorf("check api: %+v", res)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.check", Cluster: "us-east-1", Namespace: "nephoran-system", All: true}))
	if res.OK || !strings.Contains(res.Output, "pods ready: 2/3") || !strings.Contains(res.Output, "not ready: web-1 (Running)") {
		t.Errorf("check all: %+v", res)
	}
	res, _ = x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.check", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, MinReady: ptr(2)}))
	if !res.OK {
		t.Errorf("check all with min_ready 2: %+v", res)
	}
}

func TestCordon(t *testing.T) {
	ctx := context.Background()
	x, c := fakeActions(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}})
	res, err := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.cordon", Cluster: "us-east-1", Node: "node-7"}))
	if err != nil || !res.OK || res.Output != "cordon node node-7: spec.unschedulable false -> true" {
		t.Fatalf("%+v %v", res, err)
	}
	n, _ := c.Kube.CoreV1().Nodes().Get(ctx, "node-7", metav1.GetOptions{})
	if !n.Spec.Unschedulable {
		t.Error("not cordoned")
	}
	if res, _ := x.Execute(ctx, nil, step(&incident.Action{Type: "kubernetes.cordon", Cluster: "us-east-1", Node: "node-7"})); res.Output != "node node-7 is already cordoned" {
		t.Errorf("again: %+v", res)
	}
}

func TestManifestDecoding(t *testing.T) {
	objs, err := decodeManifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# comment\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n")
	if err != nil || len(objs) != 2 || objs[1].GetKind() != "Deployment" {
		t.Fatalf("%v %v", objs, err)
	}
	if _, err := decodeManifest("kind: ConfigMap\n"); err == nil {
		t.Error("an object without apiVersion was accepted")
	}
}

// Opening all ingress replaces an empty list with a list of one empty rule: the plan must
// show it (it once said "(no change)"), and an emptied list or object is a change too.
func TestDiffShowsEmptyListsAndObjects(t *testing.T) {
	for _, tc := range []struct {
		before, after map[string]any
		want          string
	}{
		{map[string]any{"spec": map[string]any{"ingress": []any{}}}, map[string]any{"spec": map[string]any{"ingress": []any{map[string]any{}}}},
			"spec.ingress: [] -> (unset)\nspec.ingress[0]: (unset) -> {}"},
		{map[string]any{"spec": map[string]any{"ingress": []any{map[string]any{"from": []any{map[string]any{"podSelector": map[string]any{}}}}}}},
			map[string]any{"spec": map[string]any{"ingress": []any{}}},
			"spec.ingress: (unset) -> []\nspec.ingress[0].from[0].podSelector: {} -> (unset)"},
		{map[string]any{"data": map[string]any{"a": "1"}}, map[string]any{"data": map[string]any{}}, "data.a: 1 -> (unset)\ndata: (unset) -> {}"},
		{map[string]any{"spec": map[string]any{"ingress": []any{}}}, map[string]any{"spec": map[string]any{"ingress": []any{}}}, "(no change)"},
	} {
		if got := diff(tc.before, tc.after); got != tc.want {
			t.Errorf("diff(%v, %v) =\n%s\nwant\n%s", tc.before, tc.after, got, tc.want)
		}
	}
}
