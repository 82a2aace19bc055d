package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Why some changes have no inverse, as the step's Prior says and an Undo answers.
const (
	noInverseRestart = "a rollout restart has no inverse: the old pods are gone, and restarting again would only replace the new ones"
	noInverseExec    = "an exec has no inverse: the bot cannot know what the command changed"
	noInverseNothing = "it changed nothing"
)

// recorder collects the prior state of what a real execution changes (incident.Prior), for
// Undo. A nil recorder (a dry run) records nothing.
type recorder struct {
	prior   incident.Prior
	changed bool // a mutating action ran, whether or not it changed an object
}

// result is the Prior of a's execution: nil for the actions that change nothing (wait,
// check), the reason there is no inverse for those that have none or changed nothing.
func (r *recorder) result(a *incident.Action) *incident.Prior {
	if !r.changed {
		return nil
	}
	p := r.prior
	p.Cluster = a.Cluster
	if p.NoInverse == "" && len(p.Objects) == 0 {
		p.NoInverse = noInverseNothing
	}
	return &p
}

// partial is the Prior of a's execution that failed: what it changed before failing, or
// nil when it changed nothing (or nothing it can undo).
func (r *recorder) partial(a *incident.Action) *incident.Prior {
	if len(r.prior.Objects) == 0 || r.prior.NoInverse != "" {
		return nil
	}
	return r.result(a)
}

func (r *recorder) add(o incident.PriorObject) {
	if r != nil {
		r.changed = true
		r.prior.Objects = append(r.prior.Objects, o)
	}
}

// noInverse records that the change cannot be undone, and why (the first reason stays).
func (r *recorder) noInverse(why string) {
	if r != nil {
		r.changed = true
		if r.prior.NoInverse == "" {
			r.prior.NoInverse = why
		}
	}
}

// mutated records that a mutating action ran, though it may change nothing.
func (r *recorder) mutated() {
	if r != nil {
		r.changed = true
	}
}

// replicas records a workload scaled from before to set replicas.
func (r *recorder) replicas(kind, ns, name string, before, set int32) {
	b, s := int(before), int(set)
	r.add(incident.PriorObject{What: incident.PriorReplicas, APIVersion: "apps/v1", Kind: kind, Namespace: ns, Name: name, Replicas: &b, SetReplicas: &s})
}

// unschedulable records a node's spec.unschedulable changed from before to set.
func (r *recorder) unschedulable(node string, before, set bool) {
	r.add(incident.PriorObject{What: incident.PriorUnschedulable, APIVersion: "v1", Kind: "Node", Name: node, Unschedulable: &before, SetUnschedulable: &set})
}

// drained records a drain: the cordon, if the drain made it, and the evicted pods, which
// no undo brings back.
func (r *recorder) drained(node string, cordoned bool, evicted []string) {
	if r == nil {
		return
	}
	r.mutated()
	gone := ""
	if len(evicted) > 0 {
		gone = fmt.Sprintf("the %d pods the drain evicted are not brought back (their controllers recreate them where they can): %s", len(evicted), strings.Join(evicted, ", "))
	}
	if !cordoned {
		why := fmt.Sprintf("node %s was cordoned before the drain, so there is nothing to uncordon", node)
		if gone != "" {
			why += ", and " + gone
		}
		r.noInverse(why)
		return
	}
	r.unschedulable(node, false, true)
	if gone != "" {
		r.prior.Note = "Uncordoning does not undo the evictions: " + gone + "."
	}
}

// fields records the fields a patch changed, from the object before and after it.
func (r *recorder) fields(m *Mapping, before, after map[string]any) {
	if r == nil {
		return
	}
	r.mutated()
	var fs []incident.PriorField
	changedFields(nil, comparable(before), comparable(after), &fs)
	if len(fs) == 0 {
		return
	}
	r.add(incident.PriorObject{What: incident.PriorFields, APIVersion: m.Kind.GroupVersion().String(), Kind: m.Kind.Kind,
		Namespace: namespaceOf(after), Name: nameOf(after), Fields: fs})
}

// object records an object an apply changed: as it was (nil: the apply created it) and as
// the apply left it.
func (r *recorder) object(m *Mapping, before, after map[string]any) {
	if r == nil {
		return
	}
	named := after
	if named == nil {
		named = before
	}
	o := incident.PriorObject{What: incident.PriorObjectState, APIVersion: m.Kind.GroupVersion().String(), Kind: m.Kind.Kind,
		Namespace: namespaceOf(named), Name: nameOf(named)}
	if before != nil {
		o.Object = clean(before)
	}
	if after != nil {
		o.After = clean(after)
	}
	r.add(o)
}

func metadataOf(obj map[string]any) map[string]any {
	md, _ := obj["metadata"].(map[string]any)
	return md
}

func namespaceOf(obj map[string]any) string { s, _ := metadataOf(obj)["namespace"].(string); return s }
func nameOf(obj map[string]any) string      { s, _ := metadataOf(obj)["name"].(string); return s }

// bookkeeping are the metadata fields the API server keeps, which a prior object leaves out
// and a restore does not send.
var bookkeeping = []string{"resourceVersion", "managedFields", "uid", "creationTimestamp", "generation", "selfLink",
	"deletionTimestamp", "deletionGracePeriodSeconds"}

// clean is a copy of obj as JSON decodes it, without status and the server's bookkeeping.
func clean(obj map[string]any) map[string]any {
	out := jsonCopy(obj)
	delete(out, "status")
	if md := metadataOf(out); md != nil {
		for _, k := range bookkeeping {
			delete(md, k)
		}
	}
	return out
}

// comparable is clean(obj) without the change mark's annotations (and an annotations
// object they alone made): what a patch's recorded fields are compared on.
func comparable(obj map[string]any) map[string]any {
	out := clean(obj)
	if md := metadataOf(out); md != nil {
		if ann, ok := md["annotations"].(map[string]any); ok {
			delete(ann, ChangedByAnnotation)
			delete(ann, ChangedAtAnnotation)
			if len(ann) == 0 {
				delete(md, "annotations")
			}
		}
	}
	return out
}

func jsonCopy(obj map[string]any) map[string]any {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// changedFields appends the fields that differ between before and after, under path: an
// object is compared key by key, anything else (a list too) as a whole.
func changedFields(path []string, before, after map[string]any, out *[]incident.PriorField) {
	keys := make([]string, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := append(slices.Clone(path), k)
		bv, bok := before[k]
		av, aok := after[k]
		switch {
		case !bok:
			*out = append(*out, incident.PriorField{Path: p, Absent: true, After: av})
		case !aok:
			*out = append(*out, incident.PriorField{Path: p, Before: bv, Removed: true})
		default:
			bm, bIsMap := bv.(map[string]any)
			am, aIsMap := av.(map[string]any)
			if bIsMap && aIsMap {
				changedFields(p, bm, am, out)
			} else if !sameJSON(bv, av) {
				*out = append(*out, incident.PriorField{Path: p, Before: bv, After: av})
			}
		}
	}
}

// sameJSON reports whether a and b encode alike (3 and 3.0 do; map keys are sorted).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// lookup finds the value at path in obj.
func lookup(obj map[string]any, path []string) (any, bool) {
	var cur any = obj
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// jsonText is a value as the plan shows it: JSON, strings without quotes, cut to 80 bytes.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	s := string(bytes.Trim(b, `"`))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
