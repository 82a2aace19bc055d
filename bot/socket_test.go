package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack/socketmode"
)

// The same handlers answer over Socket Mode: the ack of a slash command carries the reply.
func TestSocketMode(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, socketmode.New(e.bot.API)) }()
	defer func() { cancel(); <-done }()
	if err := e.slack.WaitSocket(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	slash := func(user, channel, text string) string {
		t.Helper()
		ack, err := e.slack.SendSocket("slash_commands", map[string]any{
			"command": "/incident", "text": text, "user_id": user, "channel_id": channel, "team_id": testenv.SlackTeam,
		}, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		json.Unmarshal(ack, &body)
		return body.Text
	}
	if got := slash("U0ALICE", e.general, "declare P1 intent-processing Intent API returning 500s"); !strings.Contains(got, "Declared *INC-1* (P1") {
		t.Fatalf("declare over socket mode: %q", got)
	}
	chID := e.pinnedChannel("inc-1-intent-api-returning-500s")
	if got := slash("U0ALICE", chID, "mitigate"); got != "INC-1 is marked mitigated." {
		t.Errorf("mitigate: %q", got)
	}

	// A button click is acked at once and answered ephemerally.
	if _, err := e.slack.SendSocket("interactive", testenv.BlockAction("U0ALICE", chID, "incident:status", "status"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the status reply", func() bool {
		eph := e.slack.Ephemerals()
		return len(eph) == 1 && strings.Contains(eph[0].Text, "Status: *mitigated*")
	})

	// Events are acked and deduplicated by event_id.
	ev := map[string]any{"type": "event_callback", "event_id": "Ev9", "team_id": testenv.SlackTeam, "api_app_id": "A0APP",
		"event": map[string]any{"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> status", "channel": chID, "ts": "1.2", "event_ts": "1.2"}}
	for i := 0; i < 2; i++ {
		if _, err := e.slack.SendSocket("events_api", ev, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	e.waitFor("the mention reply", func() bool { return len(e.slack.Ephemerals()) >= 2 })
	e.bot.Wait()
	if n := len(e.slack.Ephemerals()); n != 2 {
		t.Errorf("%d ephemerals, want 2 (the click and one mention)", n)
	}
}
