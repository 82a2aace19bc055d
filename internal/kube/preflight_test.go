package kube

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func kwokNode(name, cpu, mem string, ready bool) *corev1.Node {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: apiresource.MustParse(cpu), corev1.ResourceMemory: apiresource.MustParse(mem), corev1.ResourcePods: apiresource.MustParse("10")},
			Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}}}
}

func requests(cpu, mem string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: apiresource.MustParse(cpu), corev1.ResourceMemory: apiresource.MustParse(mem)}}
}

// podOn is a running pod of app on node, requesting cpu and mem, owned by a ReplicaSet.
func podOn(name, app, node, cpu, mem string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "nephoran-system", Labels: map[string]string{"app": app},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: app + "-rs", UID: "rs", Controller: ptr(true)}}},
		Spec:   corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Resources: requests(cpu, mem)}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
}

// sized is a Deployment whose pods request cpu and mem each.
func sized(name string, replicas int32, cpu, mem string) *appsv1.Deployment {
	d := deployment(name, replicas, true)
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Resources: requests(cpu, mem)}}
	return d
}

func budget(name, app string, allowed int32) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "nephoran-system"},
		Spec:   policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromInt32(1)), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2}}
}

// patroniFake answers GET /cluster with members, as Patroni's REST API does.
func patroniFake(t *testing.T, members string) (*httptest.Server, string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/cluster" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"members": %s, "scope": "nephoran"}`, members)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return srv, u.Hostname()
}

const healthyPatroni = `[{"name": "postgresql-primary", "role": "leader", "state": "running", "timeline": 4},
	{"name": "postgresql-replica-0", "role": "replica", "state": "streaming", "timeline": 4, "lag": 4096}]`

// failover is the preflight of a run whose later steps scale api to replicas and drain node-c.
func failover(replicas int) *incident.Action {
	return &incident.Action{Type: "kubernetes.preflight", Cluster: "us-east-1", Ahead: []incident.Upcoming{
		{StepID: "scale-api", Action: incident.Action{Type: "kubernetes.scale", Namespace: "nephoran-system", Deployment: "api", Replicas: ptr(replicas)}},
		{StepID: "drain-c", Action: incident.Action{Type: "kubernetes.drain", Node: "node-c", IgnoreDaemonSets: true}},
	}}
}

// cluster: two Ready nodes of 2 CPUs and 4Gi, node-c NotReady (the one the run drains),
// api at 1 replica of 500m/1Gi on node-a, web's two pods under a budget (one on node-c).
func preflightCluster(extra ...runtime.Object) (*Actions, *fakeCluster) {
	objs := []runtime.Object{
		kwokNode("node-a", "2", "4Gi", true), kwokNode("node-b", "2", "4Gi", true), kwokNode("node-c", "2", "4Gi", false),
		sized("api", 1, "500m", "1Gi"), podOn("api-1", "api", "node-a", "500m", "1Gi"),
		podOn("web-1", "web", "node-b", "250m", "256Mi"), podOn("web-2", "web", "node-c", "250m", "256Mi"),
	}
	return fakeActions(append(objs, extra...)...)
}

func TestPreflightPasses(t *testing.T) {
	srv, host := patroniFake(t, healthyPatroni)
	x, _ := preflightCluster(budget("web", "web", 1))
	x.AllowedHosts = []string{host}
	a := failover(3)
	a.PatroniURL = srv.URL
	res, err := x.Execute(context.Background(), nil, step(a))
	if err != nil || !res.OK {
		t.Fatalf("%+v %v", res, err)
	}
	for _, want := range []string{
		"preflight on us-east-1: all 5 checks passed",
		// used 500m+250m, moved 250m (web-2), added 2 x 500m: 2 of 3600m; memory 1Gi+256Mi+256Mi+2Gi.
		"PASS capacity: 2 Ready, schedulable nodes besides the 1 the run drains; CPU 2 of 4 (at most 3600m, 10% free); memory 3584Mi of 8Gi (at most 7372Mi); pods 5 of 20; running pods plus 2 pods added by scale-api (1 CPU, 2Gi memory) and 1 pods moved off the drained nodes (250m CPU, 256Mi memory)",
		"PASS disruption budgets: 1 pods to evict from 1 nodes; nephoran-system/web: 1 pods on the drained nodes, 1 disruptions allowed (2 of 2 healthy, 1 needed)",
		"PASS pending pods: 0 in nephoran-system (at most 0)",
		"PASS nodes not ready: 0 of 2 nodes (at most 0); 1 drained by the run not counted",
		"PASS replica lag: leader postgresql-primary; postgresql-replica-0 streaming, lag 4096 bytes (at most 1048576 bytes)",
	} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Output)
		}
	}
	plan, err := x.Plan(context.Background(), nil, step(a))
	if err != nil || !strings.Contains(plan, "changes nothing") {
		t.Errorf("dry run %q %v", plan, err)
	}
}

