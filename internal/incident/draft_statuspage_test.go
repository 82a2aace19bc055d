package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// A status page update posted from its draft reaches Statuspage, as a typed one does: both
// go through recordUpdate.
func TestADraftedStatusPageUpdateReachesStatuspage(t *testing.T) {
	w := newWorld(t, testenv.WithStatuspage())
	inc := w.declare("Checkout down", incident.P1, "api-gateway")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	advance(w, 5*time.Minute, time.Minute) // the status page update is due at 5m: missed
	var reminder int
	for _, e := range w.events(inc.ID) {
		if e.Kind == incident.EventCadence && e.Data.How == incident.CadenceMissed {
			reminder = e.Seq
		}
	}
	if reminder == 0 {
		t.Fatal("no missed status page reminder")
	}
	d, err := w.svc.FreshDraft(w.ctx, ch, reminder)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.PostDraft(w.ctx, "U0ALICE", ch, d.Ref, incident.UpdateDrafted, views.DraftText(d)); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	pages := w.sys.Statuspage.Incidents()
	if len(pages) != 1 || len(pages[0].Updates) != 1 || pages[0].Updates[0].Body == "" {
		t.Fatalf("Statuspage has %+v after the drafted update", pages)
	}
}
