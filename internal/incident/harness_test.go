package incident_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack"
)

// world is the domain wired to a real SQLite file, the Slack emulator through the real
// slack-go client, and a fake clock.
type world struct {
	t      *testing.T
	ctx    context.Context
	db     *sqlite.DB
	slack  *testenv.Slack
	clock  *testenv.Clock
	svc    *incident.Service
	outbox *incident.Outbox
}

var catalog = incident.Catalog{
	"intent-processing": {Name: "intent-processing", Tier: 1, Targets: incident.Targets{RTO: 15 * time.Minute, RPO: 30 * time.Second}},
	"payroll":           {Name: "payroll", Tier: 2, Confidential: true},
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	clock := testenv.NewClock(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC))
	settings := incident.Settings{ChannelPrefix: "inc", AnnounceChannel: emu.AddChannel("incidents", testenv.SlackBotUser), Catalog: catalog}
	log := slog.New(slog.DiscardHandler)
	chat := &slackapi.Chat{
		API:          slack.New(testenv.SlackBotToken, slack.OptionAPIURL(emu.APIURL())),
		BotUserID:    testenv.SlackBotUser,
		Card:         views.Card,
		Announcement: views.Announcement,
	}
	ob := &incident.Outbox{Store: db, Chat: chat, Clock: clock, Settings: settings, Log: log}
	svc := &incident.Service{Store: db, Clock: clock, Settings: settings, Log: log, Notify: ob.Notify}
	return &world{t: t, ctx: ctx, db: db, slack: emu, clock: clock, svc: svc, outbox: ob}
}

// deliver runs every due effect.
func (w *world) deliver() int {
	w.t.Helper()
	n, err := w.outbox.DeliverDue(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) declare(title string, sev incident.Severity, service string) *incident.Incident {
	w.t.Helper()
	inc, err := w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: title, Severity: sev, Service: service})
	if err != nil {
		w.t.Fatal(err)
	}
	return inc
}

func (w *world) incident(id int64) *incident.Incident {
	w.t.Helper()
	var inc *incident.Incident
	if err := w.db.View(w.ctx, func(tx incident.Tx) (err error) {
		inc, err = tx.Incident(id)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return inc
}

func (w *world) effects(id int64) []incident.Effect {
	w.t.Helper()
	var effs []incident.Effect
	if err := w.db.View(w.ctx, func(tx incident.Tx) (err error) {
		effs, err = tx.Effects(id)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return effs
}

func (w *world) events(id int64) []incident.TimelineEvent {
	w.t.Helper()
	evs, err := w.svc.Timeline(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

func kinds(evs []incident.TimelineEvent) map[incident.EventKind]int {
	m := map[incident.EventKind]int{}
	for _, e := range evs {
		m[e.Kind]++
	}
	return m
}
