package kube

import (
	"context"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// An apply of a namespaced object that neither the manifest nor the step puts in a
// namespace is refused before anything is sent, in its dry run too, saying what to add.
func TestApplyRefusesANamespacedObjectWithoutANamespace(t *testing.T) {
	x, c := fakeActions()
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: failover-flags}\ndata: {mode: failover}\n"
	a := &incident.Action{Type: "kubernetes.apply", Cluster: "us-east-1", Manifest: "flags.yaml", Content: manifest}
	plan, err := x.Plan(context.Background(), nil, step(a))
	if err != nil || !strings.Contains(plan, "ConfigMap is namespaced: set namespace") {
		t.Errorf("dry run: %q %v", plan, err)
	}
	res, _ := x.Execute(context.Background(), nil, step(a))
	if res.OK || !strings.Contains(res.Output, "ConfigMap is namespaced: set namespace") {
		t.Errorf("execution: %+v", res)
	}
	if acts := c.Kube.Actions(); len(acts) != 0 {
		t.Errorf("the cluster was asked: %v", acts)
	}
}
