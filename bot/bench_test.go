package bot_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

var benchTriggers int

// signedCommand builds a signed slash command request as Slack sends it, each with its own
// trigger_id (a request sent twice is refused as a replay).
func signedCommand(user, channel, text string) *http.Request {
	benchTriggers++
	body := url.Values{"team_id": {testenv.SlackTeam}, "channel_id": {channel}, "user_id": {user},
		"command": {"/incident"}, "text": {text}, "trigger_id": {fmt.Sprintf("%d.2.3", benchTriggers)}}.Encode()
	ts := time.Now().Unix()
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", testenv.SignSlack(testenv.SlackSigningSecret, ts, []byte(body)))
	return r
}

// BenchmarkSlashAck measures a signed slash command through the HTTP handler to committed
// state (verify, parse, one SQLite transaction with the event and the outbox rows, answer).
// The outbox is not running, so only the ack path is measured.
func BenchmarkSlashAck(b *testing.B) {
	e := newEnvWith(b, false)
	handler := e.srv.Config.Handler
	b.Run("declare", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, signedCommand("U0ALICE", e.general, "declare P2 api-gateway checkout latency"))
			if w.Code != 200 || !strings.Contains(w.Body.String(), "Declared") {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	// A note in an incident channel: the commonest command during an incident.
	e.sys.Do("U0ALICE", e.general, "declare P2 bench")
	e.sys.Deliver()
	ch := e.slack.ChannelByName("inc-" + fmt.Sprint(lastNumber(e)) + "-bench").ID
	b.Run("note", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, signedCommand("U0BOB", ch, "note p99 is back under 300ms"))
			if w.Code != 200 || !strings.Contains(w.Body.String(), "Noted") {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

func lastNumber(e *env) int { return e.incidents() }

// BenchmarkDeclareCriticalPath measures, with 50 ms of latency on every emulated Slack call
// and PagerDuty configured (each declare pages the roles and looks up who is on call), the
// time from the declare request to the channel existing with its card posted, its topic set
// and the declarer invited. The floor is two round trips: create the channel, then the rest
// in parallel. Figures: ms/declare, p99 and the mean's ratio to the 100 ms floor.
//
// lone: each declare waits (untimed) until the outbox has nothing left to do for the one
// before. back-to-back: a declare every 100 ms, while the earlier incidents' follow-on
// effects (on-call lookups, card updates, invites, pins, announcements) are still running.
func BenchmarkDeclareCriticalPath(b *testing.B) {
	b.Run("lone", func(b *testing.B) { benchCriticalPath(b, 0) })
	b.Run("back-to-back", func(b *testing.B) { benchCriticalPath(b, 100*time.Millisecond) })
}

// benchCriticalPath declares b.N incidents, every `every` (0: each once the previous one's
// effects are all delivered), and reports how long each took to reach its critical path.
func benchCriticalPath(b *testing.B, every time.Duration) {
	const latency = 50 * time.Millisecond
	// On the wall clock, as serve runs: an effect that waits (for its channel, say) is tried
	// again 250 ms later, which a stopped test clock would never reach.
	wall := func(s *testenv.Setup) { s.Deps.Clock = incident.SystemClock{} }
	e := newEnv(b, testenv.WithPagerDuty(), wall)
	e.slack.SetLatency(latency)
	samples := make([]time.Duration, b.N)
	done := make(chan int, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if every > 0 {
			time.Sleep(time.Until(time.Now().Truncate(every).Add(every)))
		} else if i > 0 {
			b.StopTimer()
			e.waitFor("the outbox to settle", func() bool { return settled(e, int64(i)) })
			b.StartTimer()
		}
		// The declare is acked before the next one is sent, so incident i+1 is the i-th.
		start := time.Now()
		resp, err := e.sender.Command("U0ALICE", e.general, fmt.Sprintf("declare P1 critical path %d", i), "")
		if err != nil || resp.Status != 200 {
			b.Fatal(err, resp.Status)
		}
		go func(i int) {
			name := fmt.Sprintf("inc-%d-critical-path-%d", i+1, i)
			for {
				ch := e.slack.ChannelByName(name)
				if ch != nil && len(ch.Messages) > 0 && ch.Topic != "" && ch.Members["U0ALICE"] {
					break
				}
				time.Sleep(200 * time.Microsecond)
			}
			samples[i] = time.Since(start)
			done <- i
		}(i)
		if every == 0 {
			<-done
		}
	}
	if every > 0 {
		for range b.N {
			<-done
		}
	}
	b.StopTimer()
	var total time.Duration
	for _, d := range samples {
		total += d
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	mean := total / time.Duration(b.N)
	b.ReportMetric(float64(mean.Microseconds())/1000, "ms/declare")
	b.ReportMetric(float64(samples[len(samples)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(mean)/float64(2*latency), "x-floor")
}

// settled reports whether the outbox has delivered every effect of incident id that is due
// (timers and retries for later do not count).
func settled(e *env, id int64) bool {
	now := time.Now()
	for _, f := range e.sys.Effects(id) {
		if f.State == incident.EffectInflight || (f.State == incident.EffectPending && !f.NextAttemptAt.After(now)) {
			return false
		}
	}
	return true
}

// testRepeatWindow is past incident.RepeatWindow: a declaration after it reads none before.
const testRepeatWindow = 31 * time.Second

// BenchmarkSlashAckHistory is BenchmarkSlashAck on a database holding 100 and then 10,000
// earlier incidents (10 timeline events each), in the same run: the ack of a declaration,
// of a note and of a page in an incident channel does no work that grows with the history,
// so the figures at 10,000 are those at 100.
//
//	go test -run '^$' -bench BenchmarkSlashAckHistory -benchtime 200x ./bot/
func BenchmarkSlashAckHistory(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		e := newEnvWith(b, false, testenv.WithPagerDuty())
		testenv.SeedHistory(b, e.sys.Store, e.sys.Clock.Now().Add(-time.Hour), n, 10*n)
		handler := e.srv.Config.Handler
		ack := func(b *testing.B, channel, text, want string) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, signedCommand("U0ALICE", channel, text))
				if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		}
		b.Run(fmt.Sprintf("declare/%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				e.sys.Clock.Advance(testRepeatWindow) // each outside the previous one's repeat window
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, signedCommand("U0ALICE", e.general, fmt.Sprintf("declare P2 api-gateway checkout latency %d", i)))
				if w.Code != 200 || !strings.Contains(w.Body.String(), "Declared") {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
		e.sys.Do("U0ALICE", e.general, "declare P2 bench")
		e.sys.Deliver()
		ch := e.slack.ChannelByName(fmt.Sprintf("inc-%d-bench", lastNumber(e))).ID
		b.Run(fmt.Sprintf("note/%d", n), func(b *testing.B) { ack(b, ch, "note p99 is back under 300ms", "Noted") })
		b.Run(fmt.Sprintf("page/%d", n), func(b *testing.B) { ack(b, ch, "page ic checkout is down", "Paging") })
	}
}
