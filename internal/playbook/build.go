package playbook

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

// BuildOptions are what starting a run needs beyond the playbook.
type BuildOptions struct {
	AllowedHosts    []string        // for http actions: checked again on the rendered URL
	Clusters        []string        // configured cluster names; nil skips the check
	DefaultApprover []incident.Role // approval of mutating steps that name none (approvals.default_roles)
	// DrillClusters maps a cluster to the drill cluster that stands in for it in drills
	// (drills.clusters): a drill's kubernetes steps on a mapped cluster act on its drill
	// cluster for real; on any other cluster they are dry runs only.
	DrillClusters map[string]string
	// DrillPatroniHosts are the hosts of drill databases' Patroni (drills.patroni_hosts): a
	// drill's patroni.switchover on one of them runs for real.
	DrillPatroniHosts []string
}

// Build checks the params (unknown, missing, not in the enum: all at once, before anything
// runs) and renders every step for inc, ready for incident.Service.StartRun.
func Build(p *Playbook, args map[string]string, inc *incident.Incident, opts BuildOptions) (incident.RunSpec, error) {
	params, err := p.resolveParams(args)
	if err != nil {
		return incident.RunSpec{}, err
	}
	data := map[string]any{"params": params, "incident": incidentData(inc)}
	spec := incident.RunSpec{Playbook: p.Name, Title: p.Title, Params: params}
	var problems []string
	for _, ph := range p.Phases {
		ps := incident.PhaseSpec{Name: ph.Name, After: time.Duration(ph.After), Within: time.Duration(ph.Within)}
		for _, st := range ph.Steps {
			s, err := buildStep(p, st, data, inc.Drill, opts)
			if err != nil {
				problems = append(problems, fmt.Sprintf("step %s: %v", st.ID, err))
				continue
			}
			ps.Steps = append(ps.Steps, s)
		}
		spec.Phases = append(spec.Phases, ps)
	}
	if len(problems) > 0 {
		return incident.RunSpec{}, incident.Errorf(incident.EINVALID, "The playbook %s cannot start:\n• %s", p.Name, strings.Join(problems, "\n• "))
	}
	lookAhead(&spec)
	return spec, nil
}

// resolveParams applies defaults and checks args against the declared params.
func (p *Playbook) resolveParams(args map[string]string) (map[string]string, error) {
	var problems []string
	out := map[string]string{}
	for k, v := range args {
		par, ok := p.Params[k]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("unknown param %q (this playbook takes: %s)", k, paramNames(p.Params)))
		case len(par.Enum) > 0 && !slices.Contains(par.Enum, v):
			problems = append(problems, fmt.Sprintf("%s=%s is not one of %s", k, v, strings.Join(par.Enum, ", ")))
		case strings.TrimSpace(v) == "":
			problems = append(problems, fmt.Sprintf("%s is empty", k))
		default:
			out[k] = v
		}
	}
	for name, par := range p.Params {
		if _, given := out[name]; given {
			continue
		}
		switch {
		case par.Required:
			problems = append(problems, fmt.Sprintf("missing required param %s (%s)", name, par.Description))
		default:
			out[name] = par.Default // an optional param without a default is empty
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, incident.Errorf(incident.EINVALID, "The playbook %s cannot start: %s.\nUsage: `/incident playbook %s%s`",
			p.Name, strings.Join(problems, "; "), p.Name, p.usage())
	}
	return out, nil
}

func (p *Playbook) usage() string {
	var names []string
	for n := range p.Params {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		if p.Params[n].Required {
			fmt.Fprintf(&b, " %s=<value>", n)
		} else {
			fmt.Fprintf(&b, " [%s=%s]", n, p.Params[n].Default)
		}
	}
	return b.String()
}

func incidentData(inc *incident.Incident) map[string]any {
	return map[string]any{"key": inc.Key(), "number": inc.Number, "title": inc.Title, "severity": string(inc.Severity),
		"service": inc.Service, "tier": int(inc.Tier), "channel": inc.ChannelID, "commander": inc.Commander}
}

