package incident_test

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// anchorsOf returns the anchors on incident id's timeline, each checked against the event
// it names: its head is that event's hash.
func anchorsOf(t *testing.T, sys *testenv.System, id int64) []incident.Anchor {
	t.Helper()
	evs := sys.Events(id)
	inc := sys.Incident(id)
	var out []incident.Anchor
	for _, e := range evs {
		a, ok := incident.AnchorOf(inc, e)
		if !ok {
			continue
		}
		if a.Events != a.Seq-1 || evs[a.Events-1].Hash != a.Head {
			t.Errorf("anchor in event #%d: %d events, head %s; want the event before it (#%d, %s)", a.Seq, a.Events, a.Head, a.Seq-1, evs[a.Seq-2].Hash)
		}
		out = append(out, a)
	}
	return out
}

// postedAnchors counts the channel's messages that carry each anchor line.
func postedAnchors(sys *testenv.System, ch string) map[string]int {
	n := map[string]int{}
	for _, m := range sys.Slack.Channel(ch).Messages {
		for _, a := range incident.ParseAnchors(m.Text) {
			n[a.Line()]++
		}
	}
	return n
}

// At the resolution the chain's head (the resolved event) is anchored: told in the
// channel, listed in the review filed then, and added to it as a comment, once, however
// often the review is filed again.
func TestAnchorAtResolutionInChannelAndReview(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	sys.Clock.Advance(10 * time.Minute)
	if r := sys.Do("U0ALICE", ch, "resolve fixed"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	anchors := anchorsOf(t, sys, 1)
	if len(anchors) != 1 || anchors[0].How != incident.AnchorResolved {
		t.Fatalf("anchors %+v, want the resolution's", anchors)
	}
	a := anchors[0]
	if head := sys.Events(1)[a.Events-1]; head.Kind != incident.EventResolved {
		t.Errorf("the resolution anchors event #%d, a %s event", head.Seq, head.Kind)
	}
	if n := postedAnchors(sys, ch); n[a.Line()] != 1 || len(n) != 1 {
		t.Errorf("anchors posted in the channel %v, want %q once", n, a.Line())
	}
	if r := sys.Do("U0ALICE", ch, "postmortem"); r.Error { // filed again: no second comment
		t.Fatal(r.Text)
	}
	sys.Deliver()
	issues := sys.GitHub.Issues()
	if len(issues) != 1 || !strings.Contains(issues[0].Body, a.Line()) {
		t.Fatalf("the review does not list the anchor %q: %+v", a.Line(), issues)
	}
	comments := sys.GitHub.Comments(issues[0].Number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, a.Line()) {
		t.Errorf("the review's comments %+v, want one with %q", comments, a.Line())
	}
}

// While an incident is open its chain is anchored every hour, on the hour after the
// declaration: once each, posted once each, also when the clock jumps past several hours
// at once. Its resolution is the last anchor.
func TestHourlyAnchorPostedOncePerHour(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	sys.Clock.Advance(59 * time.Minute)
	sys.Deliver()
	if got := anchorsOf(t, sys, 1); len(got) != 0 {
		t.Fatalf("%d anchors before the first hour", len(got))
	}
	sys.Clock.Advance(time.Minute)
	sys.Deliver()
	sys.Deliver()
	if got := anchorsOf(t, sys, 1); len(got) != 1 || got[0].How != incident.AnchorHourly {
		t.Fatalf("anchors after an hour: %+v, want one hourly", got)
	}
	sys.Do("U0ALICE", ch, "note still looking")
	sys.Clock.Advance(2*time.Hour + 30*time.Minute) // past the second and the third hour
	sys.Deliver()
	got := anchorsOf(t, sys, 1)
	if len(got) != 3 {
		t.Fatalf("%d anchors after 3h30m, want 3", len(got))
	}
	posted := postedAnchors(sys, ch)
	for _, a := range got {
		if posted[a.Line()] != 1 {
			t.Errorf("anchor %q posted %d times", a.Line(), posted[a.Line()])
		}
	}
	sys.Do("U0ALICE", ch, "resolve fixed")
	sys.Deliver()
	sys.Clock.Advance(5 * time.Hour)
	sys.Deliver()
	got = anchorsOf(t, sys, 1)
	if len(got) != 4 || got[3].How != incident.AnchorResolved {
		t.Errorf("anchors after the resolution and 5h more: %d, the last %q; want 4, the resolution's last", len(got), got[len(got)-1].How)
	}
}

// Two replicas delivering from one database when the hour comes anchor once.
func TestHourlyAnchorOnceWithTwoReplicas(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	second := &incident.Outbox{Store: sys.Store, Chat: sys.Chat, Tracker: sys.Outbox.Tracker, Reviews: sys.Outbox.Reviews,
		Clock: sys.Clock, Settings: sys.Outbox.Settings, Log: slog.New(slog.DiscardHandler), Shared: true}
	sys.Outbox.Shared = true
	sys.Clock.Advance(time.Hour)
	var wg sync.WaitGroup
	for _, o := range []*incident.Outbox{sys.Outbox, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if _, err := o.DeliverDue(sys.Ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got := anchorsOf(t, sys, 1)
	if len(got) != 1 {
		t.Fatalf("%d anchors, want 1", len(got))
	}
	if n := postedAnchors(sys, ch); n[got[0].Line()] != 1 || len(n) != 1 {
		t.Errorf("posted %v, want %q once", n, got[0].Line())
	}
}

// An anchor made while the review is already filed is added to it as a comment.
func TestAnchorAfterTheReviewIsAComment(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	if r := sys.Do("U0ALICE", ch, "postmortem"); r.Error { // filed while open
		t.Fatal(r.Text)
	}
	sys.Deliver()
	sys.Clock.Advance(time.Hour)
	sys.Deliver()
	got := anchorsOf(t, sys, 1)
	if len(got) != 1 {
		t.Fatalf("%d anchors", len(got))
	}
	comments := sys.GitHub.Comments(1)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, got[0].Line()) {
		t.Errorf("comments %+v, want one with %q", comments, got[0].Line())
	}
}

// A drill is anchored as an incident is; a private incident too, in its own channel only
// (nothing of it reaches the announce channel).
func TestDrillsAndPrivateIncidentsAreAnchored(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithGitHub(true))
	for _, req := range []incident.DeclareRequest{
		{Actor: "U0ALICE", Title: "DNS failover exercise", Severity: incident.P2, Drill: true},
		{Actor: "U0ALICE", Title: "Suspected intrusion", Severity: incident.P1, Private: true},
	} {
		if _, err := sys.Service.Declare(sys.Ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	sys.Deliver()
	sys.Clock.Advance(time.Hour)
	sys.Deliver()
	for id := int64(1); id <= 2; id++ {
		inc := sys.Incident(id)
		if _, err := sys.Service.Resolve(sys.Ctx, "U0ALICE", inc.ChannelID, "done"); err != nil {
			t.Fatal(err)
		}
		sys.Deliver()
		got := anchorsOf(t, sys, id)
		if len(got) != 2 || got[0].How != incident.AnchorHourly || got[1].How != incident.AnchorResolved {
			t.Fatalf("%s (drill %v, private %v): anchors %+v, want the hour's and the resolution's", inc.Key(), inc.Drill, inc.Private, got)
		}
		posted := postedAnchors(sys, inc.ChannelID)
		for _, a := range got {
			if posted[a.Line()] != 1 {
				t.Errorf("%s: anchor %q posted %d times in its channel", inc.Key(), a.Line(), posted[a.Line()])
			}
		}
	}
	if n := postedAnchors(sys, sys.Announce); len(n) != 0 {
		t.Errorf("anchors in the announce channel: %v", n)
	}
	// The anchor comments say nothing of the incident but its key, count and hash.
	for _, is := range sys.GitHub.Issues() {
		for _, c := range sys.GitHub.Comments(is.Number) {
			if strings.Contains(c.Body, "Suspected intrusion") || strings.Contains(c.Body, "DNS failover") {
				t.Errorf("a comment on issue #%d names the incident:\n%s", is.Number, c.Body)
			}
		}
	}
}
