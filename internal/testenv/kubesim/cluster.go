// Package kubesim is a simulated Kubernetes cluster for `incidentbot demo` and for tests
// that want a cluster that behaves without starting an API server: client-go's fake
// clientset, made to honour server-side dry runs and to bump generations as the API server
// does, a controller that rolls Deployments and StatefulSets out (pods created ready one at
// a time, status caught up), and a Patroni stand-in answering pods/exec. The bot talks to
// it through the same kube.Actions as to a real cluster.
//
// What it does not simulate: admission, RBAC, conflicts on stale resourceVersions, patch
// and apply of arbitrary kinds (it has no discovery: Client's Mapper is nil), dry-run
// creates, scheduling and drains (Node makes a node for reads, such as a preflight's). The
// bot reaches the fake clientset through the dynamic client, as it reaches a real cluster
// (internal/testenv/kubefake).
package kubesim

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv/kubefake"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// Cluster is one simulated cluster.
type Cluster struct {
	Name string
	// Step is how often the controller moves each workload one pod closer to its spec.
	Step time.Duration

	kube   *fake.Clientset
	writes sync.Mutex   // every read-modify-write of the store, so none is lost
	seq    atomic.Int64 // pod name suffixes
	db     *patroni
}

// New returns a cluster holding objs (Deployments, StatefulSets, Pods, ConfigMaps...).
// Its Patroni stand-in knows the members named in patroniMembers, the first the leader.
func New(name string, patroniMembers []string, objs ...runtime.Object) *Cluster {
	c := &Cluster{Name: name, Step: 150 * time.Millisecond, kube: fake.NewClientset(objs...), db: newPatroni(name, patroniMembers)}
	store := &store{ObjectTracker: c.kube.Tracker()}
	react := k8stesting.ObjectReaction(store)
	c.kube.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		c.writes.Lock()
		defer c.writes.Unlock()
		return react(a)
	})
	return c
}

// Client is the cluster as kube.Clusters serves it to the executor.
func (c *Cluster) Client() *kube.Client {
	return &kube.Client{Dynamic: kubefake.Dynamic(c.kube), Exec: c.exec}
}

// Clientset is the cluster's typed fake clientset, for reading and arranging its objects
// from outside the bot (reports, tests). The bot goes through Client.
func (c *Cluster) Clientset() *fake.Clientset { return c.kube }

// Run moves workloads toward their specs until ctx ends.
func (c *Cluster) Run(ctx context.Context) {
	t := time.NewTicker(c.Step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.reconcile(ctx)
		}
	}
}

// Deployment returns a Deployment of replicas pods labelled app=name, already rolled out.
func Deployment(namespace, name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels, Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "registry.example/" + name + ":stable"}}}}},
	}
}

// StatefulSet returns a StatefulSet of replicas pods labelled app=name.
func StatefulSet(namespace, name string, replicas int32) *appsv1.StatefulSet {
	labels := map[string]string{"app": name}
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels, Generation: 1},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, ServiceName: name,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "registry.example/" + name + ":stable"}}}}},
	}
}

// Node returns a Ready node with cpu and memory allocatable (and room for 110 pods), for a
// preflight's capacity and node checks. The controller schedules nothing onto it: the
// simulated pods name no node.
func Node(name, cpu, memory string) *corev1.Node {
	alloc := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory),
		corev1.ResourcePods: resource.MustParse("110")}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{Capacity: alloc, Allocatable: alloc,
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
}

var errDryRunCreate = errors.New("kubesim: a dry-run create or apply is not simulated")
