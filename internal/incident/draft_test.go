package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
)

// Which changes each audience is told of: the public hear what the status page shows,
// never notes, people or money; the team alone hears notes; a private incident's public
// drafts tell no change.
func TestDraftShows(t *testing.T) {
	ev := func(k incident.EventKind) incident.TimelineEvent {
		return incident.TimelineEvent{Kind: k, Format: incident.FormatData}
	}
	for _, tc := range []struct {
		kind                                  incident.EventKind
		statusPage, customers, execs, team    bool
		privatePublic, stakeholders, oldStyle bool
	}{
		{kind: incident.EventSeverityChanged, statusPage: true, customers: true, execs: true, team: true, stakeholders: true},
		{kind: incident.EventServiceAdded, statusPage: true, customers: true, execs: true, team: true, stakeholders: true},
		{kind: incident.EventMitigated, statusPage: true, customers: true, execs: true, team: true, stakeholders: true},
		{kind: incident.EventNote, team: true},
		{kind: incident.EventCaptured, team: true},
		{kind: incident.EventRoleAssigned, execs: true, team: true, stakeholders: true},
		{kind: incident.EventStepResult, execs: true, team: true, stakeholders: true},
		{kind: incident.EventImpactSet, execs: true, team: true, stakeholders: true},
		{kind: incident.EventStatusUpdate, execs: true, team: true, stakeholders: true},
		{kind: incident.EventPaged},
		{kind: incident.EventCadence},
		{kind: incident.EventMessagePosted},
	} {
		for _, c := range []struct {
			audience string
			private  bool
			want     bool
		}{
			{incident.AudienceStatusPage, false, tc.statusPage}, {incident.AudienceCustomers, false, tc.customers},
			{incident.AudienceExecs, false, tc.execs}, {incident.AudienceStakeholders, false, tc.stakeholders},
			{incident.AudienceTeam, false, tc.team},
			{incident.AudienceStatusPage, true, false}, {incident.AudienceCustomers, true, false},
		} {
			if got := incident.DraftShows(c.audience, c.private, ev(tc.kind)); got != c.want {
				t.Errorf("%s to %s (private %v): %v, want %v", tc.kind, c.audience, c.private, got, c.want)
			}
		}
		old := incident.TimelineEvent{Kind: tc.kind, Format: incident.FormatText}
		if incident.DraftShows(incident.AudienceTeam, false, old) {
			t.Errorf("an old %s event (Slack text) is told", tc.kind)
		}
	}
}

// A draft is a function of its inputs: built twice for the same moment it reads the same;
// the status page's next word is on the customers' schedule; only a cadence reminder has one.
func TestNewDraftIsDeterministic(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Everything is down", incident.P0, "intent-processing")
	w.deliver()
	advance(w, 6*time.Minute, time.Minute)
	evs := w.events(inc.ID)
	var reminder *incident.TimelineEvent
	for i := range evs {
		if evs[i].Kind == incident.EventCadence {
			reminder = &evs[i]
		}
	}
	if reminder == nil {
		t.Fatal("no cadence reminder by 03:06")
	}
	cur := w.incident(inc.ID)
	at := w.clock.Now()
	a, err := incident.NewDraft(cur, reminder, evs, w.svc.Catalog(), at)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(7 * time.Minute) // the clock moves on; the draft of that moment does not
	b, _ := incident.NewDraft(cur, reminder, evs, w.svc.Catalog(), at)
	if views.DraftText(a) != views.DraftText(b) || incident.DraftDigest(views.DraftText(a)) != incident.DraftDigest(views.DraftText(b)) {
		t.Errorf("the same draft twice:\n%s\n---\n%s", views.DraftText(a), views.DraftText(b))
	}
	if want := inc.DeclaredAt.Add(15 * time.Minute); !a.Next.Equal(want) {
		t.Errorf("the status page's next update is due %v, want %v (the customers')", a.Next, want)
	}
	if _, err := incident.NewDraft(cur, &evs[0], evs, w.svc.Catalog(), at); incident.ErrorCode(err) != incident.EINVALID {
		t.Errorf("a draft for the declaration: %v", err)
	}
}

// A draft posts only while its audience got no update since it was written: an update typed
// meanwhile voids it (and says when), and the draft posted once is not posted again.
func TestPostDraftOnlySinceItsPreviousUpdate(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Checkout down", incident.P1, "api-gateway")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	advance(w, 5*time.Minute, time.Minute)
	var reminder int
	for _, e := range w.events(inc.ID) {
		if e.Kind == incident.EventCadence {
			reminder = e.Seq
		}
	}
	d, err := w.svc.FreshDraft(w.ctx, ch, reminder)
	if err != nil {
		t.Fatal(err)
	}
	text := views.DraftText(d)
	if _, err := w.svc.Draft(w.ctx, ch, d.Ref); err != nil {
		t.Fatalf("the draft built again: %v", err)
	}
	w.clock.Advance(time.Minute)
	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "Typed by hand", incident.AudienceStatusPage); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.PostDraft(w.ctx, "U0ALICE", ch, d.Ref, incident.UpdateDrafted, text)
	if incident.ErrorCode(err) != incident.ECONFLICT || incident.DraftPosted(err) ||
		!strings.Contains(err.Error(), "The status page update was posted at 03:06:00 UTC, after this draft was written") {
		t.Errorf("a draft after a typed update: %v", err)
	}

	d, _ = w.svc.FreshDraft(w.ctx, ch, reminder)
	if _, err := w.svc.PostDraft(w.ctx, "U0ALICE", ch, d.Ref, incident.UpdateDrafted, views.DraftText(d)); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.PostDraft(w.ctx, "U0ALICE", ch, d.Ref, incident.UpdateDrafted, views.DraftText(d))
	if !incident.DraftPosted(err) || !strings.Contains(err.Error(), "This draft was posted already, at 03:06:00 UTC") {
		t.Errorf("the draft posted again: %v", err)
	}
	// An edit of it submitted after someone posted it as it was is not a repeat: it is refused
	// as such, not taken for done.
	_, err = w.svc.PostDraft(w.ctx, "U0BOB", ch, d.Ref, incident.UpdateEdited, "edited")
	if incident.DraftPosted(err) || !strings.Contains(err.Error(), "The status page update was posted from this draft at 03:06:00 UTC") {
		t.Errorf("an edit of a posted draft: %v", err)
	}
	if _, err := w.svc.Draft(w.ctx, ch, d.Ref); !incident.DraftPosted(err) {
		t.Errorf("the posted draft built again: %v", err)
	}
}
