package incident_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Twenty changes of an incident in a burst queue twenty refreshes of its card and topic;
// one delivery of each sends the final state, and the nineteen queued behind it are marked
// done without a call, each saying which delivery sent its state. (Before refreshes
// coalesced, each was sent: twenty chat.update calls.)
func TestABurstOfChangesUpdatesTheCardOnce(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("checkout errors", incident.P3, "")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	w.slack.SetMethodLatency("chat.update", 20*time.Millisecond) // Slack is slow to answer
	sevs := []incident.Severity{incident.P1, incident.P2, incident.P3, incident.P0}
	for i := range 20 {
		if _, err := w.svc.SetSeverity(w.ctx, "U0ALICE", ch, sevs[i%4]); err != nil { // ends at P0
			t.Fatal(err)
		}
	}
	w.deliver()

	updates := w.slack.Calls("chat.update")
	if len(updates) != 1 {
		t.Errorf("%d chat.update calls for 20 changes, want 1 (the refreshes coalesce)", len(updates))
	}
	card := w.slack.Channel(ch).Messages[0]
	if !strings.Contains(string(card.Blocks), "INC-1 P0:") {
		t.Errorf("the card does not show the final severity P0: %s", card.Blocks)
	}
	if got := w.incident(inc.ID).Severity; got != incident.P0 {
		t.Fatalf("severity %s, want P0", got)
	}
	sent, superseded := map[incident.EffectKind]int{}, map[incident.EffectKind]int{}
	for _, e := range w.effects(inc.ID) {
		if e.Kind != incident.EffectUpdateCard && e.Kind != incident.EffectSetTopic {
			continue
		}
		switch {
		case e.State == incident.EffectDone && e.Attempts == 1 && e.LastError == "":
			sent[e.Kind]++
		case e.State == incident.EffectDone && e.Attempts == 0 && strings.HasPrefix(e.LastError, incident.SupersededPrefix+"not sent: inc1:"+string(e.Kind)+":"):
			superseded[e.Kind]++
		default:
			t.Errorf("%s: %s after %d attempts (%q), want sent or superseded", e.Key, e.State, e.Attempts, e.LastError)
		}
	}
	// The topic was set once when the channel opened; then one refresh for the burst.
	if sent[incident.EffectUpdateCard] != 1 || superseded[incident.EffectUpdateCard] != 19 ||
		sent[incident.EffectSetTopic] != 2 || superseded[incident.EffectSetTopic] != 19 {
		t.Errorf("sent %v, superseded %v; want 1 card update and 2 topics sent, 19 of each superseded", sent, superseded)
	}
	// Every change is on the timeline, and each delivery that was sent.
	k := kinds(w.events(inc.ID))
	if k[incident.EventSeverityChanged] != 20 || k[incident.EventCardUpdated] != 1 {
		t.Errorf("timeline has %d severity changes and %d card updates, want 20 and 1", k[incident.EventSeverityChanged], k[incident.EventCardUpdated])
	}
}

// A refresh queued while the card is being sent (after the delivery read the state it
// renders) is not superseded: it is sent next, with the newer state.
func TestARefreshQueuedDuringTheUpdateIsStillSent(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("checkout errors", incident.P3, "")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if _, err := w.svc.SetSeverity(w.ctx, "U0ALICE", ch, incident.P2); err != nil {
		t.Fatal(err)
	}
	// Slack answers the first card update slowly; meanwhile the severity changes again.
	w.slack.SetMethodLatency("chat.update", 300*time.Millisecond)
	changed := make(chan error, 1)
	go func() {
		for len(w.slack.Calls("chat.update")) == 0 {
			time.Sleep(time.Millisecond)
		}
		_, err := w.svc.SetSeverity(context.Background(), "U0ALICE", ch, incident.P0)
		changed <- err
	}()
	w.deliver()
	if err := <-changed; err != nil {
		t.Fatal(err)
	}
	w.deliver()
	if n := len(w.slack.Calls("chat.update")); n != 2 {
		t.Errorf("%d chat.update calls, want 2: the change made during the first is sent too", n)
	}
	if card := w.slack.Channel(ch).Messages[0]; !strings.Contains(string(card.Blocks), "INC-1 P0:") {
		t.Errorf("the card does not show the final severity P0: %s", card.Blocks)
	}
}
