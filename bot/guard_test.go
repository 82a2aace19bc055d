package bot_test

import (
	"context"
	"encoding/json"
	"github.com/nephoran/incidentbot/bot/views"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack/socketmode"
)

// slashForm is a slash command as Slack sends it, with a unique trigger_id.
func slashForm(user, channel, text string) url.Values {
	return url.Values{
		"token": {"x"}, "team_id": {testenv.SlackTeam}, "team_domain": {"test"},
		"channel_id": {channel}, "channel_name": {"x"}, "user_id": {user}, "user_name": {"alice"},
		"command": {"/incident"}, "text": {text}, "api_app_id": {"A0APP"},
		"response_url": {"https://hooks.slack.com/commands/T0TEAM/1/x"}, "trigger_id": {"1.2." + user + text},
	}
}

// eventCount counts the timeline events of every incident, but those the bot records as it
// delivers effects in the background.
func (e *env) eventCount() int {
	n := 0
	e.db.View(context.Background(), func(tx incident.Tx) error {
		ids, _ := tx.IncidentIDs()
		for _, id := range ids {
			evs, _ := tx.Events(id)
			for _, ev := range evs {
				if ev.Actor != incident.BotActor {
					n++
				}
			}
		}
		return nil
	})
	return n
}

// requireRefused checks a refusal: its status, that its message names what was wrong, and
// that nothing changed.
func (e *env) requireRefused(name string, resp testenv.Response, err error, status int, want string, incidents, events int) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	if resp.Status != status || !strings.Contains(string(resp.Body), want) {
		e.t.Errorf("%s: %d %q, want %d with %q", name, resp.Status, resp.Body, status, want)
	}
	e.bot.Wait()
	if n := e.incidents(); n != incidents {
		e.t.Errorf("%s: %d incidents, want %d", name, n, incidents)
	}
	if n := e.eventCount(); n != events {
		e.t.Errorf("%s: %d timeline events, want %d", name, n, events)
	}
}

// The fields of a signed slash command are checked before anything runs: a user ID that is
// not one (or smuggles a mention), a channel that is not one, another command, another
// workspace. Each gets a 4xx that says which field, and changes nothing.
func TestSlashCommandFieldsAreChecked(t *testing.T) {
	e := newEnv(t)
	e.bot.TeamIDs = []string{testenv.SlackTeam, "E0GRID"}
	for _, tc := range []struct {
		name, field, value string
		status             int
		want               string
	}{
		{"not a user", "user_id", "not-a-user", 400, `user_id "not-a-user" is not a Slack user ID`},
		{"mention injection", "user_id", "UALICE>\n<!channel", 400, "user_id"},
		{"no user", "user_id", "", 400, "user_id"},
		{"channel name", "channel_id", "#general", 400, `channel_id "#general" is not a Slack channel ID`},
		{"no channel", "channel_id", "", 400, "channel_id"},
		{"other command", "command", "/frob", 400, `command "/frob" is not /incident`},
		{"no command", "command", "", 400, "command"},
		{"bad team", "team_id", "acme", 400, `team_id "acme" is not a Slack team ID`},
		{"other workspace", "team_id", "T0OTHER", 403, "workspace T0OTHER"},
	} {
		form := slashForm("U0ALICE", e.general, "declare P1 api down")
		form.Set(tc.field, tc.value)
		resp, err := e.sender.Post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
		e.requireRefused(tc.name, resp, err, tc.status, tc.want, 0, 0)
	}
	// An Enterprise Grid workspace on the list admits its teams.
	form := slashForm("W0ALICE", e.general, "declare P1 api down")
	form.Set("team_id", "T0GRIDTEAM")
	form.Set("enterprise_id", "E0GRID")
	resp, err := e.sender.Post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "Declared *INC-1*") {
		t.Errorf("grid team: %v %d %s", err, resp.Status, resp.Body)
	}
}

