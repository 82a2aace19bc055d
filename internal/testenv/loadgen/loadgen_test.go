package loadgen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// OpenLoop sends rate×duration requests whatever their latency, and the percentiles come
// from the 200 answers only.
func TestOpenLoopKeepsTheRate(t *testing.T) {
	start := time.Now()
	res := OpenLoop(100, 300*time.Millisecond, func(i int) (string, time.Duration) {
		if i%10 == 9 {
			return "503", time.Second
		}
		time.Sleep(50 * time.Millisecond) // slower than the interval: open loop does not wait
		return "200", time.Duration(i+1) * time.Millisecond
	})
	if res.Sent != 30 || res.Statuses["200"] != 27 || res.Statuses["503"] != 3 || res.Errors() != 3 {
		t.Fatalf("sent %d, statuses %v, errors %d; want 30, 27 and 3", res.Sent, res.Statuses, res.Errors())
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("30 requests of 50ms at 100/s took %s: the sender waited for the answers", took)
	}
	if p := res.Percentile(1); p != 29*time.Millisecond {
		t.Errorf("max %s, want 29ms (the slow 503s do not count)", p)
	}
	if p := res.Percentile(0); p != time.Millisecond {
		t.Errorf("min %s, want 1ms", p)
	}
	if (Result{}).Percentile(0.5) != 0 {
		t.Error("no answers: want a percentile of 0")
	}
}

// SlashCommand signs as Slack does (checked with testenv's independent signer) and gives
// each request its own trigger_id.
func TestSlashCommandIsSigned(t *testing.T) {
	var (
		mu       sync.Mutex
		triggers = map[string]bool{}
		bad      []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
		form, _ := url.ParseQuery(string(raw))
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Header.Get("X-Slack-Signature") != testenv.SignSlack("secret", ts, raw):
			bad = append(bad, "signature")
		case r.URL.Path != "/slack/commands" || form.Get("text") != "note hi" || form.Get("channel_id") != "C0001" || form.Get("user_id") != "U0ALICE":
			bad = append(bad, string(raw))
		}
		triggers[form.Get("trigger_id")] = true
	}))
	defer srv.Close()
	for i := 0; i < 2; i++ {
		if status, _ := SlashCommand(srv.Client(), srv.URL, "secret", "C0001", "U0ALICE", "note hi", i); status != "200" {
			t.Fatalf("status %s", status)
		}
	}
	if len(bad) > 0 {
		t.Errorf("bad requests: %v", bad)
	}
	if len(triggers) != 2 {
		t.Errorf("%d distinct trigger_ids in 2 requests", len(triggers))
	}
}
