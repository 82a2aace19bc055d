package kube

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
)

// MirrorPodAnnotation marks a static pod's mirror on the API server: the kubelet owns it,
// and deleting or evicting it does nothing.
const MirrorPodAnnotation = "kubernetes.io/config.mirror"

// drain cordons the node and evicts its pods with the semantics of kubectl drain without
// --force: evictions go through the policy/v1 Eviction subresource and so honour
// PodDisruptionBudgets (a 429 is retried until the timeout), mirror pods are skipped,
// DaemonSet pods only with ignore_daemonsets, pods with emptyDir volumes are evicted only
// with delete_emptydir_data, and pods no controller recreates are refused. It returns once
// every evicted pod is gone. The cordon writes the change mark on the node; a node already
// cordoned is not patched, and the evictions change no object that stays (the pods go), so
// neither carries a mark. A dry run cordons nothing and lists the pods it would evict.
func (x *Actions) drain(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	n, err := getAs[corev1.Node](ctx, c, nodesResource, "", a.Node)
	if err != nil {
		return "", err
	}
	if !n.Spec.Unschedulable {
		if err := x.cordonNode(ctx, c, a.Node, dry); err != nil {
			return "", fmt.Errorf("cordon %s: %w", a.Node, err)
		}
	}
	pods, err := podsToEvict(ctx, c, a)
	if err != nil {
		return "", fmt.Errorf("drain %s: %w", a.Node, err)
	}
	names := make([]string, len(pods))
	for i, p := range pods {
		names[i] = p.Namespace + "/" + p.Name
	}
	if dry {
		return fmt.Sprintf("would cordon node %s and evict %d pods: %s", a.Node, len(names), strings.Join(names, ", ")), nil
	}
	if err := x.evictAll(ctx, c, a.Timeout, pods); err != nil {
		return "", fmt.Errorf("drain %s: %w", a.Node, err)
	}
	rec.drained(a.Node, !n.Spec.Unschedulable, names)
	return fmt.Sprintf("cordoned node %s and evicted %d pods: %s", a.Node, len(names), strings.Join(names, ", ")), nil
}

// podsToEvict lists the node's pods and keeps those a drain evicts. A pod the drain must
// not evict and cannot skip (a DaemonSet's without ignore_daemonsets, one with local data
// without delete_emptydir_data, one no controller recreates) fails the whole drain before
// anything is evicted, naming every such pod, as kubectl drain does.
func podsToEvict(ctx context.Context, c *Client, a *incident.Action) ([]corev1.Pod, error) {
	list, err := listAs[corev1.Pod](ctx, c, podsResource, metav1.NamespaceAll, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("spec.nodeName", a.Node).String()})
	if err != nil {
		return nil, err
	}
	var evict []corev1.Pod
	refused := map[string][]string{} // reason -> pods
	for _, p := range list {
		if p.Spec.NodeName != a.Node {
			continue // the server selected by node; a fake client may not have
		}
		skip, reason, err := keepPod(ctx, c, a, &p)
		switch {
		case err != nil:
			return nil, err
		case reason != "":
			refused[reason] = append(refused[reason], p.Namespace+"/"+p.Name)
		case !skip:
			evict = append(evict, p)
		}
	}
	var errs []error
	for _, reason := range slices.Sorted(maps.Keys(refused)) {
		errs = append(errs, fmt.Errorf("cannot delete %s: %s", reason, strings.Join(refused[reason], ", ")))
	}
	return evict, errors.Join(errs...)
}

// keepPod applies kubectl drain's filters to one pod, in its order: a DaemonSet's pod is
// skipped (ignore_daemonsets) or refused, a mirror pod skipped, one with emptyDir data
// refused unless delete_emptydir_data, one without a controller refused. A finished pod
// (Succeeded or Failed) is evicted whatever owns it, unless it is a mirror pod.
func keepPod(ctx context.Context, c *Client, a *incident.Action, p *corev1.Pod) (skip bool, refused string, err error) {
	finished := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	owner := metav1.GetControllerOf(p)
	if owner != nil && owner.Kind == "DaemonSet" && !finished {
		if _, err := getAs[appsv1.DaemonSet](ctx, c, daemonSetsResource, p.Namespace, owner.Name); apierrors.IsNotFound(err) {
			return false, fmt.Sprintf("Pods of a DaemonSet that no longer exists (%s)", owner.Name), nil
		} else if err != nil {
			return false, "", err
		}
		if !a.IgnoreDaemonSets {
			return false, "DaemonSet-managed Pods (set ignore_daemonsets to leave them)", nil
		}
		return true, "", nil
	}
	if _, ok := p.Annotations[MirrorPodAnnotation]; ok {
		return true, "", nil
	}
	if finished {
		return false, "", nil
	}
	if !a.DeleteEmptyDirData && slices.ContainsFunc(p.Spec.Volumes, func(v corev1.Volume) bool { return v.EmptyDir != nil }) {
		return false, "Pods with local storage (set delete_emptydir_data to delete it)", nil
	}
	if owner == nil {
		return false, "Pods that declare no controller (nothing would recreate them)", nil
	}
	return false, "", nil
}

// evictAll evicts the pods concurrently and waits until each is gone, within timeout (0:
// only ctx bounds it). A 429 is a PodDisruptionBudget that does not allow the eviction yet:
// it is retried every five polls until the timeout.
func (x *Actions) evictAll(ctx context.Context, c *Client, timeout time.Duration, pods []corev1.Pod) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	errc := make(chan error, len(pods))
	for _, p := range pods {
		go func() { errc <- x.evict(ctx, c, p) }()
	}
	var errs []error
	for range pods {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}

// evict evicts one pod, retrying while a PodDisruptionBudget refuses it or its namespace
// is terminating, and waits until it is gone (not found, or replaced by a pod of another UID).
func (x *Actions) evict(ctx context.Context, c *Client, p corev1.Pod) error {
	pods := c.Dynamic.Resource(podsResource).Namespace(p.Namespace)
	eviction := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "policy/v1", "kind": "Eviction",
		"metadata": map[string]any{"name": p.Name, "namespace": p.Namespace}}}
	for {
		_, err := pods.Create(ctx, eviction, metav1.CreateOptions{}, "eviction")
		terminating := apierrors.IsForbidden(err) && apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause)
		switch {
		case err == nil:
		case apierrors.IsNotFound(err):
			return nil
		case terminating && p.DeletionTimestamp != nil:
			// A deleting namespace refuses evictions of a pod that is going anyway.
		case apierrors.IsTooManyRequests(err) || terminating:
			select {
			case <-ctx.Done():
				return fmt.Errorf("evict pod %s/%s: gave up (%v) while refused: %w", p.Namespace, p.Name, context.Cause(ctx), err)
			case <-time.After(5 * x.poll()):
			}
			if fresh, err := getAs[corev1.Pod](ctx, c, podsResource, p.Namespace, p.Name); err == nil {
				p = *fresh
			}
			continue
		default:
			return fmt.Errorf("evict pod %s/%s: %w", p.Namespace, p.Name, err)
		}
		break
	}
	for {
		cur, err := pods.Get(ctx, p.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) || (err == nil && cur.GetUID() != p.UID):
			return nil
		case err != nil:
			return fmt.Errorf("wait for pod %s/%s to terminate: %w", p.Namespace, p.Name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for pod %s/%s to terminate: %w", p.Namespace, p.Name, ctx.Err())
		case <-time.After(x.poll()):
		}
	}
}
