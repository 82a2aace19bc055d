package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// RestartedAtAnnotation is the pod template annotation kubectl rollout restart sets.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

func patchOptions(dry bool) metav1.PatchOptions {
	o := metav1.PatchOptions{FieldManager: "incidentbot"}
	if dry {
		o.DryRun = []string{metav1.DryRunAll}
	}
	return o
}

func prefix(dry bool) string {
	if dry {
		return "would "
	}
	return ""
}

// rolloutRestart patches the pod template's restartedAt annotation, as kubectl does, and
// the change mark on the workload's metadata in the same patch. A paused Deployment is
// refused: the restart would never roll out.
func (x *Actions) rolloutRestart(ctx context.Context, c *Client, a *incident.Action, dry bool) (string, error) {
	now := x.now()
	stamp := now.Format(time.RFC3339)
	patch, err := markedPatch(ctx, now, map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"annotations": map[string]any{RestartedAtAnnotation: stamp}}}}})
	if err != nil {
		return "", err
	}
	opts := patchOptions(dry)
	switch {
	case a.Deployment != "":
		d, err := getAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, a.Deployment)
		if err != nil {
			return "", err
		}
		if d.Spec.Paused {
			return "", fmt.Errorf("deployment %s/%s is paused: resume it (kubectl rollout resume) before restarting", a.Namespace, a.Deployment)
		}
		d, err = patchAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, a.Deployment, types.StrategicMergePatchType, patch, opts)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%srestart deployment %s/%s: %s=%s; generation %d, observedGeneration %d, replicas %d",
			prefix(dry), a.Namespace, a.Deployment, RestartedAtAnnotation, stamp, d.Generation, d.Status.ObservedGeneration, replicas(d.Spec.Replicas)), nil
	case a.StatefulSet != "":
		s, err := patchAs[appsv1.StatefulSet](ctx, c, statefulSetsResource, a.Namespace, a.StatefulSet, types.StrategicMergePatchType, patch, opts)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%srestart statefulset %s/%s: %s=%s; generation %d, replicas %d", prefix(dry), a.Namespace, a.StatefulSet,
			RestartedAtAnnotation, stamp, s.Generation, replicas(s.Spec.Replicas)), nil
	default:
		d, err := patchAs[appsv1.DaemonSet](ctx, c, daemonSetsResource, a.Namespace, a.DaemonSet, types.StrategicMergePatchType, patch, opts)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%srestart daemonset %s/%s: %s=%s; generation %d", prefix(dry), a.Namespace, a.DaemonSet, RestartedAtAnnotation, stamp, d.Generation), nil
	}
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// scale sets replicas with a merge patch of the workload (no read-modify-write, so no
// conflict with the controllers that write status), the change mark on its metadata in the
// same patch, and reports the previous counts so a later step, or a person, can restore them.
func (x *Actions) scale(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	rec.mutated()
	want := int32(*a.Replicas)
	patch, err := markedPatch(ctx, x.now(), map[string]any{"spec": map[string]any{"replicas": want}})
	if err != nil {
		return "", err
	}
	opts := patchOptions(dry)
	if a.StatefulSet != "" {
		s, err := getAs[appsv1.StatefulSet](ctx, c, statefulSetsResource, a.Namespace, a.StatefulSet)
		if err != nil {
			return "", err
		}
		before := replicas(s.Spec.Replicas)
		if _, err := c.Dynamic.Resource(statefulSetsResource).Namespace(a.Namespace).Patch(ctx, a.StatefulSet, types.MergePatchType, patch, opts); err != nil {
			return "", err
		}
		rec.replicas("StatefulSet", a.Namespace, a.StatefulSet, before, want)
		return fmt.Sprintf("%sscale statefulset %s/%s: replicas %d -> %d", prefix(dry), a.Namespace, a.StatefulSet, before, want), nil
	}
	var names []string
	if a.All {
		list, err := listAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, metav1.ListOptions{})
		if err != nil {
			return "", err
		}
		for _, d := range list {
			names = append(names, d.Name)
		}
		if len(names) == 0 {
			return fmt.Sprintf("no deployments in %s", a.Namespace), nil
		}
	} else {
		names = []string{a.Deployment}
	}
	sort.Strings(names)
	var lines []string
	for _, name := range names {
		d, err := getAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, name)
		if err != nil {
			return strings.Join(lines, "\n"), err
		}
		before := replicas(d.Spec.Replicas)
		if _, err := c.Dynamic.Resource(deploymentsResource).Namespace(a.Namespace).Patch(ctx, name, types.MergePatchType, patch, opts); err != nil {
			return strings.Join(lines, "\n"), fmt.Errorf("deployment %s: %w", name, err)
		}
		rec.replicas("Deployment", a.Namespace, name, before, want)
		lines = append(lines, fmt.Sprintf("deployment %s/%s: replicas %d -> %d", a.Namespace, name, before, want))
	}
	head := "scaled"
	if dry {
		head = "would scale"
	}
	return head + " (previous counts, to restore them):\n" + strings.Join(lines, "\n"), nil
}

// markedPatch is the JSON of a merge or strategic merge patch p with ctx's change mark, if
// any, added to its metadata.annotations.
func markedPatch(ctx context.Context, at time.Time, p map[string]any) ([]byte, error) {
	if ann := changeAnnotations(ctx, at); ann != nil {
		withAnnotations(p, ann) // p is built here: its metadata is an object or absent
	}
	return json.Marshal(p)
}

