package playbook

import (
	"fmt"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

// checkPreflight: thresholds in range, and a Patroni URL on an allowed host.
func checkPreflight(a *incident.Action, p yamlx.Pos, env CheckEnv) []error {
	var errs []error
	if a.MinHeadroom != nil && (*a.MinHeadroom < 0 || *a.MinHeadroom > 90) {
		errs = append(errs, p.Field("min_headroom").Errorf("expected a percentage from 0 to 90, got %d", *a.MinHeadroom))
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"min_disruptions", a.MinDisruptions}, {"max_pending", a.MaxPending}, {"max_not_ready", a.MaxNotReady}} {
		if f.v != nil && *f.v < 0 {
			errs = append(errs, p.Field(f.name).Errorf("must not be negative, got %d", *f.v))
		}
	}
	if a.MaxLag != nil && *a.MaxLag < 0 {
		errs = append(errs, p.Field("max_lag").Errorf("expected bytes, not negative, got %d", *a.MaxLag))
	}
	if a.MaxLag != nil && a.PatroniURL == "" {
		errs = append(errs, p.Field("max_lag").Errorf("set patroni_url too: the lag is read from Patroni's REST API"))
	}
	if a.PatroniURL != "" && !templated(a.PatroniURL) {
		errs = append(errs, CheckURL(p.Field("patroni_url"), a.PatroniURL, env.AllowedHosts)...)
	}
	return errs
}

// lookAhead gives each kubernetes.preflight of a run the later steps on its cluster that
// its checks weigh: up to the next preflight on that cluster, each kubernetes step's type
// and namespace, and what a scale sets or a drain empties. It then writes the preflight's
// plan, which says what it will check.
func lookAhead(spec *incident.RunSpec) {
	var steps []*incident.StepSpec
	for i := range spec.Phases {
		for j := range spec.Phases[i].Steps {
			steps = append(steps, &spec.Phases[i].Steps[j])
		}
	}
	for i, pre := range steps {
		a := &pre.Action
		if a.Type != "kubernetes.preflight" {
			continue
		}
		a.Ahead = nil
		for _, later := range steps[i+1:] {
			b := later.Action
			if !b.Kubernetes() || b.Cluster != a.Cluster {
				continue
			}
			if b.Type == "kubernetes.preflight" {
				break
			}
			u := incident.Action{Type: b.Type, Namespace: b.Namespace}
			switch b.Type {
			case "kubernetes.scale":
				u.Deployment, u.StatefulSet, u.All, u.Replicas = b.Deployment, b.StatefulSet, b.All, b.Replicas
			case "kubernetes.drain", "kubernetes.cordon":
				u.Node, u.IgnoreDaemonSets = b.Node, b.IgnoreDaemonSets
			}
			a.Ahead = append(a.Ahead, incident.Upcoming{StepID: later.StepID, Action: u})
		}
		pre.Plan = preflightPlan(a)
	}
}

// preflightPlan says what a preflight will check, with its thresholds, before it runs.
func preflightPlan(a *incident.Action) string {
	l := a.Limits()
	cluster := a.Cluster
	if cluster == "" {
		cluster = "the default cluster"
	}
	var scales, drains []string
	for _, u := range a.Ahead {
		switch u.Action.Type {
		case "kubernetes.scale":
			scales = append(scales, fmt.Sprintf("%s (%s to %d)", u.StepID, ScaleTarget(u.Action), *u.Action.Replicas))
		case "kubernetes.drain":
			drains = append(drains, fmt.Sprintf("%s (node %s)", u.StepID, u.Action.Node))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Reads %s, changes nothing; fails if any check fails:\n", cluster)
	demand := "the requests of the running pods"
	if len(scales) > 0 {
		demand += " plus the pods added by " + strings.Join(scales, ", ")
	}
	if len(drains) > 0 {
		demand += " and those evicted by " + strings.Join(drains, ", ")
	}
	fmt.Fprintf(&b, "• capacity: CPU, memory and pods allocatable on the Ready, schedulable nodes hold %s, with at least %d%% of CPU and memory left free\n", demand, l.MinHeadroom)
	if len(drains) > 0 {
		fmt.Fprintf(&b, "• disruption budgets: every PodDisruptionBudget over pods on the drained nodes allows at least %d disruption(s)\n", l.MinDisruptions)
	} else {
		b.WriteString("• disruption budgets: no drain follows; nothing to check\n")
	}
	if ns := a.PreflightNamespaces(); len(ns) > 0 {
		fmt.Fprintf(&b, "• pending pods in %s: at most %d\n", strings.Join(ns, ", "), l.MaxPending)
	} else {
		b.WriteString("• pending pods: no namespace to look in (set namespace)\n")
	}
	nodes := "• nodes not Ready"
	if drained := a.DrainedNodes(); len(drained) > 0 {
		nodes += " (besides " + strings.Join(drained, ", ") + ", which the run drains)"
	}
	fmt.Fprintf(&b, "%s: at most %d\n", nodes, l.MaxNotReady)
	if a.PatroniURL != "" {
		fmt.Fprintf(&b, "• replica lag (Patroni GET %s/cluster): every replica streaming, at most %d bytes behind", strings.TrimRight(a.PatroniURL, "/"), l.MaxLag)
	} else {
		b.WriteString("• replica lag: not checked (no patroni_url)")
	}
	return b.String()
}

// ScaleTarget names what a kubernetes.scale scales: deployment ns/name, statefulset
// ns/name, or every Deployment in ns.
func ScaleTarget(a incident.Action) string {
	switch {
	case a.StatefulSet != "":
		return "statefulset " + a.Namespace + "/" + a.StatefulSet
	case a.All:
		return "every Deployment in " + a.Namespace
	}
	return "deployment " + a.Namespace + "/" + a.Deployment
}