// Interaction payloads are checked before anything runs: a malformed one is a 400 and never
// puts an event without an actor on the timeline.
func TestMalformedInteractionsAre400(t *testing.T) {
	e := newEnv(t)
	e.bot.TeamIDs = []string{testenv.SlackTeam}
	e.sender.Command("U0ALICE", e.general, "declare P2 checkout slow", "")
	chID := e.pinnedChannel("inc-1-checkout-slow")
	events := e.eventCount()
	click := func(mutate func(map[string]any)) map[string]any {
		p := testenv.BlockAction("U0ALICE", chID, "incident:note", "note clicked")
		mutate(p)
		return p
	}
	raw := func(payload string) func() (testenv.Response, error) {
		return func() (testenv.Response, error) {
			return e.sender.Post("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {payload}}.Encode()))
		}
	}
	send := func(p map[string]any) func() (testenv.Response, error) {
		return func() (testenv.Response, error) { return e.sender.Interaction(p) }
	}
	for _, tc := range []struct {
		name   string
		send   func() (testenv.Response, error)
		status int
		want   string
	}{
		{"no payload", func() (testenv.Response, error) {
			return e.sender.Post("/slack/interactions", "application/x-www-form-urlencoded", []byte("x=1"))
		}, 400, "missing payload"},
		{"payload null", raw("null"), 400, "no type"},
		{"not JSON", raw("{"), 400, "malformed payload"},
		{"no type", send(click(func(p map[string]any) { delete(p, "type") })), 400, "no type"},
		{"unknown type", send(click(func(p map[string]any) { p["type"] = "frobnicate" })), 400, `unknown interaction type "frobnicate"`},
		{"only a type", raw(`{"type":"block_actions"}`), 400, "user"},
		{"no actions", send(click(func(p map[string]any) { p["actions"] = []any{} })), 400, "block_actions without actions"},
		{"no user", send(click(func(p map[string]any) { delete(p, "user") })), 400, "without a user"},
		{"empty user", send(click(func(p map[string]any) { p["user"] = map[string]any{"id": ""} })), 400, "without a user"},
		{"bad user", send(click(func(p map[string]any) { p["user"] = map[string]any{"id": "UALICE>\n<!channel"} })), 400, "is not a Slack user ID"},
		{"bad channel", send(click(func(p map[string]any) {
			p["channel"] = map[string]any{"id": "general"}
			p["container"] = map[string]any{"type": "message", "channel_id": "general"}
		})), 400, `"general" is not a Slack channel ID`},
		{"no channel", send(click(func(p map[string]any) { delete(p, "channel"); delete(p, "container") })), 400, "without a channel"},
		{"other workspace", send(click(func(p map[string]any) { p["team"] = map[string]any{"id": "T0OTHER"} })), 403, "workspace T0OTHER"},
		{"no view", send(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U0ALICE"}, "team": map[string]any{"id": testenv.SlackTeam}}), 400, "view_submission without a view"},
		{"shortcut without message", send(map[string]any{"type": "message_action", "callback_id": "add_to_timeline",
			"user": map[string]any{"id": "U0ALICE"}, "team": map[string]any{"id": testenv.SlackTeam}, "channel": map[string]any{"id": chID}}), 400, "message_action without a message"},
	} {
		resp, err := tc.send()
		e.requireRefused(tc.name, resp, err, tc.status, tc.want, 1, events)
	}
	// The same click, well formed, is a note by its user.
	if resp, err := e.sender.Interaction(click(func(map[string]any) {})); err != nil || resp.Status != 200 {
		t.Fatalf("a good click: %v %d %s", err, resp.Status, resp.Body)
	}
	e.bot.Wait()
	var notes []string
	for _, ev := range e.sys.Events(1) {
		if ev.Kind == incident.EventNote {
			notes = append(notes, ev.Actor+" "+views.EventText(ev))
		}
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "U0ALICE ") {
		t.Errorf("notes %q, want one by U0ALICE", notes)
	}
}

// Events carry their user and channel in the inner event: those are checked too, and so is
// the workspace.
func TestMalformedEventsAre400(t *testing.T) {
	e := newEnv(t)
	e.bot.TeamIDs = []string{testenv.SlackTeam}
	mention := func(id, team, user, channel string) map[string]any {
		return map[string]any{"type": "event_callback", "event_id": id, "team_id": team, "api_app_id": "A0APP",
			"event": map[string]any{"type": "app_mention", "user": user, "text": "<@U0BOT> declare P1 api down", "channel": channel, "ts": "1.2", "event_ts": "1.2"}}
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"bad user", mention("Ev1", testenv.SlackTeam, "UALICE>\n<!channel", e.general), 400, "is not a Slack user ID"},
		{"no user", mention("Ev2", testenv.SlackTeam, "", e.general), 400, "without a user"},
		{"bad channel", mention("Ev3", testenv.SlackTeam, "U0ALICE", "general"), 400, `"general" is not a Slack channel ID`},
		{"other workspace", mention("Ev4", "T0OTHER", "U0ALICE", e.general), 403, "workspace T0OTHER"},
	} {
		resp, err := e.sender.Event(tc.body)
		e.requireRefused(tc.name, resp, err, tc.status, tc.want, 0, 0)
	}
	if n := len(e.slack.Ephemerals()); n != 0 {
		t.Errorf("refused events got %d replies", n)
	}
}

// Over Socket Mode the same checks answer the person with an ephemeral message in the ack.
func TestSocketModeChecksFields(t *testing.T) {
	e := newEnv(t)
	e.bot.TeamIDs = []string{testenv.SlackTeam}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, socketmode.New(e.bot.API)) }()
	defer func() { cancel(); <-done }()
	if err := e.slack.WaitSocket(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field, value, want string
	}{
		{"user_id", "UALICE>\n<!channel", "is not a Slack user ID"},
		{"command", "/frob", `command "/frob" is not /incident`},
		{"team_id", "T0OTHER", "workspace T0OTHER"},
	} {
		cmd := map[string]any{"command": "/incident", "text": "declare P1 api down", "user_id": "U0ALICE", "channel_id": e.general, "team_id": testenv.SlackTeam}
		cmd[tc.field] = tc.value
		ack, err := e.slack.SendSocket("slash_commands", cmd, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		json.Unmarshal(ack, &body)
		if body.ResponseType != "ephemeral" || !strings.Contains(body.Text, tc.want) {
			t.Errorf("%s=%q: ack %s, want an ephemeral with %q", tc.field, tc.value, ack, tc.want)
		}
	}
	click := testenv.BlockAction("", e.general, "incident:note", "note x")
	if _, err := e.slack.SendSocket("interactive", click, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	e.bot.Wait()
	if n := e.incidents(); n != 0 {
		t.Errorf("%d incidents after refused socket requests", n)
	}
	if n := e.eventCount(); n != 0 {
		t.Errorf("%d events after refused socket requests", n)
	}
}
