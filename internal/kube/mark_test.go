package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var testMark = incident.ChangeMark{Incident: "INC-42", Step: "1.3 promote-db", Claim: 7}

func configMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "nephoran-system", Annotations: map[string]string{"owner": "db-team"}}, Data: data}
}

// Every action that changes an object writes the step's mark on it, and nothing without a
// mark; the outputs are the same either way.
func TestChangesCarryTheMark(t *testing.T) {
	ctx := context.Background()
	cms := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	deploymentAnn := func(name string) func(*fakeCluster) map[string]string {
		return func(c *fakeCluster) map[string]string {
			d, _ := c.Kube.AppsV1().Deployments("nephoran-system").Get(ctx, name, metav1.GetOptions{})
			return d.Annotations
		}
	}
	configMapAnn := func(c *fakeCluster) map[string]string {
		u, _ := c.Dynamic.Resource(cms).Namespace("nephoran-system").Get(ctx, "database-config", metav1.GetOptions{})
		return u.GetAnnotations()
	}
	nodeAnn := func(c *fakeCluster) map[string]string {
		n, _ := c.Kube.CoreV1().Nodes().Get(ctx, "node-7", metav1.GetOptions{})
		return n.Annotations
	}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "postgresql", Namespace: "nephoran-system"}, Spec: appsv1.StatefulSetSpec{Replicas: ptr(int32(3))}}
	for _, tc := range []struct {
		name   string
		action incident.Action
		annOf  func(*fakeCluster) map[string]string
		output string
	}{
		{"rollout-restart", incident.Action{Type: "kubernetes.rollout-restart", Namespace: "nephoran-system", Deployment: "api"}, deploymentAnn("api"),
			"restart deployment nephoran-system/api: kubectl.kubernetes.io/restartedAt=2026-11-26T03:04:05Z; generation 2, observedGeneration 2, replicas 3"},
		{"scale deployments", incident.Action{Type: "kubernetes.scale", Namespace: "nephoran-system", All: true, Replicas: ptr(1)}, deploymentAnn("web"),
			"scaled (previous counts, to restore them):\ndeployment nephoran-system/api: replicas 3 -> 1\ndeployment nephoran-system/web: replicas 2 -> 1"},
		{"scale statefulset", incident.Action{Type: "kubernetes.scale", Namespace: "nephoran-system", StatefulSet: "postgresql", Replicas: ptr(1)},
			func(c *fakeCluster) map[string]string {
				s, _ := c.Kube.AppsV1().StatefulSets("nephoran-system").Get(ctx, "postgresql", metav1.GetOptions{})
				return s.Annotations
			}, "scale statefulset nephoran-system/postgresql: replicas 3 -> 1"},
		{"merge patch", incident.Action{Type: "kubernetes.patch", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config", PatchType: "merge",
			Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0"}}}, configMapAnn,
			"patch ConfigMap nephoran-system/database-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"},
		{"merge patch of annotations", incident.Action{Type: "kubernetes.patch", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config", PatchType: "merge",
			Patch: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"switched": "yes"}}}}, configMapAnn,
			"patch ConfigMap nephoran-system/database-config:\nmetadata.annotations.switched: (unset) -> yes"},
		{"json patch", incident.Action{Type: "kubernetes.patch", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config", PatchType: "json",
			Patch: []any{map[string]any{"op": "replace", "path": "/data/primary.host", "value": "postgresql-replica-0"}}}, configMapAnn,
			"patch ConfigMap nephoran-system/database-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"},
		{"cordon", incident.Action{Type: "kubernetes.cordon", Node: "node-7"}, nodeAnn, "cordon node node-7: spec.unschedulable false -> true"},
		{"drain", incident.Action{Type: "kubernetes.drain", Node: "node-7", Timeout: time.Second}, nodeAnn, "cordoned node node-7 and evicted 0 pods: "},
	} {
		for _, marked := range []bool{true, false} {
			t.Run(tc.name+map[bool]string{true: " with a mark", false: " without"}[marked], func(t *testing.T) {
				x, c := fakeActions(deployment("api", 3, true), deployment("web", 2, true), sts,
					configMap("database-config", map[string]string{"primary.host": "postgresql-primary"}), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}})
				a := tc.action
				a.Cluster = "us-east-1"
				run := ctx
				if marked {
					run = incident.WithChangeMark(ctx, testMark)
				}
				res, err := x.Execute(run, nil, step(&a))
				if err != nil || !res.OK || res.Output != tc.output {
					t.Fatalf("%+v %v, want output %q", res, err, tc.output)
				}
				ann := tc.annOf(c)
				if !marked {
					if _, ok := ann[ChangedByAnnotation]; ok {
						t.Errorf("marked without a mark: %v", ann)
					}
					return
				}
				if ann[ChangedByAnnotation] != "INC-42 step 1.3 promote-db, claim 7" || ann[ChangedAtAnnotation] != "2026-11-26T03:04:05Z" {
					t.Errorf("annotations %v", ann)
				}
				if a.Kind == "ConfigMap" && ann["owner"] != "db-team" {
					t.Errorf("the mark replaced the other annotations: %v", ann)
				}
			})
		}
	}
}

// The mark goes into a copy of the step's patch: the run's spec stays as it was planned.
func TestMarkLeavesTheStepsPatchAlone(t *testing.T) {
	x, _ := fakeActions(configMap("database-config", nil))
	patch := map[string]any{"data": map[string]any{"a": "b"}}
	a := incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config",
		PatchType: "merge", Patch: patch}
	if res, err := x.Execute(incident.WithChangeMark(context.Background(), testMark), nil, step(&a)); err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	if _, ok := patch["metadata"]; ok {
		t.Errorf("the step's own patch was changed: %v", patch)
	}
}

// A plan's diff shows what the person approves, not the mark (client-go's fake applies dry
// runs, so the mark would show if the diff did not leave it out).
func TestPlanDiffLeavesOutTheMark(t *testing.T) {
	x, _ := fakeActions(configMap("database-config", map[string]string{"primary.host": "postgresql-primary"}))
	a := incident.Action{Type: "kubernetes.patch", Cluster: "us-east-1", Namespace: "nephoran-system", Kind: "ConfigMap", Name: "database-config",
		PatchType: "merge", Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0"}}}
	plan, err := x.Plan(incident.WithChangeMark(context.Background(), testMark), nil, step(&a))
	if want := "would patch ConfigMap nephoran-system/database-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"; err != nil || plan != want {
		t.Errorf("plan %q %v, want %q", plan, err, want)
	}
}

func TestMarkText(t *testing.T) {
	for _, tc := range []struct {
		name string
		mark incident.ChangeMark
		want string
	}{
		{"plain", testMark, "INC-42 step 1.3 promote-db, claim 7"},
		{"not ASCII", incident.ChangeMark{Incident: "INC-1", Step: "1.1 bascule\u00e9\n", Claim: 2}, "INC-1 step 1.1 bascule??, claim 2"},
		{"too long", incident.ChangeMark{Incident: "INC-1", Step: strings.Repeat("x", 300), Claim: 2}, "INC-1 step " + strings.Repeat("x", 256-3-len("INC-1 step ")) + "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := markText(tc.mark); got != tc.want || len(got) > maxMarkLen {
				t.Errorf("%q, want %q", got, tc.want)
			}
		})
	}
}
