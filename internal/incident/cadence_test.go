package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func cadenceEvents(w *world, id int64) []string {
	var out []string
	for _, e := range w.events(id) {
		if e.Kind == incident.EventCadence || e.Kind == incident.EventBoardReminder {
			out = append(out, eventText(e))
		}
	}
	return out
}

// advance moves the fake clock in steps, delivering what falls due at each.
func advance(w *world, total, step time.Duration) {
	for moved := time.Duration(0); moved < total; moved += step {
		w.clock.Advance(step)
		w.deliver()
	}
}

// The plan's communication cadence for a P0, met and missed, on a fake clock.
func TestCommunicationCadence(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Everything is down", incident.P0, "")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if _, err := w.svc.AssignRole(w.ctx, "U0ALICE", ch, incident.RoleCommunications, "U0BOB"); err != nil {
		t.Fatal(err)
	}
	advance(w, 6*time.Minute, time.Minute) // the status page update was due at 5m
	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "Status page: investigating", incident.AudienceStatusPage); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(4 * time.Minute)
	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "Customers emailed", incident.AudienceCustomers); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(2 * time.Minute)
	if _, err := w.svc.PostUpdate(w.ctx, "U0ALICE", ch, "Failing over"); err != nil {
		t.Fatal(err)
	}
	advance(w, 19*time.Minute, time.Minute) // to 31m: customers and team due at 15m and 30m, execs at 30m
	got := strings.Join(cadenceEvents(w, inc.ID), "\n")
	for _, want := range []string{
		"Missed: the status page update due at 03:05 UTC (Communications lead)",
		"Met: the customer update due at 03:15 UTC (Communications lead), posted at 03:10:00 UTC",
		"Met: the team update due at 03:15 UTC (Incident commander), posted at 03:12:00 UTC",
		"Missed: the customer update due at 03:30 UTC (Communications lead)",
		"Missed: the team update due at 03:30 UTC (Incident commander)",
		"Missed: the executive briefing due at 03:30 UTC (Business continuity lead)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("timeline lacks %q; it has:\n%s", want, got)
		}
	}
	msgs := ""
	for _, m := range w.slack.Channel(ch).Messages {
		msgs += m.Text + "\n"
	}
	for _, want := range []string{
		":bell: The executive briefing was due at 03:30 UTC and is missing. Business continuity lead, post it with `/incident update --execs &lt;text&gt;`. Escalating to the incident commander <@U0ALICE>.",
		":bell: The team update was due at 03:30 UTC and is missing. Incident commander <@U0ALICE>, post it with `/incident update &lt;text&gt;`.",
		":loudspeaker: *Update for the status page* from <@U0BOB> (P0, investigating)\nStatus page: investigating",
	} {
		if !strings.Contains(msgs, want) {
			t.Errorf("the channel lacks %q:\n%s", want, msgs)
		}
	}
	if _, err := w.svc.PostUpdate(w.ctx, "U0ALICE", ch, "Told everyone", incident.AudienceStatusPage, incident.AudienceCustomers, incident.AudienceExecs); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	last := w.slack.Channel(ch).Messages
	if got, want := last[len(last)-1].Text, ":loudspeaker: *Update for the status page, customers and the executives* from <@U0ALICE> (P0, investigating)\nTold everyone"; got != want {
		t.Errorf("update heading %q, want %q", got, want)
	}
	if !strings.Contains(msgs, ":bell: The status page update was due at 03:05 UTC and is missing. Communications lead <@U0BOB>, post it with `/incident update --status-page &lt;text&gt;`. Escalating to the incident commander <@U0ALICE>.") {
		t.Errorf("no escalation in the channel:\n%s", msgs)
	}
	// Recovery stops the outage cadences.
	if _, err := w.svc.Mitigate(w.ctx, "U0ALICE", ch); err != nil {
		t.Fatal(err)
	}
	before := len(cadenceEvents(w, inc.ID))
	advance(w, 2*time.Hour, 15*time.Minute)
	if after := len(cadenceEvents(w, inc.ID)); after != before {
		t.Errorf("%d cadence events after recovery", after-before)
	}
}

// The board is to be told once the estimate passes $1M, whether an impact change or the
// passing of time takes it there.
func TestBoardReminder(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Everything is down", incident.P1, "intent-processing")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if _, err := w.svc.SetImpact(w.ctx, "U0ALICE", ch, 100, ""); err != nil { // $178,500 an hour
		t.Fatal(err)
	}
	advance(w, 5*time.Hour, 15*time.Minute) // $892,500: not yet
	if got := cadenceEvents(w, inc.ID); strings.Contains(strings.Join(got, "\n"), "board") {
		t.Fatalf("reminded early: %v", got)
	}
	advance(w, time.Hour, 15*time.Minute) // past $1M at about 5h36m
	var board []string
	for _, e := range cadenceEvents(w, inc.ID) {
		if strings.Contains(e, "the board must be notified") {
			board = append(board, e)
		}
	}
	if len(board) != 1 || !strings.Contains(board[0], "The estimated impact is $1,026,375, past $1,000,000") {
		t.Errorf("board reminders %v", board)
	}
}