// buildStep renders one step: a fresh copy of its action, decoded again from the file.
func buildStep(p *Playbook, st *Step, data map[string]any, drill bool, opts BuildOptions) (incident.StepSpec, error) {
	title, err := render(st.Title, data)
	if err != nil {
		return incident.StepSpec{}, err
	}
	a, err := decodeFields(p.File, &st.Raw, KindOf(st.Action.Type), "")
	if err != nil {
		return incident.StepSpec{}, err
	}
	texts, values := templates(&a)
	for _, s := range texts {
		if *s, err = render(*s, data); err != nil {
			return incident.StepSpec{}, err
		}
	}
	for _, v := range values {
		if *v, err = renderAny(*v, data); err != nil {
			return incident.StepSpec{}, err
		}
	}
	if a.Type == "kubernetes.preflight" && a.PatroniURL != "" {
		if errs := CheckURL(yamlx.Pos{}, a.PatroniURL, opts.AllowedHosts); len(errs) > 0 {
			return incident.StepSpec{}, fmt.Errorf("patroni_url: %s", strings.TrimPrefix(errs[0].Error(), ":0:0: "))
		}
	}
	if a.Type == "http" {
		if errs := CheckURL(yamlx.Pos{}, a.URL, opts.AllowedHosts); len(errs) > 0 {
			return incident.StepSpec{}, fmt.Errorf("%s", strings.TrimPrefix(errs[0].Error(), ":0:0: "))
		}
	}
	live := false
	if to, ok := opts.DrillClusters[a.Cluster]; ok && drill && a.Kubernetes() {
		a.Cluster, live = to, true
	}
	if drill && a.Type == PatroniSwitchover {
		if u, err := url.Parse(a.URL); err == nil && slices.Contains(opts.DrillPatroniHosts, u.Hostname()) {
			live = true
		}
	}
	if opts.Clusters != nil && a.Cluster != "" && !slices.Contains(opts.Clusters, a.Cluster) {
		return incident.StepSpec{}, fmt.Errorf("unknown cluster %q (configured: %s)", a.Cluster, strings.Join(opts.Clusters, ", "))
	}
	if a.Type == "kubernetes.apply" {
		content, err := p.ReadFile(a.Manifest)
		if err != nil {
			return incident.StepSpec{}, fmt.Errorf("read the manifest: %w", err)
		}
		a.Content = string(content)
	}
	owner := incident.Role(st.Owner)
	if owner == "" {
		owner = incident.RoleCommander
	}
	spec := incident.StepSpec{
		StepID: st.ID, Title: title, Owner: owner, Action: a,
		Summary: Describe(a), Mutating: Mutates(a), Plan: plan(&a), DrillLive: live,
	}
	switch {
	case st.Approval != nil:
		for _, r := range st.Approval.Roles {
			spec.ApprovalRoles = append(spec.ApprovalRoles, incident.Role(r))
		}
		spec.ApprovalGroups, spec.TwoPerson = st.Approval.Groups, st.Approval.TwoPerson
	case spec.Mutating:
		spec.ApprovalRoles = opts.DefaultApprover
	}
	return spec, nil
}

// plan shows what a mutating action will do, before anyone approves it. For http: the
// method, URL, headers (secret ones by variable name) and body.
func plan(a *incident.Action) string {
	if a.Type != "http" || !Mutates(*a) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", a.HTTPMethod(), a.URL)
	for _, k := range sortedHeaderNames(a.Headers) {
		fmt.Fprintf(&b, "%s: %s\n", k, *a.Headers[k])
	}
	for _, k := range sortedNames(a.SecretHeaders) {
		fmt.Fprintf(&b, "%s: <from $%s>\n", k, a.SecretHeaders[k])
	}
	if a.Body != nil {
		body, _ := json.MarshalIndent(a.Body, "", "  ")
		if s, isString := a.Body.(string); isString {
			body = []byte(s)
		}
		fmt.Fprintf(&b, "\n%s", body)
	}
	return strings.TrimRight(b.String(), "\n")
}

func sortedHeaderNames(m map[string]*string) []string {
	var out []string
	for k, v := range m {
		if v != nil {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func sortedNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
