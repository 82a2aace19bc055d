package bot_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// click presses a draft's button as user, signed as Slack signs it, and returns the answer.
func (e *env) click(user, ch, actionID, value string) testenv.Response {
	e.t.Helper()
	resp, err := e.sender.Interaction(e.slack.BlockAction(user, ch, actionID, value))
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// ephemeralsTo waits for n ephemeral answers to user in all, and returns their texts.
func (e *env) ephemeralsTo(user string, n int) []testenv.SlackEphemeral {
	e.t.Helper()
	var got []testenv.SlackEphemeral
	e.waitFor("the answers to the clicks", func() bool {
		got = nil
		for _, m := range e.slack.Ephemerals() {
			if m.User == user {
				got = append(got, m)
			}
		}
		return len(got) >= n
	})
	return got
}

// Post as it is posts the text the reminder showed, as `/incident update --status-page`
// would, once however often it is pressed; the built-in status page shows that text.
func TestDraftPostAsItIsTwicePostsOnce(t *testing.T) {
	e, ch := p0(t)
	e.advance(time.Minute) // 03:05
	r := e.reminder(ch, incident.AudienceStatusPage)
	if len(r.Post) > 2000 || strings.Contains(r.Post, "Major outage") {
		t.Fatalf("the button carries the draft's text, or is too long: %q", r.Post)
	}
	before := len(e.updates(1))
	for i := 0; i < 2; i++ {
		if resp := e.click(bob, ch, views.ActionDraftPost, r.Post); resp.Status != 200 {
			t.Fatalf("click %d: %d %s", i, resp.Status, resp.Body)
		}
	}
	answers := e.ephemeralsTo(bob, 2) // each sent after its click's ack: in either order
	both := answers[0].Text + "\n" + answers[1].Text
	if !strings.Contains(both, "Update posted to INC-1 and recorded on the timeline.") ||
		!strings.Contains(both, "This draft was posted already, at 03:05:00 UTC") {
		t.Errorf("the answers: %q, %q", answers[0].Text, answers[1].Text)
	}
	posted := e.updates(1)[before:]
	if len(posted) != 1 {
		t.Fatalf("%d updates after two clicks, want 1", len(posted))
	}
	u := posted[0]
	if u.Actor != bob || u.Data.Text != r.Draft || !slices.Equal(u.Data.Audiences, []string{incident.AudienceStatusPage}) ||
		u.Data.How != incident.UpdateDrafted {
		t.Errorf("the update posted: %s %+v\nthe draft shown:\n%s", u.Actor, u.Data, r.Draft)
	}
	if got := e.sys.Incident(1).Comms[incident.AudienceStatusPage]; got.IsZero() {
		t.Error("the status page update is not recorded as given")
	}

	// The update is in the channel like a typed one, and the status page shows its text.
	e.sys.Deliver()
	if msgs := e.slack.Channel(ch).Messages; !strings.Contains(msgs[len(msgs)-1].Text, "*Update for the status page* from <@U0BOB>") {
		t.Errorf("the channel's last message: %q", msgs[len(msgs)-1].Text)
	}
	page := e.get("/status")
	for _, line := range strings.Split(r.Draft, "\n") {
		if !strings.Contains(page, html.EscapeString(line)) {
			t.Errorf("the status page lacks the line %q of the posted draft", line)
		}
	}

	// Clicked at once by several people, the team's draft posts once too.
	e.advance(25 * time.Minute) // 03:30
	team := e.reminder(ch, incident.AudienceTeam)
	before = len(e.updates(1))
	var wg sync.WaitGroup
	for _, user := range []string{alice, bob, "U0CAROL", "U0DAVE"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.sender.Interaction(e.slack.BlockAction(user, ch, views.ActionDraftPost, team.Post))
		}()
	}
	wg.Wait()
	if n := len(e.updates(1)) - before; n != 1 {
		t.Errorf("%d team updates after four clicks at once, want 1", n)
	}
}

