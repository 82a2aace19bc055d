package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/nephoran/incidentbot/bot/views"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func TestUnsignedRequestsAre401AndChangeNothing(t *testing.T) {
	e := newEnv(t)
	before := len(e.slack.Calls("")) // the bot's own start-up (auth.test)
	forged := &testenv.SlackSender{BaseURL: e.srv.URL, Secret: "not-the-secret"}
	for _, send := range []func() (testenv.Response, error){
		func() (testenv.Response, error) { return forged.Command("U0ALICE", e.general, "declare P0 forged", "") },
		func() (testenv.Response, error) {
			return forged.Interaction(testenv.BlockAction("U0ALICE", e.general, "incident:resolve", "resolve"))
		},
		func() (testenv.Response, error) {
			return forged.Event(map[string]any{"type": "url_verification", "challenge": "x"})
		},
	} {
		resp, err := send()
		if err != nil || resp.Status != http.StatusUnauthorized {
			t.Errorf("forged request: %v, status %d", err, resp.Status)
		}
	}
	resp, err := http.Post(e.srv.URL+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=declare+P0+x"))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned request: %v, status %d", err, resp.StatusCode)
	}
	if n := e.incidents(); n != 0 {
		t.Errorf("%d incidents after forged requests", n)
	}
	if n := len(e.slack.Calls("")) - before; n != 0 {
		t.Errorf("forged requests made %d Slack calls", n)
	}
}

func TestOversizedBodyIsRejected(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Post("/slack/commands", "application/x-www-form-urlencoded", bytes.Repeat([]byte("a"), 2<<20))
	if err != nil || resp.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, %v", resp.Status, err)
	}
}

func TestSSLCheckIsAcked(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Post("/slack/commands", "application/x-www-form-urlencoded", []byte("ssl_check=1&token=x"))
	if err != nil || resp.Status != 200 || len(resp.Body) != 0 {
		t.Errorf("ssl_check: %v %d %q", err, resp.Status, resp.Body)
	}
}

func TestURLVerification(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Event(map[string]any{"token": "x", "type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
	if err != nil || resp.Status != 200 || string(resp.Body) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge: %v %d %q", err, resp.Status, resp.Body)
	}
}

func TestRetriedEventsAreHandledOnce(t *testing.T) {
	e := newEnv(t)
	ev := map[string]any{
		"token": "x", "team_id": testenv.SlackTeam, "api_app_id": "A0APP", "type": "event_callback",
		"event_id": "Ev0PV52K21", "event_time": 1700000000,
		"event": map[string]any{"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> help", "channel": e.general, "ts": "1700000000.000100", "event_ts": "1700000000.000100"},
	}
	body, _ := json.Marshal(ev)
	now := time.Now().Unix()
	for i := 0; i < 3; i++ { // the first delivery and two retries, each signed when sent
		if resp := e.postAt("/slack/events", "application/json", body, now+int64(i)); resp.Status != 200 {
			t.Fatalf("delivery %d: %d %s", i, resp.Status, resp.Body)
		}
	}
	e.waitFor("the reply", func() bool { return len(e.slack.Ephemerals()) > 0 })
	e.bot.Wait()
	eph := e.slack.Ephemerals()
	if len(eph) != 1 || !strings.Contains(eph[0].Text, "/incident declare") {
		t.Errorf("want one help reply, got %d: %+v", len(eph), eph)
	}
}

func TestDeclareWithoutArgumentsOpensTheForm(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Command("U0ALICE", e.general, "declare", e.slack.NewTriggerID())
	if err != nil || resp.Status != 200 || len(resp.Body) != 0 {
		t.Fatalf("%v %d %q", err, resp.Status, resp.Body)
	}
	views := e.slack.Views()
	if len(views) != 1 {
		t.Fatalf("%d views opened", len(views))
	}
	var v struct {
		View struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
			Blocks          []struct {
				BlockID string `json:"block_id"`
			} `json:"blocks"`
		} `json:"view"`
	}
	json.Unmarshal(views[0], &v)
	if v.View.CallbackID != "declare" || v.View.PrivateMetadata != e.general || len(v.View.Blocks) != 5 {
		t.Errorf("view %+v", v.View)
	}

	// An unknown or expired trigger_id gets an answer that says what to do instead.
	resp, _ = e.sender.Command("U0ALICE", e.general, "declare", "999.stale.trigger")
	var body struct{ Text string }
	resp.JSON(&body)
	if !strings.Contains(body.Text, "invalid_trigger_id") || !strings.Contains(body.Text, "/incident declare [P0-P3]") {
		t.Errorf("stale trigger answer %q", body.Text)
	}
}

