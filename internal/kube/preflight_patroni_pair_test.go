package kube

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv/patroni"
)

// PatroniCluster reads a real Patroni pair (Debian's patroni on loopback): the leader and
// its synchronous standby, which Patroni 3.0 reports as running, within the default lag.
func TestPreflightReplicaLagOfARealPatroniPair(t *testing.T) {
	pair := patroni.Start(t)
	x, _ := preflightCluster()
	u, _ := url.Parse(pair.Nodes[0].API)
	x.AllowedHosts = []string{u.Hostname()}
	a := failover(1)
	a.PatroniURL = pair.Nodes[0].API
	res, err := x.Execute(context.Background(), nil, step(a))
	if err != nil {
		t.Fatal(err)
	}
	leader := pair.Leader()
	if !res.OK || leader == nil || !strings.Contains(res.Output, "PASS replica lag: leader "+leader.Name+"; ") || !strings.Contains(res.Output, " bytes (at most 1048576 bytes)") {
		t.Errorf("%+v", res)
	}
}
