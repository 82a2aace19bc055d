package bot_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// env is the bot's Slack surface over a real database and the Slack emulator, with the
// outbox running as in production.
type env struct {
	t       testing.TB
	sys     *testenv.System
	slack   *testenv.Slack
	db      *sqlite.DB
	bot     *bot.Bot
	srv     *httptest.Server
	sender  *testenv.SlackSender
	general string
}

func newEnv(t testing.TB, opts ...testenv.Option) *env { return newEnvWith(t, true, opts...) }

// newEnvWith builds the env, with the outbox delivering effects or not: the bot and the
// HTTP routes are the application's, as serve wires them.
func newEnvWith(t testing.TB, runOutbox bool, opts ...testenv.Option) *env {
	t.Helper()
	sys := testenv.NewSystem(t, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	b := sys.App.Bot
	srv := httptest.NewServer(sys.App.Server.Mux)
	done := make(chan struct{})
	if runOutbox {
		go func() { sys.Outbox.Run(ctx); close(done) }()
	} else {
		close(done)
	}
	t.Cleanup(func() {
		srv.Close()
		b.Wait()
		cancel()
		<-done
	})
	return &env{t: t, sys: sys, slack: sys.Slack, db: sys.DB, bot: b, srv: srv,
		sender:  &testenv.SlackSender{BaseURL: srv.URL, Secret: testenv.SlackSigningSecret, Slack: sys.Slack},
		general: sys.Slack.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)}
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

// pinnedChannel waits for the bot's channel of that name to have its card pinned, and
// returns its ID.
func (e *env) pinnedChannel(name string) string {
	e.t.Helper()
	var id string
	e.waitFor("the channel "+name, func() bool {
		ch := e.slack.ChannelByName(name)
		if ch != nil && len(ch.Pins) == 1 {
			id = ch.ID
			return true
		}
		return false
	})
	return id
}

// incidents returns how many incidents exist.
func (e *env) incidents() int {
	var ids []int64
	e.db.View(context.Background(), func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	return len(ids)
}
