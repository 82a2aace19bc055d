package pagerduty_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// A joined PagerDuty incident's life, through the webhook: a trigger within the window
// joins the open incident of its service; its acknowledgement and resolution in PagerDuty
// are recorded there and open nothing; resolving the incident resolves it in PagerDuty (the
// fake) with the one that declared; a trigger after the resolution, or after the window,
// opens a new incident.
func TestJoinedPagerDutyIncidents(t *testing.T) {
	h := newHook(t, testenv.PagerDutyWebhookSecret) // the default window: 1h
	sys := h.sys
	trigger := func(delivery, title string) testenv.PDIncident {
		t.Helper()
		pd := sys.PD.AddIncident(title, "PSVC001", "high")
		if got := h.send(t, delivery, "incident.triggered", pd, ""); got != 202 {
			t.Fatalf("trigger %s: %d", title, got)
		}
		return pd
	}
	first := trigger("d1", "Intent API 5xx above 5%")
	sys.Deliver()
	inc := sys.Incident(1)
	channel := sys.Slack.Channel(inc.ChannelID)

	sys.Clock.Advance(30 * time.Minute)
	sys.Deliver() // the reminders and RTO warnings of the first half hour
	posts := len(sys.Slack.Channel(inc.ChannelID).Messages)
	b := trigger("d2", "Intent API latency p99 above 2s")
	c := trigger("d3", "Intent queue depth above 10k")
	h.send(t, "d2", "incident.triggered", b, "")       // a redelivery
	h.send(t, "d2-again", "incident.triggered", b, "") // the same PagerDuty incident, delivered anew
	if n := h.incidents(); n != 1 {
		t.Fatalf("%d incidents after two triggers on the service within the window, want 1", n)
	}
	sys.Clock.Advance(incident.JoinNoticeEvery)
	sys.Deliver()
	channel = sys.Slack.Channel(inc.ChannelID)
	if got := texts(channel.Messages[posts:]); len(got) != 1 || !strings.Contains(got[0], "2 more PagerDuty incidents joined INC-1") {
		t.Errorf("posts for two joined alerts, want one notice: %q", got)
	}

	// Acknowledged in PagerDuty: the incident's first ack (told), then another (not told).
	posts = len(channel.Messages)
	h.send(t, "d4", "incident.acknowledged", b, "")
	h.send(t, "d5", "incident.acknowledged", c, "")
	h.send(t, "d6", "incident.resolved", b, "")
	sys.Deliver()
	channel = sys.Slack.Channel(inc.ChannelID)
	if got := texts(channel.Messages[posts:]); len(got) != 1 || !strings.Contains(got[0], "Alice acknowledged PagerDuty incident #") {
		t.Errorf("posts for two acknowledgements of joined alerts, want the first ack's: %q", got)
	}
	inc = sys.Incident(1)
	if inc.AckedBy != "Alice" || !inc.Open() || h.incidents() != 1 {
		t.Errorf("after acks and a resolution of joined alerts: acked by %q, status %s, %d incidents", inc.AckedBy, inc.Status, h.incidents())
	}
	pages := map[string]incident.Page{}
	for _, p := range pagesOf(t, sys, 1) {
		pages[p.PagerID] = p
	}
	if pages[b.ID].Status != "resolved" || pages[c.ID].Status != "acknowledged" || !pages[b.ID].Joined() {
		t.Errorf("joined pages: %+v / %+v", pages[b.ID], pages[c.ID])
	}

	// A status update is noted on the declaring PagerDuty incident and the bot's pages, not
	// on the joined alerts: a note on each of a storm's alerts would spend PagerDuty's rate
	// limit on every update.
	if _, err := sys.Service.PostUpdate(sys.Ctx, "U0ALICE", inc.ChannelID, "failing over to us-west-2"); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	for _, p := range sys.PD.Incidents() {
		noted := strings.Contains(strings.Join(p.Notes, "\n"), "failing over to us-west-2")
		if joined := p.ID == b.ID || p.ID == c.ID; noted == joined {
			t.Errorf("PagerDuty incident %s (joined: %t) has the status update noted: %t; notes %q", p.ID, joined, noted, p.Notes)
		}
	}

	// Resolving the incident resolves the declaring and the still open joined PagerDuty
	// incidents (b was resolved in PagerDuty already).
	if _, err := sys.Service.Resolve(sys.Ctx, "U0ALICE", inc.ChannelID, "rolled back"); err != nil {
		t.Fatal(err)
	}
	sys.Deliver()
	status := map[string]string{}
	for _, p := range sys.PD.Incidents() {
		status[p.ID] = p.Status
	}
	if status[first.ID] != "resolved" || status[c.ID] != "resolved" || status[b.ID] != "triggered" {
		t.Errorf("in PagerDuty after resolving: declaring %s, joined c %s, joined b (resolved there before) %s", status[first.ID], status[c.ID], status[b.ID])
	}
	said := ""
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventPagerResolved {
			said += words.PlainText(words.Event(e), words.NameMap{}) + "\n"
		}
	}
	if !strings.Contains(said, "Resolved PagerDuty incident "+c.ID) || strings.Contains(said, "nobody") {
		t.Errorf("the resolutions say:\n%s", said)
	}

	// After the resolution: PagerDuty's resolution of c, and b triggered again, open nothing;
	// a new alert opens a new incident.
	h.send(t, "d7", "incident.resolved", c, "")
	h.send(t, "d8", "incident.triggered", b, "")
	if n := h.incidents(); n != 1 {
		t.Fatalf("%d incidents after events of joined PagerDuty incidents, want 1", n)
	}
	trigger("d9", "Intent API 5xx again")
	if n := h.incidents(); n != 2 {
		t.Fatalf("%d incidents after a trigger once the incident was resolved, want 2", n)
	}
	// Within the window of incident 2, a trigger joins it; past it, one opens incident 3.
	sys.Clock.Advance(59 * time.Minute)
	trigger("d10", "Intent API 5xx, still")
	sys.Clock.Advance(2 * time.Minute)
	trigger("d11", "Intent API 5xx, an hour on")
	if n := h.incidents(); n != 3 {
		t.Fatalf("%d incidents, want 3: one joined incident 2, one came after its window", n)
	}
	if n := len(pagesOf(t, sys, 2)); n != 1 {
		t.Errorf("incident 2 has %d pages, want the joined one", n)
	}
	for id := int64(1); id <= 3; id++ {
		if b := incident.VerifyChain(sys.Events(id)); b != nil {
			t.Errorf("incident %d's chain: %+v", id, b)
		}
	}
}

func texts(msgs []testenv.SlackMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

func pagesOf(t *testing.T, sys *testenv.System, id int64) []incident.Page {
	t.Helper()
	var pages []incident.Page
	if err := sys.Store.View(sys.Ctx, func(tx incident.Tx) (err error) { pages, err = tx.Pages(id); return err }); err != nil {
		t.Fatal(err)
	}
	return pages
}
