package helm

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// secretEnv are the environment variables that must come from Secrets, never as values.
var secretEnv = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "PAGERDUTY_TOKEN",
	"PAGERDUTY_WEBHOOK_SECRET", "GITHUB_TOKEN", "INCIDENTBOT_DASHBOARD_TOKEN", "INCIDENTBOT_DATABASE_URL"}

func TestLint(t *testing.T) {
	for _, values := range [][]string{nil, {"sqlite.yaml"}, {"postgres-ha.yaml"}} {
		args := []string{"lint", "--strict", chartDir, "--namespace", namespace, "--kube-version", kubeVersion}
		for _, f := range values {
			args = append(args, "--values", "testdata/"+f)
		}
		out, stderr, err := runHelm(t, args...)
		if err != nil || !strings.Contains(out, "0 chart(s) failed") {
			t.Errorf("helm lint with %v: %v\n%s%s", values, err, out, stderr)
		}
	}
}

// TestTemplateWithoutKubeVersion: helm as build-helm.sh builds it (like helm's releases)
// assumes Kubernetes 1.37, not its fallback 1.20, which is older than the chart's
// kubeVersion; so `helm template` without --kube-version, as people run it, renders.
func TestTemplateWithoutKubeVersion(t *testing.T) {
	out, stderr, err := runHelm(t, "template", release, chartDir)
	if err != nil || !strings.Contains(out, "kind: Deployment") {
		t.Errorf("helm template without --kube-version: %v\n%s", err, stderr)
	}
}

