package incident_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// burst declares 30 incidents at once and changes the first one's severity 70 times (a
// notice each in its channel), with
// the emulator enforcing Slack's tiers on the world's clock, then delivers everything while
// the clock moves on a second at a time (under five minutes, before the first reminder).
// It returns how many calls Slack answered 429 and whether everything was delivered.
func burst(t *testing.T, w *world) (limited int, settled bool) {
	t.Helper()
	w.slack.SetClock(w.clock.Now)
	w.slack.EnforceRateLimits(true)
	w.declare("first", incident.P2, "")
	w.deliver()
	first := w.incident(1).ChannelID
	for i := range 29 {
		w.declare(fmt.Sprintf("outage %d", i), incident.P2, "")
	}
	for i := range 70 { // each change is told in the channel: more than Slack takes in a minute there
		if _, err := w.svc.SetSeverity(w.ctx, "U0ALICE", first, []incident.Severity{incident.P1, incident.P3}[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	for range 280 {
		w.deliver()
		if settled = allDelivered(w, 30); settled {
			break
		}
		w.clock.Advance(time.Second)
	}
	return w.slack.RateLimited(""), settled
}

// allDelivered reports whether every effect of incidents 1 to n is done (timers aside).
func allDelivered(w *world, n int64) bool {
	for id := int64(1); id <= n; id++ {
		for _, e := range w.effects(id) {
			if e.State != incident.EffectDone && e.Kind != incident.EffectTimer {
				return false
			}
		}
	}
	return true
}

// With the budget, a burst bigger than Slack's tiers allow is delayed by the bot itself:
// Slack answers no 429, and every channel, card, topic, pin, announcement and notice is
// delivered, once.
func TestTheBudgetKeepsABurstWithinSlacksTiers(t *testing.T) {
	w := newWorld(t, testenv.WithSlackBudget())
	limited, settled := burst(t, w)
	if limited != 0 {
		t.Errorf("Slack answered %d calls 429 with the budget on, want none", limited)
	}
	if !settled {
		for id := int64(1); id <= 30; id++ {
			for _, e := range w.effects(id) {
				if e.State != incident.EffectDone && e.Kind != incident.EffectTimer {
					t.Errorf("%s is %s (%s)", e.Key, e.State, e.LastError)
				}
			}
		}
		t.Fatal("the burst was not delivered in 280 s")
	}
	if n := len(w.slack.Channels()); n != 30 {
		t.Errorf("%d channels, want 30", n)
	}
	for id := int64(1); id <= 30; id++ {
		for _, e := range w.effects(id) {
			if e.Kind != incident.EffectTimer && e.Attempts > 1 {
				t.Errorf("%s took %d attempts; a held-back call is no attempt", e.Key, e.Attempts)
			}
		}
	}
	ch := w.slack.Channel(w.incident(1).ChannelID)
	if got := len(ch.Messages); got != 71 {
		t.Errorf("%d messages in the first channel, want the card and 70 notices", got)
	}
	if n := len(w.slack.Calls("chat.postMessage")); n != 30+30+70 {
		t.Errorf("%d posts, want 130 (30 cards, 30 announcements, 70 notices): none twice", n)
	}
}

// Without the budget, the same burst meets Slack's 429s (and waits out their Retry-After).
func TestWithoutTheBudgetABurstMeetsSlacksLimits(t *testing.T) {
	w := newWorld(t)
	if limited, _ := burst(t, w); limited == 0 {
		t.Error("Slack answered no 429 without the budget: the burst does not exceed its tiers")
	}
}
