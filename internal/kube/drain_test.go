package kube

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"
)

// nodePod is a running pod on node (namespace "apps") owned by a controller of kind ("" for none).
func nodePod(name, node, kind, owner string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "apps", UID: types.UID("uid-" + name)},
		Spec: corev1.PodSpec{NodeName: node}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	if kind != "" {
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: owner, Controller: ptr(true)}}
	}
	return p
}

// evictions is a fake API server's eviction subresource: an eviction is refused with 429
// (a PodDisruptionBudget) as many times as blocked says for its pod, then accepted; an
// accepted eviction deletes the pod only after two more reads of it, so a drain that does
// not wait for the pods to go returns while they still exist.
type evictions struct {
	mu      sync.Mutex
	blocked map[string]int // pod -> 429s left; -1: refused forever
	evicted []string
	reads   map[string]int // pod -> reads since its eviction was accepted
}

func (e *evictions) install(t *testing.T, c *fakeCluster) {
	t.Helper()
	cs := c.Kube
	podsGVR := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	e.reads = map[string]int{}
	cs.PrependReactor("create", "pods", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if action.GetSubresource() != "eviction" {
			return false, nil, nil
		}
		name := action.(k8stesting.CreateAction).GetObject().(metav1.Object).GetName()
		e.mu.Lock()
		defer e.mu.Unlock()
		if n := e.blocked[name]; n != 0 {
			if n > 0 {
				e.blocked[name] = n - 1
			}
			return true, nil, apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		}
		e.evicted = append(e.evicted, name)
		e.reads[name] = 0
		return true, nil, nil
	})
	cs.PrependReactor("get", "pods", func(action k8stesting.Action) (bool, runtime.Object, error) {
		name := action.(k8stesting.GetAction).GetName()
		e.mu.Lock()
		defer e.mu.Unlock()
		if n, ok := e.reads[name]; ok {
			if e.reads[name] = n + 1; n+1 >= 2 {
				if err := cs.Tracker().Delete(podsGVR, action.GetNamespace(), name); err != nil && !apierrors.IsNotFound(err) {
					t.Error(err)
				}
			}
		}
		return false, nil, nil
	})
}

func (e *evictions) names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.evicted...)
}

func drainStep(a incident.Action) *incident.RunStep {
	a.Type, a.Cluster, a.Node = "kubernetes.drain", "us-east-1", "node-7"
	return step(&a)
}

func podExists(c *fakeCluster, name string) bool {
	_, err := c.Kube.CoreV1().Pods("apps").Get(context.Background(), name, metav1.GetOptions{})
	return err == nil
}

// A drain cordons the node, skips the DaemonSet's and the mirror pods, evicts the others
// through the Eviction subresource (retrying while a PodDisruptionBudget refuses one), and
// returns once they are gone. Pods of other nodes are left alone.
func TestDrainEvictsThroughBudgetsAndWaits(t *testing.T) {
	mirror := nodePod("kube-proxy-node-7", "node-7", "", "")
	mirror.Annotations = map[string]string{MirrorPodAnnotation: "abc"}
	done := nodePod("migrate-1", "node-7", "Job", "migrate")
	done.Status.Phase = corev1.PodSucceeded
	x, c := fakeActions(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "fluentd", Namespace: "apps"}},
		nodePod("api-1", "node-7", "ReplicaSet", "api-6f9"), nodePod("db-0", "node-7", "StatefulSet", "db"),
		nodePod("fluentd-x1", "node-7", "DaemonSet", "fluentd"), mirror, done,
		nodePod("api-2", "node-8", "ReplicaSet", "api-6f9"))
	ev := &evictions{blocked: map[string]int{"db-0": 2}}
	ev.install(t, c)
	ctx := context.Background()

	plan, err := x.Plan(ctx, nil, drainStep(incident.Action{IgnoreDaemonSets: true, Timeout: time.Minute}))
	if want := "would cordon node node-7 and evict 3 pods: apps/api-1, apps/db-0, apps/migrate-1"; err != nil || plan != want {
		t.Fatalf("plan %q %v, want %q", plan, err, want)
	}
	// (The fake clients ignore dry runs, so the plan's cordon is checked on a real API
	// server, in TestApplyScaleDrainAndDryRuns.)
	if got := ev.names(); len(got) > 0 {
		t.Fatalf("the plan evicted %v", got)
	}

	res, err := x.Execute(ctx, nil, drainStep(incident.Action{IgnoreDaemonSets: true, Timeout: time.Minute}))
	if want := "cordoned node node-7 and evicted 3 pods: apps/api-1, apps/db-0, apps/migrate-1"; err != nil || !res.OK || res.Output != want {
		t.Fatalf("%+v %v, want output %q", res, err, want)
	}
	if n, _ := c.Kube.CoreV1().Nodes().Get(ctx, "node-7", metav1.GetOptions{}); !n.Spec.Unschedulable {
		t.Error("the node is not cordoned")
	}
	if ev.blocked["db-0"] != 0 {
		t.Errorf("db-0's eviction was not retried through its budget: %d refusals left", ev.blocked["db-0"])
	}
	for _, gone := range []string{"api-1", "db-0", "migrate-1"} {
		if podExists(c, gone) {
			t.Errorf("the drain returned before %s was gone", gone)
		}
	}
	for _, kept := range []string{"fluentd-x1", "kube-proxy-node-7", "api-2"} {
		if !podExists(c, kept) {
			t.Errorf("%s was evicted", kept)
		}
	}
}

