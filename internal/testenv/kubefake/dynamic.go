// Package kubefake serves client-go's typed fake clientset through the dynamic client's
// interface, which is all internal/kube uses. The typed fake keeps what tests rely on:
// typed objects in its tracker, reactors, strategic merge patches (which need the Go
// types), subresources such as pods/eviction. The dynamic client's own fake stores
// unstructured objects and cannot apply a strategic merge patch.
//
// Each call becomes the k8s.io/client-go/testing action the typed client would send and
// goes through the clientset's reactor chain; objects cross as unstructured, converted
// with the clientset's scheme. Label selectors are applied to lists as the typed fake
// does; field selectors are not (neither does the typed fake). Watch is not served.
package kubefake

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"
)

// Dynamic returns a dynamic client over cs.
func Dynamic(cs *fake.Clientset) dynamic.Interface {
	kinds := map[schema.GroupVersionResource]schema.GroupVersionKind{}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		plural, _ := meta.UnsafeGuessKindToResource(gvk)
		if _, ok := kinds[plural]; !ok {
			kinds[plural] = gvk
		}
	}
	return &client{cs: cs, kinds: kinds}
}

type client struct {
	cs    *fake.Clientset
	kinds map[schema.GroupVersionResource]schema.GroupVersionKind // resource -> kind of its objects
}

func (c *client) Resource(gvr schema.GroupVersionResource) dynamic.NamespaceableResourceInterface {
	return &resource{client: c, gvr: gvr}
}

// resource is one resource, in one namespace ("" for all namespaces or a cluster-scoped kind).
type resource struct {
	*client
	gvr schema.GroupVersionResource
	ns  string
}

var _ dynamic.NamespaceableResourceInterface = (*resource)(nil)

func (r *resource) Namespace(ns string) dynamic.ResourceInterface {
	return &resource{client: r.client, gvr: r.gvr, ns: ns}
}

// errNotServed: the dynamic client has it, internal/kube never calls it.
var errNotServed = errors.New("kubefake: not served")

func (r *resource) Create(_ context.Context, obj *unstructured.Unstructured, opts metav1.CreateOptions, sub ...string) (*unstructured.Unstructured, error) {
	typed, err := r.typed(obj)
	if err != nil {
		return nil, err
	}
	var action k8stesting.Action = k8stesting.NewCreateActionWithOptions(r.gvr, r.ns, typed, opts)
	if len(sub) > 0 {
		action = k8stesting.NewCreateSubresourceActionWithOptions(r.gvr, obj.GetName(), sub[0], r.ns, typed, opts)
	}
	return r.invoke(action)
}

func (r *resource) Update(_ context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions, sub ...string) (*unstructured.Unstructured, error) {
	typed, err := r.typed(obj)
	if err != nil {
		return nil, err
	}
	var action k8stesting.Action = k8stesting.NewUpdateActionWithOptions(r.gvr, r.ns, typed, opts)
	if len(sub) > 0 {
		action = k8stesting.NewUpdateSubresourceActionWithOptions(r.gvr, sub[0], r.ns, typed, opts)
	}
	return r.invoke(action)
}

func (r *resource) UpdateStatus(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions) (*unstructured.Unstructured, error) {
	return r.Update(ctx, obj, opts, "status")
}

func (r *resource) Delete(_ context.Context, name string, opts metav1.DeleteOptions, sub ...string) error {
	var action k8stesting.Action = k8stesting.NewDeleteActionWithOptions(r.gvr, r.ns, name, opts)
	if len(sub) > 0 {
		action = k8stesting.NewDeleteSubresourceActionWithOptions(r.gvr, sub[0], r.ns, name, opts)
	}
	_, err := r.cs.Invokes(action, nil)
	return err
}

func (r *resource) DeleteCollection(context.Context, metav1.DeleteOptions, metav1.ListOptions) error {
	return errNotServed
}

func (r *resource) Get(_ context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error) {
	var action k8stesting.Action = k8stesting.NewGetActionWithOptions(r.gvr, r.ns, name, opts)
	if len(sub) > 0 {
		action = k8stesting.NewGetSubresourceActionWithOptions(r.gvr, r.ns, sub[0], name, opts)
	}
	return r.invoke(action)
}

func (r *resource) List(_ context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	gvk, ok := r.kinds[r.gvr]
	if !ok {
		return nil, fmt.Errorf("kubefake: no kind is known for %s", r.gvr)
	}
	sel, err := labels.Parse(opts.LabelSelector)
	if err != nil {
		return nil, err
	}
	obj, err := r.cs.Invokes(k8stesting.NewListActionWithOptions(r.gvr, gvk, r.ns, opts), nil)
	if err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(obj)
	if err != nil {
		return nil, err
	}
	out := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": gvk.GroupVersion().String(), "kind": gvk.Kind + "List"}}
	for _, item := range items {
		u, err := r.unstructured(item)
		if err != nil {
			return nil, err
		}
		if sel.Matches(labels.Set(u.GetLabels())) {
			out.Items = append(out.Items, *u)
		}
	}
	return out, nil
}

func (r *resource) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	return nil, errNotServed
}

func (r *resource) Patch(_ context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, sub ...string) (*unstructured.Unstructured, error) {
	return r.invoke(k8stesting.NewPatchSubresourceActionWithOptions(r.gvr, r.ns, name, pt, data, opts, sub...))
}

func (r *resource) Apply(context.Context, string, *unstructured.Unstructured, metav1.ApplyOptions, ...string) (*unstructured.Unstructured, error) {
	return nil, errNotServed
}

func (r *resource) ApplyStatus(context.Context, string, *unstructured.Unstructured, metav1.ApplyOptions) (*unstructured.Unstructured, error) {
	return nil, errNotServed
}

// invoke runs the action through the reactors and returns its object as unstructured.
func (r *resource) invoke(action k8stesting.Action) (*unstructured.Unstructured, error) {
	obj, err := r.cs.Invokes(action, nil)
	if err != nil {
		return nil, err
	}
	if obj == nil { // a reactor that answers nothing, as an eviction's may: the API server's Status
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Status", "status": "Success"}}, nil
	}
	return r.unstructured(obj)
}

// typed converts an object to its Go type, as the typed client would have sent it.
func (r *resource) typed(u *unstructured.Unstructured) (runtime.Object, error) {
	obj, err := scheme.Scheme.New(u.GroupVersionKind())
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// unstructured converts a typed object, with its apiVersion and kind (which typed objects
// from the tracker leave empty).
func (r *resource) unstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	if u.GetKind() == "" {
		kinds, _, err := scheme.Scheme.ObjectKinds(obj)
		if err != nil {
			return nil, err
		}
		u.SetGroupVersionKind(kinds[0])
	}
	return u, nil
}
