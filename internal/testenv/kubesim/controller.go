package kubesim

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// podTemplateHash is the label that ties a pod to its workload's template, as the
// Deployment controller's pod-template-hash does.
const podTemplateHash = "pod-template-hash"

// reconcile moves every workload one pod closer to its spec and writes its status. A
// rollout surges: a new pod first, then an old one goes, so availability never drops.
func (c *Cluster) reconcile(ctx context.Context) (changed bool) {
	deps, err := c.kube.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return false
	}
	for i := range deps.Items {
		d := &deps.Items[i]
		changed = c.converge(ctx, d.Namespace, d.Name, replicas(d.Spec.Replicas), d.Spec.Template, d.Generation, false) || changed
	}
	sets, err := c.kube.AppsV1().StatefulSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return changed
	}
	for i := range sets.Items {
		s := &sets.Items[i]
		changed = c.converge(ctx, s.Namespace, s.Name, replicas(s.Spec.Replicas), s.Spec.Template, s.Generation, true) || changed
	}
	return changed
}

// Settle reconciles until every workload matches its spec (at most 1000 rounds), without
// waiting between rounds: a cluster that starts out healthy.
func (c *Cluster) Settle(ctx context.Context) {
	for i := 0; i < 1000 && c.reconcile(ctx); i++ {
	}
}

// converge makes or removes one pod of a workload and patches its status to what is there.
func (c *Cluster) converge(ctx context.Context, ns, name string, want int32, tmpl corev1.PodTemplateSpec, generation int64, stateful bool) (changed bool) {
	hash := templateHash(tmpl)
	pods, err := c.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubesim,kubesim/owner=" + name})
	if err != nil {
		return false
	}
	var current, old []corev1.Pod
	for _, p := range pods.Items {
		if p.Labels[podTemplateHash] == hash {
			current = append(current, p)
		} else {
			old = append(old, p)
		}
	}
	sort.Slice(current, func(i, j int) bool { return current[i].Name < current[j].Name })
	pc := c.kube.CoreV1().Pods(ns)
	changed = true
	switch {
	case stateful && len(old) > 0: // a StatefulSet replaces a pod in place: delete, then recreate
		if pc.Delete(ctx, old[0].Name, metav1.DeleteOptions{}) == nil {
			old = old[1:]
		}
	case int32(len(current)) < want:
		if _, err := pc.Create(ctx, c.pod(ns, name, tmpl, hash, stateful, current), metav1.CreateOptions{}); err == nil {
			current = append(current, corev1.Pod{})
		}
	case len(old) > 0:
		if pc.Delete(ctx, old[0].Name, metav1.DeleteOptions{}) == nil {
			old = old[1:]
		}
	case int32(len(current)) > want:
		last := current[len(current)-1]
		if pc.Delete(ctx, last.Name, metav1.DeleteOptions{}) == nil {
			current = current[:len(current)-1]
		}
	default:
		changed = false
	}
	total, updated := int32(len(current)+len(old)), int32(len(current))
	var status any
	if stateful {
		status = appsv1.StatefulSetStatus{ObservedGeneration: generation, Replicas: total, ReadyReplicas: total, AvailableReplicas: total,
			CurrentReplicas: updated, UpdatedReplicas: updated, CurrentRevision: name + "-" + hash, UpdateRevision: name + "-" + hash}
	} else {
		available := corev1.ConditionFalse
		if total >= want {
			available = corev1.ConditionTrue
		}
		status = appsv1.DeploymentStatus{ObservedGeneration: generation, Replicas: total, UpdatedReplicas: updated,
			ReadyReplicas: total, AvailableReplicas: total,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: available, Reason: "MinimumReplicasAvailable"}}}
	}
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return changed
	}
	if stateful {
		_, _ = c.kube.AppsV1().StatefulSets(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	} else {
		_, _ = c.kube.AppsV1().Deployments(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	}
	return changed
}

// pod makes a ready pod for a workload: <name>-<ordinal> for a StatefulSet (the lowest
// free ordinal), <name>-<hash>-<sequence> for a Deployment.
func (c *Cluster) pod(ns, owner string, tmpl corev1.PodTemplateSpec, hash string, stateful bool, siblings []corev1.Pod) *corev1.Pod {
	name := fmt.Sprintf("%s-%s-%05d", owner, hash[:10], c.seq.Add(1))
	if stateful {
		taken := map[string]bool{}
		for _, p := range siblings {
			taken[p.Name] = true
		}
		for i := 0; ; i++ {
			if name = fmt.Sprintf("%s-%d", owner, i); !taken[name] {
				break
			}
		}
	}
	labels := map[string]string{"app.kubernetes.io/managed-by": "kubesim", "kubesim/owner": owner, podTemplateHash: hash}
	for k, v := range tmpl.Labels {
		labels[k] = v
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels, Annotations: tmpl.Annotations},
		Spec:       *tmpl.Spec.DeepCopy(),
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

// templateHash identifies a pod template: a restart (a new restartedAt annotation) or an
// image change makes a new one.
func templateHash(t corev1.PodTemplateSpec) string {
	b, _ := json.Marshal(t)
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%016x", h.Sum64())
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
