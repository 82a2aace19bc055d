package kube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/patroni"
)

// LagReader reads the replication lag of a Patroni cluster through the REST API of one of
// its members at url (such as http://patroni.nephoran-system.svc:8008). Actions has checked
// url's host against its allow-list before it calls.
type LagReader interface {
	ReplicaLag(ctx context.Context, url string) (LagReport, error)
}

// LagReport is a Patroni cluster's members as its REST API reports them.
type LagReport struct {
	Members []LagMember
}

// LagMember is one member: Role leader, standby_leader, replica or sync_standby; State
// running, streaming, stopped...; Lag in bytes behind the leader, when Patroni knows it.
type LagMember struct {
	Name, Role, State string
	Lag               int64
	LagKnown          bool
}

// Leader reports whether the member leads the cluster (or a standby cluster).
func (m LagMember) Leader() bool { return m.Role == "leader" || m.Role == "standby_leader" }

// PatroniCluster is the LagReader that reads Patroni's GET /cluster through
// internal/patroni's client (the one patroni.switchover uses), which also refuses
// redirects off the allow-list.
type PatroniCluster struct {
	AllowedHosts []string     // the hosts the client may reach: Actions passes its own
	Client       *http.Client // nil: patroni's default client
}

var _ LagReader = PatroniCluster{}

// ReplicaLag reads GET <base>/cluster: the members with their role, state and lag (bytes,
// or unknown).
func (p PatroniCluster) ReplicaLag(ctx context.Context, base string) (LagReport, error) {
	c, err := patroni.New(base, p.AllowedHosts, p.Client)
	if err != nil {
		return LagReport{}, err
	}
	cl, err := c.Cluster(ctx)
	if err != nil {
		return LagReport{}, err
	}
	var out LagReport
	for _, m := range cl.Members {
		out.Members = append(out.Members, LagMember{Name: m.Name, Role: m.Role, State: m.State, Lag: m.Lag.Bytes, LagKnown: m.Lag.Known})
	}
	return out, nil
}

// replicaLag checks, through the allow-listed Patroni URL, that the cluster has a leader
// and that every replica streams from it at most max_lag bytes behind.
func (x *Actions) replicaLag(ctx context.Context, a *incident.Action, l incident.PreflightLimits) preflightCheck {
	const name = "replica lag"
	if a.PatroniURL == "" {
		return preflightCheck{name, true, "not checked (no patroni_url)"}
	}
	u, err := url.Parse(a.PatroniURL)
	if err != nil || !slices.Contains(x.AllowedHosts, u.Hostname()) {
		return preflightCheck{name, false, fmt.Sprintf("the host of %s is not in actions.http.allowed_hosts", a.PatroniURL)}
	}
	reader := x.Lag
	if reader == nil {
		reader = PatroniCluster{AllowedHosts: x.AllowedHosts}
	}
	report, err := reader.ReplicaLag(ctx, a.PatroniURL)
	if err != nil {
		return preflightCheck{name, false, "cannot read Patroni at " + a.PatroniURL + ": " + err.Error()}
	}
	ok := true
	var leader string
	var lines []string
	for _, m := range report.Members {
		if m.Leader() {
			leader = m.Name
			continue
		}
		line := fmt.Sprintf("%s %s", m.Name, m.State)
		switch {
		case m.State != "streaming" && m.State != "running":
			ok = false
			line += " (not replicating)"
		case !m.LagKnown:
			ok = false
			line += ", lag unknown"
		case m.Lag > l.MaxLag:
			ok = false
			line += fmt.Sprintf(", lag %d bytes > %d", m.Lag, l.MaxLag)
		default:
			line += fmt.Sprintf(", lag %d bytes", m.Lag)
		}
		lines = append(lines, line)
	}
	switch {
	case leader == "":
		return preflightCheck{name, false, "Patroni reports no leader: " + strings.Join(append([]string{}, lines...), "; ")}
	case len(lines) == 0:
		return preflightCheck{name, false, "leader " + leader + " has no replica to fail over to"}
	}
	return preflightCheck{name, ok, fmt.Sprintf("leader %s; %s (at most %d bytes)", leader, strings.Join(lines, "; "), l.MaxLag)}
}
