package incident

import "slices"

// The defaults of a kubernetes.preflight's thresholds, for the fields a playbook leaves out.
const (
	DefaultMinHeadroom    = 10 // percent of allocatable CPU and memory left free after the scale-ups
	DefaultMinDisruptions = 1  // a drain is not blocked from its first eviction
	DefaultMaxPending     = 0
	DefaultMaxNotReady    = 0
	DefaultMaxLag         = 1 << 20 // bytes: Patroni's own default maximum_lag_on_failover (1 MB)
)

// PreflightLimits are a kubernetes.preflight's thresholds with the defaults filled in.
type PreflightLimits struct {
	MinHeadroom, MinDisruptions, MaxPending, MaxNotReady int
	MaxLag                                               int64
}

// Limits returns the preflight's thresholds: its own where set, else the defaults.
func (a *Action) Limits() PreflightLimits {
	l := PreflightLimits{MinHeadroom: DefaultMinHeadroom, MinDisruptions: DefaultMinDisruptions,
		MaxPending: DefaultMaxPending, MaxNotReady: DefaultMaxNotReady, MaxLag: DefaultMaxLag}
	for _, f := range []struct {
		set *int
		to  *int
	}{{a.MinHeadroom, &l.MinHeadroom}, {a.MinDisruptions, &l.MinDisruptions}, {a.MaxPending, &l.MaxPending}, {a.MaxNotReady, &l.MaxNotReady}} {
		if f.set != nil {
			*f.to = *f.set
		}
	}
	if a.MaxLag != nil {
		l.MaxLag = *a.MaxLag
	}
	return l
}

// PreflightNamespaces are the namespaces a kubernetes.preflight counts pending pods in:
// its own, if set, then those of the steps ahead of it, each once.
func (a *Action) PreflightNamespaces() []string {
	var out []string
	seen := map[string]bool{}
	add := func(ns string) {
		if ns != "" && !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	add(a.Namespace)
	for _, u := range a.Ahead {
		add(u.Action.Namespace)
	}
	return out
}

// DrainedNodes are the nodes the steps ahead of a kubernetes.preflight drain, sorted.
func (a *Action) DrainedNodes() []string {
	var out []string
	for _, u := range a.Ahead {
		if u.Action.Type == "kubernetes.drain" && !slices.Contains(out, u.Action.Node) {
			out = append(out, u.Action.Node)
		}
	}
	slices.Sort(out)
	return out
}
