package playbook

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

const preflightPlaybook = `
name: failover
title: Failover
params:
  region: {default: us-west-2}
  patroni: {description: Patroni's REST API; empty checks no lag}
phases:
  - name: Check
    within: 5m
    steps:
      - id: preflight
        title: Preflight
        action: {type: kubernetes.preflight, cluster: "{{ .params.region }}", namespace: watch, patroni_url: "{{ .params.patroni }}", min_headroom: 20}
  - name: Failover
    within: 15m
    steps:
      - id: scale-api
        title: Scale the API
        action: {type: kubernetes.scale, cluster: "{{ .params.region }}", namespace: apps, deployment: api, replicas: 4}
      - id: scale-elsewhere
        title: Scale in another cluster
        action: {type: kubernetes.scale, cluster: eu-west-1, namespace: apps, all: true, replicas: 9}
      - id: drain
        title: Drain
        action: {type: kubernetes.drain, cluster: "{{ .params.region }}", node: node-7, ignore_daemonsets: true, timeout: 5m}
      - id: db
        title: Scale the database
        action: {type: kubernetes.scale, cluster: "{{ .params.region }}", namespace: db, statefulset: pg, replicas: 2}
      - id: second-preflight
        title: Preflight again
        action: {type: kubernetes.preflight, cluster: "{{ .params.region }}"}
      - id: after
        title: Scale after the second preflight
        action: {type: kubernetes.scale, cluster: "{{ .params.region }}", namespace: late, all: true, replicas: 5}
`

// A preflight weighs the later kubernetes steps of its run on its own cluster, up to the
// next preflight there, and its plan names each with the thresholds it holds them to.
func TestPreflightLooksAheadInItsRun(t *testing.T) {
	p, err := Parse("failover.yaml", []byte(preflightPlaybook), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Build(p, nil, &incident.Incident{Number: 1}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pre := run.Phases[0].Steps[0]
	var got []string
	for _, u := range pre.Action.Ahead {
		got = append(got, u.StepID+":"+u.Action.Type+":"+u.Action.Namespace+":"+u.Action.Node)
	}
	want := "scale-api:kubernetes.scale:apps: drain:kubernetes.drain::node-7 db:kubernetes.scale:db:"
	if strings.Join(got, " ") != want {
		t.Errorf("ahead %v, want %s", got, want)
	}
	if pre.Mutating || pre.NeedsApproval() {
		t.Error("a preflight only reads: it needs no approval")
	}
	for _, line := range []string{
		"Reads us-west-2, changes nothing; fails if any check fails:",
		"plus the pods added by scale-api (deployment apps/api to 4), db (statefulset db/pg to 2) and those evicted by drain (node node-7), with at least 20% of CPU and memory left free",
		"• disruption budgets: every PodDisruptionBudget over pods on the drained nodes allows at least 1 disruption(s)",
		"• pending pods in watch, apps, db: at most 0",
		"• nodes not Ready (besides node-7, which the run drains): at most 0",
		"• replica lag: not checked (no patroni_url)",
	} {
		if !strings.Contains(pre.Plan, line) {
			t.Errorf("plan lacks %q:\n%s", line, pre.Plan)
		}
	}
	second := run.Phases[1].Steps[4]
	if len(second.Action.Ahead) != 1 || second.Action.Ahead[0].StepID != "after" || !strings.Contains(second.Plan, "pending pods in late: at most 0") {
		t.Errorf("the second preflight: %+v\n%s", second.Action.Ahead, second.Plan)
	}

	// Given a Patroni URL, it must be on an allowed host, and the plan says where the lag is read.
	if _, err := Build(p, map[string]string{"patroni": "http://evil.example:8008"}, &incident.Incident{}, BuildOptions{AllowedHosts: []string{"patroni.db.svc"}}); err == nil ||
		!strings.Contains(err.Error(), `patroni_url: host "evil.example" is not in actions.http.allowed_hosts`) {
		t.Errorf("a Patroni URL off the allow-list: %v", err)
	}
	run, err = Build(p, map[string]string{"patroni": "http://patroni.db.svc:8008"}, &incident.Incident{}, BuildOptions{AllowedHosts: []string{"patroni.db.svc"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan := run.Phases[0].Steps[0].Plan; !strings.Contains(plan, "• replica lag (Patroni GET http://patroni.db.svc:8008/cluster): every replica streaming, at most 1048576 bytes behind") {
		t.Errorf("plan with Patroni:\n%s", plan)
	}
}
