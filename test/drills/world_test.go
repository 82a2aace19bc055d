package drills

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
)

// sharedNode is the kwok node every drill's workloads run on unless the drill takes a node
// out of service: then that node is the drill's own.
const sharedNode = "kwok-shared-0"

// world is what one drill finds on the control plane before it starts: what its steps
// name, in its own namespace, derived from the built run (worldOf) plus what the table
// entry adds for steps that act on every workload of a namespace.
type world struct {
	Namespace    string
	Deployments  map[string]int32    // name: replicas
	StatefulSets map[string]int32    // name: replicas
	Pods         []string            // bare pods, for execs
	ConfigMaps   map[string][]string // patched ConfigMaps: the data keys their patches set
	Node         string              // the drill's own node, cordoned or drained by a step ("" for none)
	Applied      map[string]string   // kind/name: what an apply step of the drill creates
}

// worldOf derives the world of a run from its steps: the workloads, pods, ConfigMaps and
// nodes they name, less what an apply step of the same run creates. It fails the test for
// what it cannot make.
func worldOf(t *testing.T, ns string, steps []incident.StepSpec, e entry) *world {
	t.Helper()
	w := &world{Namespace: ns, Deployments: map[string]int32{}, StatefulSets: map[string]int32{}, ConfigMaps: map[string][]string{}, Applied: map[string]string{}}
	for _, s := range steps {
		if s.Action.Type == "kubernetes.apply" {
			for _, o := range manifestObjects(t, s.Action.Content) {
				w.Applied[o.GetKind()+"/"+o.GetName()] = s.StepID
			}
		}
	}
	allSteps := []string{}
	for _, s := range steps {
		a := s.Action
		if !a.Kubernetes() {
			continue
		}
		if a.Namespace != "" && a.Namespace != ns {
			t.Fatalf("step %s acts in namespace %q, not the drill's %q: give the playbook a namespace parameter", s.StepID, a.Namespace, ns)
		}
		if a.Deployment != "" && w.Applied["Deployment/"+a.Deployment] == "" {
			w.Deployments[a.Deployment] = 2
		}
		if a.StatefulSet != "" && w.Applied["StatefulSet/"+a.StatefulSet] == "" {
			w.StatefulSets[a.StatefulSet] = 1
		}
		if a.Pod != "" && !w.ownedPod(a.Pod) && !slices.Contains(w.Pods, a.Pod) {
			w.Pods = append(w.Pods, a.Pod)
		}
		if a.Node != "" {
			if w.Node != "" && w.Node != a.Node {
				t.Fatalf("steps name nodes %s and %s: the world gives a drill one node of its own", w.Node, a.Node)
			}
			w.Node = a.Node
		}
		if a.All {
			allSteps = append(allSteps, s.StepID)
		}
		if a.Type == "kubernetes.patch" && w.Applied[a.Kind+"/"+a.Name] == "" {
			if a.Kind != "ConfigMap" {
				t.Fatalf("step %s patches %s %s, which nothing in the drill creates: the world builder makes only ConfigMaps; teach world.go the kind", s.StepID, a.Kind, a.Name)
			}
			w.ConfigMaps[a.Name] = append(w.ConfigMaps[a.Name], patchedKeys(a.Patch)...)
		}
	}
	for name, n := range e.Deployments {
		w.Deployments[name] = n
	}
	if len(allSteps) > 0 && len(w.Deployments) == 0 && !w.appliesDeployment() {
		t.Fatalf("steps %s act on every deployment in %s, and the drill has none: name the deployments they find in the table entry", strings.Join(allSteps, ", "), ns)
	}
	return w
}

