package bot_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// postAt sends body to path signed with timestamp ts, as Slack would.
func (e *env) postAt(path, contentType string, body []byte, ts int64) testenv.Response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", testenv.SignSlack(testenv.SlackSigningSecret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return testenv.Response{Status: resp.StatusCode, Body: b}
}

// A signed request sent again byte for byte within the replay window is refused with 409
// and changes nothing, on every endpoint; the same command signed anew is served.
func TestReplayedRequestsAreRefused(t *testing.T) {
	e := newEnv(t)
	form := "application/x-www-form-urlencoded"
	ts := time.Now().Unix()
	declare := []byte(slashForm("U0ALICE", e.general, "declare P2 checkout slow").Encode())
	if resp := e.postAt("/slack/commands", form, declare, ts); resp.Status != 200 || !strings.Contains(string(resp.Body), "Declared *INC-1*") {
		t.Fatalf("first delivery: %d %s", resp.Status, resp.Body)
	}
	resp := e.postAt("/slack/commands", form, declare, ts)
	if resp.Status != http.StatusConflict || !strings.Contains(string(resp.Body), "replayed request") {
		t.Errorf("replayed command: %d %q, want 409 replayed request", resp.Status, resp.Body)
	}
	if n := e.incidents(); n != 1 {
		t.Errorf("%d incidents after a replayed declare, want 1", n)
	}

	chID := e.pinnedChannel("inc-1-checkout-slow")
	payload, _ := json.Marshal(testenv.BlockAction("U0ALICE", chID, "incident:note", "note replay me"))
	click := []byte(url.Values{"payload": {string(payload)}}.Encode())
	for i, want := range []int{200, http.StatusConflict} {
		if resp := e.postAt("/slack/interactions", form, click, ts); resp.Status != want {
			t.Errorf("click delivery %d: %d %s, want %d", i, resp.Status, resp.Body, want)
		}
	}
	event, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "EvReplay", "team_id": testenv.SlackTeam,
		"event": map[string]any{"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> note from a mention", "channel": chID, "ts": "1.2", "event_ts": "1.2"}})
	for i, want := range []int{200, http.StatusConflict} {
		if resp := e.postAt("/slack/events", "application/json", event, ts); resp.Status != want {
			t.Errorf("event delivery %d: %d %s, want %d", i, resp.Status, resp.Body, want)
		}
	}
	// An Events API retry is answered 200 even with the first attempt's signature, and
	// handled once all the same (event_id).
	retry, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/slack/events", bytes.NewReader(event))
	retry.Header.Set("Content-Type", "application/json")
	retry.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	retry.Header.Set("X-Slack-Signature", testenv.SignSlack(testenv.SlackSigningSecret, ts, event))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	if resp, err := http.DefaultClient.Do(retry); err != nil || resp.StatusCode != 200 {
		t.Errorf("an event retry with the first signature: %v %v, want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	// Signed anew (Slack's own retries carry a new timestamp), the command is a new request.
	if resp := e.postAt("/slack/commands", form, declare, ts+1); resp.Status != 200 {
		t.Errorf("the same command signed anew: %d %s", resp.Status, resp.Body)
	}
	e.bot.Wait()
	notes := 0
	for _, ev := range e.sys.Events(1) {
		if ev.Kind == incident.EventNote {
			notes++
		}
	}
	if notes != 2 {
		t.Errorf("%d notes, want 2 (one click, one mention)", notes)
	}
}
