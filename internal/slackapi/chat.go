// Package slackapi implements incidentbot's Chat port over the slack-go Web API client:
// channels, posts, card updates, pins, invites and topics, with Slack's errors mapped to
// the domain's (rate limits and outages are temporary, a taken name is a conflict).
package slackapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/textcut"
	"github.com/slack-go/slack"
)

// Renderer turns domain objects into Block Kit blocks and fallback text.
type Renderer func(*incident.Incident) ([]slack.Block, string)

// Chat is the Chat port over Slack.
type Chat struct {
	API          *slack.Client
	BotUserID    string // whose channels and messages count as the bot's own
	WorkspaceURL string // from auth.test, such as https://acme.slack.com/
	Card         Renderer
	Announcement Renderer
	StepCard     func(inc *incident.Incident, run *incident.Run, step *incident.RunStep, now time.Time) ([]slack.Block, string)
	RunCard      func(inc *incident.Incident, run *incident.Run, now time.Time) ([]slack.Block, string)
	// Notice says an event in the channel; Topic is the channel topic of an incident.
	Notice func(e *incident.TimelineEvent, inc *incident.Incident) string
	Topic  func(inc *incident.Incident) string
	// Reminder renders a cadence reminder with the update it drafts (Message.Draft) and its
	// buttons; nil: the reminder's notice alone.
	Reminder func(e *incident.TimelineEvent, inc *incident.Incident, d *incident.Draft) ([]slack.Block, string)
	// Budget keeps the calls within Slack's rate tiers (budget.go); nil: no budget, Slack's
	// 429s alone pace the bot.
	Budget *Budget

	mu     sync.Mutex
	emails map[string]emailHit // users.lookupByEmail answers, briefly
}

var _ incident.Chat = (*Chat)(nil)

// metadataEventType marks the bot's messages with their idempotency key.
const metadataEventType = "incidentbot_effect"

// inviteChunk is how many users one conversations.invite call carries.
const inviteChunk = 100

// maxTopic is Slack's limit on a channel topic.
const maxTopic = 250

// CreateChannel creates a public or private channel.
func (c *Chat) CreateChannel(ctx context.Context, name string, private bool) (incident.Channel, error) {
	if err := c.Budget.take(ctx, "conversations.create", ""); err != nil {
		return incident.Channel{}, err
	}
	ch, err := c.API.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: private})
	if err != nil {
		return incident.Channel{}, c.classify("conversations.create", err)
	}
	return incident.Channel{ID: ch.ID, Name: ch.Name}, nil
}

// FindChannel looks for a channel the bot created with exactly this name.
func (c *Chat) FindChannel(ctx context.Context, name string) (incident.Channel, bool, error) {
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 1000}
	for {
		if err := c.Budget.take(ctx, "conversations.list", ""); err != nil {
			return incident.Channel{}, false, err
		}
		chans, cursor, err := c.API.GetConversationsContext(ctx, params)
		if err != nil {
			return incident.Channel{}, false, c.classify("conversations.list", err)
		}
		for _, ch := range chans {
			if ch.Name == name && ch.Creator == c.BotUserID {
				return incident.Channel{ID: ch.ID, Name: ch.Name}, true, nil
			}
		}
		if cursor == "" {
			return incident.Channel{}, false, nil
		}
		params.Cursor = cursor
	}
}

// SetTopic sets the channel topic to the incident's, cut to Slack's limit.
func (c *Chat) SetTopic(ctx context.Context, channelID string, inc *incident.Incident) error {
	topic := c.Topic(inc)
	if utf8.RuneCountInString(topic) > maxTopic {
		topic = string([]rune(topic)[:maxTopic-1]) + "…"
	}
	if err := c.Budget.take(ctx, "conversations.setTopic", channelID); err != nil {
		return err
	}
	_, err := c.API.SetTopicOfConversationContext(ctx, channelID, topic)
	return c.classify("conversations.setTopic", err)
}

// Invite adds users to the channel in chunks; users already there are not an error.
func (c *Chat) Invite(ctx context.Context, channelID string, users []string) error {
	for start := 0; start < len(users); start += inviteChunk {
		chunk := users[start:min(start+inviteChunk, len(users))]
		if err := c.Budget.take(ctx, "conversations.invite", channelID); err != nil {
			return err // the chunks before are in; a retry finds them already_in_channel
		}
		_, err := c.API.InviteUsersToConversationContext(ctx, channelID, chunk...)
		if slackCode(err) == "already_in_channel" {
			continue
		}
		if err != nil {
			return c.classify("conversations.invite", err)
		}
	}
	return nil
}

