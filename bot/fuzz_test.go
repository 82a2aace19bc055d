package bot_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// signedPoster sends correctly signed requests straight to a handler, each with its own
// timestamp and never the same body twice (so replay protection does not interfere).
type signedPoster struct {
	mu   sync.Mutex
	n    int64
	seen map[string]bool
}

// post signs body and serves it with h; ok is false for a body already sent.
func (p *signedPoster) post(h http.HandlerFunc, path, contentType string, body []byte) (rec *httptest.ResponseRecorder, ok bool) {
	p.mu.Lock()
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	dup := p.seen[string(body)]
	p.seen[string(body)], p.n = true, p.n+1
	ts := strconv.FormatInt(time.Now().Unix()-p.n%120, 10)
	p.mu.Unlock()
	if dup {
		return nil, false
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", bot.SignatureHeader(testenv.SlackSigningSecret, ts, body))
	rec = httptest.NewRecorder()
	h(rec, req)
	return rec, true
}

func seedJSON(f *testing.F, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
}

// FuzzInteraction posts signed interaction payloads (button clicks, form submissions,
// message shortcuts) to /slack/interactions. Properties: no panic, in the handler or in
// the work it leaves for after the answer; the answer is 200 or 400, never a 5xx; a payload
// that is not JSON is 400.
func FuzzInteraction(f *testing.F) {
	e := newEnvWith(f, false)
	h := &bot.HTTP{Bot: e.bot, Verifier: bot.Verifier{Secret: testenv.SlackSigningSecret}}
	seedJSON(f, testenv.BlockAction("U0ALICE", e.general, "incident:resolve", "resolve"))
	seedJSON(f, testenv.BlockAction("U0ALICE", e.general, "incident:note", "note \x1b[31mhi\u202e"))
	seedJSON(f, map[string]any{"type": "view_submission", "user": map[string]any{"id": "U0ALICE"},
		"view": map[string]any{"callback_id": "declare", "state": map[string]any{"values": map[string]any{}}}})
	seedJSON(f, map[string]any{"type": "message_action", "callback_id": "capture", "user": map[string]any{"id": "U0BOB"},
		"channel": map[string]any{"id": e.general}, "message": map[string]any{"ts": "1.2"}})
	for _, s := range []string{"null", "{}", `{"type":"block_actions"}`, `{"type":"block_actions","actions":[]}`, `{"type":`, ""} {
		f.Add(s)
	}
	var p signedPoster
	f.Fuzz(func(t *testing.T, payload string) {
		body := []byte(url.Values{"payload": {payload}}.Encode())
		rec, ok := p.post(h.Interactions, "/slack/interactions", "application/x-www-form-urlencoded", body)
		if !ok {
			return
		}
		e.bot.Wait() // the work after the answer, so a panic there is this input's
		switch {
		case rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest:
			t.Fatalf("payload %q: status %d: %s", payload, rec.Code, rec.Body)
		case !json.Valid([]byte(payload)) && rec.Code != http.StatusBadRequest:
			t.Fatalf("payload %q is not JSON: status %d", payload, rec.Code)
		}
	})
}

// FuzzEvent posts signed Events API bodies to /slack/events. Properties: no panic; the
// answer is 200 or 400, never a 5xx; a body that is not JSON is 400; a URL verification
// with a challenge is answered with exactly the challenge.
func FuzzEvent(f *testing.F) {
	e := newEnvWith(f, false)
	h := &bot.HTTP{Bot: e.bot, Verifier: bot.Verifier{Secret: testenv.SlackSigningSecret}}
	seedJSON(f, map[string]any{"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
	callback := func(event map[string]any) map[string]any {
		return map[string]any{"type": "event_callback", "team_id": testenv.SlackTeam, "api_app_id": "A0APP", "event_id": "Ev1", "event_time": 1, "event": event}
	}
	seedJSON(f, callback(map[string]any{"type": "app_mention", "user": "U0ALICE", "channel": e.general, "text": "<@" + testenv.SlackBotUser + "> status", "ts": "1.1"}))
	seedJSON(f, callback(map[string]any{"type": "reaction_added", "user": "U0BOB", "reaction": "pushpin", "item": map[string]any{"type": "message", "channel": e.general, "ts": "1.1"}}))
	seedJSON(f, callback(map[string]any{"type": "pin_added", "user": "U0BOB", "channel_id": e.general, "item": map[string]any{"type": "message", "message": map[string]any{"ts": "1.1", "text": "x"}}}))
	seedJSON(f, callback(map[string]any{"type": "app_home_opened", "user": "U0BOB", "tab": "home"}))
	for _, s := range []string{"null", "{}", `{"type":"url_verification"}`, `{"type":"event_callback"}`, `{"type":"event_callback","event":null}`, `{"type":`, ""} {
		f.Add(s)
	}
	var p signedPoster
	f.Fuzz(func(t *testing.T, body string) {
		rec, ok := p.post(h.Events, "/slack/events", "application/json", []byte(body))
		if !ok {
			return
		}
		e.bot.Wait()
		switch {
		case rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest:
			t.Fatalf("body %q: status %d: %s", body, rec.Code, rec.Body)
		case !json.Valid([]byte(body)) && rec.Code != http.StatusBadRequest:
			t.Fatalf("body %q is not JSON: status %d", body, rec.Code)
		}
		var uv struct{ Type, Challenge string }
		if rec.Code == http.StatusOK && json.Unmarshal([]byte(body), &uv) == nil && uv.Type == "url_verification" && uv.Challenge != "" && rec.Body.String() != uv.Challenge {
			t.Fatalf("challenge %q answered with %q", uv.Challenge, rec.Body)
		}
	})
}
