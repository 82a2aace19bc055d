package testenv

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// SlackSigningSecret is the signing secret tests share with the bot.
const SlackSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// SignSlack computes X-Slack-Signature the way Slack does. It is written independently of
// the bot's verifier on purpose: a test oracle must not share code with what it checks.
func SignSlack(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SlackSender sends signed requests to the bot's HTTP endpoints, as Slack would.
type SlackSender struct {
	BaseURL string // the bot, such as http://127.0.0.1:8080
	Secret  string
	Client  *http.Client
	// Slack, when set, is the emulator that serves the commands' response_urls (answers
	// sent after the ack show up in its Ephemerals); nil: they point at hooks.slack.com.
	Slack *Slack
}

// Response is an answer from the bot.
type Response struct {
	Status int
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// requestSeq makes each request unique, as Slack's are (a trigger_id, an action_ts): the bot
// refuses a signed request it has already received.
var requestSeq atomic.Int64

func nextTrigger() string { return fmt.Sprintf("%d.4242.%x", requestSeq.Add(1), time.Now().UnixNano()) }

// Command sends a slash command /incident with text as user in channel; an empty triggerID
// gets a fresh one.
func (s *SlackSender) Command(user, channel, text, triggerID string) (Response, error) {
	if triggerID == "" {
		triggerID = nextTrigger()
	}
	form := url.Values{
		"token": {"deprecated-verification-token"}, "team_id": {SlackTeam}, "team_domain": {"test"},
		"channel_id": {channel}, "channel_name": {"x"}, "user_id": {user}, "user_name": {user},
		"command": {"/incident"}, "text": {text}, "api_app_id": {"A0APP"},
		"response_url": {"https://hooks.slack.com/commands/T0TEAM/1/x"}, "trigger_id": {triggerID},
	}
	if s.Slack != nil {
		form.Set("response_url", s.Slack.CommandResponseURL(user, channel))
	}
	return s.Post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// Interaction sends an interaction payload (block_actions, view_submission, ...).
func (s *SlackSender) Interaction(payload any) (Response, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Response{}, err
	}
	form := url.Values{"payload": {string(b)}}
	return s.Post("/slack/interactions", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// Event sends an Events API body.
func (s *SlackSender) Event(body any) (Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return Response{}, err
	}
	return s.Post("/slack/events", "application/json", b)
}

// Post sends body to path signed with the current time.
func (s *SlackSender) Post(path, contentType string, body []byte) (Response, error) {
	ts := time.Now().Unix()
	req, err := http.NewRequest(http.MethodPost, s.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", SignSlack(s.Secret, ts, body))
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Body: rb}, err
}

// BlockAction builds a block_actions payload for a click on a button carrying value.
func BlockAction(user, channel, actionID, value string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": SlackTeam},
		"channel":    map[string]any{"id": channel},
		"container":  map[string]any{"type": "message", "channel_id": channel},
		"trigger_id": nextTrigger(),
		"action_ts":  fmt.Sprintf("%d.%06d", time.Now().Unix(), requestSeq.Add(1)%1000000),
		"actions":    []map[string]any{{"type": "button", "action_id": actionID, "block_id": "card-actions", "value": value}},
	}
}

// BlockAction builds a block_actions payload with a response_url that the emulator answers:
// replies sent there show up in Ephemerals, as Slack shows them to the clicker alone.
func (s *Slack) BlockAction(user, channel, actionID, value string) map[string]any {
	s.mu.Lock()
	s.nextID++
	path := fmt.Sprintf("/hooks/actions/%s/%d/x", SlackTeam, s.nextID)
	s.responses[path] = &responseURL{channel: channel, user: user, created: time.Now()}
	s.mu.Unlock()
	p := BlockAction(user, channel, actionID, value)
	p["response_url"] = s.srv.URL + path
	return p
}

// A response_url takes up to 5 messages within 30 minutes, as Slack's do.
const (
	responseURLUses = 5
	responseURLLife = 30 * time.Minute
)

// responseURL is a response_url the emulator handed out: whom its messages go to, and how
// often it was used.
type responseURL struct {
	channel, user string
	created       time.Time
	uses          int
}

// CommandResponseURL returns a response_url for a slash command sent by user in channel,
// which the emulator serves: messages sent there show up in Ephemerals (or in the channel
// when in_channel), as Slack shows them.
func (s *Slack) CommandResponseURL(user, channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	path := fmt.Sprintf("/hooks/commands/%s/%d/x", SlackTeam, s.nextID)
	s.responses[path] = &responseURL{channel: channel, user: user, created: time.Now()}
	return s.srv.URL + path
}

// serveResponseURL takes a message posted to a response_url (JSON, up to 5 uses in Slack).
func (s *Slack) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text            string          `json:"text"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || (msg.Text == "" && len(msg.Blocks) == 0) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	who, ok := s.responses[r.URL.Path]
	if !ok || who.uses >= responseURLUses || time.Since(who.created) > responseURLLife {
		http.Error(w, "expired_url", http.StatusNotFound)
		return
	}
	who.uses++
	if msg.ResponseType == "in_channel" {
		if ch := s.channels[who.channel]; ch != nil {
			ch.Messages = append(ch.Messages, SlackMessage{TS: s.nextTS(), User: SlackBotUser, Text: msg.Text})
		}
	} else {
		s.ephemeral = append(s.ephemeral, SlackEphemeral{Channel: who.channel, User: who.user, Text: msg.Text, Blocks: msg.Blocks})
	}
	io.WriteString(w, "ok")
}
