package playbook

import (
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/yamlx"
)

// PatroniSwitchover is the action type that switches a Patroni cluster's leader over through
// its REST API (internal/patroni runs it) and records the replica lag read right before as
// the RPO achieved.
const PatroniSwitchover = "patroni.switchover"

func init() {
	register(&Kind{Type: PatroniSwitchover, Mutating: true,
		Doc:    "a Patroni switchover (POST /switchover on an allow-listed REST API URL) that measures the RPO achieved from the candidate's lag",
		Fields: []string{"url", "leader", "candidate", "timeout"}, check: checkPatroni})
}

// checkPatroni: the REST API's base URL on an allowed host, and a bounded timeout.
func checkPatroni(a *incident.Action, p yamlx.Pos, env CheckEnv) []error {
	errs := required(p, "url", a.URL)
	if a.URL != "" && !templated(a.URL) {
		errs = append(errs, CheckURL(p.Field("url"), a.URL, env.AllowedHosts)...)
	}
	if a.Leader != "" && a.Candidate != "" && a.Leader == a.Candidate && !templated(a.Leader) {
		errs = append(errs, p.Field("candidate").Errorf("is the leader %q: a switchover hands the leader role to another member", a.Leader))
	}
	if a.Timeout > MaxHTTPTimeout {
		errs = append(errs, p.Field("timeout").Errorf("at most %s", MaxHTTPTimeout))
	}
	return errs
}
