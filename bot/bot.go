// Package bot is incidentbot's Slack surface: the HTTP receivers (signature-verified) and
// the Socket Mode receiver, both translating Slack's payloads into commands for the same
// handlers, and the domain's answers back into Slack messages and views.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Bot holds what both transports share.
type Bot struct {
	Router  *commands.Router
	Service *incident.Service
	API     *slack.Client
	Log     *slog.Logger
	botUser atomic.Value // string: the bot's own user (its pins and messages are not captured)
	// ResponseHosts are the hosts a response_url may point at: Slack's, and the API URL's
	// host for GovSlack and tests. Others are never called.
	ResponseHosts []string
	// CommandName is the slash command the app defines (default /incident); others are refused.
	CommandName string
	// TeamIDs are the workspaces (T...) or Enterprise Grid organizations (E...) whose requests
	// are served; empty: any workspace whose requests are signed with the app's secret.
	TeamIDs []string
	// replyTimeout bounds the asynchronous replies sent after an ack.
	replyTimeout time.Duration
	pending      sync.WaitGroup
	declareMu    sync.Mutex // one declaration form submission at a time
}

// mentionPrefix matches the bot's mention at the start of an app_mention's text.
var mentionPrefix = regexp.MustCompile(`^\s*<@[A-Z0-9]+(\|[^>]*)?>`)

// Go runs fn after an ack; Wait waits for every such fn (for a clean shutdown).
func (b *Bot) Go(fn func()) {
	b.pending.Add(1)
	go func() {
		defer b.pending.Done()
		fn()
	}()
}

// Wait waits for the work started by Go.
func (b *Bot) Wait() { b.pending.Wait() }

// New returns a Bot.
func New(router *commands.Router, api *slack.Client, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.Default()
	}
	return &Bot{Router: router, Service: router.Service, API: api, Log: log.With("component", "bot"),
		ResponseHosts: []string{"hooks.slack.com"}, CommandName: "/incident", replyTimeout: 10 * time.Second}
}

// Command runs a slash command. When the command asks for the declaration form, the form
// is opened here and now: a trigger_id lives for 3 seconds and must never wait in a queue.
func (b *Bot) Command(ctx context.Context, cmd slack.SlashCommand) commands.Reply {
	reply := b.Router.Handle(ctx, commands.Request{UserID: cmd.UserID, ChannelID: cmd.ChannelID, Text: cmd.Text, CanDefer: true})
	if reply.OpenDraftForm != nil {
		return b.openDraftForm(ctx, cmd.TriggerID, cmd.ChannelID, reply)
	}
	if !reply.OpenDeclareForm {
		return reply
	}
	view := views.DeclareModal(b.Service.Catalog(), cmd.ChannelID)
	if _, err := b.API.OpenViewContext(ctx, cmd.TriggerID, view); err != nil {
		var why string
		if se := (slack.SlackErrorResponse{}); errors.As(err, &se) {
			// Slack's refusal (an expired trigger_id, a missing scope) is no fault of the bot's.
			b.Log.Warn("open declaration form: Slack refused", "err", err)
			why = "Slack answered " + se.Err + "."
		} else {
			why = b.replyError(ctx, err, "open declaration form", "user", cmd.UserID)
		}
		return commands.Reply{Error: true, Err: err, Text: "I could not open the declaration form: " + why + " Declare with `/incident declare [P0-P3] [service] <title>` instead."}
	}
	return commands.Reply{}
}

// AnswerLater runs the deferred work of a command's reply after its ack, in the
// background (Wait waits for it), and shows the answer to the person who asked through the
// command's response_url (chat.postEphemeral without one, or if it fails). Slack takes a
// response_url's messages for 30 minutes; the work has the reply timeout.
func (b *Bot) AnswerLater(ctx context.Context, cmd slack.SlashCommand, reply commands.Reply) {
	if reply.Later == nil {
		return
	}
	b.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.replyTimeout)
		defer cancel()
		b.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, reply.Later(ctx).Text)
	})
}

// Interaction handles an interaction payload. What it changes is committed before it
// returns, so the caller acknowledges only what is durable (a crash after the ack loses
// nothing). resp is the synchronous answer of a view submission (nil closes the modal);
// reply, when not nil, sends the ephemeral answers and is run by the caller after the ack.
func (b *Bot) Interaction(ctx context.Context, cb slack.InteractionCallback) (resp *slack.ViewSubmissionResponse, reply func()) {
	// The work outlives a client that hangs up: Slack does not resend a click.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackBudget)
	defer cancel()
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case views.DeclareCallbackID:
			return b.submitDeclare(work, cb), nil
		case views.DraftCallbackID:
			return b.submitDraft(work, cb), nil
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID != CaptureShortcut {
			return nil, nil
		}
		// Reading the message from Slack must leave time to answer within Slack's 3 s.
		read, cancel := context.WithTimeout(work, captureBudget)
		defer cancel()
		text := b.capture(read, cb.User.ID, channelOf(cb), cb.Message.Timestamp, "added with the message shortcut")
		return nil, b.replier(ctx, cb, []commands.Reply{{Text: text}})
	case slack.InteractionTypeBlockActions:
		var replies []commands.Reply
		for _, a := range commandActions(cb) {
			reply := b.Router.Handle(work, commands.Request{UserID: cb.User.ID, ChannelID: channelOf(cb), Text: a.Value, Button: true})
			if reply.OpenDraftForm != nil {
				reply = b.openDraftForm(work, cb.TriggerID, channelOf(cb), reply)
			}
			replies = append(replies, reply)
		}
		return nil, b.replier(ctx, cb, replies)
	}
	return nil, nil
}

