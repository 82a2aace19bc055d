package kube

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/kubectl/pkg/drain"
)

// cordon marks a node unschedulable, with the change mark in the same patch.
func (x *Actions) cordon(ctx context.Context, c *Client, a *incident.Action, dry bool) (string, error) {
	n, err := c.Kube.CoreV1().Nodes().Get(ctx, a.Node, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	if n.Spec.Unschedulable {
		return fmt.Sprintf("node %s is already cordoned", a.Node), nil
	}
	if err := x.cordonNode(ctx, c, a.Node, dry); err != nil {
		return "", err
	}
	return fmt.Sprintf("%scordon node %s: spec.unschedulable false -> true", prefix(dry), a.Node), nil
}

// cordonNode sets spec.unschedulable and ctx's change mark in one strategic merge patch, the
// patch kubectl cordon sends plus the annotations.
func (x *Actions) cordonNode(ctx context.Context, c *Client, node string, dry bool) error {
	patch, err := markedPatch(ctx, x.now(), map[string]any{"spec": map[string]any{"unschedulable": true}})
	if err != nil {
		return err
	}
	_, err = c.Kube.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, patchOptions(dry))
	return err
}

// drain cordons the node and evicts its pods with the semantics of kubectl drain
// (k8s.io/kubectl/pkg/drain): evictions honour PodDisruptionBudgets (retried on 429),
// mirror pods are skipped, DaemonSet pods only with ignore_daemonsets. The cordon writes the
// change mark on the node; a node already cordoned is not patched, and the evictions change
// no object that stays (the pods go), so neither carries a mark.
func (x *Actions) drain(ctx context.Context, c *Client, a *incident.Action, dry bool) (string, error) {
	var out, errOut bytes.Buffer
	h := &drain.Helper{
		Ctx:                 ctx,
		Client:              c.Kube,
		GracePeriodSeconds:  -1,
		IgnoreAllDaemonSets: a.IgnoreDaemonSets,
		DeleteEmptyDirData:  a.DeleteEmptyDirData,
		Timeout:             a.Timeout,
		Out:                 &out,
		ErrOut:              &errOut,
	}
	if dry {
		h.DryRunStrategy = cmdutil.DryRunServer
	}
	n, err := c.Kube.CoreV1().Nodes().Get(ctx, a.Node, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	// Not drain.RunCordonOrUncordon: it ignores the dry-run strategy and would cordon the node
	// during a plan (the end-to-end test caught it); nor drain.CordonHelper, which cannot add
	// the change mark to its patch.
	if !n.Spec.Unschedulable {
		if err := x.cordonNode(ctx, c, a.Node, dry); err != nil {
			return "", fmt.Errorf("cordon %s: %w", a.Node, err)
		}
	}
	list, errs := h.GetPodsForDeletion(a.Node)
	if len(errs) > 0 {
		return "", fmt.Errorf("drain %s: %v", a.Node, errs)
	}
	var names []string
	for _, p := range list.Pods() {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	if dry {
		return fmt.Sprintf("would cordon node %s and evict %d pods: %s", a.Node, len(names), strings.Join(names, ", ")), nil
	}
	if err := h.DeleteOrEvictPods(list.Pods()); err != nil {
		return "", fmt.Errorf("drain %s: %w\n%s", a.Node, err, errOut.String())
	}
	return fmt.Sprintf("cordoned node %s and evicted %d pods: %s", a.Node, len(names), strings.Join(names, ", ")), nil
}
