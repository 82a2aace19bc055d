package playbook

import (
	"path"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

// The kubernetes.* actions are declared here with their schemas so playbooks validate;
// internal/kube executes them.
func init() {
	for _, k := range []*Kind{
		{Type: "kubernetes.rollout-restart", Mutating: true, Doc: "restart a Deployment, StatefulSet or DaemonSet (kubectl rollout restart)",
			Fields: []string{"cluster", "namespace", "deployment", "statefulset", "daemonset"}, check: checkRolloutRestart},
		{Type: "kubernetes.scale", Mutating: true, Doc: "set the replicas of one workload, or of every Deployment in a namespace",
			Fields: []string{"cluster", "namespace", "deployment", "statefulset", "all", "replicas"}, check: checkScale},
		{Type: "kubernetes.patch", Mutating: true, Doc: "patch any resource (strategic merge, merge or JSON patch)",
			Fields: []string{"cluster", "namespace", "apiVersion", "kind", "name", "patch_type", "patch"}, check: checkPatch},
		{Type: "kubernetes.wait", Doc: "wait for workloads to be available or rolled out",
			Fields: []string{"cluster", "namespace", "for", "deployment", "statefulset", "all", "timeout"}, check: checkWait},
		{Type: "kubernetes.exec", Mutating: true, Doc: "run a command (an argument list, no shell) in a pod",
			Fields: []string{"cluster", "namespace", "pod", "container", "command", "timeout"}, check: checkExec},
		{Type: "kubernetes.apply", Mutating: true, Doc: "server-side apply of a manifest file beside the playbook",
			Fields: []string{"cluster", "namespace", "manifest"}, check: checkApply},
		{Type: "kubernetes.cordon", Mutating: true, Doc: "mark a node unschedulable",
			Fields: []string{"cluster", "node"}, check: checkCordon},
		{Type: "kubernetes.drain", Mutating: true, Doc: "evict a node's pods, honouring PodDisruptionBudgets",
			Fields: []string{"cluster", "node", "timeout", "ignore_daemonsets", "delete_emptydir_data"}, check: checkDrain},
		{Type: "kubernetes.preflight", Doc: "check the cluster before a failover phase: capacity for the run's scale-ups, disruption budgets for its drains, pending pods, nodes not ready, Patroni replica lag",
			Fields: []string{"cluster", "namespace", "min_headroom", "min_disruptions", "max_pending", "max_not_ready", "patroni_url", "max_lag"}, check: checkPreflight},
		{Type: "kubernetes.check", Doc: "check ready pods and conditions (a validation step)",
			Fields: []string{"cluster", "namespace", "deployment", "statefulset", "all", "selector", "min_ready"}, check: checkCheck},
	} {
		register(k)
	}
}

// checkRolloutRestart: one workload in a namespace.
func checkRolloutRestart(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	return append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "daemonset": a.DaemonSet != ""})...)
}

// checkScale: one workload, or all Deployments, and 0 to 1000 replicas.
func checkScale(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "all": a.All})...)
	switch {
	case a.Replicas == nil:
		errs = append(errs, p.Field("replicas").Errorf("required"))
	case *a.Replicas < 0 || *a.Replicas > 1000:
		errs = append(errs, p.Field("replicas").Errorf("expected 0 to 1000, got %d", *a.Replicas))
	}
	return errs
}

// checkPatch: a kind and name, and a patch of the shape its patch type takes.
func checkPatch(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "kind", a.Kind), required(p, "name", a.Name)...)
	switch a.PatchType {
	case "", "strategic", "merge":
		if _, ok := a.Patch.(map[string]any); !ok {
			errs = append(errs, p.Field("patch").Errorf("expected a mapping (the fields to merge)"))
		}
	case "json":
		if _, ok := a.Patch.([]any); !ok {
			errs = append(errs, p.Field("patch").Errorf("expected a list of JSON patch operations"))
		}
	default:
		errs = append(errs, p.Field("patch_type").Errorf("expected strategic, merge or json, got %q", a.PatchType))
	}
	return errs
}

// checkWait: which workloads, what for, and for how long.
func checkWait(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "all": a.All})...)
	if a.For != "" && a.For != "available" && a.For != "rollout-complete" {
		errs = append(errs, p.Field("for").Errorf("expected available or rollout-complete, got %q", a.For))
	}
	if a.Timeout == 0 {
		errs = append(errs, p.Field("timeout").Errorf("required: how long to wait before failing"))
	}
	return errs
}

// checkExec: a pod, and a command written as a list of arguments.
func checkExec(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace), required(p, "pod", a.Pod)...)
	if len(a.Command) == 0 {
		errs = append(errs, p.Field("command").Errorf("required: the program and its arguments, as a list"))
	} else if strings.Contains(a.Command[0], " ") {
		errs = append(errs, p.Field("command[0]").Errorf("%q has a space: write the command as a list of arguments", a.Command[0]))
	}
	return errs
}

// checkApply: a manifest at a fixed path inside the playbook's directory, that exists.
func checkApply(a *incident.Action, p yamlx.Pos, env CheckEnv) []error {
	if a.Manifest == "" {
		return []error{p.Field("manifest").Errorf("required: a file beside the playbook")}
	}
	clean := path.Clean(a.Manifest)
	if path.IsAbs(clean) || strings.HasPrefix(clean, "..") || templated(a.Manifest) {
		return []error{p.Field("manifest").Errorf("expected a fixed path inside the playbook's directory, got %q", a.Manifest)}
	}
	if env.Exists != nil && !env.Exists(clean) {
		return []error{p.Field("manifest").Errorf("no file %q beside the playbook", a.Manifest)}
	}
	return nil
}

// checkCordon: a node.
func checkCordon(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	return required(p, "node", a.Node)
}

// checkDrain: a node, and how long evictions may take.
func checkDrain(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := required(p, "node", a.Node)
	if a.Timeout == 0 {
		errs = append(errs, p.Field("timeout").Errorf("required: how long evictions may take"))
	}
	return errs
}

// checkCheck: which workloads or pods, and a minimum that is not negative.
func checkCheck(a *incident.Action, p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "all": a.All, "selector": a.Selector != ""})...)
	if a.MinReady != nil && *a.MinReady < 0 {
		errs = append(errs, p.Field("min_ready").Errorf("must not be negative"))
	}
	return errs
}
