package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func effectOf(t *testing.T, w *world, id int64, kind incident.EffectKind) incident.Effect {
	t.Helper()
	for _, e := range w.effects(id) {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no %s effect", kind)
	return incident.Effect{}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	// No announcement: the card is the only post, so it meets the 429.
	w := newWorld(t, testenv.WithConfig(func(c *config.Config) { c.Slack.AnnounceChannel = "" }))
	w.slack.Fail("chat.postMessage", testenv.Fault{Status: 429, RetryAfter: 7})
	inc := w.declare("API down", incident.P1, "")
	start := w.clock.Now()
	w.deliver()

	card := effectOf(t, w, inc.ID, incident.EffectPostCard)
	if card.State != incident.EffectPending || card.Attempts != 1 {
		t.Fatalf("card effect %s after 429, attempts %d", card.State, card.Attempts)
	}
	if want := start.Add(7 * time.Second); !card.NextAttemptAt.Equal(want) {
		t.Errorf("next attempt at %s, want %s (Retry-After 7)", card.NextAttemptAt, want)
	}
	w.clock.Advance(6 * time.Second)
	w.deliver()
	if n := len(w.slack.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d postMessage calls before Retry-After elapsed, want 1", n)
	}
	w.clock.Advance(time.Second)
	w.deliver()
	if got := w.incident(inc.ID); got.CardTS == "" {
		t.Fatal("card not posted after Retry-After")
	}
	ch := w.slack.Channel(w.incident(inc.ID).ChannelID)
	if len(ch.Messages) != 1 {
		t.Errorf("%d messages in the channel, want exactly one card", len(ch.Messages))
	}
}

// A call that keeps failing is retried until it succeeds, never more often than the
// backoff or, once Slack counts as down, than its probes; it is reported once.
func TestServerErrorsAreRetriedAndReported(t *testing.T) {
	w := newWorld(t)
	faults := make([]testenv.Fault, 6)
	for i := range faults {
		faults[i] = testenv.Fault{Status: 503}
	}
	w.slack.Fail("conversations.setTopic", faults...)
	inc := w.declare("API down", incident.P1, "")
	w.deliver()

	var waits []time.Duration
	for i := 0; i < 20; i++ {
		e := effectOf(t, w, inc.ID, incident.EffectSetTopic)
		if e.State == incident.EffectDone {
			break
		}
		wait := e.NextAttemptAt.Sub(w.clock.Now())
		waits = append(waits, wait)
		w.clock.Advance(wait)
		w.deliver()
	}
	if e := effectOf(t, w, inc.ID, incident.EffectSetTopic); e.State != incident.EffectDone || e.Attempts != 7 {
		t.Fatalf("topic effect %s after %d attempts (waits %v)", e.State, e.Attempts, waits)
	}
	if n := len(w.slack.Calls("conversations.setTopic")); n != 7 {
		t.Errorf("%d setTopic calls, want 7: six failures and the success", n)
	}
	for i, d := range waits {
		if d <= 0 || d > time.Minute {
			t.Errorf("wait %d is %s", i+1, d)
		}
	}
	ch := w.slack.Channel(w.incident(inc.ID).ChannelID)
	reports := 0
	for _, m := range ch.Messages {
		if strings.Contains(m.Text, "I keep failing to set the channel topic (5 attempts") {
			reports++
		}
	}
	if reports != 1 {
		t.Errorf("%d failure reports in the channel, want 1", reports)
	}
	if k := kinds(w.events(inc.ID)); k[incident.EventEffectFailing] != 1 || k[incident.EventTopicSet] != 1 {
		t.Errorf("events %v", k)
	}
}

func TestPermanentFailureIsRecordedAndReportedNotDropped(t *testing.T) {
	w := newWorld(t)
	w.slack.Fail("pins.add", testenv.Fault{Error: "not_pinnable"})
	inc := w.declare("API down", incident.P1, "")
	w.deliver()
	e := effectOf(t, w, inc.ID, incident.EffectPinCard)
	if e.State != incident.EffectFailed || !strings.Contains(e.LastError, "not_pinnable") {
		t.Fatalf("pin effect %s: %q", e.State, e.LastError)
	}
	ch := w.slack.Channel(w.incident(inc.ID).ChannelID)
	if last := ch.Messages[len(ch.Messages)-1].Text; !strings.Contains(last, "could not pin the incident card") {
		t.Errorf("no report in the channel; last message %q", last)
	}
	if k := kinds(w.events(inc.ID)); k[incident.EventEffectFailed] != 1 {
		t.Errorf("no effect_failed event: %v", k)
	}
}

// A crash after Slack accepted a post but before the bot recorded it must not post twice.
func TestInterruptedDeliveryIsNotRepeated(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("API down", incident.P1, "")
	// Deliver only the channel, then act as a process that posted the card and died.
	if _, err := w.outbox.DeliverDue(w.ctx); err != nil {
		t.Fatal(err)
	}
	got := w.incident(inc.ID)

	// Rewind: simulate the card post having happened in a process that crashed before
	// recording it, by resetting the incident's card and the effect to inflight.
	cardEff := effectOf(t, w, inc.ID, incident.EffectPostCard)
	if cardEff.State != incident.EffectDone {
		t.Fatalf("card effect %s", cardEff.State)
	}
	if err := w.db.Update(w.ctx, func(tx incident.Tx) error {
		got.CardTS = ""
		if err := tx.UpdateIncident(got); err != nil {
			return err
		}
		cardEff.State, cardEff.Attempts = incident.EffectInflight, 0
		return tx.SaveEffect(&cardEff)
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Update(w.ctx, func(tx incident.Tx) error { _, err := tx.ReleaseInflight(); return err }); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	ch := w.slack.Channel(got.ChannelID)
	if len(ch.Messages) != 1 {
		t.Fatalf("%d messages, want the one card", len(ch.Messages))
	}
	if w.incident(inc.ID).CardTS != ch.Messages[0].TS {
		t.Error("the card found after the restart was not adopted")
	}
	if n := len(w.slack.Calls("conversations.history")); n != 1 {
		t.Errorf("%d history lookups, want 1", n)
	}
}

// A crash after conversations.create succeeded must adopt that channel, not make another.
func TestInterruptedChannelCreationAdoptsTheChannel(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("API down", incident.P1, "")
	// The previous process created the channel and died before recording it.
	if err := w.db.Update(w.ctx, func(tx incident.Tx) error {
		effs, err := tx.ClaimEffects(w.clock.Now(), 10, time.Minute)
		if len(effs) == 0 || effs[0].Kind != incident.EffectCreateChannel {
			t.Fatalf("claimed %v, want the channel first", effs)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w.deliver() // nothing due: the effect is inflight
	if len(w.slack.Channels()) != 0 {
		t.Fatal("an inflight effect was delivered")
	}
	w.slack.AddChannel("decoy") // another channel the bot did not create
	api := w.outbox.Chat
	if _, err := api.CreateChannel(w.ctx, "inc-1-api-down", false); err != nil {
		t.Fatal(err)
	}
	if err := w.db.Update(w.ctx, func(tx incident.Tx) error { _, err := tx.ReleaseInflight(); return err }); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	if chans := w.slack.Channels(); len(chans) != 1 {
		t.Fatalf("%d bot channels, want 1", len(chans))
	}
	if got := w.incident(inc.ID); got.ChannelName != "inc-1-api-down" || got.CardTS == "" {
		t.Errorf("incident %+v", got)
	}
}

// Declaring more incidents in a minute than conversations.create allows (Tier 2, 20 a
// minute) delays the rest until Slack's window reopens; none is lost or doubled.
func TestSlackTierLimitsDelayButDoNotLoseChannels(t *testing.T) {
	w := newWorld(t)
	w.slack.SetClock(w.clock.Now)
	w.slack.EnforceRateLimits(true)
	for i := 0; i < 25; i++ {
		w.declare(fmt.Sprintf("outage %d", i), incident.P2, "")
	}
	w.deliver()
	if n := len(w.slack.Channels()); n != 20 {
		t.Fatalf("%d channels in the first minute, want 20 (the Tier 2 allowance)", n)
	}
	w.clock.Advance(61 * time.Second)
	w.deliver()
	w.clock.Advance(61 * time.Second) // pins and topics (also Tier 2) catch up
	w.deliver()
	w.clock.Advance(61 * time.Second)
	w.deliver()
	if n := len(w.slack.Channels()); n != 25 {
		t.Fatalf("%d channels after the window reopened, want 25", n)
	}
	for i := int64(1); i <= 25; i++ {
		for _, e := range w.effects(i) {
			if e.State != incident.EffectDone && e.Kind != incident.EffectTimer {
				t.Errorf("incident %d: %s is %s (%s)", i, e.Key, e.State, e.LastError)
			}
		}
	}
}
