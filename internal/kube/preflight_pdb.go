package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// pdbsResource serves policy/v1 PodDisruptionBudgets, read into disruptionBudget: the
// release binary links no k8s.io/api/policy types (cmd/incidentbot/deps_test.go).
var pdbsResource = schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}

// disruptionBudget is the part of a policy/v1 PodDisruptionBudget a preflight reads.
type disruptionBudget struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     struct {
		Selector *metav1.LabelSelector `json:"selector,omitempty"`
	} `json:"spec"`
	Status struct {
		DisruptionsAllowed int32 `json:"disruptionsAllowed"`
		CurrentHealthy     int32 `json:"currentHealthy"`
		DesiredHealthy     int32 `json:"desiredHealthy"`
		ExpectedPods       int32 `json:"expectedPods"`
	} `json:"status"`
}

// disruptionBudgets checks the PodDisruptionBudgets over the pods the run's drains evict:
// each must allow min_disruptions evictions now (or as many as it has pods on the drained
// nodes, if fewer), or the drain would stall at its first eviction. A budget with fewer
// disruptions allowed than pods on the drained nodes passes, and says the drain will wait
// for replacements.
func disruptionBudgets(ctx context.Context, c *Client, l incident.PreflightLimits, pods []corev1.Pod, drained map[string]bool) preflightCheck {
	if len(drained) == 0 {
		return preflightCheck{"disruption budgets", true, "no drain follows"}
	}
	var evicted []corev1.Pod
	for _, p := range pods {
		if drained[p.Spec.NodeName] && moves(&p) {
			evicted = append(evicted, p)
		}
	}
	budgets, err := listAs[disruptionBudget](ctx, c, pdbsResource, metav1.NamespaceAll, metav1.ListOptions{})
	if err != nil {
		return preflightCheck{"disruption budgets", false, "cannot list PodDisruptionBudgets: " + describeErr(err)}
	}
	ok := true
	var lines []string
	for _, b := range budgets {
		if b.Spec.Selector == nil {
			continue // policy/v1: a nil selector selects no pod
		}
		sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil {
			continue
		}
		covered := 0
		for _, p := range evicted {
			if p.Namespace == b.Metadata.Namespace && sel.Matches(labels.Set(p.Labels)) {
				covered++
			}
		}
		if covered == 0 {
			continue
		}
		need := min(int32(l.MinDisruptions), int32(covered))
		line := fmt.Sprintf("%s/%s: %d pods on the drained nodes, %d disruptions allowed (%d of %d healthy, %d needed)",
			b.Metadata.Namespace, b.Metadata.Name, covered, b.Status.DisruptionsAllowed, b.Status.CurrentHealthy, b.Status.ExpectedPods, b.Status.DesiredHealthy)
		switch {
		case b.Status.DisruptionsAllowed < need:
			ok = false
			line += fmt.Sprintf(": the drain would stall (at least %d needed)", need)
		case b.Status.DisruptionsAllowed < int32(covered):
			line += ": the drain will wait for replacements"
		}
		lines = append(lines, line)
	}
	slices.Sort(lines)
	figures := fmt.Sprintf("%d pods to evict from %d nodes", len(evicted), len(drained))
	if len(lines) == 0 {
		return preflightCheck{"disruption budgets", true, figures + "; no PodDisruptionBudget covers them"}
	}
	return preflightCheck{"disruption budgets", ok, figures + "; " + strings.Join(lines, "; ")}
}
