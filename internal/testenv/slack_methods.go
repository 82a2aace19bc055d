package testenv

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// slackMethods are the emulated Web API methods. They run with s.mu held.
var slackMethods = map[string]func(*Slack, SlackCall) map[string]any{
	"auth.test":              (*Slack).authTest,
	"conversations.create":   (*Slack).conversationsCreate,
	"conversations.setTopic": (*Slack).conversationsSetTopic,
	"conversations.invite":   (*Slack).conversationsInvite,
	"conversations.list":     (*Slack).conversationsList,
	"conversations.history":  (*Slack).conversationsHistory,
	"conversations.info":     (*Slack).conversationsInfo,
	"chat.postMessage":       (*Slack).chatPostMessage,
	"chat.update":            (*Slack).chatUpdate,
	"chat.postEphemeral":     (*Slack).chatPostEphemeral,
	"pins.add":               (*Slack).pinsAdd,
	"views.open":             (*Slack).viewsOpen,
	"views.publish":          (*Slack).viewsPublish,
	"users.info":             (*Slack).usersInfo,
	"users.lookupByEmail":    (*Slack).usersLookupByEmail,
	"chat.getPermalink":      (*Slack).chatGetPermalink,
	"apps.connections.open":  (*Slack).appsConnectionsOpen,
	"bookmarks.add":          (*Slack).bookmarksAdd,
	"bookmarks.edit":         (*Slack).bookmarksEdit,
	"bookmarks.list":         (*Slack).bookmarksList,
}

// rateTiers are the per-minute allowances of Slack's tiers for the emulated methods.
var rateTiers = map[string]int{
	"conversations.create": 20, "conversations.setTopic": 20, "pins.add": 20,
	"conversations.invite": 50, "chat.update": 50, "conversations.history": 50, "conversations.list": 20,
	"chat.postEphemeral": 100, "views.open": 100, "views.publish": 100, "auth.test": 100,
	"users.lookupByEmail": 50, "users.info": 100, "conversations.info": 50,
	"bookmarks.add": 20, "bookmarks.edit": 20, "bookmarks.list": 50,
	// chat.postMessage: about one a second in each channel (postsPerChannel), and several
	// hundred a minute in the workspace.
	"chat.postMessage": 300,
}

// postsPerChannel is chat.postMessage's allowance in one channel, a minute: one a second
// on average, short bursts allowed.
const postsPerChannel = 60

type window struct {
	start time.Time
	count int
}

// overLimit counts a call against its method's minute and returns the seconds to wait when
// it is over the allowance, or 0.
// A call over it is counted in RateLimited. chat.postMessage counts against its channel's
// minute too.
func (s *Slack) overLimit(call SlackCall) int {
	limit, ok := rateTiers[call.Method]
	if !s.enforce || !ok {
		return 0
	}
	wait := s.countCall(call.Method, limit)
	if call.Method == "chat.postMessage" {
		if ch := call.Params.Get("channel"); ch != "" {
			wait = max(wait, s.countCall(call.Method+" "+ch, postsPerChannel))
		}
	}
	if wait > 0 {
		s.limited[call.Method]++
	}
	return wait
}

// countCall counts a call in key's minute and returns the seconds to wait when it is over
// limit, or 0.
func (s *Slack) countCall(key string, limit int) int {
	now := s.now()
	w := s.limits[key]
	if w == nil || now.Sub(w.start) >= time.Minute {
		w = &window{start: now}
		s.limits[key] = w
	}
	w.count++
	if w.count > limit {
		return int(time.Minute-now.Sub(w.start))/int(time.Second) + 1
	}
	return 0
}

// RateLimited returns how many calls of method ("" for all) were answered 429 because they
// went over their tier (EnforceRateLimits), not counting scripted faults.
func (s *Slack) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		return s.limited[method]
	}
	n := 0
	for _, c := range s.limited {
		n += c
	}
	return n
}

func (s *Slack) authTest(SlackCall) map[string]any {
	return ok(map[string]any{"url": s.srv.URL + "/", "team": "Test Team", "user": "incidentbot",
		"team_id": SlackTeam, "user_id": SlackBotUser, "bot_id": "B0BOT"})
}