func viewSubmission(user, origin, title, severity, service string) map[string]any {
	sel := func(v string) map[string]any {
		if v == "" {
			return map[string]any{"type": "static_select"}
		}
		return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
	}
	return map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user}, "team": map[string]any{"id": testenv.SlackTeam},
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": "declare", "private_metadata": origin,
			"state": map[string]any{"values": map[string]any{
				"title":       map[string]any{"title": map[string]any{"type": "plain_text_input", "value": title}},
				"severity":    map[string]any{"severity": sel(severity)},
				"service":     map[string]any{"service": sel(service)},
				"description": map[string]any{"description": map[string]any{"type": "plain_text_input", "value": "500s from the intent API"}},
				"private":     map[string]any{"private": map[string]any{"type": "checkboxes", "selected_options": []any{}}},
			}},
		},
	}
}

func TestFormSubmission(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Interaction(viewSubmission("U0BOB", e.general, "   ", "P1", ""))
	if err != nil || resp.Status != 200 {
		t.Fatal(err, resp.Status)
	}
	var errs struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	resp.JSON(&errs)
	if errs.ResponseAction != "errors" || !strings.Contains(errs.Errors["title"], "needs a title") {
		t.Errorf("empty title: %s", resp.Body)
	}
	if e.incidents() != 0 {
		t.Fatal("an invalid form declared an incident")
	}

	resp, _ = e.sender.Interaction(viewSubmission("U0BOB", e.general, "Intent API down", "P1", "intent-processing"))
	if resp.Status != 200 || len(resp.Body) != 0 {
		t.Fatalf("valid form: %d %s", resp.Status, resp.Body)
	}
	e.waitFor("the channel", func() bool {
		ch := e.slack.ChannelByName("inc-1-intent-api-down")
		return ch != nil && len(ch.Pins) == 1 && ch.Members["U0BOB"]
	})
	card := string(e.slack.ChannelByName("inc-1-intent-api-down").Messages[0].Blocks)
	for _, want := range []string{"500s from the intent API", "intent-processing (tier 1, Mission critical)", "*Commander*\\n\\u003c@U0BOB\\u003e"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q", want)
		}
	}
}

func TestDoubleClickResolvesOnce(t *testing.T) {
	e := newEnv(t)
	e.sender.Command("U0ALICE", e.general, "declare P2 checkout slow", "")
	chID := e.pinnedChannel("inc-1-checkout-slow")
	done := make(chan struct{})
	for i := 0; i < 10; i++ { // ten clicks: each its own action_ts and trigger_id, as in Slack
		click := testenv.BlockAction("U0ALICE", chID, "incident:resolve", "resolve")
		go func() { e.sender.Interaction(click); done <- struct{}{} }()
	}
	for i := 0; i < 10; i++ {
		<-done
	}
	e.bot.Wait()
	resolved, already := 0, 0
	for _, m := range e.slack.Ephemerals() {
		switch {
		case strings.Contains(m.Text, "is resolved after"):
			resolved++
		case strings.Contains(m.Text, "is resolved; declare a new incident"):
			already++
		}
	}
	if resolved != 1 || already != 9 {
		t.Errorf("%d resolved and %d told it already was, want 1 and 9", resolved, already)
	}
}

func TestTakeRoleButton(t *testing.T) {
	e := newEnv(t)
	e.sender.Command("U0ALICE", e.general, "declare P1 checkout down", "")
	var chID string
	e.waitFor("the card", func() bool {
		ch := e.slack.ChannelByName("inc-1-checkout-down")
		if ch != nil && len(ch.Pins) == 1 {
			chID = ch.ID
			return strings.Contains(string(ch.Messages[0].Blocks), `"incident:take-technical-lead"`)
		}
		return false
	})
	// bob is not in the channel yet: the reply must go through the response_url.
	e.sender.Interaction(e.slack.BlockAction("U0BOB", chID, "incident:take-technical-lead", "role technical-lead me"))
	e.waitFor("the card to show bob as technical lead", func() bool {
		card := string(e.slack.Channel(chID).Messages[0].Blocks)
		return strings.Contains(card, `TL \u003c@U0BOB\u003e`) && !strings.Contains(card, "take-technical-lead")
	})
	e.bot.Wait()
	if eph := e.slack.Ephemerals(); len(eph) != 1 || eph[0].Text != "<@U0BOB> is now the Technical lead of INC-1." {
		t.Errorf("reply %+v", eph)
	}
}

