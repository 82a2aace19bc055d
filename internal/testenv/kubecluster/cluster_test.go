package kubecluster

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// A kwok node holds a lease that kwok renews, as a kubelet does. Without one the node
// lifecycle controller marks the node Unknown some 50 s after it came up, its pods stop
// being ready, and kwok's initialize stage patches its addresses away, so that execs on it
// fail ("no preferred addresses found"): the drills failed about one run in two.
func TestKwokRenewsItsNodesLeases(t *testing.T) {
	if !Available() {
		t.Skip("set INCIDENTBOT_KUBE_BIN (make test-e2e does) to start a control plane")
	}
	c, err := Start(context.Background(), t.TempDir(), Options{Workloads: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kc := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-0", Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"}}}
	if _, err := kc.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	renewed := func() time.Time {
		l, err := kc.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, "kwok-0", metav1.GetOptions{})
		if err != nil || l.Spec.RenewTime == nil {
			return time.Time{}
		}
		return l.Spec.RenewTime.Time
	}
	var first time.Time
	waitFor(t, 30*time.Second, "the node's lease", func() bool { first = renewed(); return !first.IsZero() })
	// Renewed every quarter of its 40 s duration.
	waitFor(t, 30*time.Second, "the lease to be renewed", func() bool { return renewed().After(first) })
	n, err := kc.CoreV1().Nodes().Get(ctx, "kwok-0", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Status.Addresses) == 0 {
		t.Errorf("the node has no addresses: %+v", n.Status)
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady && cond.Status != corev1.ConditionTrue {
			t.Errorf("the node is not ready: %+v", cond)
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out after %s waiting for %s", d, what)
}
