package patroni_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/patronifake"
)

const (
	alice = "U0ALICE"
	bob   = "U0BOB"
)

// A patroni.switchover step run through the whole bot (the app's wiring, the SQLite store,
// Slack's emulator) on a tier-1 service (RPO 30s): its plan names the candidate and its lag;
// it switches over; the measured RPO is on the incident, on the timeline against the target,
// in the KPIs and in the review, where it wins over a window typed with /incident rpo.
func TestMeasuredRPOInTheIncident(t *testing.T) {
	for _, tc := range []struct {
		name     string
		async    bool // n2 is an asynchronous replica 45 s behind, not the synchronous standby
		window   time.Duration
		verdict  string
		basis    string
		kpi      string
		achieved string
	}{
		{name: "synchronous standby", window: 0, verdict: "met", basis: "n2 was the synchronous standby",
			kpi: "RPO met 100.0% (1/1) (1 measured at a switchover)", achieved: "| RPO | 30s (intent-processing) | 0s, measured at the switchover of step 1.1 switchover (n2 was the synchronous standby"},
		{name: "asynchronous replica behind", async: true, window: 45 * time.Second, verdict: "missed", basis: "its last replayed transaction was 45s old",
			kpi: "RPO met 0.0% (0/1) (1 measured at a switchover)", achieved: "| RPO | 30s (intent-processing) | 45s, measured at the switchover of step 1.1 switchover (n2 was 4096 bytes (4.0 kB) behind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := testenv.NewSystem(t, testenv.WithPlaybooks("testdata/playbooks", "127.0.0.1"), testenv.WithGitHub(false))
			f := patronifake.Start(t)
			if tc.async {
				f.Set(false,
					patronifake.Member{Name: "n1", Role: "leader", State: "running", Timeline: 1},
					patronifake.Member{Name: "n2", Role: "replica", State: "running", Timeline: 1, Lag: 4096, Streaming: true,
						ReplayedAt: sys.Clock.Now().Add(-45 * time.Second)})
			}
			general := sys.Slack.AddChannel("general", alice, bob)
			sys.Do(alice, general, "declare P1 intent-processing Intent database primary failing")
			sys.Deliver()
			inc := sys.Incident(1)
			ch := inc.ChannelID

			if r := sys.Do(alice, ch, "playbook db-switchover patroni="+f.URL); r.Error || !strings.Contains(r.Text, "Started Database switchover") {
				t.Fatalf("playbook: %+v", r)
			}
			sys.Deliver()
			runs, err := sys.Service.RunsOf(sys.Ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if plan := runs[0].Steps[0].Plan; !strings.Contains(plan, "leader: n1 (timeline 1)\ncandidate: n2") {
				t.Errorf("the step's plan does not name the leader and the candidate:\n%s", plan)
			}
			if len(f.Requests()) != 0 {
				t.Fatal("the switchover was posted before an approval")
			}
			sys.Do(bob, ch, "step 1.1 run")
			if r := sys.Do(alice, ch, "step 1.1 approve"); r.Error {
				t.Fatalf("approve: %+v", r)
			}
			sys.Deliver()
			if f.Leader() != "n2" {
				t.Fatalf("leader %s after the step, want n2", f.Leader())
			}
			runs, _ = sys.Service.RunsOf(sys.Ctx, inc.ID)
			if st := runs[0].Steps[0]; st.State != incident.StepSucceeded || !strings.Contains(st.Output, "Measured RPO") {
				t.Fatalf("step %s: %s", st.State, st.Output)
			}

			// A second switchover (back to n1, 0 bytes behind) is measured too; the incident
			// keeps the largest window measured.
			// Its plan was made when the run started, with n1 leading: the first approval is
			// voided at execution (the leader changed since) and the card asks again.
			sys.Do(bob, ch, "step 1.2 run")
			sys.Do(alice, ch, "step 1.2 approve")
			sys.Deliver()
			runs, _ = sys.Service.RunsOf(sys.Ctx, inc.ID)
			if st := runs[0].Steps[1]; st.State != incident.StepAwaitingApproval || st.Voided != incident.VoidPlanChanged || f.Leader() != "n2" {
				t.Fatalf("the switch back planned with n1 leading: %s, voided %q, leader %s", st.State, st.Voided, f.Leader())
			}
			sys.Do(alice, ch, "step 1.2 approve")
			sys.Deliver()
			if f.Leader() != "n1" {
				t.Fatalf("leader %s after switching back, want n1", f.Leader())
			}

			inc = sys.Incident(1)
			if m := inc.RPOMeasured; m == nil || m.Window != tc.window || m.Step != "1.1 switchover" || !strings.Contains(m.Basis, tc.basis) {
				t.Fatalf("measured RPO %+v, want %s", inc.RPOMeasured, tc.window)
			}
			var measured []incident.TimelineEvent
			for _, e := range sys.Events(inc.ID) {
				if e.Kind == incident.EventImpactSet && e.Data.How == incident.ImpactDataLossMeasured {
					measured = append(measured, e)
				}
			}
			if len(measured) != 2 || measured[0].Actor != incident.BotActor || measured[0].Data.Objective != 30*time.Second ||
				measured[0].Data.Duration != tc.window || measured[1].Data.Duration != 0 || measured[1].Data.Step.Key != "switch-back" {
				t.Fatalf("measured-RPO events %+v", measured)
			}
			if text := views.EventText(measured[0]); !strings.Contains(text, "Measured RPO: a data loss window of") ||
				!strings.Contains(text, "RPO 30s (intent-processing): "+tc.verdict) {
				t.Errorf("timeline says %q, want the verdict %s", text, tc.verdict)
			}

			// A window typed by hand stays on the timeline, as typed; the review and the KPIs
			// keep the measured one.
			if r := sys.Do(bob, ch, "rpo 10s"); r.Error || !strings.Contains(r.Text, "The review and the KPIs keep the RPO measured at the switchover of step 1.1 switchover") {
				t.Fatalf("rpo: %+v", r)
			}
			inc = sys.Incident(1)
			if w, m, ok := inc.DataLoss(); !ok || !m || w != tc.window || inc.RPOAchieved != 10*time.Second {
				t.Errorf("DataLoss() = %s %v %v, typed %s", w, m, ok, inc.RPOAchieved)
			}
			if r := sys.Do(alice, ch, "stats"); !strings.Contains(r.Text, tc.kpi) {
				t.Errorf("stats lack %q:\n%s", tc.kpi, r.Text)
			}
			sys.Do(alice, ch, "postmortem")
			sys.Deliver()
			issues := sys.GitHub.Issues()
			if len(issues) != 1 {
				t.Fatalf("%d reviews filed", len(issues))
			}
			body := issues[0].Body
			if !strings.Contains(body, tc.achieved) || !strings.Contains(body, "; recorded by hand: 10s | "+tc.verdict+" |") {
				line := ""
				for _, l := range strings.Split(body, "\n") {
					if strings.HasPrefix(l, "| RPO") {
						line = l
					}
				}
				t.Errorf("review's RPO row:\n%s\nwant it to start %q and end with the hand-typed window and %q", line, tc.achieved, tc.verdict)
			}
		})
	}
}