// wait polls until the workloads are available (or rolled out), or the timeout passes.
// Like check and exec it changes no object, so it writes no change mark.
func (x *Actions) wait(ctx context.Context, c *Client, a *incident.Action) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.Timeout)
	defer cancel()
	for {
		ready, states, err := x.workloadsReady(ctx, c, a)
		if err == nil && ready {
			return "ready:\n" + strings.Join(states, "\n"), nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return "", fmt.Errorf("not ready after %s: %w", a.Timeout, err)
			}
			return "", fmt.Errorf("not ready after %s:\n%s", a.Timeout, strings.Join(states, "\n"))
		case <-time.After(x.poll()):
		}
	}
}

// workloadsReady checks the wait's workloads once.
func (x *Actions) workloadsReady(ctx context.Context, c *Client, a *incident.Action) (bool, []string, error) {
	rollout := a.For == "rollout-complete"
	if a.StatefulSet != "" {
		s, err := getAs[appsv1.StatefulSet](ctx, c, statefulSetsResource, a.Namespace, a.StatefulSet)
		if err != nil {
			return false, nil, err
		}
		ok, state := statefulSetReady(s)
		return ok, []string{state}, nil
	}
	var deps []appsv1.Deployment
	if a.All {
		list, err := listAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, metav1.ListOptions{})
		if err != nil {
			return false, nil, err
		}
		deps = list
	} else {
		d, err := getAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, a.Deployment)
		if err != nil {
			return false, nil, err
		}
		deps = []appsv1.Deployment{*d}
	}
	all := true
	var states []string
	for i := range deps {
		ok, state := DeploymentReady(&deps[i], rollout)
		all = all && ok
		states = append(states, state)
	}
	sort.Strings(states)
	return all, states, nil
}

// DeploymentReady applies kubectl's rules: Available is True and observedGeneration has
// caught up with generation; a complete rollout also needs updated == replicas == available.
func DeploymentReady(d *appsv1.Deployment, rollout bool) (bool, string) {
	want := replicas(d.Spec.Replicas)
	st := d.Status
	available := false
	for _, c := range d.Status.Conditions {
		if strings.EqualFold(string(c.Type), string(appsv1.DeploymentAvailable)) && c.Status == corev1.ConditionTrue {
			available = true
		}
	}
	ok := available && st.ObservedGeneration >= d.Generation
	if rollout {
		ok = ok && st.UpdatedReplicas == want && st.Replicas == want && st.AvailableReplicas == want
	}
	return ok, fmt.Sprintf("deployment %s/%s: %d/%d available, %d updated, Available=%v, observedGeneration %d/%d",
		d.Namespace, d.Name, st.AvailableReplicas, want, st.UpdatedReplicas, available, st.ObservedGeneration, d.Generation)
}

func statefulSetReady(s *appsv1.StatefulSet) (bool, string) {
	want := replicas(s.Spec.Replicas)
	st := s.Status
	ok := st.ObservedGeneration >= s.Generation && st.ReadyReplicas == want && st.UpdatedReplicas == want &&
		(st.UpdateRevision == "" || st.CurrentRevision == st.UpdateRevision)
	return ok, fmt.Sprintf("statefulset %s/%s: %d/%d ready, %d updated", s.Namespace, s.Name, st.ReadyReplicas, want, st.UpdatedReplicas)
}

// check reports ready pods and workload conditions; it fails when fewer than min_ready
// (default: all) are ready. It changes nothing and writes no change mark.
func (x *Actions) check(ctx context.Context, c *Client, a *incident.Action) (string, error) {
	var selector string
	var lines []string
	switch {
	case a.Selector != "":
		selector = a.Selector
	case a.Deployment != "":
		d, err := getAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, a.Deployment)
		if err != nil {
			return "", err
		}
		_, state := DeploymentReady(d, false)
		lines = append(lines, state)
		selector = metav1.FormatLabelSelector(d.Spec.Selector)
	case a.StatefulSet != "":
		s, err := getAs[appsv1.StatefulSet](ctx, c, statefulSetsResource, a.Namespace, a.StatefulSet)
		if err != nil {
			return "", err
		}
		_, state := statefulSetReady(s)
		lines = append(lines, state)
		selector = metav1.FormatLabelSelector(s.Spec.Selector)
	case a.All:
		list, err := listAs[appsv1.Deployment](ctx, c, deploymentsResource, a.Namespace, metav1.ListOptions{})
		if err != nil {
			return "", err
		}
		for i := range list {
			_, state := DeploymentReady(&list[i], false)
			lines = append(lines, state)
		}
	}
	pods, err := listAs[corev1.Pod](ctx, c, podsResource, a.Namespace, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return "", err
	}
	ready := 0
	var notReady []string
	for _, p := range pods {
		if podReady(&p) {
			ready++
		} else {
			notReady = append(notReady, fmt.Sprintf("%s (%s)", p.Name, p.Status.Phase))
		}
	}
	sort.Strings(lines)
	lines = append(lines, fmt.Sprintf("pods ready: %d/%d", ready, len(pods)))
	if len(notReady) > 0 {
		sort.Strings(notReady)
		lines = append(lines, "not ready: "+strings.Join(notReady, ", "))
	}
	out := strings.Join(lines, "\n")
	min := len(pods)
	if a.MinReady != nil {
		min = *a.MinReady
	}
	if ready < min || len(pods) == 0 && a.MinReady == nil {
		return "", fmt.Errorf("%s\nwanted at least %d ready", out, min)
	}
	return out, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
