package incident_test

import (
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The timeline is evidence: an event without an actor is refused by the domain itself,
// whatever surface forgot to say who acted, and nothing of the change is committed.
func TestTimelineRefusesAnEventWithoutActor(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("checkout slow", incident.P2, "")
	before := len(w.events(inc.ID))
	_, err := w.svc.PostUpdateByID(w.ctx, "", inc.ID, "Failing over.")
	if incident.ErrorCode(err) != incident.EINTERNAL {
		t.Fatalf("an update without an actor: %v (code %s), want EINTERNAL", err, incident.ErrorCode(err))
	}
	for _, e := range w.events(inc.ID) {
		if e.Actor == "" {
			t.Errorf("an event without an actor is on the timeline: %+v", e)
		}
	}
	if n := len(w.events(inc.ID)); n != before {
		t.Errorf("%d events after the refused update, want %d", n, before)
	}
}