// The board reminder falls due the moment the running estimate crosses $1M, not at the
// next cadence tick after it; it moves when the impact or the services change, and a
// mitigated incident, whose estimate no longer grows, gets none.
func TestBoardReminderAtTheCrossing(t *testing.T) {
	boardEvents := func(w *world, id int64) []incident.TimelineEvent {
		var out []incident.TimelineEvent
		for _, e := range w.events(id) {
			if e.Kind == incident.EventBoardReminder {
				out = append(out, e)
			}
		}
		return out
	}
	t.Run("crossing", func(t *testing.T) {
		w := newWorld(t)
		inc := w.declare("Everything is down", incident.P1, "intent-processing")
		w.deliver()
		ch := w.incident(inc.ID).ChannelID
		if _, err := w.svc.SetImpact(w.ctx, "U0ALICE", ch, 50, ""); err != nil { // $89,250 an hour: $1M at 11h12m16s
			t.Fatal(err)
		}
		advance(w, 2*time.Hour, 15*time.Minute)
		if _, err := w.svc.SetImpact(w.ctx, "U0ALICE", ch, 100, ""); err != nil { // $178,500 an hour: $1M at 5h36m08.1s
			t.Fatal(err)
		}
		advance(w, 3*time.Hour+30*time.Minute, 15*time.Minute) // 5h30m: the last cadence tick before the crossing
		if got := boardEvents(w, inc.ID); len(got) != 0 {
			t.Fatalf("reminded before the crossing: %v", eventText(got[0]))
		}
		w.clock.Advance(6*time.Minute + 8*time.Second)
		w.deliver()
		if got := boardEvents(w, inc.ID); len(got) != 0 {
			t.Fatalf("reminded at 5h36m08s, before the crossing: %v", eventText(got[0]))
		}
		w.clock.Advance(time.Second) // 5h36m09s: past $1M, no cadence due
		w.deliver()
		got := boardEvents(w, inc.ID)
		if len(got) != 1 || eventText(got[0]) != "The estimated impact is $1,000,046, past $1,000,000: the board must be notified" {
			t.Fatalf("board reminders at 5h36m09s: %v", got)
		}
		if at := got[0].At.Sub(inc.DeclaredAt); at != 5*time.Hour+36*time.Minute+9*time.Second {
			t.Errorf("reminded %s after the declaration", at)
		}
		advance(w, 12*time.Hour, 15*time.Minute) // the stale timer of the first estimate fires: no second reminder
		if got := boardEvents(w, inc.ID); len(got) != 1 {
			t.Errorf("%d board reminders", len(got))
		}
	})
	t.Run("service added", func(t *testing.T) {
		w := newWorld(t, testenv.WithConfig(func(c *config.Config) {
			c.Services["billing"] = config.Service{Tier: 2, Impact: map[string]float64{incident.SegmentLargeEnterprise: 1_000_000}}
		}))
		inc := w.declare("Everything is down", incident.P1, "intent-processing")
		w.deliver()
		ch := w.incident(inc.ID).ChannelID
		if _, err := w.svc.SetImpact(w.ctx, "U0ALICE", ch, 50, incident.SegmentLargeEnterprise); err != nil { // $62,500 an hour: $1M at 16h
			t.Fatal(err)
		}
		w.clock.Advance(10 * time.Minute)
		if _, err := w.svc.AddService(w.ctx, "U0ALICE", ch, "billing"); err != nil { // $500,000 an hour: $1M at 2h00m01s
			t.Fatal(err)
		}
		advance(w, time.Hour+50*time.Minute, 5*time.Minute) // 2h: the cadence ticks, and exactly $1,000,000
		if got := boardEvents(w, inc.ID); len(got) != 0 {
			t.Fatalf("reminded at $1,000,000: %v", eventText(got[0]))
		}
		w.clock.Advance(time.Second)
		w.deliver()
		got := boardEvents(w, inc.ID)
		if len(got) != 1 || eventText(got[0]) != "The estimated impact is $1,000,139, past $1,000,000: the board must be notified" {
			t.Fatalf("board reminders at 2h00m01s: %v", got)
		}
	})
	t.Run("mitigated", func(t *testing.T) {
		w := newWorld(t)
		inc := w.declare("Everything is down", incident.P1, "intent-processing")
		w.deliver()
		ch := w.incident(inc.ID).ChannelID
		if _, err := w.svc.SetImpact(w.ctx, "U0ALICE", ch, 100, ""); err != nil {
			t.Fatal(err)
		}
		advance(w, time.Hour, 15*time.Minute)
		if _, err := w.svc.Mitigate(w.ctx, "U0ALICE", ch); err != nil { // the estimate stops at $178,500
			t.Fatal(err)
		}
		advance(w, 10*time.Hour, 15*time.Minute)
		if got := boardEvents(w, inc.ID); len(got) != 0 {
			t.Errorf("a mitigated incident's board reminder: %v", eventText(got[0]))
		}
	})
}
