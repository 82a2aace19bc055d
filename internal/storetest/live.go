package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func liveCases() []testCase {
	return []testCase{
		{"ChangesNameTheIncidentsChanged", liveChangesNameTheIncidentsChanged},
	}
}

// LiveChanges names, after a position, the incidents changed since, whatever the change
// the pages show: declared, updated, an event on the timeline, a role, a page sent or
// acknowledged, a run started, a step's state. A change returned once comes again at most
// in the next read (PostgreSQL's position is the oldest running transaction); each change
// has its own Seq. From position 0 it names none.
func liveChangesNameTheIncidentsChanged(t *testing.T, s incident.Store) {
	var position int64
	seen := map[int64]int{} // Seq -> how many reads returned it
	changes := func() []int64 {
		t.Helper()
		var cs []incident.LiveChange
		view(t, s, func(tx incident.Tx) (err error) { cs, position, err = tx.LiveChanges(position); return err })
		if position == 0 {
			t.Fatal("LiveChanges returned position 0")
		}
		var ids []int64
		for _, c := range cs {
			seen[c.Seq]++
			ids = append(ids, c.IncidentID)
		}
		return ids
	}
	a := createIncident(t, s, minimalIncident(1))
	if ids := changes(); len(ids) != 0 {
		t.Errorf("LiveChanges(0) = %v, want only a position", ids)
	}
	b := createIncident(t, s, minimalIncident(2))
	wantIDs := func(what string, want int64) {
		t.Helper()
		if got := changes(); !slices.Contains(got, want) {
			t.Errorf("after %s: LiveChanges = %v, want %d among them", what, got, want)
		}
	}
	wantIDs("a declaration", b.ID)
	update(t, s, func(tx incident.Tx) error {
		_, err := appendEvent(tx, a.ID, incident.EventNote, incident.EventData{Text: "a note"}, at(time.Minute))
		return err
	})
	wantIDs("an event", a.ID)
	b.Status, b.ResolvedAt = incident.StatusResolved, at(time.Hour)
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(b) })
	wantIDs("a resolution", b.ID)
	a.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: "U0BOB"}}
	update(t, s, func(tx incident.Tx) error { return tx.UpdateIncident(a) })
	wantIDs("a role assigned", a.ID)
	pages := newPages(a.ID)[:1]
	insertPages(t, s, pages)
	wantIDs("a page", a.ID)
	pages[0].Status, pages[0].AckedBy, pages[0].AckedAt = "acknowledged", "Dave Duty", at(2*time.Minute)
	update(t, s, func(tx incident.Tx) error { return tx.UpdatePage(pages[0]) })
	wantIDs("an acknowledgement", a.ID)
	r := createRun(t, s, fullRun(b.ID))
	wantIDs("a run", b.ID)
	r.Steps[0].State = incident.StepSucceeded
	update(t, s, func(tx incident.Tx) error { return tx.UpdateRunStep(&r.Steps[0]) })
	wantIDs("a step done", b.ID)
	changes()
	changes()
	for seq, n := range seen {
		if n > 2 {
			t.Errorf("change %d was returned by %d reads, want at most 2", seq, n)
		}
	}
}
