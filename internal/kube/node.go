package kube

import (
	"context"
	"fmt"

	"github.com/nephoran/incidentbot/internal/incident"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// cordon marks a node unschedulable, with the change mark in the same patch.
func (x *Actions) cordon(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	rec.mutated()
	n, err := getAs[corev1.Node](ctx, c, nodesResource, "", a.Node)
	if err != nil {
		return "", err
	}
	if n.Spec.Unschedulable {
		return fmt.Sprintf("node %s is already cordoned", a.Node), nil
	}
	if err := x.cordonNode(ctx, c, a.Node, dry); err != nil {
		return "", err
	}
	rec.unschedulable(a.Node, false, true)
	return fmt.Sprintf("%scordon node %s: spec.unschedulable false -> true", prefix(dry), a.Node), nil
}

// cordonNode sets spec.unschedulable and ctx's change mark in one strategic merge patch, the
// patch kubectl cordon sends plus the annotations.
func (x *Actions) cordonNode(ctx context.Context, c *Client, node string, dry bool) error {
	patch, err := markedPatch(ctx, x.now(), map[string]any{"spec": map[string]any{"unschedulable": true}})
	if err != nil {
		return err
	}
	_, err = c.Dynamic.Resource(nodesResource).Patch(ctx, node, types.StrategicMergePatchType, patch, patchOptions(dry))
	return err
}