func TestSQLiteOneReplica(t *testing.T) {
	r := render(t, []string{"sqlite.yaml"})
	d := r.deployment()
	if *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("replicas %d, strategy %s; want 1 and Recreate (never two writers on the file)", *d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	pod := d.Spec.Template.Spec
	if len(pod.TopologySpreadConstraints) != 0 {
		t.Errorf("one replica has nothing to spread: %+v", pod.TopologySpreadConstraints)
	}
	if n := len(r.find("PodDisruptionBudget")); n != 0 {
		t.Errorf("%d PodDisruptionBudgets for one replica: it would block every drain", n)
	}
	c := container(t, d)
	if v := envValue(c, "INCIDENTBOT_DB"); v != "/data/incidentbot.db" {
		t.Errorf("INCIDENTBOT_DB = %q, want /data/incidentbot.db", v)
	}
	if hasEnv(c, "INCIDENTBOT_DATABASE_URL") {
		t.Error("INCIDENTBOT_DATABASE_URL set without PostgreSQL")
	}
	var pvc corev1.PersistentVolumeClaim
	r.one("PersistentVolumeClaim", &pvc)
	if !slices.Equal(pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) {
		t.Errorf("the claim's access modes: %v", pvc.Spec.AccessModes)
	}
	data := volume(t, d, "data")
	if data.PersistentVolumeClaim == nil || data.PersistentVolumeClaim.ClaimName != pvc.Name {
		t.Errorf("the data volume is not the claim %s: %+v", pvc.Name, data)
	}
	if mountPath(c, "data") != "/data" {
		t.Errorf("the data volume is mounted at %q", mountPath(c, "data"))
	}
	if v := envValue(c, "KUBECONFIG"); v != "/etc/incidentbot/kubeconfig/config" || mountPath(c, "kubeconfig") != "/etc/incidentbot/kubeconfig" {
		t.Errorf("KUBECONFIG %q, mounted at %q", v, mountPath(c, "kubeconfig"))
	}
	if kc := volume(t, d, "kubeconfig"); kc.Secret == nil || kc.Secret.SecretName != "incidentbot-kubeconfig" {
		t.Errorf("the kubeconfig volume: %+v", kc)
	}
	checkCommon(t, r, "incidentbot-secrets", nil)
	checkNetworkPolicy(t, r, []int32{53, 53, 443, 6443})
	for _, kind := range []string{"ServiceMonitor", "Ingress", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Secret"} {
		if n := len(r.find(kind)); n != 0 {
			t.Errorf("%d objects of kind %s rendered, want none by default", n, kind)
		}
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token it does not use")
	}
}

func TestPostgresThreeReplicas(t *testing.T) {
	r := render(t, []string{"postgres-ha.yaml"})
	d := r.deployment()
	if *d.Spec.Replicas != 3 || d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType ||
		d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() != 0 {
		t.Errorf("replicas %d, strategy %+v; want 3, rolling with none unavailable", *d.Spec.Replicas, d.Spec.Strategy)
	}
	podLabels := d.Spec.Template.Labels
	var pdb policyv1.PodDisruptionBudget
	r.one("PodDisruptionBudget", &pdb)
	if pdb.Spec.MinAvailable == nil || *pdb.Spec.MinAvailable != intstr.FromInt32(1) || !selects(pdb.Spec.Selector, podLabels) {
		t.Errorf("the PodDisruptionBudget: minAvailable %v, selector %v (pods %v)", pdb.Spec.MinAvailable, pdb.Spec.Selector, podLabels)
	}
	spread := map[string]corev1.TopologySpreadConstraint{}
	for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
		spread[c.TopologyKey] = c
		if c.MaxSkew != 1 || !selects(c.LabelSelector, podLabels) || !slices.Equal(c.MatchLabelKeys, []string{"pod-template-hash"}) {
			t.Errorf("spread over %s: %+v", c.TopologyKey, c)
		}
	}
	if zone, ok := spread["topology.kubernetes.io/zone"]; !ok || zone.WhenUnsatisfiable != corev1.DoNotSchedule ||
		zone.NodeTaintsPolicy == nil || *zone.NodeTaintsPolicy != corev1.NodeInclusionPolicyHonor {
		t.Errorf("no strict spread over zones that ignores a lost zone's tainted nodes: %+v", zone)
	}
	if _, ok := spread["kubernetes.io/hostname"]; !ok || len(spread) != 2 {
		t.Errorf("spread over %v, want zones and hostnames", spread)
	}
	c := container(t, d)
	if ref := secretRef(c, "INCIDENTBOT_DATABASE_URL"); ref == nil || ref.Name != "incidentbot-database" ||
		ref.Key != "INCIDENTBOT_DATABASE_URL" || (ref.Optional != nil && *ref.Optional) {
		t.Errorf("INCIDENTBOT_DATABASE_URL is not required from the Secret incidentbot-database: %+v", ref)
	}
	if hasEnv(c, "INCIDENTBOT_DB") || len(r.find("PersistentVolumeClaim")) != 0 || mountPath(c, "data") != "" {
		t.Error("a SQLite file and its volume beside PostgreSQL")
	}
	checkCommon(t, r, "bot-tokens", map[string]string{"SLACK_BOT_TOKEN": "slack-bot-token", "GITHUB_TOKEN": "github-token"})
	if hasEnv(c, "SLACK_APP_TOKEN") {
		t.Error("SLACK_APP_TOKEN is set though its key is empty (HTTP mode)")
	}
	if v := envValue(c, "SLACK_TEAM_IDS"); v != "T0WORKSPACE" {
		t.Errorf("extraEnv SLACK_TEAM_IDS = %q", v)
	}
	if pb := volume(t, d, "playbooks"); pb.ConfigMap == nil || pb.ConfigMap.Name != "our-playbooks" || mountPath(c, "playbooks") != "/etc/incidentbot/playbooks" {
		t.Errorf("extraVolumes/extraVolumeMounts: %+v at %q", pb, mountPath(c, "playbooks"))
	}
	np := checkNetworkPolicy(t, r, []int32{53, 53, 443, 6432, 6443})
	if from := np.Spec.Ingress[0].From; len(from) != 1 || from[0].NamespaceSelector == nil {
		t.Errorf("ingress from %+v, want the ingress controller's namespace", from)
	}
	checkServiceMonitor(t, r)
	checkIngress(t, r)
	checkManagedClusterRBAC(t, r)
	if a := d.Spec.Template.Spec.AutomountServiceAccountToken; a == nil || !*a {
		t.Error("managedClusterRBAC without the service account's token: the in-cluster configuration has no credentials")
	}
}

func TestDefaultReplicas(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sets     []string
		replicas int32
		pdb      int
	}{
		{"sqlite", nil, 1, 0},
		{"postgres", []string{"database.existingSecret=db"}, 2, 1},
		{"postgres scaled to one", []string{"database.existingSecret=db", "replicas=1"}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, nil, tc.sets...)
			if d := r.deployment(); *d.Spec.Replicas != tc.replicas {
				t.Errorf("replicas %d, want %d", *d.Spec.Replicas, tc.replicas)
			}
			if n := len(r.find("PodDisruptionBudget")); n != tc.pdb {
				t.Errorf("%d PodDisruptionBudgets, want %d", n, tc.pdb)
			}
		})
	}
}

