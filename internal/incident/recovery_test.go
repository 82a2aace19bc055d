package incident_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func rtoWarnings(w *world, id int64) []string {
	var out []string
	for _, e := range w.events(id) {
		if e.Kind == incident.EventRTOWarning {
			out = append(out, eventText(e))
		}
	}
	return out
}

// The RTO clock of a tier-1 service (15m) warns at 50, 80 and 100%, on the fake clock.
func TestRTOClockWarns(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API down", incident.P1, "intent-processing")
	w.deliver()
	w.clock.Advance(7*time.Minute + 29*time.Second)
	w.deliver()
	if got := rtoWarnings(w, inc.ID); len(got) != 0 {
		t.Fatalf("warned early: %v", got)
	}
	w.clock.Advance(time.Second)
	w.deliver()
	w.clock.Advance(4*time.Minute + 30*time.Second)
	w.deliver()
	w.clock.Advance(3 * time.Minute)
	w.deliver()
	got := rtoWarnings(w, inc.ID)
	want := []string{
		"RTO 50%: 7m of the 15m recovery time objective (intent-processing) has passed; the deadline is 03:15 UTC",
		"RTO 80%: 12m of the 15m recovery time objective (intent-processing) has passed; the deadline is 03:15 UTC",
		"RTO missed: 15m since the declaration, over the 15m objective (intent-processing)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ch := w.slack.Channel(w.incident(inc.ID).ChannelID)
	posted := 0
	for _, m := range ch.Messages {
		if strings.Contains(m.Text, "RTO") {
			posted++
		}
	}
	if posted != 3 {
		t.Errorf("%d RTO messages in the channel, want 3", posted)
	}
	if card := string(ch.Messages[0].Blocks); !strings.Contains(card, "*RTO* 15m (intent-processing)") || !strings.Contains(card, "*RPO*\\n30s") {
		t.Errorf("the card does not show the RTO clock: %s", card)
	}
}

func TestRecoveryStopsTheWarnings(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API down", incident.P1, "intent-processing")
	w.deliver()
	w.clock.Advance(8 * time.Minute)
	w.deliver()
	if _, err := w.svc.Mitigate(w.ctx, "U0ALICE", w.incident(inc.ID).ChannelID); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	w.deliver()
	if got := rtoWarnings(w, inc.ID); len(got) != 1 {
		t.Errorf("warnings after mitigation: %v", got)
	}
	if card := string(w.slack.Channel(w.incident(inc.ID).ChannelID).Messages[0].Blocks); !strings.Contains(card, "met: recovered after 8m") {
		t.Errorf("the card does not say the RTO was met: %s", card)
	}
}

// Timers live in the database: one missed while the bot was down fires once when it is back.
func TestTimersSurviveARestart(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API down", incident.P1, "intent-processing")
	w.deliver()
	// The bot is down from here; the clock passes 50% and 80%.
	w.clock.Advance(13 * time.Minute)
	restarted := &incident.Outbox{Store: w.db, Chat: w.sys.Chat, Clock: w.clock, Settings: w.outbox.Settings, Log: slog.New(slog.DiscardHandler)}
	for i := 0; i < 2; i++ {
		if _, err := restarted.DeliverDue(w.ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Both timers fired (each once); the 50% one, passed by 80%, says nothing.
	if got := rtoWarnings(w, inc.ID); len(got) != 1 || !strings.HasPrefix(got[0], "RTO 80%: 13m") {
		t.Errorf("after the restart: %v, want the 80%% warning once", got)
	}
	for _, e := range w.effects(inc.ID) {
		if e.Kind == incident.EffectTimer && e.Payload.Timer == "rto" && e.Payload.Percent < 100 && e.State != incident.EffectDone {
			t.Errorf("the %d%% timer is %s after the restart", e.Payload.Percent, e.State)
		}
	}
}

// A tighter service added later moves the clock; the old timers go quiet.
func TestAddedServiceTightensTheRTO(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Gateway slow", incident.P2, "api-gateway") // tier 2: 45m
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if _, err := w.svc.AddService(w.ctx, "U0BOB", ch, "intent-processing"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AddService(w.ctx, "U0BOB", ch, "intent-processing"); incident.ErrorCode(err) != incident.ECONFLICT {
		t.Errorf("adding twice: %v", err)
	}
	if _, err := w.svc.AddService(w.ctx, "U0BOB", ch, "nope"); incident.ErrorCode(err) != incident.ENOTFOUND {
		t.Errorf("unknown service: %v", err)
	}
	w.clock.Advance(50 * time.Minute)
	w.deliver()
	got := rtoWarnings(w, inc.ID)
	if len(got) != 1 || got[0] != "RTO missed: 50m since the declaration, over the 15m objective (intent-processing)" {
		t.Errorf("warnings %v", got)
	}
	if s := w.incident(inc.ID).Services; len(s) != 2 || s[1] != "intent-processing" {
		t.Errorf("services %v", s)
	}
}

func TestImpactEstimate(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API down", incident.P1, "intent-processing")
	w.deliver()
	ch := w.incident(inc.ID).ChannelID
	if _, err := w.svc.SetImpact(w.ctx, "U0BOB", ch, 40, ""); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(30 * time.Minute)
	got := w.incident(inc.ID).EstimateImpact(w.sys.Service.Catalog(), w.clock.Now())
	if got.Hourly != 71400 || got.SoFar != 35700 { // 40% of (125,000 + 45,000 + 8,500) per hour, for half an hour
		t.Errorf("estimate %+v", got)
	}
	if _, err := w.svc.SetImpact(w.ctx, "U0BOB", ch, 100, "enterprise"); err != nil {
		t.Fatal(err)
	}
	if got := w.incident(inc.ID).EstimateImpact(w.sys.Service.Catalog(), w.clock.Now()); got.Hourly != 146400 {
		t.Errorf("with every enterprise customer affected: %+v", got)
	}
	for _, tc := range []struct {
		pct int
		seg string
	}{{101, ""}, {-1, ""}, {50, "galactic"}} {
		if _, err := w.svc.SetImpact(w.ctx, "U0BOB", ch, tc.pct, tc.seg); incident.ErrorCode(err) != incident.EINVALID {
			t.Errorf("impact %d %q: %v", tc.pct, tc.seg, err)
		}
	}
	w.deliver()
	if card := string(w.slack.Channel(ch).Messages[0].Blocks); !strings.Contains(card, "*Impact*\\n~$73,200 so far ($146,400/h)") {
		t.Errorf("card: %s", card)
	}
	if incident.FormatMoney(1234567.4) != "$1,234,567" || incident.FormatMoney(999) != "$999" {
		t.Error("FormatMoney")
	}
}

func TestSLACreditTiers(t *testing.T) {
	month := 30 * 24 * time.Hour // 43,200 minutes
	for _, tc := range []struct {
		down   time.Duration
		credit int
	}{
		{20 * time.Minute, 0},  // 99.954%
		{22 * time.Minute, 10}, // 99.949%
		{44 * time.Minute, 25}, // 99.898%
		{7 * time.Hour, 25},    // 99.03%
		{8 * time.Hour, 100},   // 98.9%
	} {
		if avail, credit := incident.SLACredit(tc.down, month); credit != tc.credit {
			t.Errorf("%s down: %.3f%% -> %d%% credit, want %d%%", tc.down, avail, credit, tc.credit)
		}
	}
}

// Warnings that came due while the bot was down say only what is true when they fire: a
// share passed by a later one is not announced, and the time is the real time since.
func TestLateRTOWarningsSayWhatIsTrueNow(t *testing.T) {
	w := newWorld(t)
	inc := w.declare("Intent API down", incident.P1, "intent-processing")
	w.deliver()
	w.clock.Advance(13 * time.Minute) // the bot was down past 50% and 80%
	w.deliver()
	want := []string{"RTO 80%: 13m of the 15m recovery time objective (intent-processing) has passed; the deadline is 03:15 UTC"}
	if got := rtoWarnings(w, inc.ID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings after 13m down:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	w.clock.Advance(7 * time.Minute)
	w.deliver()
	want = append(want, "RTO missed: 20m since the declaration, over the 15m objective (intent-processing)")
	if got := rtoWarnings(w, inc.ID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	w2 := newWorld(t)
	inc2 := w2.declare("Intent API down", incident.P1, "intent-processing")
	w2.deliver()
	w2.clock.Advance(40 * time.Minute) // down through all three
	w2.deliver()
	if got := rtoWarnings(w2, inc2.ID); len(got) != 1 || got[0] != "RTO missed: 40m since the declaration, over the 15m objective (intent-processing)" {
		t.Errorf("warnings after 40m down: %q", got)
	}
	posted := 0
	for _, m := range w2.slack.Channel(w2.incident(inc2.ID).ChannelID).Messages {
		if strings.Contains(m.Text, "RTO") {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("%d RTO messages after 40m down, want 1", posted)
	}
}
