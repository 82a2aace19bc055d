package incident

import (
	"fmt"
	"slices"
	"strings"
)

// Prior is what a mutating step changed (one that succeeded, or failed partway), as it was before the step: the
// executor records it with the step's result (StepResult.Prior), the store keeps it with
// the step (RunStep.Prior, as JSON), and Undo builds the step's inverse from it, so an undo
// works after a restart of the bot. It is data only; the Kubernetes adapter writes and
// reads it.
type Prior struct {
	// Cluster is the configured cluster the step changed ("" the default one).
	Cluster string `json:"cluster,omitempty"`
	// Objects are the objects the step changed, in the order it changed them; the inverse
	// restores them in the reverse order.
	Objects []PriorObject `json:"objects,omitempty"`
	// NoInverse says why the change cannot be undone (a rollout restart, an exec, a step
	// that changed nothing); "" when it can.
	NoInverse string `json:"no_inverse,omitempty"`
	// Note says what the inverse leaves as it is: a drain's evicted pods are not brought back.
	Note string `json:"note,omitempty"`
}

// The forms of a PriorObject.
const (
	PriorReplicas      = "replicas"      // scale: Replicas before, SetReplicas by the step
	PriorUnschedulable = "unschedulable" // cordon, drain: the node's spec.unschedulable before and after
	PriorFields        = "fields"        // patch: the fields the patch changed
	PriorObjectState   = "object"        // apply: the whole object before (Object; nil: the step created it)
)

// PriorObject is one object a step changed and its state before the step, in one of four
// forms (What): the replicas of a workload, the unschedulable flag of a node, the fields a
// patch changed, or the whole object an apply changed. The values the step set are kept
// too, so the plan of the undo can show what changed since (someone else changed it).
type PriorObject struct {
	What       string `json:"what"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`

	Replicas    *int `json:"replicas,omitempty"`
	SetReplicas *int `json:"set_replicas,omitempty"`

	Unschedulable    *bool `json:"unschedulable,omitempty"`
	SetUnschedulable *bool `json:"set_unschedulable,omitempty"`

	Fields []PriorField `json:"fields,omitempty"`

	// Object is the object before the step without its bookkeeping (status, managedFields,
	// resourceVersion, uid, ...); nil when the step created it. After is as the step left it.
	Object map[string]any `json:"object,omitempty"`
	After  map[string]any `json:"after,omitempty"`
}

// PriorField is one field a patch changed: its path of object keys from the top of the
// object (a list is one field, restored whole), its value before, or Absent when the object
// had none, and its value after, or Removed when the patch took it away.
type PriorField struct {
	Path    []string `json:"path"`
	Before  any      `json:"before"`
	Absent  bool     `json:"absent,omitempty"`
	After   any      `json:"after"`
	Removed bool     `json:"removed,omitempty"`
}

// Undoable reports whether the change has an inverse.
func (p *Prior) Undoable() bool { return p != nil && p.NoInverse == "" && len(p.Objects) > 0 }

// Ref names the object as kubectl does: deployment nephoran-system/api, node node-7.
func (o PriorObject) Ref() string {
	name := o.Name
	if o.Namespace != "" {
		name = o.Namespace + "/" + name
	}
	return strings.ToLower(o.Kind) + " " + name
}

// Summary is the inverse on one line per object, for the undo step's card and the timeline:
// "scale deployment ns/api back to 3 replicas".
func (p *Prior) Summary() string {
	var lines []string
	for i := len(p.Objects) - 1; i >= 0; i-- {
		o := p.Objects[i]
		switch o.What {
		case PriorReplicas:
			lines = append(lines, fmt.Sprintf("scale %s back to %d replicas", o.Ref(), deref(o.Replicas)))
		case PriorUnschedulable:
			if o.Unschedulable != nil && *o.Unschedulable {
				lines = append(lines, "cordon "+o.Ref()+" again")
			} else {
				lines = append(lines, "uncordon "+o.Ref())
			}
		case PriorFields:
			paths := make([]string, len(o.Fields))
			for i, f := range o.Fields {
				paths[i] = strings.Join(f.Path, ".")
			}
			lines = append(lines, fmt.Sprintf("patch %s back: %s", o.Ref(), strings.Join(paths, ", ")))
		case PriorObjectState:
			if o.Object == nil {
				lines = append(lines, "delete "+o.Ref()+" (the step created it)")
			} else {
				lines = append(lines, "restore "+o.Ref()+" as it was before the step")
			}
		}
	}
	return strings.Join(lines, "\n")
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// MergePrior is the Prior of a step run again (Retry) after an attempt that changed
// something and failed: each object as it was before the first attempt that changed it,
// so that the undo restores the state from before the step, not from between attempts
// (a scale retried after it set one of two Deployments to 0 saw that one at 0 already).
// Either may be nil.
func MergePrior(earlier, later *Prior) *Prior {
	switch {
	case earlier == nil || len(earlier.Objects) == 0:
		return later
	case later == nil:
		return earlier
	}
	merged := *earlier
	merged.Objects = slices.Clone(earlier.Objects)
	for _, o := range later.Objects {
		if !slices.ContainsFunc(merged.Objects, o.sameObject) {
			merged.Objects = append(merged.Objects, o)
		}
	}
	if merged.Note == "" {
		merged.Note = later.Note
	}
	return &merged
}

// sameObject reports whether o and other are the same change of the same object.
func (o PriorObject) sameObject(other PriorObject) bool {
	return o.What == other.What && o.APIVersion == other.APIVersion && o.Kind == other.Kind &&
		o.Namespace == other.Namespace && o.Name == other.Name
}
