package bot_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot"
	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack"
)

// env is the bot's Slack surface over a real database and the Slack emulator, with the
// outbox running as in production.
type env struct {
	t       testing.TB
	slack   *testenv.Slack
	db      *sqlite.DB
	bot     *bot.Bot
	srv     *httptest.Server
	sender  *testenv.SlackSender
	general string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	emu := testenv.NewSlack()
	log := slog.New(slog.DiscardHandler)
	api := slack.New(testenv.SlackBotToken, slack.OptionAPIURL(emu.APIURL()), slack.OptionAppLevelToken(testenv.SlackAppToken))
	settings := incident.Settings{ChannelPrefix: "inc", Catalog: incident.Catalog{
		"intent-processing": {Name: "intent-processing", Tier: 1},
	}}
	chat := &slackapi.Chat{API: api, BotUserID: testenv.SlackBotUser, Card: views.Card, Announcement: views.Announcement}
	ob := &incident.Outbox{Store: db, Chat: chat, Clock: incident.SystemClock{}, Settings: settings, Log: log}
	svc := &incident.Service{Store: db, Clock: incident.SystemClock{}, Settings: settings, Log: log, Notify: ob.Notify}
	b := bot.New(commands.NewRouter(svc, log), api, log)
	mux := http.NewServeMux()
	(&bot.HTTP{Bot: b, Verifier: bot.Verifier{Secret: testenv.SlackSigningSecret}}).Register(mux)
	srv := httptest.NewServer(mux)
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	t.Cleanup(func() {
		srv.Close()
		b.Wait()
		cancel()
		<-done
		db.Close()
		emu.Close()
	})
	return &env{t: t, slack: emu, db: db, bot: b, srv: srv,
		sender:  &testenv.SlackSender{BaseURL: srv.URL, Secret: testenv.SlackSigningSecret},
		general: emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)}
}

func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// incidents returns how many incidents exist.
func (e *env) incidents() int {
	var ids []int64
	e.db.View(context.Background(), func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	return len(ids)
}
