package testenv

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/slack-go/slack"
)

// TestCatalog is the services tests declare incidents on.
var TestCatalog = incident.Catalog{
	"intent-processing": {Name: "intent-processing", Tier: 1, Targets: incident.Targets{RTO: 15 * time.Minute, RPO: 30 * time.Second}},
	"api-gateway":       {Name: "api-gateway", Tier: 2, Targets: incident.Targets{RTO: 45 * time.Minute, RPO: 5 * time.Minute}},
	"payroll":           {Name: "payroll", Tier: 2, Confidential: true},
}

// System is the domain wired as in production, on a real SQLite file and the Slack emulator
// through the real slack-go client, with a fake clock. The outbox runs only when Deliver
// is called, so tests decide when effects happen.
type System struct {
	T        testing.TB
	Ctx      context.Context
	DB       *sqlite.DB
	Slack    *Slack
	Clock    *Clock
	Chat     *slackapi.Chat
	Service  *incident.Service
	Outbox   *incident.Outbox
	Router   *commands.Router
	Announce string // the announce channel's ID
}

// NewSystem builds a System whose incidents are announced in #incidents.
func NewSystem(tb testing.TB) *System {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "incidentbot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	emu := NewSlack()
	tb.Cleanup(func() {
		db.Close()
		emu.Close()
	})
	clock := NewClock(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC))
	announce := emu.AddChannel("incidents", SlackBotUser)
	settings := incident.Settings{ChannelPrefix: "inc", AnnounceChannel: announce, Catalog: TestCatalog}
	log := slog.New(slog.DiscardHandler)
	chat := &slackapi.Chat{
		API:          slack.New(SlackBotToken, slack.OptionAPIURL(emu.APIURL())),
		BotUserID:    SlackBotUser,
		Card:         views.Card,
		Announcement: views.Announcement,
	}
	ob := &incident.Outbox{Store: db, Chat: chat, Clock: clock, Settings: settings, Log: log}
	svc := &incident.Service{Store: db, Clock: clock, Settings: settings, Log: log, Notify: ob.Notify}
	return &System{T: tb, Ctx: ctx, DB: db, Slack: emu, Clock: clock, Chat: chat, Service: svc, Outbox: ob,
		Router: commands.NewRouter(svc, log), Announce: announce}
}

// Deliver runs every effect due now, and those they enqueue, and returns how many attempts it made.
func (s *System) Deliver() int {
	s.T.Helper()
	n, err := s.Outbox.DeliverDue(s.Ctx)
	if err != nil {
		s.T.Fatal(err)
	}
	return n
}

// Incident reads an incident by ID.
func (s *System) Incident(id int64) *incident.Incident {
	s.T.Helper()
	var inc *incident.Incident
	if err := s.DB.View(s.Ctx, func(tx incident.Tx) (err error) {
		inc, err = tx.Incident(id)
		return err
	}); err != nil {
		s.T.Fatal(err)
	}
	return inc
}

// Effects reads an incident's outbox.
func (s *System) Effects(id int64) []incident.Effect {
	s.T.Helper()
	var effs []incident.Effect
	if err := s.DB.View(s.Ctx, func(tx incident.Tx) (err error) {
		effs, err = tx.Effects(id)
		return err
	}); err != nil {
		s.T.Fatal(err)
	}
	return effs
}

// Events reads an incident's timeline.
func (s *System) Events(id int64) []incident.TimelineEvent {
	s.T.Helper()
	evs, err := s.Service.Timeline(s.Ctx, id)
	if err != nil {
		s.T.Fatal(err)
	}
	return evs
}

// Do runs an /incident command as user in channel, as typed.
func (s *System) Do(user, channel, text string) commands.Reply {
	return s.Router.Handle(s.Ctx, commands.Request{UserID: user, ChannelID: channel, Text: text})
}
