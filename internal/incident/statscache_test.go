package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/storetest"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The KPIs a Service keeps up to date from the stores' log of changes are those a Service
// that reads every incident afresh computes, after each kind of change: a declaration, a
// mitigation, an RPO, a PagerDuty acknowledgement, a follow-up, a resolution, a drill's
// run and steps. (Before the cache there was nothing to keep up to date; this pins that
// it is kept so.)
func TestStatsStayUpToDate(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPlaybooks("../../commands/testdata/playbooks", "127.0.0.1"))
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	check := func(what string) {
		t.Helper()
		for _, since := range []time.Time{{}, sys.Clock.Now().Add(-time.Hour)} {
			warm, err := sys.Service.Stats(sys.Ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			cold, err := incident.NewService(incident.ServiceConfig{Store: sys.Store, Clock: sys.Clock, Settings: sys.Service.Settings()}).Stats(sys.Ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			if d := storetest.Diff(cold, warm); len(d) > 0 {
				t.Errorf("after %s, since %s: the kept KPIs differ from the fresh ones: %v", what, since, d)
			}
		}
	}
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	check("nothing")
	do(general, "declare P1 intent-processing Intent API down")
	check("a declaration")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Clock.Advance(10 * time.Minute)
	do(ch, "mitigate")
	check("a mitigation")
	do(ch, "rpo 20s")
	do(ch, "service add api-gateway")
	check("an RPO and a service")
	err := sys.Store.Update(sys.Ctx, func(tx incident.Tx) error {
		inc, err := tx.Incident(1)
		if err != nil {
			return err
		}
		inc.AckedAt = inc.DeclaredAt.Add(3 * time.Minute)
		return tx.UpdateIncident(inc)
	})
	if err != nil {
		t.Fatal(err)
	}
	check("an acknowledgement")
	do(ch, "followup add a runbook")
	check("a follow-up")
	do(ch, "resolve fixed")
	check("a resolution")
	do(general, "drill failover-drill ticket=CHG-1 hook=http://127.0.0.1:1")
	check("a drill")
	sys.Deliver()
	ch = sys.Incident(2).ChannelID
	do(ch, "step 2 done")
	check("a step done")
	sys.Clock.Advance(13 * time.Hour) // past statsRefreshAll: everything is read again
	do(ch, "resolve drill over")
	check("a resolution half a day later")
}
