package kube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// addKwokNode adds a node that kwok runs (Ready, its pods Running) with cpu and memory allocatable.
func addKwokNode(t *testing.T, kc kubernetes.Interface, name, cpu, mem string) {
	t.Helper()
	alloc := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem), corev1.ResourcePods: resource.MustParse("110")}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		Labels: map[string]string{"type": "kwok", "kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{Capacity: alloc, Allocatable: alloc}}
	if _, err := kc.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// createSized creates a Deployment whose pods request cpu each, on the nodes that match
// nodeSelector.
func createSized(t *testing.T, kc kubernetes.Interface, name string, replicas int32, cpu string, nodeSelector map[string]string) {
	t.Helper()
	labels := map[string]string{"app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(replicas), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{NodeSelector: nodeSelector, Containers: []corev1.Container{{Name: name, Image: "registry.invalid/" + name,
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("1Gi")}}}}}}},
	}
	if _, err := kc.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// setBudget creates or replaces the PodDisruptionBudget web with minAvailable, and waits
// until the disruption controller has counted its pods.
func setBudget(t *testing.T, kc kubernetes.Interface, minAvailable int32, wantAllowed int32) {
	t.Helper()
	ctx := context.Background()
	pdbs := kc.PolicyV1().PodDisruptionBudgets(ns)
	pdbs.Delete(ctx, "web", metav1.DeleteOptions{})
	waitFor(t, "the old budget to go", 30*time.Second, func() bool {
		_, err := pdbs.Get(ctx, "web", metav1.GetOptions{})
		return err != nil
	})
	min := intstr.FromInt32(minAvailable)
	if _, err := pdbs.Create(ctx, &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &min, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the disruption controller to count the budget's pods", 60*time.Second, func() bool {
		b, err := pdbs.Get(ctx, "web", metav1.GetOptions{})
		return err == nil && b.Status.ObservedGeneration == b.Generation && b.Status.ExpectedPods == 2 && b.Status.DisruptionsAllowed == wantAllowed
	})
}

// A preflight on the real API server, with kwok nodes: it passes with room for the
// scale-up and a budget that lets the drain start; it fails on capacity when the kwok
// nodes' allocatable cannot hold the scale-up, on a budget that allows no disruption, and
// on a pod that no node can take.
func TestPreflightOnTheAPIServer(t *testing.T) {
	c, kc := e2e(t) // kwok-node-0: 32 CPUs
	ctx := context.Background()
	addKwokNode(t, kc, "kwok-node-1", "4", "16Gi")
	createSized(t, kc, "api", 1, "2", map[string]string{"kubernetes.io/hostname": "kwok-node-0"})
	createSized(t, kc, "web", 2, "500m", map[string]string{"kubernetes.io/hostname": "kwok-node-1"})
	waitFor(t, "the deployments", 60*time.Second, func() bool { return available(t, kc, "api") && available(t, kc, "web") })
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"us-east-1": "e2e"}), Poll: 200 * time.Millisecond}
	preflight := func(apiReplicas int) incident.StepResult {
		t.Helper()
		a := incident.Action{Type: "kubernetes.preflight", Cluster: "us-east-1", Ahead: []incident.Upcoming{
			{StepID: "scale-api", Action: incident.Action{Type: "kubernetes.scale", Namespace: ns, Deployment: "api", Replicas: ptr(apiReplicas)}},
			{StepID: "drain", Action: incident.Action{Type: "kubernetes.drain", Node: "kwok-node-1", IgnoreDaemonSets: true}},
		}}
		res, err := x.Execute(ctx, nil, &incident.RunStep{Spec: incident.StepSpec{Action: a}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	expect := func(res incident.StepResult, ok bool, lines ...string) {
		t.Helper()
		if res.OK != ok {
			t.Errorf("OK %v, want %v", res.OK, ok)
		}
		for _, l := range lines {
			if !strings.Contains(res.Output, l) {
				t.Errorf("output lacks %q:\n%s", l, res.Output)
			}
		}
	}

	t.Run("passes", func(t *testing.T) {
		setBudget(t, kc, 1, 1)
		// api 2 CPUs, web's two pods (1 CPU) move off kwok-node-1, two more api pods: 7 of 32.
		expect(preflight(3), true, "preflight on us-east-1: all 5 checks passed",
			"PASS capacity: 1 Ready, schedulable nodes besides the 1 the run drains; CPU 7 of 32 (at most 28800m, 10% free)",
			"running pods plus 2 pods added by scale-api (4 CPU, 2Gi memory) and 2 pods moved off the drained nodes (1 CPU, 2Gi memory)",
			"PASS disruption budgets: 2 pods to evict from 1 nodes; nephoran-system/web: 2 pods on the drained nodes, 1 disruptions allowed (2 of 2 healthy, 1 needed): the drain will wait for replacements",
			"PASS pending pods: 0 in nephoran-system (at most 0)",
			"PASS nodes not ready: 0 of 1 nodes (at most 0); 1 drained by the run not counted")
	})
	t.Run("capacity", func(t *testing.T) {
		// Fifteen api pods of 2 CPUs are 30 CPUs, and web's pods 1 more: 31 of at most 28.8.
		expect(preflight(15), false, "1 of 5 checks failed (capacity)", "FAIL capacity: not enough CPU: 1 Ready, schedulable nodes besides the 1 the run drains; CPU 31 of 32 (at most 28800m, 10% free)")
	})
	t.Run("budget", func(t *testing.T) {
		setBudget(t, kc, 2, 0)
		expect(preflight(3), false, "1 of 5 checks failed (disruption budgets)",
			"FAIL disruption budgets: 2 pods to evict from 1 nodes; nephoran-system/web: 2 pods on the drained nodes, 0 disruptions allowed (2 of 2 healthy, 2 needed): the drain would stall (at least 1 needed)")
		setBudget(t, kc, 1, 1)
	})
	t.Run("pending", func(t *testing.T) {
		stuck := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "stuck", Namespace: ns},
			Spec: corev1.PodSpec{NodeSelector: map[string]string{"kubernetes.io/hostname": "no-such-node"}, Containers: []corev1.Container{{Name: "c", Image: "registry.invalid/c"}}}}
		if _, err := kc.CoreV1().Pods(ns).Create(ctx, stuck, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the scheduler to give up on the pod", 60*time.Second, func() bool {
			p, err := kc.CoreV1().Pods(ns).Get(ctx, "stuck", metav1.GetOptions{})
			if err != nil {
				return false
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable {
					return true
				}
			}
			return false
		})
		expect(preflight(3), false, "1 of 5 checks failed (pending pods)", "FAIL pending pods: 1 in nephoran-system (at most 0): nephoran-system/stuck (Unschedulable)")
	})
}