// TestRefusals: values the bot cannot run with, refused by the chart's templates or its schema.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		sets   []string
		want   string
	}{
		{"sqlite with two replicas", []string{"sqlite-2-replicas.yaml"}, nil,
			"replicas: 2 replicas need PostgreSQL (set database.existingSecret to the Secret holding INCIDENTBOT_DATABASE_URL); with SQLite run exactly 1"},
		{"slack token in the config file", nil, []string{"config.slack.bot_token=xoxb-1"},
			"config.slack.bot_token: secrets do not belong in the config file"},
		{"database url in the config file", nil, []string{"config.database.url=postgres://u:p@db/bot", "config.github.token=x"},
			"config.database.url, config.github.token: secrets do not belong in the config file"},
		{"listen in the config file", nil, []string{"config.listen=:9090"},
			"config.listen: the chart sets INCIDENTBOT_LISTEN from containerPort, and the environment wins over the file"},
		{"no secret", nil, []string{"secrets.existingSecret="}, "secrets.existingSecret: name the Secret holding SLACK_BOT_TOKEN"},
		{"misspelt value", nil, []string{"replica=2"}, "additional properties 'replica' not allowed"},
		{"replicas not a number", nil, []string{"replicas=two"}, "/replicas"},
		{"unknown spread policy", nil, []string{"topologySpread.zone.whenUnsatisfiable=Sometimes"}, "/topologySpread/zone/whenUnsatisfiable"},
		{"unknown secret key", nil, []string{"secrets.keys.SLACK_TOKEN=x"}, "additional properties 'SLACK_TOKEN' not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runHelm(t, templateArgs(tc.values, tc.sets...)...)
			if err == nil {
				t.Fatalf("helm template succeeded, want it refused with %q:\n%s", tc.want, out)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("helm template refused with\n%s\nwant %q", stderr, tc.want)
			}
		})
	}
}

// checkCommon checks what every value set renders alike: tokens referenced from the Secret
// (keys as given, the rest by their own names), probes, least privilege and the Service.
func checkCommon(t *testing.T, r rendered, secret string, keys map[string]string) {
	t.Helper()
	d := r.deployment()
	c := container(t, d)
	for _, e := range c.Env {
		if slices.Contains(secretEnv, e.Name) && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			t.Errorf("%s is not taken from a Secret: %+v", e.Name, e)
		}
	}
	if len(c.EnvFrom) != 0 {
		t.Errorf("envFrom %+v: every variable is named, so none slips in unseen", c.EnvFrom)
	}
	bot := secretRef(c, "SLACK_BOT_TOKEN")
	if bot == nil || bot.Name != secret || (bot.Optional != nil && *bot.Optional) {
		t.Errorf("SLACK_BOT_TOKEN is not required from the Secret %s: %+v", secret, bot)
	}
	for env, key := range keys {
		if ref := secretRef(c, env); ref == nil || ref.Name != secret || ref.Key != key {
			t.Errorf("%s from %+v, want %s/%s", env, ref, secret, key)
		}
	}
	if ref := secretRef(c, "PAGERDUTY_WEBHOOK_SECRET"); ref == nil || ref.Optional == nil || !*ref.Optional {
		t.Errorf("PAGERDUTY_WEBHOOK_SECRET is not an optional key of the Secret: %+v", ref)
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.String() != "http" {
		t.Errorf("liveness probe %+v", p)
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" || p.HTTPGet.Port.String() != "http" {
		t.Errorf("readiness probe %+v", p)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 || envValue(c, "INCIDENTBOT_LISTEN") != ":8080" {
		t.Errorf("ports %+v, INCIDENTBOT_LISTEN %q", c.Ports, envValue(c, "INCIDENTBOT_LISTEN"))
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	checkSecurity(t, d)
	var svc corev1.Service
	r.one("Service", &svc)
	if !selectsMap(svc.Spec.Selector, d.Spec.Template.Labels) || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("the Service: selector %v, ports %+v", svc.Spec.Selector, svc.Spec.Ports)
	}
	var sa corev1.ServiceAccount
	r.one("ServiceAccount", &sa)
	if d.Spec.Template.Spec.ServiceAccountName != sa.Name {
		t.Errorf("the pod runs as %q, the chart's ServiceAccount is %q", d.Spec.Template.Spec.ServiceAccountName, sa.Name)
	}
	if _, ok := d.Spec.Template.Annotations["checksum/config"]; !ok {
		t.Error("no checksum/config annotation: a changed configuration would not roll the pods")
	}
}

// checkSecurity: non-root, no escalation, read-only root, no capabilities, RuntimeDefault.
func checkSecurity(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot || pod.RunAsUser == nil || *pod.RunAsUser == 0 ||
		pod.SeccompProfile == nil || pod.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v", pod)
	}
	sc := container(t, d).SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.Capabilities == nil ||
		!slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 ||
		(sc.Privileged != nil && *sc.Privileged) {
		t.Errorf("container securityContext %+v", sc)
	}
	if tmp := volume(t, d, "tmp"); tmp.EmptyDir == nil || mountPath(container(t, d), "tmp") != "/tmp" {
		t.Error("no writable /tmp beside the read-only root filesystem")
	}
}

