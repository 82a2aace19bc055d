package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A run step stored by the last release (its action a JSON string, its notify text in
// notify_text) reads back with its typed action; a step stored now keeps its action as an object.
func TestRunStepsOfTheLastReleaseRead(t *testing.T) {
	db, path := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var run incident.Run
	err := db.Update(ctx, func(tx incident.Tx) error {
		inc := &incident.Incident{Number: 1, Title: "t", Severity: incident.P1, Status: incident.StatusInvestigating, DeclaredBy: "U1", Commander: "U1", DeclaredAt: now}
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		run = incident.Run{IncidentID: inc.ID, Playbook: "p", Title: "P", StartedBy: "U1", StartedAt: now, Steps: []incident.RunStep{
			{Seq: 1, Spec: incident.StepSpec{StepID: "old"}, State: incident.StepPending, UpdatedAt: now},
			{Seq: 2, Spec: incident.StepSpec{StepID: "new", Action: incident.Action{Type: "notify", Text: "hello", Channel: "C0EXEC"}},
				State: incident.StepPending, UpdatedAt: now},
		}}
		return tx.CreateRun(&run)
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	old := `{"step_id":"old","title":"Tell the executives","owner":"incident-commander","action_type":"notify",` +
		`"action":"{\"Type\":\"notify\",\"Text\":\"INC-42 is being handled\",\"Channel\":\"C0EXEC\"}",` +
		`"summary":"notify text=\"INC-42 is being handled\" channel=C0EXEC","mutating":false,` +
		`"notify_text":"INC-42 is being handled","notify_channel":"C0EXEC"}`
	if _, err := raw.Exec(`UPDATE run_steps SET spec = ? WHERE id = ?`, old, run.Steps[0].ID); err != nil {
		t.Fatal(err)
	}
	var stored string
	raw.QueryRow(`SELECT spec FROM run_steps WHERE id = ?`, run.Steps[1].ID).Scan(&stored)
	if want := `"action":{"type":"notify","text":"hello","channel":"C0EXEC"}`; !strings.Contains(stored, want) {
		t.Errorf("stored %s, want it to hold %s", stored, want)
	}
	err = db.View(ctx, func(tx incident.Tx) error {
		got, err := tx.Run(run.ID)
		if err != nil {
			return err
		}
		if a := got.Steps[0].Spec.Action; a.Type != "notify" || a.Text != "INC-42 is being handled" || a.Channel != "C0EXEC" {
			t.Errorf("the last release's step: %+v", a)
		}
		if a := got.Steps[1].Spec.Action; a.Type != "notify" || a.Text != "hello" || a.Channel != "C0EXEC" {
			t.Errorf("this release's step: %+v", a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
