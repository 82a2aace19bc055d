package incident_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The KPIs read every incident of the period; the dashboard computes them on each load. The
// baseline is reading the same incidents' list for the dashboard table (RecentIncidents).
func BenchmarkStats(b *testing.B) {
	for _, n := range []int{100, 1000} {
		sys := testenv.NewSystem(b)
		general := sys.Slack.AddChannel("general", "U0ALICE")
		for i := range n {
			sys.Do("U0ALICE", general, fmt.Sprintf("declare P%d intent-processing outage %d", i%4, i))
		}
		since := sys.Clock.Now().Add(-30 * 24 * time.Hour)
		b.Run(fmt.Sprintf("stats/%d", n), func(b *testing.B) {
			for b.Loop() {
				if st, err := sys.Service.Stats(sys.Ctx, since); err != nil || st.Real.All.Count != n {
					b.Fatal(err, st.Real.All.Count)
				}
			}
		})
		b.Run(fmt.Sprintf("baseline-recent/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Service.FindIncidents(sys.Ctx, incident.IncidentFilter{ResolvedLimit: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The dashboard's 30-day KPIs on a long history: 1000 incidents from two months ago and
// 100 recent ones. Only the period's incidents are read; the baseline is the same KPIs on a
// database holding only the 100 recent ones.
func BenchmarkStatsWithHistory(b *testing.B) {
	for _, old := range []int{0, 1000} {
		sys := testenv.NewSystem(b)
		general := sys.Slack.AddChannel("general", "U0ALICE")
		for i := range old {
			sys.Do("U0ALICE", general, fmt.Sprintf("declare P2 intent-processing old outage %d", i))
		}
		sys.Clock.Advance(60 * 24 * time.Hour)
		for i := range 100 {
			sys.Do("U0ALICE", general, fmt.Sprintf("declare P1 intent-processing outage %d", i))
		}
		since := sys.Clock.Now().Add(-30 * 24 * time.Hour)
		b.Run(fmt.Sprintf("history-%d", old), func(b *testing.B) {
			for b.Loop() {
				if st, err := sys.Service.Stats(sys.Ctx, since); err != nil || st.Real.All.Count != 100 {
					b.Fatal(err, st.Real.All.Count)
				}
			}
		})
	}
}