// A response_url that does not point at Slack is never called (no SSRF through payloads).
func TestResponseURLMustBeSlacks(t *testing.T) {
	e := newEnv(t)
	hits := 0
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer evil.Close()
	e.sender.Command("U0ALICE", e.general, "declare P3 x", "")
	var chID string
	e.waitFor("the channel", func() bool {
		ch := e.slack.ChannelByName("inc-1-x")
		if ch != nil && ch.Members["U0ALICE"] {
			chID = ch.ID
			return true
		}
		return false
	})
	click := testenv.BlockAction("U0ALICE", chID, "incident:status", "status")
	click["response_url"] = evil.URL + "/hooks/x"
	e.sender.Interaction(click)
	e.bot.Wait()
	if hits != 0 {
		t.Errorf("the bot called a response_url outside Slack %d times", hits)
	}
	if eph := e.slack.Ephemerals(); len(eph) != 1 || !strings.Contains(eph[0].Text, "*INC-1*") {
		t.Errorf("the reply did not fall back to chat.postEphemeral: %+v", eph)
	}
}

// Messages reach the timeline by a pin, a :pushpin: reaction or the message shortcut, once
// each; the bot's own pins are ignored.
func TestTimelineCaptureFromSlack(t *testing.T) {
	e := newEnv(t)
	e.sender.Command("U0ALICE", e.general, "declare P2 checkout slow", "")
	var chID string
	e.waitFor("the channel", func() bool {
		ch := e.slack.ChannelByName("inc-1-checkout-slow")
		if ch != nil && len(ch.Pins) == 1 && ch.Members["U0ALICE"] {
			chID = ch.ID
			return true
		}
		return false
	})
	e.slack.AddUser("U0CAROL", "carol", "")
	ts1 := e.slack.Say(chID, "U0BOB", "p99 latency jumped at 03:02 after deploy 1234")
	ts2 := e.slack.Say(chID, "U0CAROL", "rolled back deploy 1234")
	ts3 := e.slack.Say(chID, "U0BOB", "cache hit rate back to 95%")
	event := func(id string, inner map[string]any) {
		t.Helper()
		resp, err := e.sender.Event(map[string]any{"type": "event_callback", "event_id": id, "team_id": testenv.SlackTeam, "event": inner})
		if err != nil || resp.Status != 200 {
			t.Fatalf("event %s: %v %d", id, err, resp.Status)
		}
	}
	event("Ev1", map[string]any{"type": "pin_added", "user": "U0ALICE", "channel_id": chID, "item": map[string]any{"type": "message", "channel": chID, "ts": ts1}})
	event("Ev2", map[string]any{"type": "reaction_added", "user": "U0ALICE", "reaction": "pushpin", "item": map[string]any{"type": "message", "channel": chID, "ts": ts1}})
	event("Ev3", map[string]any{"type": "reaction_added", "user": "U0BOB", "reaction": "pushpin", "item": map[string]any{"type": "message", "channel": chID, "ts": ts2}})
	event("Ev4", map[string]any{"type": "reaction_added", "user": "U0BOB", "reaction": "tada", "item": map[string]any{"type": "message", "channel": chID, "ts": ts3}})
	card := e.slack.Channel(chID).Messages[0].TS
	event("Ev5", map[string]any{"type": "pin_added", "user": testenv.SlackBotUser, "channel_id": chID, "item": map[string]any{"type": "message", "channel": chID, "ts": card}})
	shortcut := map[string]any{"type": "message_action", "callback_id": "add_to_timeline", "user": map[string]any{"id": "U0ALICE"},
		"channel": map[string]any{"id": chID}, "message": map[string]any{"ts": ts3, "user": "U0BOB", "text": "cache hit rate back to 95%"}}
	click := e.slack.BlockAction("U0ALICE", chID, "x", "y")
	shortcut["response_url"] = click["response_url"]
	if resp, err := e.sender.Interaction(shortcut); err != nil || resp.Status != 200 {
		t.Fatal(err, resp.Status)
	}
	e.bot.Wait()
	var captured []string
	e.db.View(context.Background(), func(tx incident.Tx) error {
		evs, _ := tx.Events(1)
		for _, ev := range evs {
			if ev.Kind == incident.EventCaptured {
				captured = append(captured, ev.Actor+" "+views.EventText(ev))
			}
		}
		return nil
	})
	if len(captured) != 3 {
		t.Fatalf("captured %d: %v", len(captured), captured)
	}
	sort.Strings(captured) // events are handled concurrently
	want := []string{
		`U0BOB "cache hit rate back to 95%" (from <@U0BOB> written`,
		`U0BOB "p99 latency jumped at 03:02 after deploy 1234" (from <@U0BOB> written`,
		`U0CAROL "rolled back deploy 1234" (from <@U0CAROL>`,
	}
	for i, w := range want {
		if !strings.HasPrefix(captured[i], w) {
			t.Errorf("capture %d: %q, want prefix %q", i, captured[i], w)
		}
	}
	// Alice pinned the first message and marked it with :pushpin: at once; whichever event is
	// handled first captures it, the other finds it captured.
	first := strings.Contains(captured[1], "pinned by <@U0ALICE>) <https://test.slack.com/archives/") ||
		strings.Contains(captured[1], "marked with :pushpin: by <@U0ALICE>) <https://test.slack.com/archives/")
	if !first || !strings.Contains(captured[0], "added with the message shortcut by <@U0ALICE>") {
		t.Errorf("how and permalink: %v", captured)
	}
	if eph := lastEph(e); eph != "Added to the timeline of INC-1." {
		t.Errorf("shortcut reply %q", eph)
	}
}

