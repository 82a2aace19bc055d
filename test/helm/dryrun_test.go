package helm

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv/kubecluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// warnings collects the API server's Warning headers (PodSecurity's among them).
type warnings struct {
	mu   sync.Mutex
	list []string
}

// HandleWarningHeader records one warning.
func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// apiServer is a real kube-apiserver (etcd and kube-apiserver, no workloads) and clients of it.
type apiServer struct {
	dyn        dynamic.Interface
	kube       kubernetes.Interface
	mapper     *restmapper.DeferredDiscoveryRESTMapper
	warnings   *warnings
	kubeconfig string
}

func startAPIServer(t *testing.T) *apiServer {
	t.Helper()
	if !kubecluster.Available() {
		t.Skip("set INCIDENTBOT_KUBE_BIN (make test-e2e does) to dry-run the chart on a real kube-apiserver")
	}
	c, err := kubecluster.Start(context.Background(), t.TempDir(), kubecluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	w := &warnings{}
	cfg.WarningHandler = w
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &apiServer{dyn: dynamic.NewForConfigOrDie(cfg), kube: kubernetes.NewForConfigOrDie(cfg),
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)), warnings: w,
		kubeconfig: c.Kubeconfig}
}

// dryRunApply applies obj with a server-side apply that changes nothing (dryRun=All) and
// refuses unknown or duplicate fields (fieldValidation=Strict).
func (s *apiServer) dryRunApply(ctx context.Context, obj *unstructured.Unstructured) error {
	gvk := obj.GroupVersionKind()
	m, err := s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return err
	}
	body, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	var res dynamic.ResourceInterface = s.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		res = s.dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
	}
	force := true
	_, err = res.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{
		FieldManager: "incidentbot-chart-test", Force: &force,
		DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict,
	})
	return err
}

// TestDryRunApply renders each value set and applies every object with a server-side dry run
// on a real kube-apiserver: the API server's own validation, strict field validation, and
// PodSecurity's "restricted" level enforced on the namespace (a Pod made from the
// Deployment's template is dry-run too, and any warning fails the test). The ServiceMonitor
// is checked against testdata/servicemonitor-crd.yaml, installed first. Then helm install's
// own dry run on that server renders NOTES.txt, which is checked too.
func TestDryRunApply(t *testing.T) {
	s := startAPIServer(t)
	ctx := context.Background()
	start := time.Now()
	restricted := map[string]string{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted"}
	for name, labels := range map[string]map[string]string{namespace: restricted, "nephoran-system": nil} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
		if _, err := s.kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	installCRD(t, s, "testdata/servicemonitor-crd.yaml")

	for _, values := range [][]string{nil, {"sqlite.yaml"}, {"postgres-ha.yaml"}} {
		r := render(t, values)
		for _, obj := range r.objs {
			if obj.GetNamespace() == "" && obj.GetKind() != "ClusterRole" && obj.GetKind() != "ClusterRoleBinding" {
				t.Errorf("%s %s has no namespace: it would land in the current context's", obj.GetKind(), obj.GetName())
			}
			if err := s.dryRunApply(ctx, obj); err != nil {
				t.Errorf("%v: dry-run apply of %s %s/%s: %v", values, obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
			}
		}
		// Enforcement applies to Pods, not Deployments: dry-run the pod the Deployment makes,
		// which needs its ServiceAccount to exist (created for real, once).
		d := r.deployment()
		var sa corev1.ServiceAccount
		r.one("ServiceAccount", &sa)
		if _, err := s.kube.CoreV1().ServiceAccounts(namespace).Create(ctx, &sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-dry-run", Namespace: namespace, Labels: d.Spec.Template.Labels},
			Spec: d.Spec.Template.Spec}
		if _, err := s.kube.CoreV1().Pods(namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Errorf("%v: the Deployment's pod in a namespace enforcing PodSecurity restricted: %v", values, err)
		}
		if w := s.warnings.take(); len(w) != 0 {
			t.Errorf("%v: the API server warned:\n%s", values, strings.Join(w, "\n"))
		}
		t.Logf("%v: %d objects dry-run applied (%v since the API server was up)", values, len(r.objs), time.Since(start).Round(time.Millisecond))
	}

	// helm install's own dry run against the API server (its capabilities), which also
	// renders NOTES.txt, the one template helm template leaves out. Another release name:
	// helm would not adopt the ServiceAccount created above.
	for _, tc := range []struct {
		values []string
		notes  string
	}{
		{[]string{"sqlite.yaml"}, "1 replica on SQLite (/data/incidentbot.db on the claim notes-incidentbot-data, kept on uninstall)"},
		{[]string{"postgres-ha.yaml"}, "3 replica(s) on PostgreSQL (the URL from Secret incidentbot-database, key INCIDENTBOT_DATABASE_URL)"},
		{[]string{"postgres-ha.yaml"}, "create secret generic bot-tokens \\\n    --from-literal=slack-bot-token=xoxb-... --from-literal=slack-signing-secret=...\n"},
	} {
		args := []string{"install", "notes", chartDir, "--namespace", namespace, "--dry-run=client", "--kubeconfig", s.kubeconfig,
			"--values", filepath.Join("testdata", tc.values[0])}
		out, stderr, err := runHelm(t, args...)
		if err != nil {
			t.Errorf("helm install --dry-run with %v: %v\n%s", tc.values, err, stderr)
			continue
		}
		notes := out[strings.Index(out, "NOTES:"):]
		if !strings.Contains(notes, tc.notes) || strings.Contains(notes, "<no value>") {
			t.Errorf("helm install --dry-run with %v: the notes do not say %q:\n%s", tc.values, tc.notes, notes)
		}
		t.Logf("%v: %s", tc.values, notes)
	}

	// A dry run changes nothing.
	if _, err := s.kube.AppsV1().Deployments(namespace).Get(ctx, release+"-incidentbot", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the dry run created the Deployment (get: %v)", err)
	}
	// And the checks can fail: PodSecurity refuses a pod that may escalate its privileges,
	// strict validation a field the API does not know.
	d := render(t, nil).deployment()
	d.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = new(true)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "escalating", Namespace: namespace}, Spec: d.Spec.Template.Spec}
	if _, err := s.kube.CoreV1().Pods(namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); !apierrors.IsForbidden(err) {
		t.Errorf("a pod with allowPrivilegeEscalation was not refused by PodSecurity: %v", err)
	}
	bad := render(t, nil).find("Deployment")[0].DeepCopy()
	unstructured.SetNestedField(bad.Object, int64(2), "spec", "replica")
	if err := s.dryRunApply(ctx, bad); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("a Deployment with spec.replica was not refused: %v", err)
	}
}

// installCRD creates a CustomResourceDefinition from a file and waits until it is served.
func installCRD(t *testing.T, s *apiServer, file string) {
	t.Helper()
	ctx := context.Background()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := parseObjects(string(raw))
	if err != nil || len(objs) != 1 {
		t.Fatalf("%s: %d objects, %v", file, len(objs), err)
	}
	crds := s.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if _, err := crds.Create(ctx, objs[0], metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	group, _, _ := unstructured.NestedString(objs[0].Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(objs[0].Object, "spec", "names", "kind")
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mapper.Reset()
		if _, err := s.mapper.RESTMapping(schema.GroupKind{Group: group, Kind: kind}, "v1"); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("the CRD %s is not served after 30s: %v", objs[0].GetName(), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
