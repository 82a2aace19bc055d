package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// DriftHeading starts the part of an undo's plan (and result) that lists what changed since
// the step it undoes: the undo reverts to the recorded prior state over those changes too.
const DriftHeading = "changed since the step (someone else changed it):"

// undo reverts what a step changed, as its Prior (a.Undo) recorded it: the objects in the
// reverse order of the step's changes. Scale sets the recorded replicas back, a cordon is
// uncordoned (or a node cordoned again), a patch's changed fields are patched back (a JSON
// merge patch; a JSON patch when a field was null), an object an apply created is deleted
// and one it changed is replaced by the recorded object. What changed since the step is
// listed under DriftHeading. The undo records the prior state of what it changes in turn,
// so undoing an undo redoes the step.
func (x *Actions) undo(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	p := a.Undo
	if !p.Undoable() {
		return "", errors.New("this undo has no recorded prior state to revert to")
	}
	rec.mutated()
	var lines []string
	for i := len(p.Objects) - 1; i >= 0; i-- {
		o := p.Objects[i]
		var (
			out string
			err error
		)
		switch o.What {
		case incident.PriorReplicas:
			out, err = x.undoReplicas(ctx, c, o, dry, rec)
		case incident.PriorUnschedulable:
			out, err = x.undoUnschedulable(ctx, c, o, dry, rec)
		case incident.PriorFields:
			out, err = x.undoFields(ctx, c, o, dry, rec)
		case incident.PriorObjectState:
			out, err = x.undoObject(ctx, c, o, dry, rec)
		default:
			err = fmt.Errorf("an unknown kind of prior state %q", o.What)
		}
		if err != nil {
			return strings.Join(lines, "\n"), fmt.Errorf("%s: %w", o.Ref(), err)
		}
		lines = append(lines, out)
	}
	if p.Note != "" {
		lines = append(lines, p.Note)
	}
	return strings.Join(lines, "\n"), nil
}

// drifted words what changed since the step, or "".
func drifted(changes []string) string {
	if len(changes) == 0 {
		return ""
	}
	return "\n" + DriftHeading + "\n  " + strings.Join(changes, "\n  ")
}

var workloadResources = map[string]schema.GroupVersionResource{"Deployment": deploymentsResource, "StatefulSet": statefulSetsResource}

