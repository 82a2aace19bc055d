package kube_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/kubecluster"
	"github.com/nephoran/incidentbot/internal/testenv/patronifake"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const ns = "nephoran-system"

// e2e starts a real control plane with kwok nodes, or skips when the binaries are not built
// (make test-e2e builds them and runs these tests).
func e2e(t *testing.T) (*kubecluster.Cluster, kubernetes.Interface) {
	t.Helper()
	if !kubecluster.Available() {
		t.Skip("set INCIDENTBOT_KUBE_BIN (make test-e2e does) to run against a real kube-apiserver")
	}
	c, err := kubecluster.Start(context.Background(), t.TempDir(), kubecluster.Options{Workloads: true})
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
	if _, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0", Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{"type": "kwok", "kubernetes.io/hostname": "kwok-node-0"}},
		Status: corev1.NodeStatus{
			Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("110")},
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("110")},
		},
	}
	if _, err := kc.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the default service account", 60*time.Second, func() bool {
		_, err := kc.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil
	})
	return c, kc
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

func createDeployment(t *testing.T, kc kubernetes.Interface, name string, replicas int32) {
	t.Helper()
	labels := map[string]string{"app": name}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(replicas), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{NodeSelector: map[string]string{"type": "kwok"}, Containers: []corev1.Container{{Name: name, Image: "registry.invalid/" + name}}}}},
	}
	if _, err := kc.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func available(t *testing.T, kc kubernetes.Interface, name string) bool {
	d, err := kc.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return false
	}
	ok, _ := kube.DeploymentReady(d, true)
	return ok
}

// drill runs a playbook through the bot's domain (commands, approvals, outbox) against the
// real cluster as "us-east-1".
func drill(t *testing.T, c *kubecluster.Cluster, opts ...testenv.Option) (*testenv.System, string) {
	// 127.0.0.1: the preflight reads a Patroni fake on loopback.
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"us-east-1": "e2e"}), Poll: 200 * time.Millisecond,
		AllowedHosts: []string{"127.0.0.1"}}
	sys := testenv.NewSystem(t, append([]testenv.Option{testenv.WithKubernetes(x, "us-east-1")}, opts...)...)
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	sys.Do("U0ALICE", general, "declare P1 intent-processing drill")
	sys.Deliver()
	return sys, sys.Incident(1).ChannelID
}

func do(t *testing.T, sys *testenv.System, user, ch, text, want string) {
	t.Helper()
	if r := sys.Do(user, ch, text); !strings.Contains(r.Text, want) {
		t.Fatalf("%s: /incident %s: %q, want %q", user, text, r.Text, want)
	}
}

func steps(t *testing.T, sys *testenv.System) []incident.RunStep {
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	return runs[0].Steps
}

// The seed's application service-failure runbook, from the approval clicks to restarted,
// available Deployments read back from the API server.
func TestDrillApplicationServiceFailure(t *testing.T) {
	c, kc := e2e(t)
	for _, name := range []string{"llm-processor", "rag-service", "nephoran-controller"} {
		createDeployment(t, kc, name, 2)
	}
	waitFor(t, "the deployments", 60*time.Second, func() bool {
		return available(t, kc, "llm-processor") && available(t, kc, "rag-service") && available(t, kc, "nephoran-controller")
	})
	sys, ch := drill(t, c)
	do(t, sys, "U0ALICE", ch, "playbook application-service-failure cluster=us-east-1", "Started")
	sys.Deliver()
	st := steps(t, sys)
	if !strings.Contains(st[2].Plan, "would restart deployment nephoran-system/llm-processor") {
		t.Errorf("dry run of the restart: %q", st[2].Plan)
	}
	do(t, sys, "U0BOB", ch, "step 1 run", "Running")
	sys.Deliver() // the health check reads the cluster before the restarts begin, not beside them
	do(t, sys, "U0BOB", ch, "step 2 done", "Marked")
	for _, id := range []string{"3", "4", "5"} {
		do(t, sys, "U0BOB", ch, "step "+id+" run", "Asked for approval")
		do(t, sys, "U0ALICE", ch, "step "+id+" approve", "Approved; running")
	}
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 6 run", "Running")
	sys.Deliver()
	st = steps(t, sys)
	for i, want := range []incident.StepState{incident.StepSucceeded, incident.StepSucceeded, incident.StepSucceeded,
		incident.StepSucceeded, incident.StepSucceeded, incident.StepSucceeded} {
		if st[i].State != want {
			t.Errorf("step %d (%s) is %s: %s", i+1, st[i].Spec.StepID, st[i].State, st[i].Output)
		}
	}
	for _, name := range []string{"llm-processor", "rag-service", "nephoran-controller"} {
		d, err := kc.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Spec.Template.Annotations[kube.RestartedAtAnnotation] == "" {
			t.Errorf("%s was not restarted", name)
		}
		// The domain's mark of the step that restarted it: incident, step, claim token.
		if by := d.Annotations[kube.ChangedByAnnotation]; !regexp.MustCompile(`^INC-1 step 1\.[345] \S+, claim [1-9][0-9]*$`).MatchString(by) ||
			d.Annotations[kube.ChangedAtAnnotation] == "" {
			t.Errorf("%s carries the mark %q at %q", name, by, d.Annotations[kube.ChangedAtAnnotation])
		}
		// The playbook waits for Available, as the seed's kubectl wait does; the rollout of
		// the new pods finishes right after.
		waitFor(t, name+" to roll out", 60*time.Second, func() bool { return available(t, kc, name) })
	}
}

