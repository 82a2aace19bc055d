// Package testenv holds in-process stand-ins for the services incidentbot talks to, built to
// behave like them (validation rules, error codes, rate limits) so that the real SDK
// clients can be pointed at them: a Slack Web API and Socket Mode emulator today. Tests and
// the demo use them.
package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Tokens the emulator accepts.
const (
	SlackBotToken = "xoxb-test-bot-token"
	SlackAppToken = "xapp-test-app-token"
	SlackBotUser  = "U0BOT"
	SlackTeam     = "T0TEAM"
)

// Slack emulates the parts of the Slack Web API and Socket Mode that incidentbot uses.
type Slack struct {
	srv *httptest.Server
	mu  sync.Mutex

	users        map[string]*SlackUser
	channels     map[string]*SlackChannel // by ID
	ephemeral    []SlackEphemeral
	views        []json.RawMessage
	homes        map[string]json.RawMessage // user -> the App Home view published for them
	triggers     map[string]time.Time       // trigger_id -> issued at
	calls        []SlackCall
	faults       map[string][]Fault
	outage       *Fault // every Web API call fails so while set (StartOutage)
	inflight     int    // Web API calls being answered
	peak         int    // the most answered at once since StartOutage
	latency      time.Duration
	slowness     map[string]time.Duration // per-method latency on top of latency
	nextID       int
	nextBookmark int
	tsSeq        int64
	limits       map[string]*window // per-method (and per-channel post) rate windows, when enforced
	limited      map[string]int     // calls answered 429 over their tier, by method
	enforce      bool
	socket       *socketHub
	responses    map[string]*responseURL // response_url path -> who it answers, and its uses
	now          func() time.Time
}

// SlackUser is a workspace member.
type SlackUser struct {
	ID, Name, Email string
}

// SlackChannel is a conversation and what happened in it.
type SlackChannel struct {
	ID, Name, Creator, Topic string
	Private, Archived        bool
	Members                  map[string]bool
	Messages                 []SlackMessage // oldest first
	Pins                     map[string]bool
	Bookmarks                []SlackBookmark // in the order they were added
}