// ackBudget bounds the work done before an interaction is acknowledged, inside Slack's 3 s.
const ackBudget = 2500 * time.Millisecond

// captureBudget bounds the Slack reads of a message shortcut, which run before its ack.
const captureBudget = 2 * time.Second

// replier returns what sends replies to the person who clicked, or nil when there are none.
func (b *Bot) replier(ctx context.Context, cb slack.InteractionCallback, replies []commands.Reply) func() {
	replies = slices.DeleteFunc(replies, func(r commands.Reply) bool { return r.Text == "" })
	if len(replies) == 0 {
		return nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.replyTimeout)
		defer cancel()
		for _, r := range replies {
			b.respondWith(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, r.Text, replyBlocks(r))
		}
	}
}

// commandActions are the clicks on buttons whose value is a command.
func commandActions(cb slack.InteractionCallback) []*slack.BlockAction {
	var out []*slack.BlockAction
	for _, a := range cb.ActionCallback.BlockActions {
		if strings.HasPrefix(a.ActionID, views.ActionPrefix) {
			out = append(out, a)
		}
	}
	return out
}

func channelOf(cb slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// submitDeclare declares from the form, as the command router declares a typed `declare`:
// the form's fields become a command request, handled by the same verb, so its rules,
// cleaning, answers and logging are the typed command's. A refusal keeps the form open with
// the reason under the field it is about. One view declares once: Slack may deliver a
// submission twice, and a person may press Submit twice. The view is marked as used once it
// has declared (a form sent back with errors is the same view, and may be submitted again);
// submissions are taken one at a time so two copies cannot both find it unused.
func (b *Bot) submitDeclare(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	in := views.ReadDeclareModal(cb.View.State)
	key := "slack-view:" + cb.View.ID + ":" + cb.View.Hash
	b.declareMu.Lock()
	defer b.declareMu.Unlock()
	switch used, err := b.seenBefore(ctx, key); {
	case err != nil:
		return formErrors(nil, b.replyError(ctx, err, "declare from form: read the submitted views", "view", cb.View.ID, "user", cb.User.ID))
	case used:
		b.Log.Info("declaration form submitted again; it declared already", "view", cb.View.ID, "user", cb.User.ID)
		return nil
	}
	reply := b.Router.Handle(ctx, commands.Request{UserID: cb.User.ID, ChannelID: cb.View.PrivateMetadata, Declare: &commands.Declaration{
		// Slack escapes what is typed in a command, not what is typed in a form.
		Title: incident.EscapeChat(in.Title), Description: incident.EscapeChat(in.Description),
		Severity: incident.Severity(in.Severity), Service: in.Service, Private: in.Private,
	}})
	if reply.Error {
		return formErrors(reply.Err, reply.Text)
	}
	b.Log.Info("declared from form", "incident", reply.Incident.Key(), "view", cb.View.ID)
	if _, err := b.markSeen(ctx, key); err != nil {
		b.Log.Error("declare from form: mark the view used", "view", cb.View.ID, "err", err)
	}
	return nil
}

// formFields are the declaration form's blocks by the input a domain error names.
var formFields = map[string]string{incident.FieldTitle: views.DeclareTitle, incident.FieldDescription: views.DeclareDescription,
	incident.FieldService: views.DeclareService, incident.FieldSeverity: views.DeclareSeverity}

// formErrors keeps the declaration form open with text under the field err is about; under
// the first field (the title) when it is about none.
func formErrors(err error, text string) *slack.ViewSubmissionResponse {
	field, ok := formFields[incident.ErrorField(err)]
	if !ok {
		field = views.DeclareTitle
	}
	return slack.NewErrorsViewSubmissionResponse(map[string]string{field: text})
}

// Event handles one Events API callback, once: retries carry the same event_id.
func (b *Bot) Event(ctx context.Context, ev *slackevents.EventsAPICallbackEvent, inner slackevents.EventsAPIInnerEvent) {
	if ev.EventID != "" {
		fresh, err := b.markSeen(ctx, "slack-event:"+ev.EventID)
		if err != nil {
			b.Log.Error("dedupe event", "event_id", ev.EventID, "err", err)
			return
		}
		if !fresh {
			b.Log.Info("duplicate event ignored", "event_id", ev.EventID)
			return
		}
	}
	switch e := inner.Data.(type) {
	case *slackevents.PinAddedEvent:
		if e.User == b.botUserID() || e.Item.Type != "message" {
			return
		}
		channel, ts := e.Channel, e.Item.Timestamp
		if channel == "" {
			channel = e.Item.Channel
		}
		if e.Item.Message != nil && ts == "" {
			ts = e.Item.Message.Timestamp
		}
		b.capture(ctx, e.User, channel, ts, "pinned")
	case *slackevents.ReactionAddedEvent:
		if e.Reaction != "pushpin" || e.User == b.botUserID() || e.Item.Type != "message" {
			return
		}
		b.capture(ctx, e.User, e.Item.Channel, e.Item.Timestamp, "marked with :pushpin:")
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab == "home" {
			b.publishHome(ctx, e.User)
		}
	case *slackevents.AppMentionEvent:
		text := mentionPrefix.ReplaceAllString(e.Text, "")
		reply := b.Router.Handle(ctx, commands.Request{UserID: e.User, ChannelID: e.Channel, Text: strings.TrimSpace(text)})
		b.ephemeral(ctx, e.Channel, e.User, reply.Text)
	default:
		b.Log.Debug("event ignored", "type", inner.Type)
	}
}

// markSeen records key in the database and reports whether it was new.
func (b *Bot) markSeen(ctx context.Context, key string) (fresh bool, err error) {
	return b.Service.MarkSeen(ctx, key)
}

// seenBefore reports whether key was marked seen, without marking it.
func (b *Bot) seenBefore(ctx context.Context, key string) (bool, error) {
	return b.Service.SeenBefore(ctx, key)
}

// respond answers a click through its response_url, which works whether or not the clicker
// is a member of the channel; without one, or if it fails, through chat.postEphemeral.
func (b *Bot) respond(ctx context.Context, responseURL, channel, user, text string) {
	b.respondWith(ctx, responseURL, channel, user, text, nil)
}

// respondWith is respond for a reply shown as blocks, text being their fallback (nil
// blocks: the text alone).
func (b *Bot) respondWith(ctx context.Context, responseURL, channel, user, text string, blocks []slack.Block) {
	if text == "" {
		return
	}
	if b.responseURLAllowed(responseURL) {
		msg := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral", ReplaceOriginal: false}
		if blocks != nil {
			msg.Blocks = &slack.Blocks{BlockSet: blocks}
		}
		err := slack.PostWebhookContext(ctx, responseURL, msg)
		if err == nil {
			return
		}
		b.Log.Warn("reply through response_url failed; trying chat.postEphemeral", "err", err)
	}
	b.ephemeral(ctx, channel, user, text, blocks...)
}

func (b *Bot) responseURLAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	return slices.Contains(b.ResponseHosts, u.Host) || slices.Contains(b.ResponseHosts, u.Hostname())
}