// Pods a drain may neither evict nor skip fail it before anything is evicted, each named
// under its reason.
func TestDrainRefusesPodsItCannotEvict(t *testing.T) {
	scratch := nodePod("cache-1", "node-7", "ReplicaSet", "cache-5d")
	scratch.Spec.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	objs := []runtime.Object{&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}},
		&appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "fluentd", Namespace: "apps"}},
		nodePod("api-1", "node-7", "ReplicaSet", "api-6f9"), nodePod("fluentd-x1", "node-7", "DaemonSet", "fluentd"),
		nodePod("orphan-ds", "node-7", "DaemonSet", "gone"), nodePod("debug", "node-7", "", ""), scratch}
	for _, tc := range []struct {
		name   string
		action incident.Action
		want   []string
		absent []string
	}{
		{"no flags", incident.Action{}, []string{
			"cannot delete DaemonSet-managed Pods (set ignore_daemonsets to leave them): apps/fluentd-x1",
			"cannot delete Pods of a DaemonSet that no longer exists (gone): apps/orphan-ds",
			"cannot delete Pods that declare no controller (nothing would recreate them): apps/debug",
			"cannot delete Pods with local storage (set delete_emptydir_data to delete it): apps/cache-1"}, nil},
		{"both flags", incident.Action{IgnoreDaemonSets: true, DeleteEmptyDirData: true}, []string{
			"cannot delete Pods of a DaemonSet that no longer exists (gone): apps/orphan-ds",
			"cannot delete Pods that declare no controller (nothing would recreate them): apps/debug"},
			[]string{"fluentd-x1", "cache-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, c := fakeActions(objs...)
			ev := &evictions{}
			ev.install(t, c)
			res, err := x.Execute(context.Background(), nil, drainStep(tc.action))
			if err != nil || res.OK {
				t.Fatalf("%+v %v, want a failed result", res, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Output, w) {
					t.Errorf("output %q lacks %q", res.Output, w)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(res.Output, a) {
					t.Errorf("output %q names %s", res.Output, a)
				}
			}
			if got := ev.names(); len(got) > 0 {
				t.Errorf("evicted %v before refusing", got)
			}
		})
	}
}

// A budget that never allows the eviction fails the drain at its timeout, naming the pod
// and the refusal; the pod stays.
func TestDrainTimesOutOnABudget(t *testing.T) {
	x, c := fakeActions(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-7"}},
		nodePod("api-1", "node-7", "ReplicaSet", "api-6f9"), nodePod("db-0", "node-7", "StatefulSet", "db"))
	ev := &evictions{blocked: map[string]int{"db-0": -1}}
	ev.install(t, c)
	res, err := x.Execute(context.Background(), nil, drainStep(incident.Action{Timeout: 50 * time.Millisecond}))
	if err != nil || res.OK || !strings.Contains(res.Output, "evict pod apps/db-0: gave up") ||
		!strings.Contains(res.Output, "disruption budget") {
		t.Fatalf("%+v %v", res, err)
	}
	if !podExists(c, "db-0") || podExists(c, "api-1") {
		t.Errorf("db-0 exists: %v (want true), api-1 exists: %v (want false)", podExists(c, "db-0"), podExists(c, "api-1"))
	}
}
