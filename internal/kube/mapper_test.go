package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// discoveryServer answers the legacy discovery documents of an API server: core v1 with
// ConfigMaps and Pods (and the pods/exec subresource), apps/v1 with Deployments, and a
// custom resource group that appears when installed is set. It counts the reads.
type discoveryServer struct {
	mu        sync.Mutex
	installed bool
	reads     map[string]int
}

func (d *discoveryServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads[r.URL.Path]++
	var doc any
	switch r.URL.Path {
	case "/api/v1":
		doc = metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "configmaps", Kind: "ConfigMap", Namespaced: true}, {Name: "pods", Kind: "Pod", Namespaced: true},
			{Name: "pods/exec", Kind: "PodExecOptions", Namespaced: true}, {Name: "nodes", Kind: "Node"}}}
	case "/apis":
		groups := metav1.APIGroupList{Groups: []metav1.APIGroup{{Name: "apps", PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "apps/v1"}}}}
		if d.installed {
			groups.Groups = append(groups.Groups, metav1.APIGroup{Name: "failover.example.com", PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "failover.example.com/v1"}})
		}
		doc = groups
	case "/apis/apps/v1":
		doc = metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{{Name: "deployments", Kind: "Deployment", Namespaced: true}}}
	case "/apis/failover.example.com/v1":
		if !d.installed {
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`, http.StatusNotFound)
			return
		}
		doc = metav1.APIResourceList{GroupVersion: "failover.example.com/v1", APIResources: []metav1.APIResource{{Name: "regions", Kind: "Region"}}}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func TestDiscoveryMapperFindsKindsAndLearnsNewOnes(t *testing.T) {
	ctx := context.Background()
	srv := &discoveryServer{reads: map[string]int{}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	m, err := newDiscoveryMapper(&rest.Config{Host: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		apiVersion, kind string
		want             Mapping
	}{
		{"v1", "ConfigMap", Mapping{Resource: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Kind: schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Namespaced: true}},
		{"v1", "Node", Mapping{Resource: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, Kind: schema.GroupVersionKind{Version: "v1", Kind: "Node"}}},
		{"apps/v1", "Deployment", Mapping{Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Kind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Namespaced: true}},
		{"", "Deployment", Mapping{Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Kind: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Namespaced: true}},
	} {
		got, err := m.Mapping(ctx, tc.apiVersion, tc.kind)
		if err != nil || *got != tc.want {
			t.Errorf("%s %s: %+v %v, want %+v", tc.apiVersion, tc.kind, got, err, tc.want)
		}
	}
	if n := srv.reads["/api/v1"]; n != 1 {
		t.Errorf("/api/v1 read %d times; it is kept after the first read", n)
	}
	// A subresource's kind is not a kind of objects.
	if _, err := m.Mapping(ctx, "v1", "PodExecOptions"); err == nil {
		t.Error("PodExecOptions mapped to a subresource")
	}
	if _, err := m.Mapping(ctx, "failover.example.com/v1", "Region"); err == nil || !strings.Contains(err.Error(), "serves no kind Region") {
		t.Errorf("a group not installed: %v", err)
	}
	srv.mu.Lock()
	srv.installed = true // the custom resource definition is installed since
	srv.mu.Unlock()
	got, err := m.Mapping(ctx, "failover.example.com/v1", "Region")
	if err != nil || got.Resource.Resource != "regions" || got.Namespaced {
		t.Errorf("after the install: %+v %v", got, err)
	}
	if _, err := m.Mapping(ctx, "v1", "Gizmo"); err == nil || !strings.Contains(err.Error(), "v1 serves no kind Gizmo") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := m.Mapping(ctx, "a/b/c", "Gizmo"); err == nil {
		t.Error("a malformed apiVersion was accepted")
	}
}

// The pods/exec URL carries the options as the typed client's parameter codec wrote them:
// one command parameter per argument, in order, never a shell line.
func TestExecURL(t *testing.T) {
	u, err := execURL(&rest.Config{Host: "https://10.0.0.1:6443"}, &incident.Action{Namespace: "db", Pod: "postgresql-1", Container: "patroni",
		Command: []string{"patronictl", "switchover", "--force", "a b; rm -rf /"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://10.0.0.1:6443/api/v1/namespaces/db/pods/postgresql-1/exec?command=patronictl&command=switchover&command=--force&command=a+b%3B+rm+-rf+%2F&container=patroni&stderr=true&stdout=true"
	if u.String() != want {
		t.Errorf("exec URL\n%s\nwant\n%s", u, want)
	}
}