var channelNameChars = regexp.MustCompile(`^[a-z0-9_-]+$`)

func (s *Slack) conversationsCreate(c SlackCall) map[string]any {
	name := c.Params.Get("name")
	switch {
	case name == "":
		return fail("invalid_name_required")
	case utf8.RuneCountInString(name) > 80:
		return fail("invalid_name_maxlength")
	case strings.Trim(name, "-_") == "":
		return fail("invalid_name_punctuation")
	case !channelNameChars.MatchString(name):
		return fail("invalid_name_specials")
	}
	for _, ch := range s.channels {
		if ch.Name == name {
			return fail("name_taken")
		}
	}
	ch := s.newChannel(name, SlackBotUser, c.Params.Get("is_private") == "true")
	return ok(map[string]any{"channel": s.channelJSON(ch)})
}

func (s *Slack) channelJSON(ch *SlackChannel) map[string]any {
	return map[string]any{"id": ch.ID, "name": ch.Name, "is_channel": !ch.Private, "is_group": false,
		"is_private": ch.Private, "is_archived": ch.Archived, "creator": ch.Creator,
		"is_member": ch.Members[SlackBotUser], "created": 1700000000,
		"topic": map[string]any{"value": ch.Topic}}
}

// botChannel finds a channel the bot can act in, or returns the error Slack would.
func (s *Slack) botChannel(id string) (*SlackChannel, string) {
	ch := s.channels[id]
	switch {
	case ch == nil, ch.Private && !ch.Members[SlackBotUser]:
		return nil, "channel_not_found"
	case ch.Archived:
		return nil, "is_archived"
	case !ch.Members[SlackBotUser]:
		return nil, "not_in_channel"
	}
	return ch, ""
}

func (s *Slack) conversationsSetTopic(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	topic := c.Params.Get("topic")
	if utf8.RuneCountInString(topic) > 250 {
		return fail("too_long")
	}
	ch.Topic = topic
	return ok(map[string]any{"channel": s.channelJSON(ch)})
}

func (s *Slack) conversationsInvite(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	users := strings.Split(c.Params.Get("users"), ",")
	if len(users) == 0 || users[0] == "" {
		return fail("no_user")
	}
	if len(users) > 1000 {
		return fail("too_many_users")
	}
	for _, u := range users {
		switch {
		case u == SlackBotUser:
			return fail("cant_invite_self")
		case s.users[u] == nil:
			return fail("user_not_found")
		}
	}
	if len(users) == 1 && ch.Members[users[0]] {
		return fail("already_in_channel")
	}
	for _, u := range users {
		ch.Members[u] = true
	}
	return ok(map[string]any{"channel": s.channelJSON(ch)})
}

