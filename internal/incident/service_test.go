package incident_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func TestDeclareOpensChannelCardTopicInviteAndAnnouncement(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API returning 500s", incident.P1, "intent-processing")
	if inc.Key() != "INC-1" || inc.Tier != 1 || inc.Commander != "U0ALICE" {
		t.Fatalf("declared %+v", inc)
	}
	w.deliver()

	ch := w.slack.ChannelByName("inc-1-intent-api-returning-500s")
	if ch == nil {
		t.Fatalf("no channel; calls: %v", w.slack.Calls("conversations.create"))
	}
	if ch.Private || !ch.Members["U0ALICE"] {
		t.Errorf("channel private=%v members=%v", ch.Private, ch.Members)
	}
	if want := "INC-1 P1 | investigating | IC <@U0ALICE> | Intent API returning 500s"; ch.Topic != want {
		t.Errorf("topic %q, want %q", ch.Topic, want)
	}
	if len(ch.Messages) != 1 || !ch.Pins[ch.Messages[0].TS] {
		t.Fatalf("want one pinned card, got %d messages, pins %v", len(ch.Messages), ch.Pins)
	}
	if !strings.Contains(string(ch.Messages[0].Blocks), "INC-1 P1: Intent API returning 500s") {
		t.Errorf("card blocks: %s", ch.Messages[0].Blocks)
	}
	ann := w.slack.ChannelByName("incidents")
	if len(ann.Messages) != 1 || !strings.Contains(ann.Messages[0].Text, "INC-1 P1 declared") {
		t.Errorf("announcement: %+v", ann.Messages)
	}

	got := w.incident(inc.ID)
	if got.ChannelID != ch.ID || got.CardTS != ch.Messages[0].TS {
		t.Errorf("incident channel %q card %q", got.ChannelID, got.CardTS)
	}
	evs := w.events(inc.ID)
	k := kinds(evs)
	for _, want := range []incident.EventKind{incident.EventDeclared, incident.EventChannelCreated, incident.EventInvited,
		incident.EventCardPosted, incident.EventCardPinned, incident.EventTopicSet, incident.EventAnnounced} {
		if k[want] != 1 {
			t.Errorf("%d %s events, want 1", k[want], want)
		}
	}
	if b := incident.VerifyChain(evs); b != nil {
		t.Errorf("chain broken at %d: %s", b.Event.Seq, b.Reason)
	}
	for _, e := range w.effects(inc.ID) {
		if e.State != incident.EffectDone && e.Kind != incident.EffectTimer {
			t.Errorf("effect %s is %s (%s)", e.Key, e.State, e.LastError)
		}
	}
}

func TestPrivateAndConfidentialIncidentsStayOutOfPublicView(t *testing.T) {
	w := newWorld(t)
	secret := w.declare("Payroll export leaking salaries", incident.P1, "payroll") // confidential service
	flagged, err := w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0BOB", Title: "Suspected intrusion", Severity: incident.P0, Private: true})
	if err != nil {
		t.Fatal(err)
	}
	w.deliver()
	for _, inc := range []*incident.Incident{secret, flagged} {
		got := w.incident(inc.ID)
		ch := w.slack.Channel(got.ChannelID)
		if ch == nil || !ch.Private {
			t.Fatalf("%s: channel %+v is not private", inc.Key(), ch)
		}
		if strings.Contains(ch.Name, "payroll") || strings.Contains(ch.Name, "intrusion") {
			t.Errorf("%s: channel name %q leaks the title", inc.Key(), ch.Name)
		}
	}
	if msgs := w.slack.ChannelByName("incidents").Messages; len(msgs) != 0 {
		t.Errorf("private incidents were announced: %+v", msgs)
	}
}

func TestNameTakenPicksAnotherName(t *testing.T) {
	w := newWorld(t)
	w.slack.AddChannel("inc-1-db-down")
	inc := w.declare("DB down", incident.P2, "")
	w.deliver()
	got := w.incident(inc.ID)
	if got.ChannelName != "inc-1-db-down-2" {
		t.Errorf("channel %q, want inc-1-db-down-2", got.ChannelName)
	}
}

