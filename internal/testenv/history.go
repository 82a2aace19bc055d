package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// SeedHistory writes n incidents declared before now straight into the store (one every
// 50 minutes), with events
// timeline events spread over them: a tenth of them drills with a run, one in five with a
// follow-up, all resolved but the last 1%. The events are stand-ins (the KPIs never read
// them; they make the database as big as such a history makes it).
func SeedHistory(b testing.TB, store incident.Store, now time.Time, n, events int) {
	b.Helper()
	services := []string{"intent-processing", "api-gateway", "analytics", ""}
	const batch = 500
	for lo := 0; lo < n; lo += batch {
		err := store.Update(context.Background(), func(tx incident.Tx) error {
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
