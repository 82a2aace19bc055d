package playbook

import (
	"path"
	"reflect"
	"strings"

	"github.com/nephoran/incidentbot/internal/yamlx"
)

// The kubernetes.* actions are declared here with their schemas so playbooks validate;
// internal/kube executes them.
func init() {
	for _, k := range []*Kind{
		{Type: "kubernetes.rollout-restart", Mutating: true, Doc: "restart a Deployment, StatefulSet or DaemonSet (kubectl rollout restart)", New: func() Action { return &RolloutRestart{} }},
		{Type: "kubernetes.scale", Mutating: true, Doc: "set the replicas of one workload, or of every Deployment in a namespace", New: func() Action { return &Scale{} }},
		{Type: "kubernetes.patch", Mutating: true, Doc: "patch any resource (strategic merge, merge or JSON patch)", New: func() Action { return &Patch{} }},
		{Type: "kubernetes.wait", Doc: "wait for workloads to be available or rolled out", New: func() Action { return &Wait{} }},
		{Type: "kubernetes.exec", Mutating: true, Doc: "run a command (an argument list, no shell) in a pod", New: func() Action { return &Exec{} }},
		{Type: "kubernetes.apply", Mutating: true, Doc: "server-side apply of a manifest file beside the playbook", New: func() Action { return &Apply{} }},
		{Type: "kubernetes.cordon", Mutating: true, Doc: "mark a node unschedulable", New: func() Action { return &Cordon{} }},
		{Type: "kubernetes.drain", Mutating: true, Doc: "evict a node's pods, honouring PodDisruptionBudgets", New: func() Action { return &Drain{} }},
		{Type: "kubernetes.check", Doc: "check ready pods and conditions (a validation step)", New: func() Action { return &Check{} }},
	} {
		register(k)
	}
}

// ClusterOf returns the cluster a kubernetes action names ("" for none or the default).
func ClusterOf(a Action) string {
	if f, ok := clusterField(a); ok {
		return f.String()
	}
	return ""
}

// setCluster points a kubernetes action at another cluster; it reports false for actions
// that name no cluster.
func setCluster(a Action, cluster string) bool {
	f, ok := clusterField(a)
	if ok && f.CanSet() {
		f.SetString(cluster)
	}
	return ok
}

func clusterField(a Action) (reflect.Value, bool) {
	v := reflect.ValueOf(a)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	f := v.FieldByName("Cluster")
	return f, f.IsValid() && f.Kind() == reflect.String
}

// RolloutRestart restarts one workload.
type RolloutRestart struct {
	Type        string `yaml:"type"`
	Cluster     string `yaml:"cluster"`
	Namespace   string `yaml:"namespace"`
	Deployment  string `yaml:"deployment"`
	StatefulSet string `yaml:"statefulset"`
	DaemonSet   string `yaml:"daemonset"`
}

func (*RolloutRestart) Kind() *Kind { return kinds["kubernetes.rollout-restart"] }
func (a *RolloutRestart) Check(p yamlx.Pos, _ CheckEnv) []error {
	return append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "daemonset": a.DaemonSet != ""})...)
}
func (a *RolloutRestart) Strings() []*string {
	return []*string{&a.Cluster, &a.Namespace, &a.Deployment, &a.StatefulSet, &a.DaemonSet}
}
func (*RolloutRestart) Values() []*any { return nil }

// Scale sets replicas on one workload, or on every Deployment of a namespace (all: true).
type Scale struct {
	Type        string `yaml:"type"`
	Cluster     string `yaml:"cluster"`
	Namespace   string `yaml:"namespace"`
	Deployment  string `yaml:"deployment"`
	StatefulSet string `yaml:"statefulset"`
	All         bool   `yaml:"all"`
	Replicas    *int   `yaml:"replicas"`
}

func (*Scale) Kind() *Kind { return kinds["kubernetes.scale"] }
func (a *Scale) Check(p yamlx.Pos, _ CheckEnv) []error {
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
func (a *Scale) Strings() []*string {
	return []*string{&a.Cluster, &a.Namespace, &a.Deployment, &a.StatefulSet}
}
func (*Scale) Values() []*any { return nil }

// Patch patches any resource.
type Patch struct {
	Type       string `yaml:"type"`
	Cluster    string `yaml:"cluster"`
	Namespace  string `yaml:"namespace"`
	APIVersion string `yaml:"apiVersion"` // default: found through discovery
	Kind_      string `yaml:"kind"`
	Name       string `yaml:"name"`
	PatchType  string `yaml:"patch_type"` // strategic (default), merge or json
	Patch      any    `yaml:"patch"`
}

func (*Patch) Kind() *Kind { return kinds["kubernetes.patch"] }
func (a *Patch) Check(p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "kind", a.Kind_), required(p, "name", a.Name)...)
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
func (a *Patch) Strings() []*string {
	return []*string{&a.Cluster, &a.Namespace, &a.APIVersion, &a.Kind_, &a.Name}
}
func (a *Patch) Values() []*any { return []*any{&a.Patch} }