// SlackMessage is a message as Slack stores it.
type SlackMessage struct {
	TS       string          `json:"ts"`
	User     string          `json:"user"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Edited   int             `json:"-"` // times chat.update changed it
}

// SlackEphemeral is a message only one user saw.
type SlackEphemeral struct {
	Channel, User, Text string
	Blocks              json.RawMessage
}

// SlackCall records one Web API call.
type SlackCall struct {
	Method string
	Params url.Values
	JSON   json.RawMessage
	At     time.Time
}

// Fault is a scripted failure for the next call of a method.
type Fault struct {
	Status     int    // HTTP status, such as 429 or 503; 0 means 200 with Error
	RetryAfter int    // seconds, sent as Retry-After with a 429
	Error      string // a Slack error code, sent as {"ok":false,"error":...}
}

// NewSlack starts an emulator with the bot user and two people, alice and bob.
func NewSlack() *Slack {
	s := &Slack{
		users:     map[string]*SlackUser{},
		channels:  map[string]*SlackChannel{},
		triggers:  map[string]time.Time{},
		homes:     map[string]json.RawMessage{},
		faults:    map[string][]Fault{},
		limits:    map[string]*window{},
		limited:   map[string]int{},
		slowness:  map[string]time.Duration{},
		responses: map[string]*responseURL{},
		now:       time.Now,
	}
	s.AddUser(SlackBotUser, "incidentbot", "")
	s.AddUser("U0ALICE", "alice", "alice@example.com")
	s.AddUser("U0BOB", "bob", "bob@example.com")
	s.socket = newSocketHub(s)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Start() // after s.srv is set: handlers read it (auth.test answers its URL)
	return s
}

// URL is the emulator's base URL.
func (s *Slack) URL() string { return s.srv.URL }

// APIURL is the value for slack.OptionAPIURL and SLACK_API_URL.
func (s *Slack) APIURL() string { return s.srv.URL + "/api/" }

// Close stops the emulator.
func (s *Slack) Close() {
	s.socket.closeAll()
	s.srv.Close()
}

// SetClock makes the emulator read time from now (for rate windows, trigger expiry and
// message timestamps), so tests on a fake clock see Slack's limits reset when they advance it.
func (s *Slack) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// AddUser adds a workspace member.
func (s *Slack) AddUser(id, name, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = &SlackUser{ID: id, Name: name, Email: email}
}

// AddChannel creates a channel owned by someone other than the bot (for name clashes and
// for commands typed outside incident channels) and returns its ID.
func (s *Slack) AddChannel(name string, members ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.newChannel(name, "U0ALICE", false)
	for _, m := range members {
		ch.Members[m] = true
	}
	return ch.ID
}

// SetLatency delays every Web API answer by d.
func (s *Slack) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetMethodLatency delays answers of one method by d, on top of SetLatency's delay. The
// call still takes effect if the caller gives up waiting, as a real one would.
func (s *Slack) SetMethodLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowness[method] = d
}

// EnforceRateLimits makes methods answer 429 beyond their tier's per-minute allowance.
func (s *Slack) EnforceRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enforce = on
}

// Fail scripts failures for the next calls of method, in order.
func (s *Slack) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// StartOutage makes every Web API call fail with f (a 503, or a 429 with its Retry-After)
// until EndOutage, as when Slack is down or throttling the workspace.
func (s *Slack) StartOutage(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage, s.peak = &f, s.inflight
}

// EndOutage ends StartOutage's failures and returns the most Web API calls that were
// answered at once meanwhile.
func (s *Slack) EndOutage() (peak int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = nil
	return s.peak
}

// ClearFaults drops every scripted failure not yet served.
func (s *Slack) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]Fault{}
}

// NewTriggerID issues a trigger_id valid for views.open for 3 seconds, as Slack's are.
func (s *Slack) NewTriggerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := fmt.Sprintf("%d.%d.trigger", s.nextID, s.now().UnixNano())
	s.triggers[id] = s.now()
	return id
}

// Calls returns the recorded calls of method ("" for all).
func (s *Slack) Calls(method string) []SlackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SlackCall
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// ChannelByName returns a copy of the named channel, or nil.
func (s *Slack) ChannelByName(name string) *SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.channels {
		if ch.Name == name {
			return ch.copy()
		}
	}
	return nil
}

// Channel returns a copy of the channel with the given ID, or nil.
func (s *Slack) Channel(id string) *SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := s.channels[id]; ch != nil {
		return ch.copy()
	}
	return nil
}

// Channels returns copies of every channel the bot created.
func (s *Slack) Channels() []*SlackChannel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*SlackChannel
	for i := 1; i <= s.nextID; i++ {
		if ch := s.channels[channelID(i)]; ch != nil && ch.Creator == SlackBotUser {
			out = append(out, ch.copy())
		}
	}
	return out
}

// Ephemerals returns the ephemeral messages sent so far.
func (s *Slack) Ephemerals() []SlackEphemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackEphemeral(nil), s.ephemeral...)
}

// Home returns the App Home view last published for user, as JSON, or nil.
func (s *Slack) Home(user string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.homes[user]
}

// Views returns the views opened so far, as JSON.
func (s *Slack) Views() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.views...)
}

func (c *SlackChannel) copy() *SlackChannel {
	cp := *c
	cp.Members = map[string]bool{}
	for k, v := range c.Members {
		cp.Members[k] = v
	}
	cp.Pins = map[string]bool{}
	for k, v := range c.Pins {
		cp.Pins[k] = v
	}
	cp.Messages = append([]SlackMessage(nil), c.Messages...)
	cp.Bookmarks = append([]SlackBookmark(nil), c.Bookmarks...)
	return &cp
}

func channelID(n int) string { return fmt.Sprintf("C%07d", n) }

func (s *Slack) newChannel(name, creator string, private bool) *SlackChannel {
	s.nextID++
	ch := &SlackChannel{ID: channelID(s.nextID), Name: name, Creator: creator, Private: private,
		Members: map[string]bool{creator: true}, Pins: map[string]bool{}}
	s.channels[ch.ID] = ch
	return ch
}

// serveHTTP routes /api/<method>, /socket (Socket Mode) and answers everything else 404.
func (s *Slack) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/socket" {
		s.socket.serve(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/hooks/") {
		s.serveResponseURL(w, r)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	call, token, err := s.readCall(method, r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	latency := s.latency + s.slowness[method]
	call.At = s.now()
	s.calls = append(s.calls, call)
	fault, faulted := s.nextFault(method)
	if s.outage != nil {
		fault, faulted = *s.outage, true
	}
	limited := s.overLimit(call)
	s.inflight++
	s.peak = max(s.peak, s.inflight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}()
	if latency > 0 {
		time.Sleep(latency)
	}
	switch {
	case limited > 0:
		w.Header().Set("Retry-After", fmt.Sprint(limited))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case faulted && fault.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", fmt.Sprint(fault.RetryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case faulted && fault.Status >= 300:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(fault.Status)
		io.WriteString(w, "<html><body>Slack is having trouble</body></html>")
		return
	case faulted:
		writeJSON(w, map[string]any{"ok": false, "error": fault.Error})
		return
	}
	if want := s.tokenFor(method); token != want {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	h, ok := slackMethods[method]
	if !ok {
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}
	s.mu.Lock()
	resp := h(s, call)
	s.mu.Unlock()
	writeJSON(w, resp)
}

func (s *Slack) tokenFor(method string) string {
	if method == "apps.connections.open" {
		return SlackAppToken
	}
	return SlackBotToken
}

// readCall parses a form or JSON request and finds its token (form field or bearer header).
func (s *Slack) readCall(method string, r *http.Request) (SlackCall, string, error) {
	call := SlackCall{Method: method}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return call, "", err
		}
		call.JSON = body
		call.Params = url.Values{}
		return call, token, nil
	}
	if err := r.ParseForm(); err != nil {
		return call, "", err
	}
	call.Params = r.Form
	if t := r.Form.Get("token"); t != "" {
		token = t
	}
	return call, token, nil
}

func (s *Slack) nextFault(method string) (Fault, bool) {
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[method] = q[1:]
	return q[0], true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func ok(fields map[string]any) map[string]any {
	fields["ok"] = true
	return fields
}

// Say posts a message as a person in a channel (for pins, reactions and shortcuts) and
// returns its ts.
func (s *Slack) Say(channel, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channel]
	m := SlackMessage{TS: s.nextTS(), User: user, Text: text}
	ch.Messages = append(ch.Messages, m)
	return m.TS
}