// Each check fails on its own, and the report's first line names it.
func TestPreflightFails(t *testing.T) {
	pending := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "api-2", Namespace: "nephoran-system"},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"}}}}
	for _, tc := range []struct {
		name   string
		extra  []runtime.Object
		action func(a *incident.Action)
		want   []string
	}{
		{name: "capacity", action: func(a *incident.Action) { a.Ahead[0].Action.Replicas = ptr(7) },
			want: []string{"1 of 5 checks failed (capacity)", "FAIL capacity: not enough CPU, memory: 2 Ready, schedulable nodes besides the 1 the run drains; CPU 4 of 4 (at most 3600m, 10% free)"}},
		{name: "headroom", action: func(a *incident.Action) { a.MinHeadroom = ptr(60) },
			want: []string{"(capacity)", "FAIL capacity: not enough CPU, memory: ", "CPU 2 of 4 (at most 1600m, 60% free); memory 3584Mi of 8Gi (at most 3276Mi)"}},
		{name: "budget", extra: []runtime.Object{budget("web", "web", 0)},
			want: []string{"1 of 5 checks failed (disruption budgets)", "FAIL disruption budgets: 1 pods to evict from 1 nodes; nephoran-system/web: 1 pods on the drained nodes, 0 disruptions allowed (2 of 2 healthy, 1 needed): the drain would stall (at least 1 needed)"}},
		{name: "pending", extra: []runtime.Object{pending}, action: func(a *incident.Action) {},
			want: []string{"(pending pods)", "FAIL pending pods: 1 in nephoran-system (at most 0): nephoran-system/api-2 (Unschedulable)"}},
		{name: "pending allowed", extra: []runtime.Object{pending}, action: func(a *incident.Action) { a.MaxPending = ptr(1) },
			want: []string{"all 5 checks passed", "PASS pending pods: 1 in nephoran-system (at most 1)"}},
		{name: "node not ready", extra: []runtime.Object{kwokNode("node-d", "2", "4Gi", false)},
			want: []string{"(nodes not ready)", "FAIL nodes not ready: 1 of 3 nodes (at most 0); 1 drained by the run not counted: node-d"}},
		{name: "several", extra: []runtime.Object{budget("web", "web", 0), pending}, action: func(a *incident.Action) { a.Ahead[0].Action.Replicas = ptr(9) },
			want: []string{"3 of 5 checks failed (capacity, disruption budgets, pending pods)", "PASS nodes not ready", "PASS replica lag: not checked (no patroni_url)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, _ := preflightCluster(tc.extra...)
			a := failover(3)
			if tc.action != nil {
				tc.action(a)
			}
			res, err := x.Execute(context.Background(), nil, step(a))
			if err != nil {
				t.Fatal(err)
			}
			if wantOK := strings.Contains(tc.want[0], "passed"); res.OK != wantOK {
				t.Errorf("OK %v, want %v", res.OK, wantOK)
			}
			for _, want := range tc.want {
				if !strings.Contains(res.Output, want) {
					t.Errorf("output lacks %q:\n%s", want, res.Output)
				}
			}
		})
	}
}

// Without nodes (a cluster this bot cannot see into, or a simulated one without them) the
// capacity check fails rather than passing on nothing.
func TestPreflightWithoutNodesFails(t *testing.T) {
	x, _ := fakeActions(sized("api", 1, "500m", "1Gi"))
	res, err := x.Execute(context.Background(), nil, step(failover(2)))
	if err != nil || res.OK || !strings.Contains(res.Output, "FAIL capacity: no node is Ready and schedulable besides the 1 the run drains") {
		t.Errorf("%+v %v", res, err)
	}
}

// The replica lag check against a fake of Patroni's REST API: within max_lag, beyond it,
// unknown, a replica not replicating, no leader, a host off the allow-list, Patroni down.
func TestPreflightReplicaLag(t *testing.T) {
	for _, tc := range []struct {
		name, members string
		maxLag        int64
		offList       bool
		want          string
	}{
		{name: "within", members: healthyPatroni, want: "PASS replica lag: leader postgresql-primary; postgresql-replica-0 streaming, lag 4096 bytes (at most 1048576 bytes)"},
		{name: "beyond", members: healthyPatroni, maxLag: 1024, want: "FAIL replica lag: leader postgresql-primary; postgresql-replica-0 streaming, lag 4096 bytes > 1024 (at most 1024 bytes)"},
		{name: "unknown", members: `[{"name": "a", "role": "leader", "state": "running"}, {"name": "b", "role": "replica", "state": "streaming", "lag": "unknown"}]`,
			want: "FAIL replica lag: leader a; b streaming, lag unknown"},
		{name: "stopped", members: `[{"name": "a", "role": "leader", "state": "running"}, {"name": "b", "role": "replica", "state": "stopped", "lag": 0}]`,
			want: "FAIL replica lag: leader a; b stopped (not replicating)"},
		{name: "no leader", members: `[{"name": "b", "role": "replica", "state": "streaming", "lag": 0}]`,
			want: "FAIL replica lag: Patroni reports no leader: b streaming, lag 0 bytes"},
		{name: "no replica", members: `[{"name": "a", "role": "leader", "state": "running"}]`,
			want: "FAIL replica lag: leader a has no replica to fail over to"},
		{name: "off the allow-list", members: healthyPatroni, offList: true, want: "is not in actions.http.allowed_hosts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, host := patroniFake(t, tc.members)
			x, _ := preflightCluster()
			if !tc.offList {
				x.AllowedHosts = []string{host}
			}
			a := failover(1)
			a.PatroniURL = srv.URL + "/"
			if tc.maxLag > 0 {
				a.MaxLag = &tc.maxLag
			}
			res, err := x.Execute(context.Background(), nil, step(a))
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != strings.HasPrefix(tc.want, "PASS") || !strings.Contains(res.Output, tc.want) {
				t.Errorf("OK %v, output lacks %q:\n%s", res.OK, tc.want, res.Output)
			}
		})
	}
	srv, host := patroniFake(t, healthyPatroni)
	srv.Close()
	x, _ := preflightCluster()
	x.AllowedHosts = []string{host}
	a := failover(1)
	a.PatroniURL = srv.URL
	if res, _ := x.Execute(context.Background(), nil, step(a)); res.OK || !strings.Contains(res.Output, "FAIL replica lag: cannot read Patroni at "+srv.URL+": patroni: GET /cluster: ") {
		t.Errorf("Patroni down: %+v", res)
	}
}
