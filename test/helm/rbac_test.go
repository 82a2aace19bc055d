package helm

import (
	"os"
	"reflect"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// checkManagedClusterRBAC: the optional RBAC has exactly the rules of
// deploy/kubernetes/managed-cluster-rbac.yaml, bound to the release's ServiceAccount.
func checkManagedClusterRBAC(t *testing.T, r rendered) {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/kubernetes/managed-cluster-rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parseObjects(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	manifest := rendered{t: t, objs: objs}
	var wantRole, gotRole rbacv1.Role
	var wantCluster, gotCluster rbacv1.ClusterRole
	manifest.one("Role", &wantRole)
	manifest.one("ClusterRole", &wantCluster)
	r.one("Role", &gotRole)
	r.one("ClusterRole", &gotCluster)
	if !reflect.DeepEqual(gotRole.Rules, wantRole.Rules) || gotRole.Namespace != wantRole.Namespace {
		t.Errorf("the chart's Role in %s:\n%+v\nmanaged-cluster-rbac.yaml's in %s:\n%+v", gotRole.Namespace, gotRole.Rules, wantRole.Namespace, wantRole.Rules)
	}
	if !reflect.DeepEqual(gotCluster.Rules, wantCluster.Rules) {
		t.Errorf("the chart's ClusterRole:\n%+v\nmanaged-cluster-rbac.yaml's:\n%+v", gotCluster.Rules, wantCluster.Rules)
	}
	sa := r.deployment().Spec.Template.Spec.ServiceAccountName
	want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: namespace}}
	for kind, role := range map[string]string{"RoleBinding": gotRole.Name, "ClusterRoleBinding": gotCluster.Name} {
		objs := r.find(kind)
		if len(objs) != 1 {
			t.Fatalf("%d %ss", len(objs), kind)
		}
		var b struct {
			RoleRef  rbacv1.RoleRef   `json:"roleRef"`
			Subjects []rbacv1.Subject `json:"subjects"`
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(objs[0].Object, &b); err != nil {
			t.Fatal(err)
		}
		if b.RoleRef.Name != role || !reflect.DeepEqual(b.Subjects, want) {
			t.Errorf("%s binds %s to %+v, want %s to %+v", kind, b.RoleRef.Name, b.Subjects, role, want)
		}
	}
}