// Wait waits for workloads.
type Wait struct {
	Type        string   `yaml:"type"`
	Cluster     string   `yaml:"cluster"`
	Namespace   string   `yaml:"namespace"`
	For         string   `yaml:"for"` // available (default) or rollout-complete
	Deployment  string   `yaml:"deployment"`
	StatefulSet string   `yaml:"statefulset"`
	All         bool     `yaml:"all"`
	Timeout     Duration `yaml:"timeout"`
}

func (*Wait) Kind() *Kind { return kinds["kubernetes.wait"] }
func (a *Wait) Check(p yamlx.Pos, _ CheckEnv) []error {
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
func (a *Wait) Strings() []*string {
	return []*string{&a.Cluster, &a.Namespace, &a.Deployment, &a.StatefulSet}
}
func (*Wait) Values() []*any { return nil }

// Exec runs a command in a pod. The command is an argument list: no shell is involved unless
// the playbook's own command names one.
type Exec struct {
	Type      string   `yaml:"type"`
	Cluster   string   `yaml:"cluster"`
	Namespace string   `yaml:"namespace"`
	Pod       string   `yaml:"pod"`
	Container string   `yaml:"container"`
	Command   []string `yaml:"command"`
	Timeout   Duration `yaml:"timeout"`
}

func (*Exec) Kind() *Kind { return kinds["kubernetes.exec"] }
func (a *Exec) Check(p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace), required(p, "pod", a.Pod)...)
	if len(a.Command) == 0 {
		errs = append(errs, p.Field("command").Errorf("required: the program and its arguments, as a list"))
	} else if strings.Contains(a.Command[0], " ") {
		errs = append(errs, p.Field("command[0]").Errorf("%q has a space: write the command as a list of arguments", a.Command[0]))
	}
	return errs
}
func (a *Exec) Strings() []*string {
	out := []*string{&a.Cluster, &a.Namespace, &a.Pod, &a.Container}
	for i := range a.Command {
		out = append(out, &a.Command[i])
	}
	return out
}
func (*Exec) Values() []*any { return nil }

// Apply server-side applies a manifest file that lives beside the playbook.
type Apply struct {
	Type      string `yaml:"type"`
	Cluster   string `yaml:"cluster"`
	Namespace string `yaml:"namespace"`
	Manifest  string `yaml:"manifest"`
	Content   string `yaml:"-"` // the manifest's text, read when a run starts
}

func (*Apply) Kind() *Kind { return kinds["kubernetes.apply"] }
func (a *Apply) Check(p yamlx.Pos, env CheckEnv) []error {
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
func (a *Apply) Strings() []*string { return []*string{&a.Cluster, &a.Namespace} }
func (*Apply) Values() []*any       { return nil }

// Cordon marks a node unschedulable.
type Cordon struct {
	Type    string `yaml:"type"`
	Cluster string `yaml:"cluster"`
	Node    string `yaml:"node"`
}

func (*Cordon) Kind() *Kind                             { return kinds["kubernetes.cordon"] }
func (a *Cordon) Check(p yamlx.Pos, _ CheckEnv) []error { return required(p, "node", a.Node) }
func (a *Cordon) Strings() []*string                    { return []*string{&a.Cluster, &a.Node} }
func (*Cordon) Values() []*any                          { return nil }

// Drain evicts a node's pods.
type Drain struct {
	Type               string   `yaml:"type"`
	Cluster            string   `yaml:"cluster"`
	Node               string   `yaml:"node"`
	Timeout            Duration `yaml:"timeout"`
	IgnoreDaemonSets   bool     `yaml:"ignore_daemonsets"`
	DeleteEmptyDirData bool     `yaml:"delete_emptydir_data"`
}

func (*Drain) Kind() *Kind { return kinds["kubernetes.drain"] }
func (a *Drain) Check(p yamlx.Pos, _ CheckEnv) []error {
	errs := required(p, "node", a.Node)
	if a.Timeout == 0 {
		errs = append(errs, p.Field("timeout").Errorf("required: how long evictions may take"))
	}
	return errs
}
func (a *Drain) Strings() []*string { return []*string{&a.Cluster, &a.Node} }
func (*Drain) Values() []*any       { return nil }

// Check verifies ready pods and conditions.
type Check struct {
	Type        string `yaml:"type"`
	Cluster     string `yaml:"cluster"`
	Namespace   string `yaml:"namespace"`
	Deployment  string `yaml:"deployment"`
	StatefulSet string `yaml:"statefulset"`
	All         bool   `yaml:"all"`
	Selector    string `yaml:"selector"` // pods by label selector
	MinReady    *int   `yaml:"min_ready"`
}

func (*Check) Kind() *Kind { return kinds["kubernetes.check"] }
func (a *Check) Check(p yamlx.Pos, _ CheckEnv) []error {
	errs := append(required(p, "namespace", a.Namespace),
		exactlyOne(p, map[string]bool{"deployment": a.Deployment != "", "statefulset": a.StatefulSet != "", "all": a.All, "selector": a.Selector != ""})...)
	if a.MinReady != nil && *a.MinReady < 0 {
		errs = append(errs, p.Field("min_ready").Errorf("must not be negative"))
	}
	return errs
}
func (a *Check) Strings() []*string {
	return []*string{&a.Cluster, &a.Namespace, &a.Deployment, &a.StatefulSet, &a.Selector}
}
func (*Check) Values() []*any { return nil }
