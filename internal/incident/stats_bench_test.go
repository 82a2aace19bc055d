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
		seedHistory(b, sys, size.incidents, size.events)
		name := fmt.Sprintf("%d-incidents-%d-events", size.incidents, size.events)
		b.Run("facts/"+name, func(b *testing.B) {
			p99(b, func() {
				if st, err := sys.Service.Stats(sys.Ctx, time.Time{}); err != nil || st.Real.All.Count+st.Drill.All.Count != size.incidents {
					b.Fatal(err)
				}
			})
		})
		b.Run("baseline-each-incident/"+name, func(b *testing.B) {
			p99(b, func() {
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

// p99 runs fn b.N times and reports the 99th percentile of its durations beside ns/op.
func p99(b *testing.B, fn func()) {
	var took []time.Duration
	for b.Loop() {
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

// seedHistory writes n incidents of the last year straight into the store, with events
// timeline events spread over them: a tenth of them drills with a run, one in five with a
// follow-up, all resolved but the last 1%. The events are stand-ins (the KPIs never read
// them; they make the database as big as such a history makes it).
func seedHistory(b *testing.B, sys *testenv.System, n, events int) {
	b.Helper()
	services := []string{"intent-processing", "api-gateway", "analytics", ""}
	now := sys.Clock.Now()
	const batch = 500
	for lo := 0; lo < n; lo += batch {
		err := sys.Store.Update(sys.Ctx, func(tx incident.Tx) error {
			for i := lo; i < min(lo+batch, n); i++ {
				declared := now.Add(-time.Duration(n-i) * 50 * time.Minute).Truncate(time.Millisecond)
				svc := services[i%len(services)]
				inc := &incident.Incident{Number: i + 1, Title: fmt.Sprintf("outage %d", i), Severity: incident.P2,
					Status: incident.StatusResolved, DeclaredBy: "U0ALICE", Commander: "U0ALICE", DeclaredAt: declared,
					AckedAt: declared.Add(3 * time.Minute), MitigatedAt: declared.Add(time.Duration(10+i%40) * time.Minute),
					ResolvedAt: declared.Add(time.Hour), RPOAchieved: time.Duration(i%600) * time.Second, Drill: i%10 == 0}
				if svc != "" {
					inc.Service, inc.Services, inc.Tier = svc, []string{svc}, incident.Tier(1+i%3)
				}
				if i >= n-n/100 {
					inc.Status, inc.MitigatedAt, inc.ResolvedAt = incident.StatusInvestigating, time.Time{}, time.Time{}
				}
				if err := tx.CreateIncident(inc); err != nil {
					return err
				}
				for seq := 1; seq <= events/n; seq++ {
					if err := tx.InsertEvent(&incident.TimelineEvent{IncidentID: inc.ID, Seq: seq, At: declared.Add(time.Duration(seq) * time.Second),
						Actor: "U0BOB", Kind: incident.EventNote, Format: incident.FormatText, Text: "p99 is back under 300ms, watching the error budget",
						PrevHash: "0000", Hash: "0000"}); err != nil {
						return err
					}
				}
				if inc.Drill {
					run := &incident.Run{IncidentID: inc.ID, Playbook: fmt.Sprintf("scenario-%d", i%7), Title: "drill", StartedBy: "U0ALICE", StartedAt: declared,
						Steps: []incident.RunStep{{Seq: 1, State: incident.StepSucceeded, UpdatedAt: declared}, {Seq: 2, State: incident.StepState([]string{"succeeded", "failed"}[(i/10)%2]), UpdatedAt: declared}}}
					if err := tx.CreateRun(run); err != nil {
						return err
					}
				}
				if i%5 == 0 {
					if err := tx.InsertFollowup(&incident.Followup{IncidentID: inc.ID, Text: "add an alert", CreatedBy: "U0ALICE", CreatedAt: declared}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