func (s *Slack) conversationsList(c SlackCall) map[string]any {
	limit, _ := strconv.Atoi(c.Params.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	start, _ := strconv.Atoi(c.Params.Get("cursor"))
	types := c.Params.Get("types")
	var ids []string
	for id, ch := range s.channels {
		visible := !ch.Private || ch.Members[SlackBotUser]
		wantPublic := types == "" || strings.Contains(types, "public_channel")
		wantPrivate := strings.Contains(types, "private_channel")
		typeOK := ch.Private && wantPrivate || !ch.Private && wantPublic
		if visible && typeOK && !(ch.Archived && c.Params.Get("exclude_archived") == "true") {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var out []map[string]any
	next := ""
	for i := start; i < len(ids); i++ {
		if len(out) == limit {
			next = strconv.Itoa(i)
			break
		}
		out = append(out, s.channelJSON(s.channels[ids[i]]))
	}
	return ok(map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": next}})
}

func (s *Slack) conversationsInfo(c SlackCall) map[string]any {
	ch := s.channels[c.Params.Get("channel")]
	if ch == nil || ch.Private && !ch.Members[SlackBotUser] {
		return fail("channel_not_found")
	}
	return ok(map[string]any{"channel": s.channelJSON(ch)})
}

func (s *Slack) conversationsHistory(c SlackCall) map[string]any {
	ch := s.channels[c.Params.Get("channel")]
	if ch == nil || !ch.Members[SlackBotUser] {
		return fail("channel_not_found")
	}
	limit, _ := strconv.Atoi(c.Params.Get("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	withMeta := c.Params.Get("include_all_metadata") == "1" || c.Params.Get("include_all_metadata") == "true"
	latest, inclusive := c.Params.Get("latest"), c.Params.Get("inclusive") == "1" || c.Params.Get("inclusive") == "true"
	var out []SlackMessage
	for i := len(ch.Messages) - 1; i >= 0 && len(out) < limit; i-- {
		m := ch.Messages[i]
		if latest != "" && (m.TS > latest || (m.TS == latest && !inclusive)) {
			continue
		}
		if !withMeta {
			m.Metadata = nil
		}
		out = append(out, m)
	}
	return ok(map[string]any{"messages": out, "has_more": len(ch.Messages) > limit})
}

func (s *Slack) nextTS() string {
	s.tsSeq++
	now := s.now()
	return fmt.Sprintf("%d.%06d", now.Unix(), s.tsSeq%1000000)
}

// checkMessage applies Slack's rules on message content: some text or blocks, text of at
// most 40,000 characters (msg_too_long), blocks within Block Kit's limits (invalid_blocks,
// with the reason in response_metadata as Slack gives it).
func checkMessage(text, blocks string) map[string]any {
	if text == "" && blocks == "" {
		return fail("no_text")
	}
	if utf8.RuneCountInString(text) > MaxMessageText {
		return fail("msg_too_long")
	}
	if blocks != "" {
		if why := checkBlocks([]byte(blocks), MaxMessageBlocks); why != "" {
			return failWhy("invalid_blocks", why)
		}
	}
	return nil
}

// failWhy is Slack's answer to a refused call with the reason it gives.
func failWhy(code, why string) map[string]any {
	m := fail(code)
	m["response_metadata"] = map[string]any{"messages": []string{"[ERROR] " + why}}
	return m
}

func (s *Slack) chatPostMessage(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	if refused := checkMessage(c.Params.Get("text"), c.Params.Get("blocks")); refused != nil {
		return refused
	}
	m := SlackMessage{TS: s.nextTS(), User: SlackBotUser, Text: c.Params.Get("text")}
	if b := c.Params.Get("blocks"); b != "" {
		m.Blocks = json.RawMessage(b)
	}
	if md := c.Params.Get("metadata"); md != "" {
		m.Metadata = json.RawMessage(md)
	}
	ch.Messages = append(ch.Messages, m)
	return ok(map[string]any{"channel": ch.ID, "ts": m.TS, "message": m})
}

func (s *Slack) chatUpdate(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	if refused := checkMessage(c.Params.Get("text"), c.Params.Get("blocks")); refused != nil {
		return refused
	}
	for i := range ch.Messages {
		m := &ch.Messages[i]
		if m.TS != c.Params.Get("ts") {
			continue
		}
		if m.User != SlackBotUser {
			return fail("cant_update_message")
		}
		m.Text = c.Params.Get("text")
		if b := c.Params.Get("blocks"); b != "" {
			m.Blocks = json.RawMessage(b)
		}
		m.Edited++
		return ok(map[string]any{"channel": ch.ID, "ts": m.TS, "text": m.Text})
	}
	return fail("message_not_found")
}

func (s *Slack) chatPostEphemeral(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	user := c.Params.Get("user")
	if s.users[user] == nil {
		return fail("user_not_found")
	}
	if !ch.Members[user] {
		return fail("user_not_in_channel")
	}
	if refused := checkMessage(c.Params.Get("text"), c.Params.Get("blocks")); refused != nil {
		return refused
	}
	s.ephemeral = append(s.ephemeral, SlackEphemeral{Channel: ch.ID, User: user, Text: c.Params.Get("text"), Blocks: json.RawMessage(c.Params.Get("blocks"))})
	return ok(map[string]any{"message_ts": s.nextTS()})
}

func (s *Slack) pinsAdd(c SlackCall) map[string]any {
	ch, errc := s.botChannel(c.Params.Get("channel"))
	if errc != "" {
		return fail(errc)
	}
	ts := c.Params.Get("timestamp")
	found := false
	for _, m := range ch.Messages {
		found = found || m.TS == ts
	}
	switch {
	case !found:
		return fail("message_not_found")
	case ch.Pins[ts]:
		return fail("already_pinned")
	}
	ch.Pins[ts] = true
	return ok(map[string]any{})
}

func (s *Slack) viewsOpen(c SlackCall) map[string]any {
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			Type   string                `json:"type"`
			Title  struct{ Text string } `json:"title"`
			Blocks json.RawMessage       `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal(c.JSON, &req); err != nil {
		return fail("invalid_arguments")
	}
	issued, known := s.triggers[req.TriggerID]
	switch {
	case !known:
		return fail("invalid_trigger_id")
	case s.now().Sub(issued) > 3*time.Second:
		return fail("expired_trigger_id")
	case req.View.Type != "modal", utf8.RuneCountInString(req.View.Title.Text) > 24:
		return fail("invalid_arguments")
	}
	if why := checkBlocks(req.View.Blocks, MaxViewBlocks); why != "" {
		return failWhy("invalid_arguments", why)
	}
	delete(s.triggers, req.TriggerID)
	s.views = append(s.views, c.JSON)
	return ok(map[string]any{"view": map[string]any{"id": fmt.Sprintf("V%07d", len(s.views))}})
}

// viewsPublish sets a user's App Home tab, as views.publish does: the view must be a home
// tab of at most 100 blocks, for a user who exists.
func (s *Slack) viewsPublish(c SlackCall) map[string]any {
	var req struct {
		UserID string `json:"user_id"`
		View   struct {
			Type   string          `json:"type"`
			Blocks json.RawMessage `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal(c.JSON, &req); err != nil {
		return fail("invalid_arguments")
	}
	switch {
	case s.users[req.UserID] == nil:
		return fail("user_not_found")
	case req.View.Type != "home":
		return fail("invalid_arguments")
	}
	if why := checkBlocks(req.View.Blocks, MaxViewBlocks); why != "" {
		return failWhy("invalid_arguments", why)
	}
	s.homes[req.UserID] = c.JSON
	return ok(map[string]any{"view": map[string]any{"id": "VHOME" + req.UserID, "type": "home"}})
}

func (s *Slack) usersInfo(c SlackCall) map[string]any {
	u := s.users[c.Params.Get("user")]
	if u == nil {
		return fail("user_not_found")
	}
	return ok(map[string]any{"user": map[string]any{"id": u.ID, "name": u.Name, "profile": map[string]any{"email": u.Email}}})
}

func (s *Slack) usersLookupByEmail(c SlackCall) map[string]any {
	email := strings.ToLower(c.Params.Get("email"))
	if email == "" {
		return fail("invalid_email")
	}
	for _, u := range s.users {
		if u.Email != "" && strings.ToLower(u.Email) == email {
			return ok(map[string]any{"user": map[string]any{"id": u.ID, "name": u.Name, "profile": map[string]any{"email": u.Email}}})
		}
	}
	return fail("users_not_found")
}

func (s *Slack) chatGetPermalink(c SlackCall) map[string]any {
	ch := s.channels[c.Params.Get("channel")]
	if ch == nil {
		return fail("channel_not_found")
	}
	ts := c.Params.Get("message_ts")
	for _, m := range ch.Messages {
		if m.TS == ts {
			return ok(map[string]any{"channel": ch.ID, "permalink": fmt.Sprintf("https://test.slack.com/archives/%s/p%s", ch.ID, strings.ReplaceAll(ts, ".", ""))})
		}
	}
	return fail("message_not_found")
}

func (s *Slack) appsConnectionsOpen(SlackCall) map[string]any {
	return ok(map[string]any{"url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket"})
}
