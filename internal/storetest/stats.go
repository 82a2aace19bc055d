package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func statsCases() []testCase {
	return []testCase{
		{"FactsOfThePeriod", statsFactsOfThePeriod},
		{"NoFactsOutsideThePeriod", noStatsFactsOutsideThePeriod},
		{"ChangesNameTheIncidentsChanged", statsChangesNameTheIncidentsChanged},
	}
}

// StatsFacts returns, by ID, the incidents declared at or after since with exactly the
// fields the KPIs read, their services in the order added, one playbook per run in run
// order, the count of their steps neither succeeded nor skipped, and their follow-ups;
// nothing of the incidents declared before.
func statsFactsOfThePeriod(t *testing.T, s incident.Store) {
	old := createIncident(t, s, minimalIncident(1)) // declared at t0+1m
	full := createIncident(t, s, fullIncident(2))   // at t0+2h: every field set
	bare := minimalIncident(3)
	bare.DeclaredAt = at(3 * time.Hour)
	bare = createIncident(t, s, bare)

	first := createRun(t, s, fullRun(full.ID))
	second := fullRun(full.ID)
	second.Playbook = "database-recovery"
	second = createRun(t, s, second)
	createRun(t, s, fullRun(old.ID))
	update(t, s, func(tx incident.Tx) error {
		for i := range first.Steps {
			st := &first.Steps[i]
			st.State = incident.StepSucceeded
			switch i {
			case 0:
				st.State = incident.StepFailed
			case 1:
				st.State = incident.StepSkipped
			}
			if err := tx.UpdateRunStep(st); err != nil {
				return err
			}
		}
		for i := range second.Steps[1:] {
			st := &second.Steps[i+1]
			st.State = incident.StepSkipped
			if err := tx.UpdateRunStep(st); err != nil {
				return err
			}
		}
		return nil
	})
	filed, done, open := newFollowup(full.ID, "filed", "U0BOB", at(2*time.Hour)), newFollowup(full.ID, "done", "", at(150*time.Minute)), newFollowup(full.ID, "open", "", at(170*time.Minute))
	insertFollowups(t, s, filed, done, open, newFollowup(old.ID, "of the old one", "", t0))
	update(t, s, func(tx incident.Tx) error {
		if err := tx.SetFollowupIssue(filed.ID, incident.IssueRef{Number: 7, URL: "https://github.com/nephoran/incidents/issues/7"}); err != nil {
			return err
		}
		d := *done
		d.DoneAt, d.DoneBy, d.Outcome = at(5*time.Hour+7*time.Millisecond), "U0BOB", incident.FollowupDone
		return tx.CompleteFollowup(&d)
	})

	var got []incident.StatsFact
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.StatsFacts(at(time.Hour)); return err })
	want := []incident.StatsFact{{
		ID: full.ID, Tier: full.Tier, Status: full.Status, Private: true, Drill: true,
		Services: full.Services, DeclaredAt: full.DeclaredAt, AckedAt: full.AckedAt, MitigatedAt: full.MitigatedAt,
		ResolvedAt: full.ResolvedAt, RPOAchieved: full.RPOAchieved,
		Playbooks:    []string{"regional-outage", "database-recovery"},
		StepsNotDone: 2, // the first run's failed step and the second run's pending one
		Followups: []incident.Followup{
			{IncidentID: full.ID, CreatedAt: filed.CreatedAt, IssueURL: "https://github.com/nephoran/incidents/issues/7"},
			{IncidentID: full.ID, CreatedAt: done.CreatedAt, DoneAt: at(5*time.Hour + 7*time.Millisecond), Outcome: incident.FollowupDone},
			{IncidentID: full.ID, CreatedAt: open.CreatedAt},
		},
	}, {
		ID: bare.ID, Tier: bare.Tier, Status: bare.Status, DeclaredAt: bare.DeclaredAt, RPOAchieved: -1,
	}}
	wantNoDiff(t, "StatsFacts since t0+1h", want, got)
	view(t, s, func(tx incident.Tx) (err error) {
		got, err = tx.StatsFactsOf([]int64{bare.ID, full.ID, bare.ID + 100})
		return err
	})
	wantNoDiff(t, "StatsFactsOf", want, got)
	wantUTC(t, "StatsFacts", got)

	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.StatsFacts(time.Time{}); return err })
	if len(got) != 3 || got[0].ID != old.ID || len(got[0].Playbooks) != 1 || len(got[0].Followups) != 1 {
		t.Errorf("StatsFacts of all time = %+v, want the three incidents, the first with its run and follow-up", got)
	}
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.StatsFacts(bare.DeclaredAt); return err })
	if len(got) != 1 || got[0].ID != bare.ID {
		t.Errorf("StatsFacts since the last declaration = %+v, want only that incident (at or after)", got)
	}
}

// A period after every declaration has no facts (and no error).
func noStatsFactsOutsideThePeriod(t *testing.T, s incident.Store) {
	createIncident(t, s, minimalIncident(1))
	var got []incident.StatsFact
	view(t, s, func(tx incident.Tx) (err error) { got, err = tx.StatsFacts(at(time.Hour)); return err })
	if len(got) != 0 {
		t.Errorf("StatsFacts after every declaration = %+v, want none", got)
	}
}

// StatsChanges names, after a position, the incidents whose facts changed since: created,
// with a service, a run, a step's state or a follow-up added or changed, or a fact of the
// incident itself changed. It may name again an incident changed before the position
// (PostgreSQL's position is the oldest running transaction, of any database of the
// server), so only what it must name is checked. From position 0 it names none.
func statsChangesNameTheIncidentsChanged(t *testing.T, s incident.Store) {
	var position int64
	changes := func() []int64 {
		t.Helper()
		var ids []int64
		view(t, s, func(tx incident.Tx) (err error) { ids, position, err = tx.StatsChanges(position); return err })
		if position == 0 {
			t.Fatal("StatsChanges returned position 0")
		}
		return ids
	}
	a := createIncident(t, s, minimalIncident(1))
	if ids := changes(); len(ids) != 0 {
		t.Errorf("StatsChanges(0) = %v, want only a position", ids)
	}
	b := createIncident(t, s, minimalIncident(2))
	wantIDs := func(what string, want ...int64) {
		t.Helper()
		got := changes()
		// A store may name an incident again (one changed before the position); never miss one.
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("after %s: StatsChanges = %v, want %v among them", what, got, want)
			}
		}
	}
	wantIDs("a declaration", b.ID)
	b.Status, b.ResolvedAt = incident.StatusResolved, at(time.Hour)
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(b) })
	wantIDs("a resolution", b.ID)
	a.Services = []string{"api-gateway"}
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(a) })
	wantIDs("a service added", a.ID)
	r := createRun(t, s, fullRun(b.ID))
	wantIDs("a run", b.ID)
	r.Steps[0].State = incident.StepSucceeded
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(&r.Steps[0]) })
	wantIDs("a step done", b.ID)
	f := newFollowup(a.ID, "one", "", t0)
	insertFollowups(t, s, f)
	wantIDs("a follow-up", a.ID)
	update(t, s, func(tx incident.Tx) error {
		return tx.SetFollowupIssue(f.ID, incident.IssueRef{Number: 1, URL: "https://github.com/o/r/issues/1"})
	})
	wantIDs("a follow-up filed", a.ID)
}