// The seed's database primary-failure runbook: the switchover and the validation run as pod
// execs (kwok runs them on this host, with stand-ins for patronictl and psql), the ConfigMap
// is patched and the applications restarted, all read back from the API server.
func TestDrillDatabasePrimaryFailure(t *testing.T) {
	c, kc := e2e(t)
	ctx := context.Background()
	if err := os.WriteFile(filepath.Join(c.ExecDir(), "psql"), []byte("#!/bin/sh\necho f\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The switchover goes through Patroni's REST API (a fake of it on loopback): the replica
	// streams, 0 bytes behind.
	db := patronifake.Start(t)
	db.Set(false,
		patronifake.Member{Name: "postgresql-primary", Role: "leader", State: "running", Timeline: 1},
		patronifake.Member{Name: "postgresql-replica-0", Role: "replica", State: "running", Timeline: 1, Streaming: true})
	for _, name := range []string{"nephoran-controller", "llm-processor"} {
		createDeployment(t, kc, name, 2)
	}
	if _, err := kc.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "database-config", Namespace: ns},
		Data: map[string]string{"primary.host": "postgresql-primary"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	replica := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "postgresql-replica-0", Namespace: ns},
		Spec: corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{Name: "postgresql", Image: "registry.invalid/postgres"}}}}
	if _, err := kc.CoreV1().Pods(ns).Create(ctx, replica, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the replica pod and the deployments", 60*time.Second, func() bool {
		p, err := kc.CoreV1().Pods(ns).Get(ctx, "postgresql-replica-0", metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning && available(t, kc, "nephoran-controller") && available(t, kc, "llm-processor")
	})
	sys, ch := drill(t, c, testenv.WithConfig(func(cfg *config.Config) {
		cfg.Actions.HTTP.AllowedHosts = append(cfg.Actions.HTTP.AllowedHosts, "127.0.0.1")
	}))
	do(t, sys, "U0ALICE", ch, "playbook database-primary-failure cluster=us-east-1 patroni_url="+db.URL, "Started")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 1 run", "Running") // the preflight only reads: no approval
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 2 run", "Asked for approval")
	do(t, sys, "U0BOB", ch, "step 2 approve", "two-person rule")
	do(t, sys, "U0ALICE", ch, "step 2 approve", "Approved; running")
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 3 run", "Asked for approval")
	do(t, sys, "U0ALICE", ch, "step 3 approve", "Approved; running")
	for _, id := range []string{"4", "5"} { // restarts: approved by the commander by default
		do(t, sys, "U0BOB", ch, "step "+id+" run", "Asked for approval")
		do(t, sys, "U0ALICE", ch, "step "+id+" approve", "Approved; running")
	}
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 6 run", "Running") // the wait changes nothing: no approval
	sys.Deliver()
	do(t, sys, "U0BOB", ch, "step 7 run", "Asked for approval")
	do(t, sys, "U0ALICE", ch, "step 7 approve", "Approved; running")
	sys.Deliver()

	st := steps(t, sys)
	for _, s := range st {
		if s.State != incident.StepSucceeded {
			t.Errorf("step %d (%s) is %s: %s", s.Seq, s.Spec.StepID, s.State, s.Output)
		}
	}
	if t.Failed() {
		t.Logf("kwok log:\n%s", c.Log("kwok"))
	}
	if !strings.HasPrefix(st[0].Output, "preflight on us-east-1: all 5 checks passed") {
		t.Errorf("preflight output %q", st[0].Output)
	}
	if !strings.Contains(st[1].Output, "Switched over: postgresql-primary -> postgresql-replica-0, timeline 2") ||
		!strings.Contains(st[1].Output, "Measured RPO: 0s (postgresql-replica-0 was 0 bytes behind the leader).") {
		t.Errorf("switchover output %q", st[1].Output)
	}
	if rq := db.Requests(); len(rq) != 1 || rq[0] != (patronifake.Request{Leader: "postgresql-primary", Candidate: "postgresql-replica-0"}) || db.Leader() != "postgresql-replica-0" {
		t.Errorf("switchovers asked of Patroni %+v; leader %s", rq, db.Leader())
	}
	if !strings.Contains(st[6].Output, "stdout:\nf") {
		t.Errorf("validation output %q", st[6].Output)
	}
	cm, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "database-config", metav1.GetOptions{})
	if err != nil || cm.Data["primary.host"] != "postgresql-replica-0" {
		t.Errorf("configmap %v %v", cm.Data, err)
	}
	for _, name := range []string{"nephoran-controller", "llm-processor"} {
		d, _ := kc.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if d.Spec.Template.Annotations[kube.RestartedAtAnnotation] == "" {
			t.Errorf("%s was not restarted", name)
		}
	}
}

