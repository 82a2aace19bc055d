package drills

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/kube"
	"github.com/nephoran/incidentbot/internal/testenv"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

// check reads back, from the control plane, the fakes and the cards, what each step did,
// by its type.
func (d *drill) check(dr *driver) {
	t := d.t
	ctx := context.Background()
	cfg, err := clientcmd.BuildConfigFromFlags("", d.cluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cfg)
	mark := func(what string, obj *unstructured.Unstructured, step string) {
		if by := obj.GetAnnotations()[kube.ChangedByAnnotation]; !strings.HasPrefix(by, d.key+" step ") || !strings.Contains(by, " "+step+", claim ") {
			t.Errorf("%s carries the change mark %q, want step %s of %s", what, by, step, d.key)
		}
	}
	get := func(gvr schema.GroupVersionResource, ns, name string) *unstructured.Unstructured {
		var ri dynamic.ResourceInterface = dyn.Resource(gvr)
		if ns != "" {
			ri = dyn.Resource(gvr).Namespace(ns)
		}
		obj, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("read %s %s back: %v", gvr.Resource, name, err)
		}
		return obj
	}
	deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	scaled := map[string]int64{} // the last scale of each deployment
	// The change mark an object carries is the last step's that changed it.
	last := map[string]string{}
	for _, s := range d.steps {
		a := s.Action
		switch a.Type {
		case "kubernetes.rollout-restart":
			last["Deployment/"+a.Deployment] = s.StepID
		case "kubernetes.scale":
			if a.All {
				for _, n := range d.deploymentNames() {
					last["Deployment/"+n] = s.StepID
				}
			} else {
				last["Deployment/"+a.Deployment] = s.StepID
			}
		case "kubernetes.patch":
			last[a.Kind+"/"+a.Name] = s.StepID
		case "kubernetes.apply":
			for _, o := range manifestObjects(t, a.Content) {
				last[o.GetKind()+"/"+o.GetName()] = s.StepID
			}
		}
	}
	for _, s := range d.steps {
		c := dr.final[s.StepID]
		a := s.Action
		if s.NeedsApproval() && !s.Manual() { // a manual step is marked done, never asked for
			asked, approved := c.RequestedBy(), c.ApprovedBy()
			if asked == "" || approved == "" {
				t.Errorf("step %s changed something without an asker and an approver on its card: %q", s.StepID, c.People)
			} else if asked == approved {
				t.Errorf("step %s was asked and approved by the same person, %s", s.StepID, asked)
			}
		}
		if s.TwoPerson && !strings.Contains(dr.refusedSelf[s.StepID], "two-person") {
			t.Errorf("step %s: approving one's own two-person step was answered %q, want a two-person refusal", s.StepID, dr.refusedSelf[s.StepID])
		}
		if dr.byHand[s.StepID] {
			continue
		}
		switch a.Type {
		case "kubernetes.rollout-restart":
			obj := get(deployments, d.ns, a.Deployment)
			if v, _, _ := unstructured.NestedString(obj.Object, "spec", "template", "metadata", "annotations", kube.RestartedAtAnnotation); v == "" {
				t.Errorf("step %s: deployment %s was not restarted", s.StepID, a.Deployment)
			}
			mark("deployment "+a.Deployment, obj, last["Deployment/"+a.Deployment])
		case "kubernetes.scale":
			names := []string{a.Deployment}
			if a.All {
				names = d.deploymentNames()
			}
			for _, n := range names {
				scaled[n] = int64(*a.Replicas)
			}
		case "kubernetes.patch":
			gvr := d.resourceOf(a.APIVersion, a.Kind)
			obj := get(gvr, d.ns, a.Name)
			mark(a.Kind+" "+a.Name, obj, last[a.Kind+"/"+a.Name])
			d.checkJSONPatch(s, obj)
			if keys, ok := a.Patch.(map[string]any); ok && a.Kind == "ConfigMap" {
				for k, v := range keys["data"].(map[string]any) {
					if got, _, _ := unstructured.NestedString(obj.Object, "data", k); got != v {
						t.Errorf("step %s: ConfigMap %s has %s=%q, want %q", s.StepID, a.Name, k, got, v)
					}
				}
			}
		case "kubernetes.apply":
			for _, o := range manifestObjects(t, a.Content) {
				obj := get(d.resourceOf(o.GetAPIVersion(), o.GetKind()), d.ns, o.GetName())
				mark(o.GetKind()+" "+o.GetName(), obj, last[o.GetKind()+"/"+o.GetName()])
			}
		case "kubernetes.cordon", "kubernetes.drain":
			obj := get(schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, "", a.Node)
			if u, _, _ := unstructured.NestedBool(obj.Object, "spec", "unschedulable"); !u {
				t.Errorf("step %s: node %s is schedulable", s.StepID, a.Node)
			}
		case "kubernetes.exec":
			line := strings.Join(a.Command, " ")
			found := false
			for _, call := range execCalls(d.cluster.ExecDir()) {
				found = found || call == line
			}
			if !found {
				t.Errorf("step %s: the stand-in never ran %q (it ran %q)", s.StepID, line, execCalls(d.cluster.ExecDir()))
			}
			if !strings.Contains(c.Output, "exit code 0") {
				t.Errorf("step %s: the exec's result %q", s.StepID, c.Output)
			}
		case "http":
			if d.mode == rehearsal {
				if !strings.HasPrefix(c.Output, "DRILL: not run for real") || !strings.Contains(c.Output, a.URL) {
					t.Errorf("step %s: a drill's http step says %q, want what it would have sent", s.StepID, c.Output)
				}
				continue
			}
			d.checkHook(s)
		case "notify":
			found := false
			for _, m := range d.out.Slack.Channel(d.channel).Messages {
				found = found || strings.Contains(m.Text, a.Text) && (d.mode == live || strings.HasPrefix(m.Text, "[DRILL] "))
			}
			if !found {
				t.Errorf("step %s: %q is not in the channel", s.StepID, a.Text)
			}
		}
	}
	for name, want := range scaled {
		obj := get(deployments, d.ns, name)
		if got, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); got != want {
			t.Errorf("deployment %s has %d replicas after the drill, want %d", name, got, want)
		}
		mark("deployment "+name, obj, last["Deployment/"+name])
	}
}