// checkNetworkPolicy: in, only TCP 8080; out, exactly the ports given (DNS twice: UDP, TCP).
func checkNetworkPolicy(t *testing.T, r rendered, egress []int32) *networkingv1.NetworkPolicy {
	t.Helper()
	var np networkingv1.NetworkPolicy
	r.one("NetworkPolicy", &np)
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
		t.Errorf("policy types %v", np.Spec.PolicyTypes)
	}
	if !selects(&np.Spec.PodSelector, r.deployment().Spec.Template.Labels) {
		t.Errorf("the NetworkPolicy selects %v, not the bot's pods", np.Spec.PodSelector)
	}
	var in []string
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			in = append(in, string(*p.Protocol)+"/"+p.Port.String())
		}
	}
	if !slices.Equal(in, []string{"TCP/8080"}) {
		t.Errorf("ingress ports %v, want only TCP/8080", in)
	}
	var out []int32
	for _, rule := range np.Spec.Egress {
		if len(rule.To) != 0 {
			t.Errorf("egress rule limited to %v", rule.To)
		}
		for _, p := range rule.Ports {
			out = append(out, p.Port.IntVal)
		}
	}
	slices.Sort(out)
	if !slices.Equal(out, egress) {
		t.Errorf("egress ports %v, want %v", out, egress)
	}
	return &np
}

func checkServiceMonitor(t *testing.T, r rendered) {
	t.Helper()
	sms := r.find("ServiceMonitor")
	if len(sms) != 1 || sms[0].GetAPIVersion() != "monitoring.coreos.com/v1" {
		t.Fatalf("ServiceMonitors: %v", sms)
	}
	sm := sms[0]
	if sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("the ServiceMonitor's labels %v lack serviceMonitor.labels", sm.GetLabels())
	}
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(eps) != 1 || eps[0].(map[string]any)["port"] != "http" || eps[0].(map[string]any)["path"] != "/metrics" {
		t.Errorf("the ServiceMonitor's endpoints %v", eps)
	}
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	var svc corev1.Service
	r.one("Service", &svc)
	if len(sel) == 0 || !selectsMap(sel, svc.Labels) {
		t.Errorf("the ServiceMonitor selects %v, the Service is labelled %v", sel, svc.Labels)
	}
}

func checkIngress(t *testing.T, r rendered) {
	t.Helper()
	var ing networkingv1.Ingress
	r.one("Ingress", &ing)
	var svc corev1.Service
	r.one("Service", &svc)
	if len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != "incidentbot.example.com" || len(ing.Spec.TLS) != 1 {
		t.Fatalf("the Ingress: %+v", ing.Spec)
	}
	b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if b == nil || b.Name != svc.Name || b.Port.Name != "http" {
		t.Errorf("the Ingress's backend %+v, want the Service %s port http", b, svc.Name)
	}
}

func container(t *testing.T, d *appsv1.Deployment) *corev1.Container {
	t.Helper()
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("%d containers", n)
	}
	return &d.Spec.Template.Spec.Containers[0]
}

func volume(t *testing.T, d *appsv1.Deployment, name string) corev1.Volume {
	t.Helper()
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.Volume{}
}

func mountPath(c *corev1.Container, volume string) string {
	for _, m := range c.VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	return ""
}

func hasEnv(c *corev1.Container, name string) bool {
	return slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
}

func envValue(c *corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func secretRef(c *corev1.Container, name string) *corev1.SecretKeySelector {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil {
			return e.ValueFrom.SecretKeyRef
		}
	}
	return nil
}

// selects reports whether a label selector (matchLabels only) selects labels.
func selects(sel *metav1.LabelSelector, labels map[string]string) bool {
	return sel != nil && len(sel.MatchExpressions) == 0 && selectsMap(sel.MatchLabels, labels)
}

func selectsMap(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
