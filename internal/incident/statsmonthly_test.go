package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The monthly KPIs count each incident in the month it was declared in, real incidents
// and drills apart, the oldest month first and the current one last; a month without
// incidents of a kind counts none there (its means are not known, not zero).
func TestMonthlyStats(t *testing.T) {
	sys := testenv.NewSystem(t) // 2026-11-26 03:00 UTC
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	do(general, "declare P1 intent-processing Intent API down")
	sys.Deliver()
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
	sys.Clock.Advance(10 * time.Minute)
	do(sys.Incident(1).ChannelID, "mitigate")
	do(sys.Incident(1).ChannelID, "resolve fixed")
	sys.Clock.Advance(40 * 24 * time.Hour) // 2027-01-05: nothing in December
	do(general, "drill application-service-failure")
	sys.Deliver()

	months, err := sys.Service.MonthlyStats(sys.Ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 3 {
		t.Fatalf("%d months, want 3", len(months))
	}
	for i, want := range []string{"2026-11", "2026-12", "2027-01"} {
		if got := months[i].Month.Format("2006-01"); got != want || !months[i].Month.Equal(months[i].Month.UTC()) || months[i].Month.Day() != 1 {
			t.Errorf("month %d is %s, want the first of %s", i, months[i].Month, want)
		}
	}
	nov, dec, jan := months[0], months[1], months[2]
	if k := nov.Real; k.Count != 1 || k.MTTA != 3*time.Minute || k.MTTR != 10*time.Minute || k.RTOMet != 1 || k.RTOOf != 1 {
		t.Errorf("November's real KPIs: %+v", k)
	}
	if nov.Drill.Count != 0 || dec.Real.Count != 0 || dec.Drill.Count != 0 || jan.Real.Count != 0 {
		t.Errorf("counts: November drills %d, December %d and %d, January real %d; want none", nov.Drill.Count, dec.Real.Count, dec.Drill.Count, jan.Real.Count)
	}
	if jan.Drill.Count != 1 || jan.Drill.Recovered != 0 {
		t.Errorf("January's drills: %+v, want the open one", jan.Drill)
	}
	// Kept between calls, and computed again once the facts or the months change.
	do(general, "declare P2 api-gateway Slow gateway")
	if again, err := sys.Service.MonthlyStats(sys.Ctx, 3); err != nil || again[2].Real.Count != 1 || again[0].Real.Count != 1 {
		t.Errorf("after another incident in January: %+v, %v", again, err)
	}
	sys.Clock.Advance(31 * 24 * time.Hour) // February
	if later, err := sys.Service.MonthlyStats(sys.Ctx, 3); err != nil || later[0].Month.Month() != time.December || later[1].Real.Count != 1 || later[2].Real.Count != 0 {
		t.Errorf("in February: %+v, %v", later, err)
	}
	// The months agree with Stats over the same period.
	st, err := sys.Service.Stats(sys.Ctx, nov.Month)
	if err != nil {
		t.Fatal(err)
	}
	if st.Real.All.Count != 2 || st.Drill.All.Count != 1 || st.Real.All.MTTR != nov.Real.MTTR {
		t.Errorf("Stats since November: %d real (MTTR %s), %d drills", st.Real.All.Count, st.Real.All.MTTR, st.Drill.All.Count)
	}
}