// checkJSONPatch checks that each add or replace of a JSON patch step left its value at
// its path in the object as the API server now has it.
func (d *drill) checkJSONPatch(s incident.StepSpec, obj *unstructured.Unstructured) {
	ops, ok := s.Action.Patch.([]any)
	if s.Action.PatchType != "json" || !ok {
		return
	}
	for _, raw := range ops {
		op, _ := raw.(map[string]any)
		if op["op"] != "add" && op["op"] != "replace" {
			continue
		}
		path, _ := op["path"].(string)
		got, found, _ := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(strings.TrimPrefix(path, "/"), "/")...)
		want, _ := json.Marshal(op["value"])
		have, _ := json.Marshal(got)
		if !found || string(want) != string(have) {
			d.t.Errorf("step %s: after %s %s the object has %s (found %v), want %s", s.StepID, op["op"], path, have, found, want)
		}
	}
}

// deploymentNames are the deployments of the drill's namespace.
func (d *drill) deploymentNames() []string {
	list, err := d.kc.AppsV1().Deployments(d.ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		d.t.Fatal(err)
	}
	var names []string
	for _, dep := range list.Items {
		names = append(names, dep.Name)
	}
	return names
}

// resourceOf finds the resource of a kind through the API server's discovery.
func (d *drill) resourceOf(apiVersion, kind string) schema.GroupVersionResource {
	lists, err := d.kc.Discovery().ServerPreferredResources()
	if err != nil && lists == nil {
		d.t.Fatal(err)
	}
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		if apiVersion != "" && l.GroupVersion != apiVersion {
			continue
		}
		for _, r := range l.APIResources {
			if r.Kind == kind && !strings.Contains(r.Name, "/") {
				return gv.WithResource(r.Name)
			}
		}
	}
	d.t.Fatalf("the API server has no kind %s %s", apiVersion, kind)
	return schema.GroupVersionResource{}
}

