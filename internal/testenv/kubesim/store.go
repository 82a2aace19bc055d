package kubesim

import (
	"reflect"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"
)

// store is the fake clientset's object tracker with two behaviours of the API server that
// the bot relies on: a dry run (DryRun: All) changes nothing, and a change of an object's
// spec bumps metadata.generation (what observedGeneration is compared with).
type store struct{ k8stesting.ObjectTracker }

func (s *store) Create(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.CreateOptions) error {
	if len(opts) > 0 && len(opts[0].DryRun) > 0 {
		return errDryRunCreate
	}
	return s.ObjectTracker.Create(gvr, obj, ns, opts...)
}

func (s *store) Update(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.UpdateOptions) error {
	if len(opts) > 0 && len(opts[0].DryRun) > 0 {
		return nil
	}
	s.bumpGeneration(gvr, obj, ns)
	return s.ObjectTracker.Update(gvr, obj, ns, opts...)
}

// Patch stores the patched object the reaction computed; on a dry run it stores nothing,
// and the reaction still answers with what the object would have become.
func (s *store) Patch(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.PatchOptions) error {
	if len(opts) > 0 && len(opts[0].DryRun) > 0 {
		return nil
	}
	s.bumpGeneration(gvr, obj, ns)
	return s.ObjectTracker.Patch(gvr, obj, ns, opts...)
}

func (s *store) Apply(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.PatchOptions) error {
	if len(opts) > 0 && len(opts[0].DryRun) > 0 {
		return errDryRunCreate
	}
	return s.ObjectTracker.Apply(gvr, obj, ns, opts...)
}

func (s *store) Delete(gvr schema.GroupVersionResource, ns, name string, opts ...metav1.DeleteOptions) error {
	if len(opts) > 0 && len(opts[0].DryRun) > 0 {
		return nil
	}
	return s.ObjectTracker.Delete(gvr, ns, name, opts...)
}

// bumpGeneration sets obj's generation one past the stored object's when their specs
// differ, as the API server does for every kind with a spec.
func (s *store) bumpGeneration(gvr schema.GroupVersionResource, obj runtime.Object, ns string) {
	next, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	old, err := s.Get(gvr, ns, next.GetName())
	if err != nil {
		return
	}
	prev, err := meta.Accessor(old)
	if err != nil {
		return
	}
	specOf := func(o runtime.Object) reflect.Value {
		v := reflect.ValueOf(o)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		return v.FieldByName("Spec")
	}
	a, b := specOf(old), specOf(obj)
	if !a.IsValid() || !b.IsValid() {
		return
	}
	if reflect.DeepEqual(a.Interface(), b.Interface()) {
		next.SetGeneration(prev.GetGeneration())
	} else {
		next.SetGeneration(prev.GetGeneration() + 1)
	}
}
