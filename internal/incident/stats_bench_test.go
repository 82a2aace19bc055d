package incident_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The KPIs of all time over 100 and over 10,000 incidents with 1,000,000 timeline events
// (100 per incident), in the same run. The new path reads the facts the KPIs need in four
// queries (Tx.StatsFacts); the baseline is what Stats did before: every incident, its runs
// and its follow-ups, one lookup at a time. Besides ns/op each reports its p99.
//
//	go test -run '^$' -bench 'BenchmarkStats$' -benchtime 50x ./internal/incident/
func BenchmarkStats(b *testing.B) {
	for _, size := range []struct{ incidents, events int }{{100, 100 * 100}, {10_000, 1_000_000}} {
		sys := testenv.NewSystem(b)
		testenv.SeedHistory(b, sys.Store, sys.Clock.Now(), size.incidents, size.events)
		name := fmt.Sprintf("%d-incidents-%d-events", size.incidents, size.events)
		// Kept up to date: the facts are in memory (the first read, which the next
		// benchmark times, is done here) and only the changes are read.
		if _, err := sys.Service.Stats(sys.Ctx, time.Time{}); err != nil {
			b.Fatal(err)
		}
		b.Run("facts-kept/"+name, func(b *testing.B) {
			p99(b, nil, func() {
				if st, err := sys.Service.Stats(sys.Ctx, time.Time{}); err != nil || st.Real.All.Count+st.Drill.All.Count != size.incidents {
					b.Fatal(err)
				}
			})
		})
		// The first read of a Service (after a start, or half a day without one): every fact.
		b.Run("facts-first-read/"+name, func(b *testing.B) {
			p99(b, nil, func() {
				cold := incident.NewService(incident.ServiceConfig{Store: sys.Store, Clock: sys.Clock, Settings: sys.Service.Settings()})
				if st, err := cold.Stats(sys.Ctx, time.Time{}); err != nil || st.Real.All.Count+st.Drill.All.Count != size.incidents {
					b.Fatal(err)
				}
			})
		})
		// A note on one incident and a resolution of another between two reads: the
		// changed incidents' facts are read again.
		b.Run("facts-after-changes/"+name, func(b *testing.B) {
			p99(b, func() { touch(b, sys, int64(size.incidents)) }, func() {
				if _, err := sys.Service.Stats(sys.Ctx, time.Time{}); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run("baseline-each-incident/"+name, func(b *testing.B) {
			p99(b, nil, func() {
				if n := readEachIncident(b, sys); n != size.incidents {
					b.Fatal(n)
				}
			})
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

// touch changes the facts of the last incident (its RPO) and of a random one.
func touch(b *testing.B, sys *testenv.System, n int64) {
	err := sys.Store.Update(sys.Ctx, func(tx incident.Tx) error {
		for _, id := range []int64{n, 1 + time.Now().UnixNano()%n} {
			inc, err := tx.Incident(id)
			if err != nil {
				return err
			}
			inc.RPOAchieved += time.Second
			if err := tx.UpdateIncident(inc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// p99 runs fn b.N times, each after setup (untimed) when there is one, and reports the
// 99th percentile of its durations beside ns/op.
func p99(b *testing.B, setup func(), fn func()) {
	var took []time.Duration
	for b.Loop() {
		if setup != nil {
			b.StopTimer()
			setup()
			b.StartTimer()
		}
		start := time.Now()
		fn()
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

// readEachIncident reads what Stats read before Tx.StatsFacts, and returns how many
// incidents it read.
func readEachIncident(b *testing.B, sys *testenv.System) int {
	var n int
	err := sys.Store.View(sys.Ctx, func(tx incident.Tx) error {
		ids, err := tx.IncidentIDsSince(time.Time{})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Incident(id); err != nil {
				return err
			}
			if _, err := tx.Runs(id); err != nil {
				return err
			}
			if _, err := tx.Followups(id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