// BenchmarkRolloutRestartAndWait compares, on the same real API server in one run, a rollout
// restart plus a wait for the rollout through the bot's executor against the same through
// kubectl (built from the same Kubernetes version).
func BenchmarkRolloutRestartAndWait(b *testing.B) {
	if !kubecluster.Available() {
		b.Skip("set INCIDENTBOT_KUBE_BIN (make bench-e2e does) to run against a real kube-apiserver")
	}
	c, err := kubecluster.Start(context.Background(), b.TempDir(), kubecluster.Options{Workloads: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Stop()
	cfg, _ := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	kc := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	kc.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0", Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		Labels: map[string]string{"type": "kwok"}}, Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110"),
		corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi")}}}, metav1.CreateOptions{})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if _, err := kc.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("no default service account")
		}
	}
	labels := map[string]string{"app": "bench"}
	kc.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "bench", Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(3)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				NodeSelector: map[string]string{"type": "kwok"}, Containers: []corev1.Container{{Name: "c", Image: "registry.invalid/c"}}}}}}, metav1.CreateOptions{})
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"e2e": "e2e"}), Poll: 50 * time.Millisecond}
	restart := actionStep(incident.Action{Type: "kubernetes.rollout-restart", Cluster: "e2e", Namespace: ns, Deployment: "bench"})
	wait := actionStep(incident.Action{Type: "kubernetes.wait", Cluster: "e2e", Namespace: ns, For: "rollout-complete", Deployment: "bench", Timeout: time.Minute})
	if _, err := x.Execute(ctx, nil, wait); err != nil {
		b.Fatal(err)
	}
	b.Run("executor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, s := range []*incident.RunStep{restart, wait} {
				if res, err := x.Execute(ctx, nil, s); err != nil || !res.OK {
					b.Fatalf("%+v %v", res, err)
				}
			}
		}
	})
	kubectl := filepath.Join(kubecluster.BinDir(), "kubectl")
	b.Run("kubectl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, args := range [][]string{
				{"rollout", "restart", "deployment/bench", "-n", ns},
				{"rollout", "status", "deployment/bench", "-n", ns, "--timeout=60s"},
			} {
				cmd := exec.Command(kubectl, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("kubectl %v: %v\n%s", args, err, out)
				}
			}
		}
	})
}

// actionStep wraps an action as a run step, the way a playbook run builds it.
func actionStep(a incident.Action) *incident.RunStep {
	return &incident.RunStep{Spec: incident.StepSpec{Action: a}}
}

