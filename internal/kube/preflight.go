package kube

import (
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// preflightCheck is one preflight check's outcome: its name, whether it passed, and its figures.
type preflightCheck struct {
	name    string
	ok      bool
	figures string
}

// preflightFailed is a preflight with at least one failed check: its whole report, which
// becomes the step's failed result.
type preflightFailed struct{ report string }

func (e *preflightFailed) Error() string { return e.report }

// preflight reads the cluster and checks, before a failover phase, what the steps ahead of
// it will need (a.Ahead, filled in when the run started): room on the Ready, schedulable
// nodes for the pods the scale-ups add and the drains move, PodDisruptionBudgets that let
// the drains start, no pods pending in the namespaces the run touches, no node not Ready
// (besides those it drains), and, given a Patroni URL, replicas streaming within max_lag.
// It changes nothing. Each check is reported with its figures; any failed check fails the
// step, named in the report's first line. A dry run only says what it would check.
func (x *Actions) preflight(ctx context.Context, c *Client, a *incident.Action, dry bool) (string, error) {
	if dry {
		return "reads the cluster and changes nothing: capacity, disruption budgets, pending pods, nodes not ready, replica lag", nil
	}
	l := a.Limits()
	nodes, err := listAs[corev1.Node](ctx, c, nodesResource, "", metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("list nodes: %w", err)
	}
	pods, err := listAs[corev1.Pod](ctx, c, podsResource, metav1.NamespaceAll, metav1.ListOptions{})
	if err != nil {
		return "", fmt.Errorf("list pods: %w", err)
	}
	drained := map[string]bool{}
	for _, n := range a.DrainedNodes() {
		drained[n] = true
	}
	checks := []preflightCheck{
		x.capacity(ctx, c, a, l, nodes, pods, drained),
		disruptionBudgets(ctx, c, l, pods, drained),
		pendingPods(a, l, pods),
		nodesNotReady(l, nodes, drained),
		x.replicaLag(ctx, a, l),
	}
	var failed, lines []string
	for _, ch := range checks {
		mark := "PASS"
		if !ch.ok {
			mark = "FAIL"
			failed = append(failed, ch.name)
		}
		lines = append(lines, fmt.Sprintf("%s %s: %s", mark, ch.name, ch.figures))
	}
	where := a.Cluster
	if where == "" {
		where = "the default cluster"
	}
	if len(failed) > 0 {
		head := fmt.Sprintf("preflight on %s: %d of %d checks failed (%s)", where, len(failed), len(checks), strings.Join(failed, ", "))
		return "", &preflightFailed{report: head + "\n" + strings.Join(lines, "\n")}
	}
	head := fmt.Sprintf("preflight on %s: all %d checks passed", where, len(checks))
	return head + "\n" + strings.Join(lines, "\n"), nil
}

// pendingPods counts the pods Pending (and not being deleted) in the namespaces the run
// touches.
func pendingPods(a *incident.Action, l incident.PreflightLimits, pods []corev1.Pod) preflightCheck {
	namespaces := a.PreflightNamespaces()
	if len(namespaces) == 0 {
		return preflightCheck{"pending pods", true, "no namespace to look in"}
	}
	in := map[string]bool{}
	for _, ns := range namespaces {
		in[ns] = true
	}
	var pending []string
	for _, p := range pods {
		if in[p.Namespace] && p.Status.Phase == corev1.PodPending && p.DeletionTimestamp == nil {
			pending = append(pending, p.Namespace+"/"+p.Name+pendingReason(&p))
		}
	}
	figures := fmt.Sprintf("%d in %s (at most %d)", len(pending), strings.Join(namespaces, ", "), l.MaxPending)
	if len(pending) > 0 {
		figures += ": " + firstOf(pending, 5)
	}
	return preflightCheck{"pending pods", len(pending) <= l.MaxPending, figures}
}

// pendingReason is why a pod is pending, as its PodScheduled condition says, in brackets.
func pendingReason(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue && c.Reason != "" {
			return " (" + c.Reason + ")"
		}
	}
	return ""
}

// nodesNotReady counts the nodes whose Ready condition is not True, leaving out those the
// run drains: a node being taken out of service is expected to be the broken one.
func nodesNotReady(l incident.PreflightLimits, nodes []corev1.Node, drained map[string]bool) preflightCheck {
	var bad []string
	counted := 0
	for _, n := range nodes {
		if drained[n.Name] {
			continue
		}
		counted++
		if !nodeReady(&n) {
			bad = append(bad, n.Name)
		}
	}
	figures := fmt.Sprintf("%d of %d nodes (at most %d)", len(bad), counted, l.MaxNotReady)
	if len(drained) > 0 {
		figures += fmt.Sprintf("; %d drained by the run not counted", len(drained))
	}
	if len(bad) > 0 {
		figures += ": " + firstOf(bad, 5)
	}
	return preflightCheck{"nodes not ready", len(bad) <= l.MaxNotReady, figures}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// firstOf joins up to n names, saying how many more there are.
func firstOf(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
