package kube

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// The resources the built-in actions read and change. They go through the dynamic client
// and are converted to the k8s.io/api types here, so the binary links only the API groups
// it uses instead of client-go's typed clientset with every group (issue 14: idle memory).
var (
	nodesResource        = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
	podsResource         = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	deploymentsResource  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	statefulSetsResource = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	daemonSetsResource   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
)

// getAs reads one object (ns "" for a cluster-scoped kind) as type T.
func getAs[T any](ctx context.Context, c *Client, gvr schema.GroupVersionResource, ns, name string) (*T, error) {
	u, err := c.Dynamic.Resource(gvr).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return fromUnstructured[T](u.Object)
}

// listAs lists objects (ns "" for all namespaces) as type T.
func listAs[T any](ctx context.Context, c *Client, gvr schema.GroupVersionResource, ns string, opts metav1.ListOptions) ([]T, error) {
	list, err := c.Dynamic.Resource(gvr).Namespace(ns).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(list.Items))
	for i := range list.Items {
		v, err := fromUnstructured[T](list.Items[i].Object)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// patchAs patches one object and returns what the server answered as type T.
func patchAs[T any](ctx context.Context, c *Client, gvr schema.GroupVersionResource, ns, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*T, error) {
	u, err := c.Dynamic.Resource(gvr).Namespace(ns).Patch(ctx, name, pt, data, opts)
	if err != nil {
		return nil, err
	}
	return fromUnstructured[T](u.Object)
}

func fromUnstructured[T any](m map[string]any) (*T, error) {
	var v T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