// Dry runs change nothing and show what would; RBAC refusals show in the plan; server-side
// apply, scale --all with previous counts, cordon and drain act on the real server.
func TestApplyScaleDrainAndDryRuns(t *testing.T) {
	c, kc := e2e(t)
	ctx := context.Background()
	createDeployment(t, kc, "api", 3)
	waitFor(t, "api", 60*time.Second, func() bool { return available(t, kc, "api") })
	x := &kube.Actions{Clusters: kube.NewClusters(c.Kubeconfig, map[string]string{"admin": "e2e", "nobody": "nobody"}), Poll: 100 * time.Millisecond}
	scale := actionStep(incident.Action{Type: "kubernetes.scale", Cluster: "admin", Namespace: ns, All: true, Replicas: ptr(0)})
	marked := incident.WithChangeMark(ctx, mark)

	plan, err := x.Plan(marked, nil, scale)
	if err != nil || !strings.Contains(plan, "would scale") || !strings.Contains(plan, "deployment nephoran-system/api: replicas 3 -> 0") {
		t.Fatalf("plan %q %v", plan, err)
	}
	if d, _ := kc.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{}); *d.Spec.Replicas != 3 || hasMark(d) {
		t.Fatalf("the dry run changed replicas to %d, annotations %v", *d.Spec.Replicas, d.Annotations)
	}
	denied := actionStep(incident.Action{Type: "kubernetes.rollout-restart", Cluster: "nobody", Namespace: ns, Deployment: "api"})
	if plan, _ := x.Plan(ctx, nil, denied); !strings.Contains(plan, "The API server would refuse it: Forbidden (403)") {
		t.Errorf("a forbidden step's plan: %q", plan)
	}

	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: operator-ha}\ndata: {mode: ha}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\ndata: {a: b}\n"
	apply := actionStep(incident.Action{Type: "kubernetes.apply", Cluster: "admin", Namespace: ns, Manifest: "m.yaml", Content: manifest})
	if plan, _ := x.Plan(marked, nil, apply); plan != "ConfigMap nephoran-system/operator-ha would be created\nConfigMap nephoran-system/second would be created" {
		t.Errorf("apply plan %q", plan)
	}
	if _, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "operator-ha", metav1.GetOptions{}); err == nil {
		t.Fatal("the dry run created the ConfigMap")
	}
	for i, want := range []string{"created", "unchanged"} {
		res, err := x.Execute(marked, nil, apply)
		if err != nil || !res.OK || !strings.Contains(res.Output, "ConfigMap nephoran-system/operator-ha "+want) {
			t.Errorf("apply %d: %+v %v", i, res, err)
		}
	}
	cm, err := kc.CoreV1().ConfigMaps(ns).Get(ctx, "operator-ha", metav1.GetOptions{})
	if err != nil || cm.Data["mode"] != "ha" || len(cm.ManagedFields) == 0 || cm.ManagedFields[0].Manager != "incidentbot" {
		t.Errorf("applied configmap %+v %v", cm, err)
	}
	wantMark(t, "the applied configmap", cm)

	res, err := x.Execute(marked, nil, scale)
	if err != nil || !res.OK || !strings.Contains(res.Output, "replicas 3 -> 0") {
		t.Fatalf("scale %+v %v", res, err)
	}
	d, _ := kc.AppsV1().Deployments(ns).Get(ctx, "api", metav1.GetOptions{})
	wantMark(t, "the scaled deployment", d)
	waitFor(t, "the pods to go", 60*time.Second, func() bool {
		pods, _ := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
		return len(pods.Items) == 0
	})
	restore := actionStep(incident.Action{Type: "kubernetes.scale", Cluster: "admin", Namespace: ns, Deployment: "api", Replicas: ptr(3)})
	if res, _ := x.Execute(ctx, nil, restore); !res.OK {
		t.Fatalf("restore %+v", res)
	}
	waitFor(t, "api back", 60*time.Second, func() bool { return available(t, kc, "api") })

	drain := actionStep(incident.Action{Type: "kubernetes.drain", Cluster: "admin", Node: "kwok-node-0", Timeout: time.Minute, IgnoreDaemonSets: true})
	if plan, _ := x.Plan(marked, nil, drain); !strings.Contains(plan, "would cordon node kwok-node-0 and evict 3 pods") {
		t.Errorf("drain plan %q", plan)
	}
	if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); n.Spec.Unschedulable || hasMark(n) {
		t.Fatalf("the drain's dry run cordoned or marked the node: %v", n.Annotations)
	}
	res, err = x.Execute(marked, nil, drain)
	if err != nil || !res.OK || !strings.Contains(res.Output, "cordoned node kwok-node-0 and evicted 3 pods") {
		t.Fatalf("drain %+v %v", res, err)
	}
	if n, _ := kc.CoreV1().Nodes().Get(ctx, "kwok-node-0", metav1.GetOptions{}); !n.Spec.Unschedulable {
		t.Error("the node is not cordoned")
	} else {
		wantMark(t, "the drained node", n)
	}
	waitFor(t, "no running pod left on the node", 60*time.Second, func() bool {
		pods, _ := kc.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=kwok-node-0"})
		return len(pods.Items) == 0
	})
}