func lastEph(e *env) string {
	eph := e.slack.Ephemerals()
	if len(eph) == 0 {
		return ""
	}
	return eph[len(eph)-1].Text
}

// What is typed in the form reaches Slack escaped, as typed commands do: a title cannot
// notify the channel or fake a link on the card.
func TestFormTextCannotInjectSlackMarkup(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.sender.Interaction(viewSubmission("U0BOB", e.general, "<!channel> db down & <https://evil.example|login>", "P1", ""))
	if resp.Status != 200 || len(resp.Body) != 0 {
		t.Fatalf("form: %d %s", resp.Status, resp.Body)
	}
	var posted []string
	e.waitFor("the card", func() bool {
		posted = posted[:0]
		for _, ch := range e.slack.Channels() {
			for _, m := range e.slack.Channel(ch.ID).Messages {
				posted = append(posted, m.Text+string(m.Blocks))
			}
		}
		return len(posted) >= 1
	})
	for _, p := range posted {
		if strings.Contains(p, "<!channel>") || strings.Contains(p, `\u003c!channel\u003e`) || strings.Contains(p, "<https://evil") || strings.Contains(p, `\u003chttps://evil`) {
			t.Errorf("raw markup reached Slack: %s", p)
		}
	}
	if !strings.Contains(strings.Join(posted, "\n"), "&lt;!channel&gt; db down &amp;") && !strings.Contains(strings.Join(posted, "\n"), `\u0026lt;!channel\u0026gt; db down \u0026amp;`) {
		t.Errorf("the title is not shown escaped:\n%s", strings.Join(posted, "\n"))
	}
}

// A refused form shows the reason under the field it is about, as the domain names it.
func TestFormErrorsShowUnderTheirField(t *testing.T) {
	e := newEnv(t)
	long := viewSubmission("U0BOB", e.general, "Intent API down", "P1", "")
	long["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)["description"] =
		map[string]any{"description": map[string]any{"type": "plain_text_input", "value": strings.Repeat("x", 3000)}}
	for name, tc := range map[string]struct {
		form  map[string]any
		field string
		want  string
	}{
		"title":       {viewSubmission("U0BOB", e.general, strings.Repeat("t", 200), "P1", ""), "title", "keep it to 150"},
		"description": {long, "description", "The description is too long"},
	} {
		resp, err := e.sender.Interaction(tc.form)
		if err != nil || resp.Status != 200 {
			t.Fatal(name, err, resp.Status)
		}
		var errs struct {
			Errors map[string]string `json:"errors"`
		}
		resp.JSON(&errs)
		if got := errs.Errors[tc.field]; !strings.Contains(got, tc.want) || len(errs.Errors) != 1 {
			t.Errorf("%s: errors %v, want %q under %s", name, errs.Errors, tc.want, tc.field)
		}
	}
	if e.incidents() != 0 {
		t.Error("a refused form declared an incident")
	}
}
