package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/pgtest"
)

// Two replicas of the real binary in Socket Mode on one PostgreSQL database: each holds
// its own connection, Slack hands each envelope to one of them, and an event that Slack
// retries to the other replica (same event_id) is handled once.
func TestServeSocketModeOnTwoReplicas(t *testing.T) {
	url := pgtest.New(t)
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	general := emu.AddChannel("general", "U0ALICE", testenv.SlackBotUser)
	env := serveEnv(emu, filepath.Join(t.TempDir(), "unused.db"), "INCIDENTBOT_DATABASE_URL="+url,
		"SLACK_APP_TOKEN="+testenv.SlackAppToken, "SLACK_SIGNING_SECRET=")
	a, b := startServe(t, env), startServe(t, env)
	waitFor(t, "two Socket Mode connections", func() bool { return emu.SocketConnections() == 2 })
	slashTo := func(conn int, channel, text string) string {
		t.Helper()
		ack, err := emu.SendSocketTo(conn, "slash_commands", map[string]any{"command": "/incident", "text": text,
			"user_id": "U0ALICE", "channel_id": channel, "team_id": testenv.SlackTeam}, 5*time.Second)
		if err != nil {
			t.Fatalf("%s over connection %d: %v", text, conn, err)
		}
		var body struct{ Text string }
		json.Unmarshal(ack, &body)
		return body.Text
	}
	if got := slashTo(0, general, "declare P1 checkout down"); !strings.Contains(got, "INC-1") {
		t.Fatalf("declare over the first connection: %q", got)
	}
	if got := slashTo(1, general, "declare P2 search slow"); !strings.Contains(got, "INC-2") {
		t.Fatalf("declare over the second connection: %q", got)
	}
	var ch *testenv.SlackChannel
	waitFor(t, "the first incident's channel and card", func() bool {
		ch = emu.ChannelByName("inc-1-checkout-down")
		return ch != nil && len(ch.Pins) == 1
	})
	ts := emu.Say(ch.ID, "U0ALICE", "decided: fail over to us-east-2")
	ev := map[string]any{"type": "event_callback", "event_id": "Ev0PIN1", "team_id": testenv.SlackTeam, "api_app_id": "A0APP",
		"event": map[string]any{"type": "reaction_added", "user": "U0ALICE", "reaction": "pushpin",
			"item": map[string]any{"type": "message", "channel": ch.ID, "ts": ts}, "event_ts": ts}}
	for conn := range 2 { // delivered to one replica, then retried to the other
		if _, err := emu.SendSocketTo(conn, "events_api", ev, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the retry to be ignored as a duplicate", func() bool {
		return strings.Contains(a.log()+b.log(), "duplicate event ignored")
	})
	out := ""
	waitFor(t, "the captured message on the timeline", func() bool {
		out, _ = run(t, env, "timeline", "show", "INC-1")
		return strings.Contains(out, "fail over to us-east-2")
	})
	if n := strings.Count(out, "fail over to us-east-2"); n != 1 {
		t.Errorf("the message is on the timeline %d times, want once:\n%s", n, out)
	}
}
