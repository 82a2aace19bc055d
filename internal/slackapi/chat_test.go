package slackapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/slackapi"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/slack-go/slack"
)

func newChat(t *testing.T) (*slackapi.Chat, *testenv.Slack) {
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	return &slackapi.Chat{
		API:       slack.New(testenv.SlackBotToken, slack.OptionAPIURL(emu.APIURL())),
		BotUserID: testenv.SlackBotUser, Card: views.Card, Announcement: views.Announcement, Notice: views.Notice, Topic: views.Topic,
	}, emu
}

func TestErrorsMapToTheDomain(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		fault      testenv.Fault
		code       string
		temporary  bool
		retryAfter time.Duration
	}{
		{"429 with Retry-After", testenv.Fault{Status: 429, RetryAfter: 30}, incident.EINTERNAL, true, 30 * time.Second},
		{"503", testenv.Fault{Status: 503}, incident.EINTERNAL, true, 0},
		{"name_taken", testenv.Fault{Error: "name_taken"}, incident.ECONFLICT, false, 0},
		{"internal_error", testenv.Fault{Error: "internal_error"}, incident.EINTERNAL, true, 0},
		{"ratelimited in the body", testenv.Fault{Error: "ratelimited"}, incident.EINTERNAL, true, time.Second},
		{"invalid_auth is permanent", testenv.Fault{Error: "invalid_auth"}, incident.EINTERNAL, false, 0},
		{"missing_scope is permanent", testenv.Fault{Error: "missing_scope"}, incident.EINTERNAL, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chat, emu := newChat(t)
			emu.Fail("conversations.create", tc.fault)
			_, err := chat.CreateChannel(ctx, "inc-1-x", false)
			if err == nil {
				t.Fatal("no error")
			}
			if got := incident.ErrorCode(err); got != tc.code {
				t.Errorf("code %s, want %s (%v)", got, tc.code, err)
			}
			var tmp *incident.TemporaryError
			if errors.As(err, &tmp) != tc.temporary {
				t.Errorf("temporary = %v, want %v (%v)", !tc.temporary, tc.temporary, err)
			}
			if tc.temporary && tmp.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", tmp.RetryAfter, tc.retryAfter)
			}
		})
	}
}

func TestNetworkErrorsAreTemporary(t *testing.T) {
	chat, emu := newChat(t)
	emu.Close()
	_, err := chat.CreateChannel(context.Background(), "inc-1-x", false)
	var tmp *incident.TemporaryError
	if !errors.As(err, &tmp) {
		t.Errorf("connection refused is not temporary: %v", err)
	}
}

func TestInvitesAreChunkedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	chat, emu := newChat(t)
	ch, err := chat.CreateChannel(ctx, "inc-1-x", false)
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for i := 0; i < 150; i++ {
		id := fmt.Sprintf("U%04d", i)
		emu.AddUser(id, id, "")
		users = append(users, id)
	}
	if err := chat.Invite(ctx, ch.ID, users); err != nil {
		t.Fatal(err)
	}
	if n := len(emu.Calls("conversations.invite")); n != 2 {
		t.Errorf("%d invite calls for 150 users, want 2", n)
	}
	if got := len(emu.Channel(ch.ID).Members); got != 151 {
		t.Errorf("%d members", got)
	}
	if err := chat.Invite(ctx, ch.ID, users[:1]); err != nil {
		t.Errorf("inviting a member again: %v", err)
	}
}

func TestPinTwiceIsFine(t *testing.T) {
	ctx := context.Background()
	chat, _ := newChat(t)
	ch, _ := chat.CreateChannel(ctx, "inc-1-x", false)
	ts, err := chat.Post(ctx, ch.ID, incident.Message{Key: "k1", Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := chat.Pin(ctx, ch.ID, ts); err != nil {
			t.Fatalf("pin %d: %v", i, err)
		}
	}
}

func TestFindPostedAndFindChannel(t *testing.T) {
	ctx := context.Background()
	chat, emu := newChat(t)
	ch, _ := chat.CreateChannel(ctx, "inc-1-x", false)
	ts, _ := chat.Post(ctx, ch.ID, incident.Message{Key: "inc1:post_card:card", Card: &incident.Incident{Number: 1, Title: "x", Severity: incident.P1, Status: incident.StatusInvestigating}})
	chat.Post(ctx, ch.ID, incident.Message{Key: "other", Text: "noise"})
	got, found, err := chat.FindPosted(ctx, ch.ID, "inc1:post_card:card")
	if err != nil || !found || got != ts {
		t.Errorf("FindPosted: %q %v %v, want %q", got, found, err, ts)
	}
	if _, found, _ := chat.FindPosted(ctx, ch.ID, "never-posted"); found {
		t.Error("found a message never posted")
	}

	// More channels than one page of conversations.list, and a same-named channel
	// that someone else made, which must not be adopted.
	for i := 0; i < 1005; i++ {
		emu.AddChannel(fmt.Sprintf("other-%04d", i))
	}
	last, _ := chat.CreateChannel(ctx, "inc-2-late", false)
	if c, found, err := chat.FindChannel(ctx, "inc-2-late"); err != nil || !found || c.ID != last.ID {
		t.Errorf("FindChannel across pages: %+v %v %v", c, found, err)
	}
	if n := len(emu.Calls("conversations.list")); n != 2 {
		t.Errorf("%d list calls, want 2 pages", n)
	}
	emu.AddChannel("inc-3-theirs")
	if _, found, _ := chat.FindChannel(ctx, "inc-3-theirs"); found {
		t.Error("adopted a channel the bot did not create")
	}
}