func TestChannelNames(t *testing.T) {
	long := strings.Repeat("very long title ", 10)
	for _, tc := range []struct {
		name    string
		title   string
		attempt int
		want    string
		drill   bool
	}{
		{"plain", "Intent API returning 500s", 0, "inc-7-intent-api-returning-500s", false},
		{"punctuation and case", "  DB: Primary DOWN!!! (us-east-1) ", 0, "inc-7-db-primary-down-us-east-1", false},
		{"non-ascii dropped", "Zürich — région ✈ down", 0, "inc-7-z-rich-r-gion-down", false},
		{"retry suffix", "api", 2, "inc-7-api-3", false},
		{"nothing usable", "!!!", 0, "inc-7", false},
		{"cut to 80", long, 0, strings.TrimRight(("inc-7-" + incident.Slug(long))[:80], "-"), false},
		{"cut to 80 with suffix", long, 1, strings.TrimRight(("inc-7-" + incident.Slug(long))[:78], "-") + "-2", false},
		{"drill", "DNS failover", 0, "inc-7-drill-dns-failover", true},
		{"drill named so", "Drill: DNS failover", 0, "inc-7-drill-dns-failover", true},
		{"drill of nothing usable", "!!!", 0, "inc-7-drill", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := incident.ChannelName("inc", &incident.Incident{Number: 7, Title: tc.title, Drill: tc.drill}, tc.attempt)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(got) > incident.MaxChannelName || strings.HasSuffix(got, "-") {
				t.Errorf("%q is not a valid Slack name", got)
			}
		})
	}
}

func TestLifecycleCommandsRecordAndPost(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Checkout slow", incident.P2, "")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID

	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "Rolling back release 42"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddNote(w.ctx, "U0BOB", ch, "p99 back under 300ms"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetSeverity(w.ctx, "U0ALICE", ch, incident.P1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Mitigate(w.ctx, "U0ALICE", ch); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Resolve(w.ctx, "U0ALICE", ch, "Rolled back"); err != nil {
		t.Fatal(err)
	}
	w.deliver()

	got := w.incident(inc.ID)
	if got.Status != incident.StatusResolved || got.Severity != incident.P1 || got.Summary != "Rolled back" {
		t.Errorf("incident %+v", got)
	}
	sch := w.slack.Channel(ch)
	var texts []string
	for _, m := range sch.Messages[1:] {
		texts = append(texts, m.Text)
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"Rolling back release 42", "from P2 to *P1*", "*mitigated*", "resolved INC-1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("channel lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "p99 back") {
		t.Error("a note was posted; notes only go on the timeline")
	}
	if sch.Messages[0].Edited == 0 || !strings.Contains(string(sch.Messages[0].Blocks), "resolved") {
		t.Errorf("card not updated: edited %d", sch.Messages[0].Edited)
	}
	if !strings.HasPrefix(sch.Topic, "INC-1 P1 | resolved") {
		t.Errorf("topic %q", sch.Topic)
	}
	if b := incident.VerifyChain(w.events(inc.ID)); b != nil {
		t.Errorf("chain broken: %+v", b)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Checkout slow", incident.P2, "")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	before := len(w.events(inc.ID))

	cases := []struct {
		name string
		err  error
		code string
	}{
		{"empty update", second(w.svc.PostUpdate(w.ctx, "U0BOB", ch, "   ")), incident.EINVALID},
		{"same severity", second(w.svc.SetSeverity(w.ctx, "U0BOB", ch, incident.P2)), incident.ECONFLICT},
		{"bad severity", second(w.svc.SetSeverity(w.ctx, "U0BOB", ch, "P9")), incident.EINVALID},
		{"not an incident channel", second(w.svc.PostUpdate(w.ctx, "U0BOB", "C0OTHER", "hi")), incident.ENOTFOUND},
		{"huge note", second(w.svc.AddNote(w.ctx, "U0BOB", ch, strings.Repeat("x", incident.MaxTextLen+1))), incident.EINVALID},
		{"unknown service", second(w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0BOB", Title: "x", Severity: incident.P1, Service: "nope"})), incident.ENOTFOUND},
		{"empty title", second(w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0BOB", Title: " ", Severity: incident.P1})), incident.EINVALID},
		{"long title", second(w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0BOB", Title: strings.Repeat("t", 151), Severity: incident.P1})), incident.EINVALID},
	}
	for _, tc := range cases {
		if got := incident.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, tc.err, tc.code)
		}
	}
	if _, err := w.svc.Resolve(w.ctx, "U0BOB", ch, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Resolve(w.ctx, "U0BOB", ch, ""); incident.ErrorCode(err) != incident.ECONFLICT {
		t.Errorf("second resolve: %v", err)
	}
	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "late"); incident.ErrorCode(err) != incident.ECONFLICT {
		t.Errorf("update after resolve: %v", err)
	}
	if got := len(w.events(inc.ID)); got != before+2 {
		t.Errorf("%d events after bad input, want %d (only the resolve and its anchor)", got, before+2)
	}
	var n int
	w.db.View(w.ctx, func(tx incident.Tx) error { ids, _ := tx.IncidentIDs(); n = len(ids); return nil })
	if n != 1 {
		t.Errorf("%d incidents, want 1", n)
	}
	_ = testenv.SlackBotUser
}

func second[T any](_ T, err error) error { return err }