// SetBotUser records the bot's own user ID, learned from auth.test.
func (b *Bot) SetBotUser(id string) { b.botUser.Store(id) }

func (b *Bot) botUserID() string {
	id, _ := b.botUser.Load().(string)
	return id
}

// CaptureShortcut is the callback_id of the "Add to incident timeline" message shortcut.
const CaptureShortcut = "add_to_timeline"

// capture reads a message and puts it on its incident's timeline; it returns what to tell
// the person who asked.
func (b *Bot) capture(ctx context.Context, actor, channel, ts, how string) string {
	if channel == "" || ts == "" {
		return ""
	}
	hist, err := b.API.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Latest: ts, Inclusive: true, Limit: 1})
	if err != nil || len(hist.Messages) == 0 || hist.Messages[0].Timestamp != ts {
		b.Log.Warn("capture: message not found", "channel", channel, "ts", ts, "err", err)
		return "I could not read that message."
	}
	m := hist.Messages[0]
	if m.User == b.botUserID() || m.BotID != "" && m.User == "" {
		return "" // the bot's own posts are on the timeline already
	}
	link, err := b.API.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	if err != nil {
		b.Log.Warn("capture: permalink", "err", err)
	}
	inc, fresh, err := b.Service.CaptureMessage(ctx, actor, channel, how, incident.CapturedMessage{
		Author: m.User, Text: m.Text, TS: ts, Permalink: link, At: slackTime(ts),
	})
	switch {
	case err != nil:
		return b.replyError(ctx, err, "capture a message", "channel", channel, "ts", ts, "user", actor)
	case !fresh:
		return "That message is already on the timeline of " + inc.Key() + "."
	}
	return "Added to the timeline of " + inc.Key() + "."
}

// slackTime turns a message ts (seconds.micro) into a time.
func slackTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC()
}

// ephemeral shows text to one user in a channel, best effort: replies are not state.
func (b *Bot) ephemeral(ctx context.Context, channel, user, text string, blocks ...slack.Block) {
	if text == "" {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if _, err := b.API.PostEphemeralContext(ctx, channel, user, opts...); err != nil {
		var se slack.SlackErrorResponse
		level := slog.LevelError
		if errors.As(err, &se) {
			level = slog.LevelWarn
		}
		b.Log.Log(ctx, level, "ephemeral reply failed", "channel", channel, "user", user, "err", err)
	}
}
