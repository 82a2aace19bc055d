package kubesim_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/patroni"
)

// The stand-in's REST API is the cluster patronictl answers for: a switchover through
// patroni.Executor moves the leader Leader reports, measures the RPO (the replica was 0
// bytes behind), and the same switchover again is refused as Patroni refuses it; patronictl
// then sees the new leader.
func TestPatroniAPISwitchover(t *testing.T) {
	c, x, ctx := newCluster(t)
	url, stop := c.ServePatroni()
	defer stop()
	px := &patroni.Executor{AllowedHosts: []string{"127.0.0.1"}}
	st := step(t, &incident.Action{Type: patroni.ActionType, URL: url, Leader: "postgresql-primary", Candidate: "postgresql-replica-0"})
	plan, err := px.Plan(ctx, nil, st)
	if err != nil || !strings.Contains(plan, "candidate: postgresql-replica-0 (replica, streaming), lag 0 bytes") {
		t.Fatalf("plan %q, %v", plan, err)
	}
	res, err := px.Execute(ctx, nil, st)
	if err != nil || !res.OK || res.RPO == nil || res.RPO.Window != 0 || c.Leader() != "postgresql-replica-0" {
		t.Fatalf("switchover %+v, %v; leader %s", res, err, c.Leader())
	}
	if !strings.Contains(res.Output, "Switched over: postgresql-primary -> postgresql-replica-0, timeline 2") {
		t.Errorf("output %q", res.Output)
	}
	if res, err := px.Execute(ctx, nil, st); err != nil || res.OK || !strings.Contains(res.Output, "postgresql-replica-0 leads, not postgresql-primary") {
		t.Errorf("second switchover %+v, %v", res, err)
	}
	back := &incident.Action{Type: "kubernetes.exec", Cluster: "sim", Namespace: ns, Pod: "postgresql-replica-0",
		Command: []string{"patronictl", "switchover", "--master", "postgresql-replica-0", "--candidate", "postgresql-primary", "--force"}}
	if res := run(t, ctx, x, back); !res.OK || c.Leader() != "postgresql-primary" {
		t.Errorf("patronictl after the REST API switchover %+v, leader %s", res, c.Leader())
	}
}
