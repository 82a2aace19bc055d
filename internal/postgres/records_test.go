package postgres_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Runs and their steps read back as written; steps are found by state and by ID.
func TestRunsRoundTrip(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := newIncident(1)
	run := incident.Run{Playbook: "regional-outage", Title: "Regional outage", Params: map[string]string{"region": "us-west-2"},
		StartedBy: "U1", StartedAt: t0, Steps: []incident.RunStep{
			{Seq: 1, Phase: 0, PhaseName: "Failover", PhaseWithin: 15 * time.Minute, State: incident.StepPending, UpdatedAt: t0,
				Spec: incident.StepSpec{StepID: "promote", Title: "Promote", Owner: incident.RoleTechnicalLead, Mutating: true,
					Action: incident.Action{Type: "notify", Text: "hello", Channel: "C0EXEC"}, ApprovalRoles: []incident.Role{incident.RoleCommander}}},
			{Seq: 2, Phase: 1, PhaseName: "Verify", PhaseAfter: 15 * time.Minute, PhaseWithin: 30 * time.Minute, State: incident.StepPending, UpdatedAt: t0,
				Spec: incident.StepSpec{StepID: "check", Title: "Check"}},
		}}
	update(t, db, func(tx incident.Tx) error {
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		run.IncidentID = inc.ID
		return tx.CreateRun(&run)
	})
	if run.ID == 0 || run.Steps[0].ID == 0 || run.Steps[1].RunID != run.ID {
		t.Fatalf("IDs not set: %+v", run)
	}
	step := run.Steps[0]
	step.State, step.RequestedBy, step.ApprovedBy, step.DecidedBy, step.Attempts = incident.StepRunning, "U1", "U2", "U3", 1
	step.Output, step.CardTS, step.UpdatedAt, step.Plan, step.PlannedAt = "ok", "9.9", t0.Add(time.Minute), "+ replicas: 3", t0.Add(30*time.Second)
	run.CardTS = "8.8"
	update(t, db, func(tx incident.Tx) error {
		if err := tx.UpdateRunStep(&step); err != nil {
			return err
		}
		return tx.UpdateRun(&run)
	})
	run.Steps[0] = step
	view(t, db, func(tx incident.Tx) error {
		got, err := tx.Run(run.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(*got, run) {
			t.Errorf("Run:\n got %+v\nwant %+v", *got, run)
		}
		runs, err := tx.Runs(inc.ID)
		if err != nil || len(runs) != 1 || !reflect.DeepEqual(runs[0], run) {
			t.Errorf("Runs: %+v (%v)", runs, err)
		}
		running, err := tx.StepsInState(incident.StepRunning)
		if err != nil || len(running) != 1 || !reflect.DeepEqual(running[0], step) {
			t.Errorf("StepsInState(running): %+v (%v)", running, err)
		}
		if id, err := tx.RunStepRef(step.ID); err != nil || id != run.ID {
			t.Errorf("RunStepRef: %d (%v)", id, err)
		}
		if _, err := tx.Run(999); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("Run(999): %v, want ENOTFOUND", err)
		}
		if _, err := tx.RunStepRef(999); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("RunStepRef(999): %v, want ENOTFOUND", err)
		}
		return nil
	})
}

// Pages: stored without the routing key, found by PagerDuty ID, updated on acknowledgement.
func TestPagesRoundTrip(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := newIncident(1)
	page := incident.Page{Role: incident.RoleCommander, Target: incident.PageTarget{EscalationPolicy: "PIC1"}, Key: "page:1:ic",
		PagerID: "Q1", URL: "https://pd/Q1", Status: "triggered", CreatedAt: t0}
	events := incident.Page{Target: incident.PageTarget{User: "PU1"}, ViaEvents: true, Key: "page:1:u", PagerID: "dedup-1", Status: "triggered", CreatedAt: t0}
	update(t, db, func(tx incident.Tx) error {
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		page.IncidentID, events.IncidentID = inc.ID, inc.ID
		if err := tx.InsertPage(&page); err != nil {
			return err
		}
		return tx.InsertPage(&events)
	})
	page.Status, page.AckedBy, page.AckedAt = "acknowledged", "Ann", t0.Add(time.Minute)
	update(t, db, func(tx incident.Tx) error { return tx.UpdatePage(&page) })
	view(t, db, func(tx incident.Tx) error {
		pages, err := tx.Pages(inc.ID)
		if err != nil || !reflect.DeepEqual(pages, []incident.Page{page, events}) {
			t.Errorf("Pages:\n got %+v (%v)\nwant %+v", pages, err, []incident.Page{page, events})
		}
		got, err := tx.PageByPagerID("dedup-1")
		if err != nil || !reflect.DeepEqual(*got, events) {
			t.Errorf("PageByPagerID: %+v (%v)", got, err)
		}
		if _, err := tx.PageByPagerID("Q9"); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("PageByPagerID(Q9): %v, want ENOTFOUND", err)
		}
		return nil
	})
	if err := db.Update(t.Context(), func(tx incident.Tx) error { dup := page; return tx.InsertPage(&dup) }); err == nil {
		t.Error("a second page with the same key was stored")
	}
}

// Follow-ups: added, filed as issues, completed once.
func TestFollowupsRoundTrip(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := newIncident(1)
	fs := []incident.Followup{{Text: "add an alert", Owner: "U2", CreatedBy: "U1", CreatedAt: t0}, {Text: "write docs", CreatedBy: "U1", CreatedAt: t0}}
	update(t, db, func(tx incident.Tx) error {
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		for i := range fs {
			fs[i].IncidentID = inc.ID
			if err := tx.InsertFollowup(&fs[i]); err != nil {
				return err
			}
		}
		return tx.SetFollowupIssue(fs[0].ID, incident.IssueRef{Number: 41, URL: "https://gh/41"})
	})
	fs[0].IssueNumber, fs[0].IssueURL = 41, "https://gh/41"
	view(t, db, func(tx incident.Tx) error {
		got, err := tx.Followups(inc.ID)
		if err != nil || !reflect.DeepEqual(got, fs) {
			t.Errorf("Followups:\n got %+v (%v)\nwant %+v", got, err, fs)
		}
		open, err := tx.OpenFollowupIssues()
		if err != nil || len(open) != 1 || open[0].ID != fs[0].ID {
			t.Errorf("OpenFollowupIssues: %+v (%v)", open, err)
		}
		return nil
	})
	done := fs[0]
	done.DoneAt, done.DoneBy, done.Outcome = t0.Add(time.Hour), "octocat", incident.FollowupDone
	update(t, db, func(tx incident.Tx) error { return tx.CompleteFollowup(&done) })
	again := done
	again.DoneBy = "someone-else"
	err := db.Update(t.Context(), func(tx incident.Tx) error { return tx.CompleteFollowup(&again) })
	if incident.ErrorCode(err) != incident.ECONFLICT {
		t.Errorf("completing twice: %v, want ECONFLICT", err)
	}
	view(t, db, func(tx incident.Tx) error {
		got, err := tx.Followups(inc.ID)
		if err != nil || !reflect.DeepEqual(got[0], done) {
			t.Errorf("completed: %+v (%v), want %+v", got, err, done)
		}
		open, err := tx.OpenFollowupIssues()
		if err != nil || len(open) != 0 {
			return fmt.Errorf("open after completion: %+v (%v)", open, err)
		}
		return nil
	})
}
