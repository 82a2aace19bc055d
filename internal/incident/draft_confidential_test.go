package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
)

// A confidential service added to a public incident is named in no public draft (the
// status page's, the customers'), as on the status pages; the team's draft names it.
func TestAPublicDraftNamesNoConfidentialService(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Checkout down", incident.P1, "intent-processing")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if r := w.sys.Do("U0ALICE", ch, "service add payroll"); r.Error {
		t.Fatal(r.Text)
	}
	w.deliver()
	advance(w, 20*time.Minute, time.Minute) // the status page's, the customers' and the team's updates are missed
	drafts := map[string]string{}
	for _, e := range w.events(inc.ID) {
		if e.Kind != incident.EventCadence || e.Data.How != incident.CadenceMissed {
			continue
		}
		d, err := w.svc.FreshDraft(w.ctx, ch, e.Seq)
		if err != nil {
			t.Fatal(err)
		}
		drafts[d.Audience] = views.DraftText(d)
	}
	for _, audience := range []string{incident.AudienceStatusPage, incident.AudienceCustomers} {
		text, ok := drafts[audience]
		if !ok || !strings.Contains(text, "intent-processing") || strings.Contains(text, "payroll") {
			t.Errorf("the %s draft:\n%s", audience, text)
		}
	}
	if text := drafts[incident.AudienceTeam]; !strings.Contains(text, "payroll") {
		t.Errorf("the team's draft does not name payroll:\n%s", text)
	}
}
