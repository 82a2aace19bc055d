package kube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// mark is the change mark the end-to-end tests run their steps with.
var mark = incident.ChangeMark{Incident: "INC-9", Step: "1.2 fail-over", Claim: 4}

const markText = "INC-9 step 1.2 fail-over, claim 4"

func hasMark(o metav1.Object) bool {
	_, ok := o.GetAnnotations()[kube.ChangedByAnnotation]
	return ok
}

// wantMark checks that o, as read back from the server, carries mark and a time.
func wantMark(t *testing.T, what string, o metav1.Object) {
	t.Helper()
	ann := o.GetAnnotations()
	if ann[kube.ChangedByAnnotation] != markText {
		t.Errorf("%s: changed-by %q, want %q", what, ann[kube.ChangedByAnnotation], markText)
	}
	if at, err := time.Parse(time.RFC3339, ann[kube.ChangedAtAnnotation]); err != nil || time.Since(at) > time.Hour {
		t.Errorf("%s: changed-at %q %v", what, ann[kube.ChangedAtAnnotation], err)
	}
}

// Each action that changes an object leaves the step's mark on it on the real API server, in
// the same request as the change or (JSON patch) right after it; its dry run sends the mark
// too, persists nothing, and its plan reads as without one.
func TestChangesCarryTheMarkOnTheServer(t *testing.T) {
	c, kc := e2e(t)
	ctx := context.Background()
	marked := incident.WithChangeMark(ctx, mark)
	createDeployment(t, kc, "api", 1)
	for _, name := range []string{"database-config", "json-config"} {
		if _, err := kc.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
			Annotations: map[string]string{"owner": "db-team"}}, Data: map[string]string{"primary.host": "postgresql-primary"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"admin": "e2e"}), Poll: 100 * time.Millisecond}
	get := map[string]func() (metav1.Object, error){
		"deployment": func() (metav1.Object, error) { return kc.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{}) },
		"database-config": func() (metav1.Object, error) {
			return kc.CoreV1().ConfigMaps(ns).Get(ctx, "database-config", metav1.GetOptions{})
		},
		"json-config": func() (metav1.Object, error) {
			return kc.CoreV1().ConfigMaps(ns).Get(ctx, "json-config", metav1.GetOptions{})
		},
		"node": func() (metav1.Object, error) { return kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}) },
	}
	for _, tc := range []struct {
		name, object string
		action       incident.Action
		plan         string // the dry run's plan, exactly or (rollout-restart: a time in it) its start
	}{
		{"rollout-restart", "deployment", incident.Action{Type: "kubernetes.rollout-restart", Namespace: ns, Deployment: "api"},
			"would restart deployment nephoran-system/api: kubectl.kubernetes.io/restartedAt="},
		{"merge patch", "database-config", incident.Action{Type: "kubernetes.patch", Namespace: ns, Kind: "ConfigMap", Name: "database-config", PatchType: "merge",
			Patch: map[string]any{"data": map[string]any{"primary.host": "postgresql-replica-0"}}},
			"would patch ConfigMap nephoran-system/database-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"},
		{"json patch", "json-config", incident.Action{Type: "kubernetes.patch", Namespace: ns, Kind: "ConfigMap", Name: "json-config", PatchType: "json",
			Patch: []any{map[string]any{"op": "replace", "path": "/data/primary.host", "value": "postgresql-replica-0"}}},
			"would patch ConfigMap nephoran-system/json-config:\ndata.primary.host: postgresql-primary -> postgresql-replica-0"},
		{"cordon", "node", incident.Action{Type: "kubernetes.cordon", Node: "kwok-node-0"}, "would cordon node kwok-node-0: spec.unschedulable false -> true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.action.Cluster = "admin"
			s := actionStep(tc.action)
			plan, err := x.Plan(marked, nil, s)
			if err != nil || !strings.HasPrefix(plan, tc.plan) || tc.name != "rollout-restart" && plan != tc.plan {
				t.Errorf("plan %q %v, want %q", plan, err, tc.plan)
			}
			o, err := get[tc.object]()
			if err != nil || hasMark(o) {
				t.Fatalf("after the dry run: %v %v", o.GetAnnotations(), err)
			}
			res, err := x.Execute(marked, nil, s)
			if err != nil || !res.OK || strings.Contains(res.Output, "change mark") {
				t.Fatalf("%+v %v", res, err)
			}
			o, err = get[tc.object]()
			if err != nil {
				t.Fatal(err)
			}
			wantMark(t, tc.object, o)
			if strings.HasSuffix(tc.object, "config") && o.GetAnnotations()["owner"] != "db-team" {
				t.Errorf("the mark replaced the other annotations: %v", o.GetAnnotations())
			}
		})
	}
	cm, _ := kc.CoreV1().ConfigMaps(ns).Get(ctx, "json-config", metav1.GetOptions{})
	if cm.Data["primary.host"] != "postgresql-replica-0" {
		t.Errorf("the JSON patch was not applied: %v", cm.Data)
	}
}
