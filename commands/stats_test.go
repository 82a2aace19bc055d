package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The KPIs count real incidents and drills apart, per tier and per scenario, over a period.
func TestStatsReportTheRecoveryKPIs(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"))
	h := newHook(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	in := func(n int64) string { sys.Deliver(); return sys.Incident(n).ChannelID }

	s.do(alice, general, "stats", "*Real incidents*: none", "*Drills*: none")
	s.do(alice, general, "declare P1 intent-processing Old outage")
	s.do(alice, in(1), "resolve long ago")
	sys.Clock.Advance(40 * 24 * time.Hour) // outside the default 30 days

	s.do(alice, general, "declare P1 intent-processing Intent API down")
	ch := in(2)
	sys.Clock.Advance(10 * time.Minute)
	s.do(alice, ch, "mitigate")
	s.do(alice, ch, "rpo 20s")
	s.do(alice, ch, "resolve fixed")
	ackAfter(t, sys, 2, 3*time.Minute) // as a PagerDuty acknowledgement records it

	s.do(alice, general, "declare P2 api-gateway Gateway slow")
	ch = in(3)
	sys.Clock.Advance(50 * time.Minute) // past the 45m RTO of tier 2
	s.do(alice, ch, "mitigate")
	s.do(alice, ch, "rpo 10m") // past the 5m RPO
	s.do(alice, ch, "followup add a runbook for the gateway")
	s.do(alice, ch, "resolve fixed")

	// A drill whose every step succeeds, and one left with steps not done.
	s.do(alice, general, "drill failover-drill ticket=CHG-1 hook="+h.srv.URL, "Drill *INC-4*")
	ch = in(4)
	s.do(alice, ch, "role ic <@U0BOB|bob>")
	for _, c := range []string{"step 1 run", "step 2 done", "step 4 run", "step 5 run"} {
		s.do(bob, ch, c)
	}
	s.do(alice, ch, "step 3 run")
	s.do(bob, ch, "step 3 approve", "Approved")
	sys.Deliver()
	s.do(bob, ch, "resolve drill went well")
	s.do(alice, general, "drill failover-drill ticket=CHG-2 hook="+h.srv.URL, "Drill *INC-5*")
	ch = in(5)
	s.do(alice, ch, "step 1 run")
	sys.Deliver()
	s.do(alice, ch, "resolve ran out of time")

	got := s.do(alice, general, "stats",
		"*Recovery KPIs for the last 30d*",
		"*Real incidents*: 2 (2 resolved) · MTTA 3m · MTTR 30m · RTO met 50.0% (1/2) · RPO met 50.0% (1/2) · follow-ups filed 0.0% (0/1)",
		"• Tier 1: 1 (1 resolved) · MTTA 3m · MTTR 10m · RTO met 100.0% (1/1) · RPO met 100.0% (1/1)\n",
		"• Tier 2: 1 (1 resolved) · MTTA n/a · MTTR 50m · RTO met 0.0% (0/1) · RPO met 0.0% (0/1)",
		"*Drills*: 2 (2 resolved)", "drill success 50.0% (1/2)",
		"• `failover-drill`: 2 (2 resolved)")
	if strings.Contains(got, "Old outage") || strings.Contains(got, "*Real incidents*: 3") {
		t.Errorf("the 30-day stats count an incident from 40 days ago:\n%s", got)
	}
	s.do(alice, general, "stats all", "*Recovery KPIs for all time*", "*Real incidents*: 3 (3 resolved)")
	s.do(alice, general, "stats 12h", "*Real incidents*: 2")
	for _, bad := range []string{"7x", "0d", "-3d", "d", "99999w"} {
		if r := sys.Do(alice, general, "stats "+bad); !r.Error {
			t.Errorf("stats %s was accepted: %s", bad, r.Text)
		}
	}
}

// ackAfter records the first acknowledgement of incident id, after d.
func ackAfter(t *testing.T, sys *testenv.System, id int64, d time.Duration) {
	t.Helper()
	err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) error {
		inc, err := tx.Incident(id)
		if err != nil {
			return err
		}
		inc.AckedAt, inc.AckedBy = inc.DeclaredAt.Add(d), "PUALICE"
		return tx.UpdateIncident(inc)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 30 * 24 * time.Hour, "all": 0, "ALL": 0, "12h": 12 * time.Hour, "7d": 7 * 24 * time.Hour, "4W": 28 * 24 * time.Hour} {
		if got, err := commands.ParsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