// patchedKeys are the data keys a ConfigMap patch sets ({data: {key: value}}).
func patchedKeys(patch any) []string {
	var keys []string
	if m, ok := patch.(map[string]any); ok {
		if data, ok := m["data"].(map[string]any); ok {
			for k := range data {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// ownedPod reports whether pod is a StatefulSet's (name-N) that the drill applies or makes.
func (w *world) ownedPod(pod string) bool {
	m := regexp.MustCompile(`^(.+)-[0-9]+$`).FindStringSubmatch(pod)
	if m == nil {
		return false
	}
	_, made := w.StatefulSets[m[1]]
	return made || w.Applied["StatefulSet/"+m[1]] != ""
}

func (w *world) appliesDeployment() bool {
	for k := range w.Applied {
		if strings.HasPrefix(k, "Deployment/") {
			return true
		}
	}
	return false
}

// manifestObjects decodes an apply step's manifest.
func manifestObjects(t *testing.T, content string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(content, "\n---") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("a manifest: %v", err)
		}
		if len(m) > 0 {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
	return out
}

// kwokNode is a fake node kwok runs, with room for everything the drills start. A drill's
// own node carries a taint that only that drill's workloads tolerate, so that draining it
// touches no other drill.
func kwokNode(name string, own bool) *corev1.Node {
	room := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("64"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("250")}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{"type": "kwok", "kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{Capacity: room, Allocatable: room},
	}
	if own {
		n.Spec.Taints = []corev1.Taint{{Key: "drills.incidentbot/node", Value: name, Effect: corev1.TaintEffectNoSchedule}}
	}
	return n
}

// nodeUp waits until kwok has taken a new node over: Ready, with an address. Until then the
// API server cannot reach its "kubelet" for an exec ("no preferred addresses found") and
// pods bound to it do not start.
func nodeUp(t *testing.T, kc kubernetes.Interface, name string) {
	t.Helper()
	until(t, time.Minute, "kwok to take node "+name+" over (Ready, an address)", func() bool {
		n, err := kc.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil || len(n.Status.Addresses) == 0 {
			return false
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue
			}
		}
		return false
	})
}

// podSpec is what the world's workloads run: on the drill's own node when it has one.
func (w *world) podSpec(container string) corev1.PodSpec {
	spec := corev1.PodSpec{NodeSelector: map[string]string{"type": "kwok"},
		Containers: []corev1.Container{{Name: container, Image: "registry.invalid/" + container}}}
	if w.Node != "" {
		spec.NodeSelector["kubernetes.io/hostname"] = w.Node
		spec.Tolerations = []corev1.Toleration{{Key: "drills.incidentbot/node", Operator: corev1.TolerationOpEqual, Value: w.Node, Effect: corev1.TaintEffectNoSchedule}}
	}
	return spec
}

// build creates the world on the control plane and waits until its workloads are available
// and its pods run.
func (w *world) build(t *testing.T, kc kubernetes.Interface) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("create %s: %v", what, err)
		}
	}
	_, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: w.Namespace}}, metav1.CreateOptions{})
	must("namespace "+w.Namespace, err)
	if w.Node != "" {
		_, err := kc.CoreV1().Nodes().Create(ctx, kwokNode(w.Node, true), metav1.CreateOptions{})
		must("node "+w.Node, err)
		nodeUp(t, kc, w.Node)
	}
	until(t, time.Minute, "the default service account of "+w.Namespace, func() bool {
		_, err := kc.CoreV1().ServiceAccounts(w.Namespace).Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	})
	for name, n := range w.Deployments {
		labels := map[string]string{"app": name}
		_, err := kc.AppsV1().Deployments(w.Namespace).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.DeploymentSpec{Replicas: &n, Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: w.podSpec(name)}}}, metav1.CreateOptions{})
		must("deployment "+name, err)
	}
	for name, n := range w.StatefulSets {
		labels := map[string]string{"app": name}
		_, err := kc.AppsV1().StatefulSets(w.Namespace).Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.StatefulSetSpec{Replicas: &n, ServiceName: name, Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: w.podSpec(name)}}}, metav1.CreateOptions{})
		must("statefulset "+name, err)
	}
	for _, name := range w.Pods {
		spec := w.podSpec("postgresql")
		_, err := kc.CoreV1().Pods(w.Namespace).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}}, Spec: spec}, metav1.CreateOptions{})
		must("pod "+name, err)
	}
	for name, keys := range w.ConfigMaps {
		data := map[string]string{}
		for _, k := range keys {
			data[k] = "before-the-drill"
		}
		_, err := kc.CoreV1().ConfigMaps(w.Namespace).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: data}, metav1.CreateOptions{})
		must("configmap "+name, err)
	}
	until(t, 2*time.Minute, "the world of "+w.Namespace+" to be up", func() bool { return w.up(kc) == "" })
}

// up returns what is not available or running yet, or "".
func (w *world) up(kc kubernetes.Interface) string {
	ctx := context.Background()
	for name := range w.Deployments {
		d, err := kc.AppsV1().Deployments(w.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if ok, state := kube.DeploymentReady(d, true); !ok {
			return state
		}
	}
	for name, n := range w.StatefulSets {
		s, err := kc.AppsV1().StatefulSets(w.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || s.Status.ReadyReplicas != n {
			return fmt.Sprintf("statefulset %s not ready (%v)", name, err)
		}
	}
	for _, name := range w.Pods {
		p, err := kc.CoreV1().Pods(w.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || p.Status.Phase != corev1.PodRunning {
			return fmt.Sprintf("pod %s not running (%v)", name, err)
		}
	}
	return ""
}
