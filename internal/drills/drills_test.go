package drills_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/drills"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func TestPeriod(t *testing.T) {
	for _, c := range []struct {
		every string
		at    time.Time
		want  string
	}{
		{"weekly", time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC), "2026-W48"},
		{"weekly", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53"}, // ISO weeks cross years
		{"monthly", time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC), "2026-11"},
		{"quarterly", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "2026-Q4"},
		{"quarterly", time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), "2026-Q3"},
		{"semiannual", time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), "2026-H1"},
		{"semiannual", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "2026-H2"},
	} {
		if got, err := drills.Period(c.every, c.at); err != nil || got != c.want {
			t.Errorf("Period(%s, %s) = %q, %v; want %q", c.every, c.at, got, err, c.want)
		}
	}
	if _, err := drills.Period("fortnightly", time.Now()); err == nil {
		t.Error("an unknown frequency was accepted")
	}
}

// Each entry is reminded once per period: not again on the next tick or after a restart,
// and not twice when a crash came between posting and recording.
func TestRemindersArePostedOncePerPeriod(t *testing.T) {
	sys := testenv.NewSystem(t)
	ch := sys.Slack.AddChannel("drills", "U0ALICE", testenv.SlackBotUser) // the bot must be a member to read its history
	newReminder := func() *drills.Reminder {                              // a restart builds a new one on the same database
		return &drills.Reminder{Store: sys.DB, Chat: sys.Chat, Clock: sys.Clock,
			Channel: ch, Schedule: drills.DefaultSchedule()}
	}
	tick := func(r *drills.Reminder, want int) {
		t.Helper()
		if n, err := r.Tick(sys.Ctx); err != nil || n != want {
			t.Fatalf("tick at %s posted %d (%v), want %d", sys.Clock.Now().Format(time.DateOnly), n, err, want)
		}
	}
	r := newReminder()
	tick(r, 5) // 2026-11-26: every entry's current period
	tick(r, 0)
	tick(newReminder(), 0)
	texts := ""
	for _, m := range sys.Slack.Channel(ch).Messages {
		texts += m.Text + "\n"
	}
	for _, want := range []string{"*Drill due: Backup restoration test* (weekly, 2026-W48)", "(monthly, 2026-11)",
		"*Drill due: Regional failover test* (quarterly, 2026-Q4)\nScope: Complete regional infrastructure. Duration: 4 hours. Success: <45 minute RTO, <5 minute RPO.\nRun it with `/incident drill regional-outage`",
		"(semiannual, 2026-H2)", "*Drill due: Crisis management exercise*"} {
		if !strings.Contains(texts, want) {
			t.Errorf("reminders lack %q:\n%s", want, texts)
		}
	}

	sys.Clock.Advance(8 * 24 * time.Hour) // 2026-12-04: a new week and month, the same quarter and half
	tick(r, 2)

	// A crash after posting the next week's reminder, before recording it.
	sys.Clock.Advance(7 * 24 * time.Hour)
	if _, err := sys.Chat.Post(sys.Ctx, ch, incident.Message{Key: "drill-reminder:backup-restoration:2026-W50", Text: "posted before the crash"}); err != nil {
		t.Fatal(err)
	}
	before := len(sys.Slack.Channel(ch).Messages)
	tick(newReminder(), 0)
	if after := len(sys.Slack.Channel(ch).Messages); after != before {
		t.Errorf("the reminder was posted again: %d messages, was %d", after, before)
	}
	tick(r, 0)
}