// get fetches a page of the bot's web server.
func (e *env) get(path string) string {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// A draft that the incident has outgrown for its audience is refused with a new one; a
// change its audience is not told of (a note, for customers) leaves it as it was.
func TestDraftStaleIsRefusedWithANewOne(t *testing.T) {
	e, ch := p0(t)
	e.advance(26 * time.Minute) // 03:30: customers and team
	customers, team := e.reminder(ch, incident.AudienceCustomers), e.reminder(ch, incident.AudienceTeam)
	e.do(alice, ch, "note the customers never read notes", "Noted")

	before := len(e.updates(1))
	e.click(bob, ch, views.ActionDraftPost, team.Post)
	answer := e.ephemeralsTo(bob, 1)[0]
	if !strings.Contains(answer.Text, "The incident changed since this draft was written, so nothing was posted.") {
		t.Fatalf("the team's draft after a note: %q", answer.Text)
	}
	if n := len(e.updates(1)) - before; n != 0 {
		t.Fatalf("a stale draft posted %d updates", n)
	}
	fresh, ok := draftBlocks(t, answer.Blocks)
	if !ok || !strings.Contains(fresh.Draft, "the customers never read notes") || fresh.Post == "" {
		t.Fatalf("the new draft offered: %+v", fresh)
	}
	e.click(bob, ch, views.ActionDraftPost, fresh.Post)
	if got := e.ephemeralsTo(bob, 2)[1].Text; !strings.Contains(got, "Update posted to INC-1") {
		t.Fatalf("the new draft's button: %q", got)
	}
	if u := e.updates(1)[before]; u.Data.Text != fresh.Draft || len(u.Data.Audiences) != 0 {
		t.Errorf("posted %+v, want the new draft as the team's update:\n%s", u.Data, fresh.Draft)
	}

	e.click(alice, ch, views.ActionDraftPost, customers.Post)
	if got := e.ephemeralsTo(alice, 1)[0].Text; !strings.Contains(got, "Update posted to INC-1") {
		t.Fatalf("the customers' draft after a note: %q", got)
	}
	if u := e.updates(1)[before+1]; u.Data.Text != customers.Draft || !slices.Equal(u.Data.Audiences, []string{incident.AudienceCustomers}) {
		t.Errorf("posted %+v, want the customers' draft as shown:\n%s", u.Data, customers.Draft)
	}
}

// editForm opens the draft's form with its Edit button and returns the view views.open got.
func (e *env) editForm(user, ch string, r reminderMsg) (privateMetadata, initial string) {
	e.t.Helper()
	n := len(e.slack.Views())
	click := e.slack.BlockAction(user, ch, views.ActionDraftEdit, r.Edit)
	click["trigger_id"] = e.slack.NewTriggerID()
	if resp, err := e.sender.Interaction(click); err != nil || resp.Status != 200 {
		e.t.Fatalf("Edit: %v %d %s", err, resp.Status, resp.Body)
	}
	opened := e.slack.Views()
	if len(opened) != n+1 {
		e.t.Fatalf("Edit opened %d views", len(opened)-n)
	}
	var call struct {
		View struct {
			CallbackID      string `json:"callback_id"`
			PrivateMetadata string `json:"private_metadata"`
			Blocks          []struct {
				BlockID string `json:"block_id"`
				Element struct {
					InitialValue string `json:"initial_value"`
					MaxLength    int    `json:"max_length"`
				} `json:"element"`
			} `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal(opened[n], &call); err != nil {
		e.t.Fatal(err)
	}
	for _, b := range call.View.Blocks {
		if b.BlockID == views.DraftInput {
			if b.Element.MaxLength != incident.MaxTextLen {
				e.t.Errorf("the text's max_length is %d", b.Element.MaxLength)
			}
			return call.View.PrivateMetadata, b.Element.InitialValue
		}
	}
	e.t.Fatalf("the form has no text input: %s", opened[n])
	return "", ""
}

// draftSubmission is the draft form as Slack submits it with text typed in; each delivery
// has its own trigger_id (n), as Slack's do.
func draftSubmission(user, id, privateMetadata, text string, n int) map[string]any {
	return map[string]any{
		"type": "view_submission", "trigger_id": fmt.Sprintf("%d.9.%s", n, id), "user": map[string]any{"id": user}, "team": map[string]any{"id": testenv.SlackTeam},
		"view": map[string]any{"id": id, "type": "modal", "callback_id": views.DraftCallbackID, "private_metadata": privateMetadata,
			"hash": "1700000000.draft" + id,
			"state": map[string]any{"values": map[string]any{views.DraftInput: map[string]any{
				views.DraftInput: map[string]any{"type": "plain_text_input", "value": text}}}}},
	}
}

// Edit opens a form prefilled with the draft; an empty or too long text keeps it open with
// the reason under the text; the submitted text is posted as the audience's update, once.
func TestDraftEditPostsTheEditedText(t *testing.T) {
	e, ch := p0(t)
	e.advance(26 * time.Minute) // 03:30
	r := e.reminder(ch, incident.AudienceCustomers)
	meta, initial := e.editForm(bob, ch, r)
	if initial != views.FormText(r.Draft) || views.ChatFromForm(initial) != r.Draft {
		t.Errorf("the form holds %q, want the draft %q", initial, r.Draft)
	}
	before := len(e.updates(1))
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "   ", "An update needs some text."},
		{"too long", strings.Repeat("x", incident.MaxTextLen+1), "too long; keep it to 2900 characters"},
	} {
		resp, _ := e.sender.Interaction(draftSubmission(bob, "V0DRAFT", meta, tc.text, len(tc.name)))
		var answer struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		json.Unmarshal(resp.Body, &answer)
		if answer.ResponseAction != "errors" || !strings.Contains(answer.Errors[views.DraftInput], tc.want) {
			t.Errorf("%s: %d %s", tc.name, resp.Status, resp.Body)
		}
	}
	edited := initial + "\nWe are failing over to us-west-2 <soon> & will say more."
	for i := 0; i < 2; i++ { // submitted twice: posted once, and the form closes each time
		resp, err := e.sender.Interaction(draftSubmission(bob, "V0DRAFT", meta, edited, 100+i))
		if err != nil || resp.Status != 200 || len(resp.Body) != 0 {
			t.Fatalf("submission %d: %v %d %s", i, err, resp.Status, resp.Body)
		}
	}
	posted := e.updates(1)[before:]
	if len(posted) != 1 {
		t.Fatalf("%d updates after the form was submitted twice, want 1", len(posted))
	}
	want := r.Draft + "\nWe are failing over to us-west-2 &lt;soon&gt; &amp; will say more."
	if u := posted[0]; u.Data.Text != want || u.Data.How != incident.UpdateEdited || u.Actor != bob ||
		!slices.Equal(u.Data.Audiences, []string{incident.AudienceCustomers}) {
		t.Errorf("posted %s %+v, want the edited text %q", u.Actor, u.Data, want)
	}
	if n := len(e.slack.Ephemerals()); n != 0 {
		t.Errorf("%d ephemeral answers to a form", n)
	}
}

// A click is refused where the typed command is: from a workspace the bot does not serve
// (before anything runs), and in a resolved incident, with the typed command's words.
func TestDraftRefusedAsTheTypedCommand(t *testing.T) {
	e, ch := p0(t)
	e.advance(time.Minute)
	r := e.reminder(ch, incident.AudienceStatusPage)
	e.bot.TeamIDs = []string{testenv.SlackTeam}
	before := len(e.updates(1))

	click := e.slack.BlockAction(bob, ch, views.ActionDraftPost, r.Post)
	click["team"] = map[string]any{"id": "T0OTHER"}
	clicked, _ := e.sender.Interaction(click)
	form := url.Values{"team_id": {"T0OTHER"}, "channel_id": {ch}, "user_id": {bob}, "command": {"/incident"},
		"text": {"update --status-page typed"}, "response_url": {"https://hooks.slack.com/commands/T0OTHER/1/x"}, "trigger_id": {"1.2.3"}}
	typed, _ := e.sender.Post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	for _, resp := range []testenv.Response{clicked, typed} {
		if resp.Status != http.StatusForbidden || !strings.Contains(string(resp.Body), "T0OTHER") {
			t.Errorf("from another workspace: %d %s", resp.Status, resp.Body)
		}
	}

	e.do(alice, ch, "resolve", "is resolved")
	typedReply := e.sys.Do(bob, ch, "update --status-page typed")
	e.click(bob, ch, views.ActionDraftPost, r.Post)
	if got := e.ephemeralsTo(bob, 1)[0].Text; !typedReply.Error || got != typedReply.Text {
		t.Errorf("in a resolved incident the click answered %q, the typed command %q", got, typedReply.Text)
	}
	if n := len(e.updates(1)) - before; n != 0 {
		t.Errorf("%d updates posted by refused requests", n)
	}
}
