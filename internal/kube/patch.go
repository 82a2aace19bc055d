package kube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
)

// resource finds the dynamic client of a kind through the Mapper.
func resource(ctx context.Context, c *Client, apiVersion, kind, namespace string) (dynamic.ResourceInterface, *Mapping, error) {
	if c.Dynamic == nil || c.Mapper == nil {
		return nil, nil, fmt.Errorf("this cluster connection cannot reach arbitrary kinds such as %s (a simulated cluster)", kind)
	}
	m, err := c.Mapper.Mapping(ctx, apiVersion, kind)
	if err != nil {
		return nil, nil, fmt.Errorf("the cluster has no kind %s: %w", kind, err)
	}
	if m.Namespaced {
		if namespace == "" {
			return nil, nil, fmt.Errorf("%s is namespaced: set namespace", kind)
		}
		return c.Dynamic.Resource(m.Resource).Namespace(namespace), m, nil
	}
	return c.Dynamic.Resource(m.Resource), m, nil
}

var patchTypes = map[string]types.PatchType{
	"": types.StrategicMergePatchType, "strategic": types.StrategicMergePatchType,
	"merge": types.MergePatchType, "json": types.JSONPatchType,
}

// patch patches any resource and lists the fields that change. The change mark goes in the
// same patch for merge and strategic merge patches; after a JSON patch (which cannot add to
// annotations that may not exist) it is a metadata-only merge patch of its own.
func (x *Actions) patch(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	ri, m, err := resource(ctx, c, a.APIVersion, a.Kind, a.Namespace)
	if err != nil {
		return "", err
	}
	before, err := ri.Get(ctx, a.Name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(a.Patch)
	if err != nil {
		return "", err
	}
	pt := patchTypes[a.PatchType]
	ann := changeAnnotations(ctx, x.now())
	if ann != nil && pt != types.JSONPatchType {
		var p map[string]any // a copy: the step's own patch stays as it was
		if err := json.Unmarshal(data, &p); err == nil && p != nil && withAnnotations(p, ann) {
			if data, err = json.Marshal(p); err != nil {
				return "", err
			}
			ann = nil
		}
	}
	after, err := ri.Patch(ctx, a.Name, pt, data, patchOptions(dry))
	if err != nil {
		return "", err
	}
	rec.fields(m, before.Object, after.Object)
	out := fmt.Sprintf("%spatch %s %s:\n%s", prefix(dry), m.Kind.Kind, objectName(after), diff(before.Object, after.Object))
	if ann != nil {
		mark, _ := json.Marshal(metadataPatch(ann))
		if _, err := ri.Patch(ctx, a.Name, types.MergePatchType, mark, patchOptions(dry)); err != nil {
			// The change is made; failing the step now would say otherwise.
			out += "\n(could not write the change mark: " + describeErr(err) + ")"
		}
	}
	return out, nil
}

// apply server-side applies every object of the manifest, as field manager incidentbot,
// each with the change mark set in its metadata.annotations before it is sent.
func (x *Actions) apply(ctx context.Context, c *Client, a *incident.Action, dry bool, rec *recorder) (string, error) {
	rec.mutated()
	objs, err := decodeManifest(a.Content)
	if err != nil {
		return "", fmt.Errorf("manifest %s: %w", a.Manifest, err)
	}
	var lines []string
	force := false
	ann := changeAnnotations(ctx, x.now())
	for _, obj := range objs {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = a.Namespace
		}
		ri, m, err := resource(ctx, c, obj.GetAPIVersion(), obj.GetKind(), ns)
		if err != nil {
			return strings.Join(lines, "\n"), err
		}
		if m.Namespaced {
			obj.SetNamespace(ns)
		}
		addAnnotations(obj, ann)
		data, err := json.Marshal(obj.Object)
		if err != nil {
			return "", err
		}
		before, gerr := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
		opts := patchOptions(dry)
		opts.Force = &force
		after, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, opts)
		if err != nil {
			return strings.Join(lines, "\n"), fmt.Errorf("%s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
		verb := "configured"
		switch {
		case apierrors.IsNotFound(gerr):
			verb = "created"
			rec.object(m, nil, after.Object)
		case gerr == nil && diff(before.Object, after.Object) == "(no change)":
			verb = "unchanged"
		case gerr == nil:
			rec.object(m, before.Object, after.Object)
		default:
			rec.noInverse(fmt.Sprintf("the bot could not read %s %s before applying it (%s), so it does not know what to restore", m.Kind.Kind, objectName(after), describeErr(gerr)))
		}
		if dry {
			verb = "would be " + verb
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", m.Kind.Kind, objectName(after), verb))
	}
	return strings.Join(lines, "\n"), nil
}

// decodeManifest reads the objects of a (multi-document) YAML or JSON manifest.
func decodeManifest(content string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(content), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if u.GetKind() == "" || u.GetAPIVersion() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("an object without apiVersion, kind or metadata.name")
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, errors.New("no objects")
	}
	return out, nil
}

func objectName(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return ns + "/" + u.GetName()
	}
	return u.GetName()
}

// diff lists the fields whose values differ, ignoring bookkeeping (resourceVersion,
// managedFields, generation, status) and the change mark's annotations.
func diff(before, after map[string]any) string {
	b, a := map[string]string{}, map[string]string{}
	flatten("", before, b)
	flatten("", after, a)
	var lines []string
	for k, av := range a {
		if ignored(k) {
			continue
		}
		if bv, ok := b[k]; !ok {
			lines = append(lines, fmt.Sprintf("%s: (unset) -> %s", k, av))
		} else if bv != av {
			lines = append(lines, fmt.Sprintf("%s: %s -> %s", k, bv, av))
		}
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok && !ignored(k) {
			lines = append(lines, fmt.Sprintf("%s: %s -> (unset)", k, bv))
		}
	}
	if len(lines) == 0 {
		return "(no change)"
	}
	sort.Strings(lines)
	if len(lines) > 30 {
		lines = append(lines[:30], fmt.Sprintf("... and %d more", len(lines)-30))
	}
	return strings.Join(lines, "\n")
}

func ignored(path string) bool {
	if markedField(path) {
		return true
	}
	for _, p := range []string{"metadata.resourceVersion", "metadata.managedFields", "metadata.generation", "metadata.uid",
		"metadata.creationTimestamp", "status"} {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// flatten lists the leaves of v by path. An empty object or list is a leaf of its own ("{}",
// "[]"), so replacing [] with [{}] (a NetworkPolicy's ingress: from none to all) is a change.
func flatten(prefix string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 && prefix != "" {
			out[prefix] = "{}"
		}
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out)
		}
	case []any:
		if len(v) == 0 {
			out[prefix] = "[]"
		}
		for i, x := range v {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), x, out)
		}
	default:
		b, _ := json.Marshal(v)
		out[prefix] = string(bytes.Trim(b, `"`))
	}
}
