package kube

import (
	"context"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

// A scale of every Deployment that the API server refuses halfway records what it changed
// before the refusal, so the failed step can be undone.
func TestAScaleRefusedHalfwayRecordsWhatItChanged(t *testing.T) {
	x, c := fakeActions(deployment("api", 3, true), deployment("web", 2, true))
	c.Kube.PrependReactor("patch", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.PatchAction).GetName() == "web" {
			return true, nil, errors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "web", nil)
		}
		return false, nil, nil
	})
	res, err := x.Execute(context.Background(), nil, step(&incident.Action{Type: "kubernetes.scale", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, Replicas: ptr(0)}))
	if err != nil || res.OK || !strings.Contains(res.Output, "forbidden") {
		t.Fatalf("%+v %v", res, err)
	}
	p := res.Prior
	if !p.Undoable() || len(p.Objects) != 1 || p.Objects[0].Name != "api" || *p.Objects[0].Replicas != 3 {
		t.Fatalf("prior %+v", p)
	}
	// Nothing changed before a refusal: nothing to undo.
	x, c = fakeActions(deployment("web", 2, true))
	c.Kube.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "web", nil)
	})
	if res, _ := x.Execute(context.Background(), nil, step(&incident.Action{Type: "kubernetes.scale", Cluster: "us-east-1", Namespace: "nephoran-system", All: true, Replicas: ptr(0)})); res.OK || res.Prior != nil {
		t.Errorf("a scale refused at once: %+v", res)
	}
}