// Post posts m with its idempotency key in the message metadata.
func (c *Chat) Post(ctx context.Context, channelID string, m incident.Message) (string, error) {
	opts := append(c.content(m),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{"key": m.Key}}),
		slack.MsgOptionDisableLinkUnfurl(),
	)
	if err := c.Budget.take(ctx, "chat.postMessage", channelID); err != nil {
		return "", err
	}
	_, ts, err := c.API.PostMessageContext(ctx, channelID, opts...)
	if err != nil {
		return "", c.classify("chat.postMessage", err)
	}
	return ts, nil
}

// Update replaces a message the bot posted with m.
func (c *Chat) Update(ctx context.Context, channelID, ts string, m incident.Message) error {
	if err := c.Budget.take(ctx, "chat.update", channelID); err != nil {
		return err
	}
	_, _, _, err := c.API.UpdateMessageContext(ctx, channelID, ts, c.content(m)...)
	return c.classify("chat.update", err)
}

// content renders m's blocks and fallback text.
func (c *Chat) content(m incident.Message) []slack.MsgOption {
	var (
		blocks []slack.Block
		text   string
	)
	switch {
	case m.Card != nil:
		blocks, text = c.Card(m.Card)
	case m.Announcement != nil:
		blocks, text = c.Announcement(m.Announcement)
	case m.Step != nil:
		blocks, text = c.StepCard(m.Incident, m.Run, m.Step, m.Now)
	case m.Run != nil:
		blocks, text = c.RunCard(m.Incident, m.Run, m.Now)
	case m.Event != nil && m.Draft != nil && c.Reminder != nil:
		blocks, text = c.Reminder(m.Event, m.Incident, m.Draft)
	case m.Event != nil:
		return []slack.MsgOption{slack.MsgOptionText(textcut.Cut(c.Notice(m.Event, m.Incident), MaxMessageText), false)}
	default:
		return []slack.MsgOption{slack.MsgOptionText(textcut.Cut(m.Text, MaxMessageText), false)}
	}
	return blockMessage(blocks, text)
}

// blockMessage is a Block Kit message with its fallback text, fitted to Slack's limits.
func blockMessage(blocks []slack.Block, text string) []slack.MsgOption {
	blocks, text = FitMessage(blocks, text)
	return []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false)}
}

// historyWindow is how many recent messages FindPosted searches.
const historyWindow = 100

// FindPosted looks through the channel's recent history for the bot's message with key.
func (c *Chat) FindPosted(ctx context.Context, channelID, key string) (string, bool, error) {
	if err := c.Budget.take(ctx, "conversations.history", channelID); err != nil {
		return "", false, err
	}
	resp, err := c.API.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channelID, Limit: historyWindow, IncludeAllMetadata: true,
	})
	if err != nil {
		return "", false, c.classify("conversations.history", err)
	}
	for _, m := range resp.Messages {
		if m.User == c.BotUserID && m.Metadata.EventType == metadataEventType && m.Metadata.EventPayload["key"] == key {
			return m.Timestamp, true, nil
		}
	}
	return "", false, nil
}

// UpdateCard re-renders the incident card in place.
func (c *Chat) UpdateCard(ctx context.Context, channelID, ts string, inc *incident.Incident) error {
	if err := c.Budget.take(ctx, "chat.update", channelID); err != nil {
		return err
	}
	_, _, _, err := c.API.UpdateMessageContext(ctx, channelID, ts, blockMessage(c.Card(inc))...)
	return c.classify("chat.update", err)
}

// Pin pins a message; one already pinned is fine.
func (c *Chat) Pin(ctx context.Context, channelID, ts string) error {
	if err := c.Budget.take(ctx, "pins.add", channelID); err != nil {
		return err
	}
	err := c.API.AddPinContext(ctx, channelID, slack.NewRefToMessage(channelID, ts))
	if slackCode(err) == "already_pinned" {
		return nil
	}
	return c.classify("pins.add", err)
}

// slackCode returns the Slack error code in err, or "".
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// temporaryCodes are Slack error codes worth retrying.
var temporaryCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
}

// classify is the package's classify, and holds method back in the budget after a 429.
func (c *Chat) classify(method string, err error) error {
	err = classify(method, err)
	var tmp *incident.TemporaryError
	if errors.As(err, &tmp) && tmp.RetryAfter > 0 { // only rate limits say when to retry
		c.Budget.pause(method, tmp.RetryAfter)
	}
	return err
}