// checkHook finds the http step's request on the hooks fake: its method, path, secret
// header and body as the playbook renders them.
func (d *drill) checkHook(s incident.StepSpec) {
	t := d.t
	a := s.Action
	u, _ := url.Parse(a.URL)
	var want map[string]any
	b, _ := json.Marshal(a.Body)
	json.Unmarshal(b, &want)
	var matched []hookCall
	for _, c := range d.out.Hooks.Calls() {
		if c.Method == a.HTTPMethod() && c.Host == u.Host && c.Path == u.Path && reflect.DeepEqual(c.Body, want) {
			matched = append(matched, c)
		}
	}
	if len(matched) != 1 {
		t.Errorf("step %s: %d requests %s %s with body %v reached the hooks fake, want 1; it got %+v", s.StepID, len(matched), a.HTTPMethod(), a.URL, want, d.out.Hooks.Calls())
		return
	}
	for header, env := range a.SecretHeaders {
		if header == "Authorization" && matched[0].Authorization != hookTokens[env] {
			t.Errorf("step %s: the hook got Authorization %q, want $%s", s.StepID, matched[0].Authorization, env)
		}
	}
}

// review waits for the review of the drill's incident on the GitHub fake and checks its
// recovery objectives: the RTO achieved against the target, and the RPO where a person
// recorded one or the switchover measured it.
func (d *drill) review() {
	t := d.t
	var issue testenv.GHIssue
	until(t, time.Minute, "the review of "+d.key+" on GitHub", func() bool {
		for _, is := range d.out.GitHub.Issues() {
			if strings.Contains(is.Body, "<!-- incidentbot:"+d.key+" -->") {
				issue = is
				return true
			}
		}
		return false
	})
	row := func(name string) []string {
		for _, line := range strings.Split(issue.Body, "\n") {
			if strings.HasPrefix(line, "| "+name+" |") {
				cells := strings.Split(strings.Trim(line, "| "), " | ")
				if len(cells) == 4 {
					return cells
				}
			}
		}
		t.Fatalf("the review of %s has no %s row:\n%s", d.key, name, issue.Body)
		return nil
	}
	rto := row("RTO")
	t.Logf("%s %s: RTO target %s, achieved %s: %s", d.mode, d.p.Name, rto[1], rto[2], rto[3])
	if rto[1] == "-" || rto[2] == "-" || (rto[3] != "met" && rto[3] != "missed") {
		t.Errorf("the review's RTO row %q has no target, no achieved RTO or no verdict", rto)
	}
	if d.e.RPO != "" {
		rpo := row("RPO")
		t.Logf("%s %s: RPO target %s, achieved %s: %s", d.mode, d.p.Name, rpo[1], rpo[2], rpo[3])
		if rpo[1] == "-" || strings.HasPrefix(rpo[2], "not recorded") || (rpo[3] != "met" && rpo[3] != "missed") {
			t.Errorf("the review's RPO row %q has no target, no achieved RPO or no verdict", rpo)
		}
	}
	if d.e.Patroni != nil {
		rpo := row("RPO")
		t.Logf("%s %s: RPO target %s, measured %s: %s", d.mode, d.p.Name, rpo[1], rpo[2], rpo[3])
		if rpo[1] == "-" || rpo[2] != d.e.Patroni.Measured || rpo[3] != "met" {
			t.Errorf("the review's RPO row %q: want the target, %q and met", rpo, d.e.Patroni.Measured)
		}
	}
	// Every step of the run is in the review, with its result.
	for _, s := range d.steps {
		if !strings.Contains(issue.Body, s.Title) {
			t.Errorf("the review of %s does not list step %s (%q)", d.key, s.StepID, s.Title)
		}
	}
}