// undoReplicas scales a workload back to its recorded replicas.
func (x *Actions) undoReplicas(ctx context.Context, c *Client, o incident.PriorObject, dry bool, rec *recorder) (string, error) {
	gvr, ok := workloadResources[o.Kind]
	if !ok || o.Replicas == nil {
		return "", fmt.Errorf("cannot scale a %s", o.Kind)
	}
	cur, err := c.Dynamic.Resource(gvr).Namespace(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	now, found, _ := unstructured.NestedInt64(cur.Object, "spec", "replicas")
	if !found {
		now = 1
	}
	var drift []string
	if o.SetReplicas != nil && int(now) != *o.SetReplicas {
		drift = append(drift, fmt.Sprintf("replicas: the step set %d, they are %d now", *o.SetReplicas, now))
	}
	patch, err := markedPatch(ctx, x.now(), map[string]any{"spec": map[string]any{"replicas": *o.Replicas}})
	if err != nil {
		return "", err
	}
	if _, err := c.Dynamic.Resource(gvr).Namespace(o.Namespace).Patch(ctx, o.Name, types.MergePatchType, patch, patchOptions(dry)); err != nil {
		return "", err
	}
	rec.replicas(o.Kind, o.Namespace, o.Name, int32(now), int32(*o.Replicas))
	return fmt.Sprintf("%sscale %s: replicas %d -> %d%s", prefix(dry), o.Ref(), now, *o.Replicas, drifted(drift)), nil
}

// undoUnschedulable sets a node's spec.unschedulable back: an uncordon, or a cordon again.
func (x *Actions) undoUnschedulable(ctx context.Context, c *Client, o incident.PriorObject, dry bool, rec *recorder) (string, error) {
	if o.Unschedulable == nil {
		return "", errors.New("no recorded spec.unschedulable")
	}
	cur, err := c.Dynamic.Resource(nodesResource).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	now, _, _ := unstructured.NestedBool(cur.Object, "spec", "unschedulable")
	var drift []string
	if o.SetUnschedulable != nil && now != *o.SetUnschedulable {
		drift = append(drift, fmt.Sprintf("spec.unschedulable: the step set %v, it is %v now", *o.SetUnschedulable, now))
	}
	want := *o.Unschedulable
	patch, err := markedPatch(ctx, x.now(), map[string]any{"spec": map[string]any{"unschedulable": want}})
	if err != nil {
		return "", err
	}
	if _, err := c.Dynamic.Resource(nodesResource).Patch(ctx, o.Name, types.MergePatchType, patch, patchOptions(dry)); err != nil {
		return "", err
	}
	rec.unschedulable(o.Name, now, want)
	verb := "uncordon"
	if want {
		verb = "cordon"
	}
	return fmt.Sprintf("%s%s node %s: spec.unschedulable %v -> %v%s", prefix(dry), verb, o.Name, now, want, drifted(drift)), nil
}

// undoFields patches the fields a patch changed back to their recorded values, through
// patch itself (so the undo's own change is recorded and shown as a diff): a JSON merge
// patch setting each field back, null for those the object did not have; a JSON patch when
// a field held null, which a merge patch cannot set. A list is set back whole.
func (x *Actions) undoFields(ctx context.Context, c *Client, o incident.PriorObject, dry bool, rec *recorder) (string, error) {
	ri, _, err := resource(ctx, c, o.APIVersion, o.Kind, o.Namespace)
	if err != nil {
		return "", err
	}
	cur, err := ri.Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	var drift []string
	nullBefore := false
	for _, f := range o.Fields {
		path := strings.Join(f.Path, ".")
		v, ok := lookup(cur.Object, f.Path)
		switch {
		case f.Removed && ok:
			drift = append(drift, fmt.Sprintf("%s: the step removed it, it is %s now", path, jsonText(v)))
		case !f.Removed && !ok:
			drift = append(drift, fmt.Sprintf("%s: the step set %s, it is unset now", path, jsonText(f.After)))
		case !f.Removed && !sameJSON(v, f.After):
			drift = append(drift, fmt.Sprintf("%s: the step set %s, it is %s now", path, jsonText(f.After), jsonText(v)))
		}
		nullBefore = nullBefore || (!f.Absent && f.Before == nil)
	}
	inv := &incident.Action{Type: "kubernetes.patch", APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
		PatchType: "merge", Patch: mergeInverse(o.Fields)}
	if nullBefore {
		inv.PatchType, inv.Patch = "json", jsonInverse(o.Fields)
	}
	out, err := x.patch(ctx, c, inv, dry, rec)
	if err != nil {
		return "", err
	}
	return out + drifted(drift), nil
}

// mergeInverse is the JSON merge patch that sets each field back: its prior value, or null
// for a field that was absent.
func mergeInverse(fields []incident.PriorField) map[string]any {
	top := map[string]any{}
	for _, f := range fields {
		m := top
		for _, k := range f.Path[:len(f.Path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		var v any
		if !f.Absent {
			v = f.Before
		}
		m[f.Path[len(f.Path)-1]] = v
	}
	return top
}

// jsonInverse is the JSON patch that sets each field back: add its prior value (add replaces
// a value that is there), remove a field that was absent.
func jsonInverse(fields []incident.PriorField) []any {
	var ops []any
	for _, f := range fields {
		ptr := ""
		for _, k := range f.Path {
			ptr += "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
		}
		if f.Absent {
			ops = append(ops, map[string]any{"op": "remove", "path": ptr})
		} else {
			ops = append(ops, map[string]any{"op": "add", "path": ptr, "value": f.Before})
		}
	}
	return ops
}

// undoObject puts back an object an apply changed: deletes one it created, replaces one it
// changed with the recorded object (an update on the current resourceVersion), or creates
// the recorded object again when it is gone (the undo of an undo that deleted it).
func (x *Actions) undoObject(ctx context.Context, c *Client, o incident.PriorObject, dry bool, rec *recorder) (string, error) {
	ri, m, err := resource(ctx, c, o.APIVersion, o.Kind, o.Namespace)
	if err != nil {
		return "", err
	}
	cur, gerr := ri.Get(ctx, o.Name, metav1.GetOptions{})
	if gerr != nil && !apierrors.IsNotFound(gerr) {
		return "", gerr
	}
	gone := apierrors.IsNotFound(gerr)
	var drift []string
	if o.After != nil {
		if gone {
			drift = append(drift, "it was deleted")
		} else if d := objectDrift(o.After, cur.Object); d != "" {
			drift = append(drift, strings.Split(d, "\n")...)
		}
	}
	ann := changeAnnotations(ctx, x.now())
	switch {
	case o.Object == nil && gone:
		return fmt.Sprintf("%s is gone already: nothing to delete", o.Ref()), nil
	case o.Object == nil:
		opts := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: ptrTo(cur.GetUID())}}
		if dry {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		if err := ri.Delete(ctx, o.Name, opts); err != nil {
			return "", err
		}
		rec.object(m, cur.Object, nil)
		return fmt.Sprintf("%sdelete %s %s (the step created it)%s", prefix(dry), m.Kind.Kind, objectName(cur), drifted(drift)), nil
	case gone:
		obj := &unstructured.Unstructured{Object: jsonCopy(o.Object)}
		addAnnotations(obj, ann)
		opts := metav1.CreateOptions{FieldManager: "incidentbot"}
		if dry {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		made, err := ri.Create(ctx, obj, opts)
		if err != nil {
			return "", err
		}
		rec.object(m, nil, made.Object)
		return fmt.Sprintf("%screate %s %s again, as it was before the step%s", prefix(dry), m.Kind.Kind, objectName(made), drifted(drift)), nil
	default:
		obj := &unstructured.Unstructured{Object: jsonCopy(o.Object)}
		obj.SetResourceVersion(cur.GetResourceVersion())
		addAnnotations(obj, ann)
		opts := metav1.UpdateOptions{FieldManager: "incidentbot"}
		if dry {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		after, err := ri.Update(ctx, obj, opts)
		if err != nil {
			return "", err
		}
		rec.object(m, cur.Object, after.Object)
		return fmt.Sprintf("%srestore %s %s as it was before the step:\n%s%s", prefix(dry), m.Kind.Kind, objectName(after),
			diff(cur.Object, after.Object), drifted(drift)), nil
	}
}

// controllerFields are what controllers write on objects after a change, which are no
// one's change to an undo: a Deployment's revision.
var controllerFields = []string{"metadata.annotations.deployment.kubernetes.io/revision"}

// objectDrift lists how the object differs now from how the step left it, or "".
func objectDrift(after, now map[string]any) string {
	d := diff(clean(after), clean(now))
	if d == "(no change)" {
		return ""
	}
	var keep []string
	for _, line := range strings.Split(d, "\n") {
		field, _, _ := strings.Cut(line, ": ")
		if !slices.Contains(controllerFields, field) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// addAnnotations sets ann (the change mark, nil for none) in obj's annotations.
func addAnnotations(obj *unstructured.Unstructured, ann map[string]string) {
	if ann == nil {
		return
	}
	all := obj.GetAnnotations()
	if all == nil {
		all = map[string]string{}
	}
	for k, v := range ann {
		all[k] = v
	}
	obj.SetAnnotations(all)
}

func ptrTo[T any](v T) *T { return &v }