// classify maps a slack-go error to the domain's: rate limits and outages are temporary,
// name_taken is a conflict, a missing channel is not found; everything else is permanent.
func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("%s: %w", method, err)
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return incident.RateLimited(max(rl.RetryAfter, time.Second), wrapped)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code == 429 {
			return incident.RateLimited(time.Second, wrapped)
		}
		if sc.Code >= 500 {
			return incident.Temporary(wrapped)
		}
		return wrapped
	}
	switch code := slackCode(err); {
	case code == "name_taken":
		return &incident.Error{Code: incident.ECONFLICT, Message: wrapped.Error()}
	case code == "channel_not_found" || code == "is_archived":
		return &incident.Error{Code: incident.ENOTFOUND, Message: wrapped.Error()}
	case code == "ratelimited":
		return incident.RateLimited(time.Second, wrapped)
	case temporaryCodes[code]:
		return incident.Temporary(wrapped)
	case code != "":
		return wrapped
	}
	var nerr net.Error
	var uerr *url.Error
	if errors.As(err, &nerr) || errors.As(err, &uerr) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection reset") {
		return incident.Temporary(wrapped)
	}
	return wrapped
}

// ChannelURL links to the channel in the workspace (from auth.test's url), or through
// Slack's redirect when the workspace is not known yet.
func (c *Chat) ChannelURL(channelID string) string {
	if c.WorkspaceURL != "" {
		return strings.TrimSuffix(c.WorkspaceURL, "/") + "/archives/" + channelID
	}
	return "https://slack.com/app_redirect?channel=" + channelID
}

// UserEmail returns the user's email address, "" when the profile hides it.
func (c *Chat) UserEmail(ctx context.Context, userID string) (string, error) {
	u, err := c.user(ctx, userID)
	if err != nil {
		return "", err
	}
	return u.Profile.Email, nil
}

// UserName returns a user's display name (else real name, else handle), for text read
// outside Slack such as the review on GitHub.
func (c *Chat) UserName(ctx context.Context, userID string) (string, error) {
	u, err := c.user(ctx, userID)
	if err != nil {
		return "", err
	}
	for _, name := range []string{u.Profile.DisplayName, u.RealName, u.Name} {
		if name != "" {
			return name, nil
		}
	}
	return userID, nil
}

// user reads a user through users.info.
// ChannelName returns a channel's name (conversations.info), for text read outside Slack.
func (c *Chat) ChannelName(ctx context.Context, channelID string) (string, error) {
	if err := c.Budget.take(ctx, "conversations.info", channelID); err != nil {
		return "", err
	}
	ch, err := c.API.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	if err != nil {
		return "", c.classify("conversations.info", err)
	}
	return ch.Name, nil
}

func (c *Chat) user(ctx context.Context, userID string) (*slack.User, error) {
	if err := c.Budget.take(ctx, "users.info", ""); err != nil {
		return nil, err
	}
	u, err := c.API.GetUserInfoContext(ctx, userID)
	if slackCode(err) == "user_not_found" {
		return nil, &incident.Error{Code: incident.ENOTFOUND, Message: fmt.Sprintf("There is no user %s in this workspace.", userID)}
	}
	if err != nil {
		return nil, c.classify("users.info", err)
	}
	return u, nil
}

// UserByEmail finds the workspace member with this email, one lookup per address (never a
// listing of the workspace), remembered for a minute.
func (c *Chat) UserByEmail(ctx context.Context, email string) (string, bool, error) {
	if email == "" {
		return "", false, nil
	}
	key := strings.ToLower(email)
	c.mu.Lock()
	if hit, ok := c.emails[key]; ok && time.Since(hit.at) < emailTTL {
		c.mu.Unlock()
		return hit.id, hit.id != "", nil
	}
	c.mu.Unlock()
	if err := c.Budget.take(ctx, "users.lookupByEmail", ""); err != nil {
		return "", false, err
	}
	u, err := c.API.GetUserByEmailContext(ctx, email)
	id := ""
	switch {
	case slackCode(err) == "users_not_found":
	case err != nil:
		return "", false, c.classify("users.lookupByEmail", err)
	default:
		id = u.ID
	}
	c.mu.Lock()
	if c.emails == nil {
		c.emails = map[string]emailHit{}
	}
	c.emails[key] = emailHit{id: id, at: time.Now()}
	c.mu.Unlock()
	return id, id != "", nil
}

// emailTTL is how long an email lookup is reused.
const emailTTL = time.Minute

type emailHit struct {
	id string
	at time.Time
}
