package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/testenv/patroni"
)

// unavailableAnswer is what a command refused while the database has no primary says.
const unavailableAnswer = "database is unavailable"

// One command sent during the failover and how it was answered.
type failoverCall struct {
	n                int
	sent, answered   time.Time
	status           int
	text             string
	err              error
	acked, refused   bool
	onTimeline, dups int
}

// The bot's own database fails over: two replicas of the real binary on a Patroni pair,
// signed notes sent every 150 ms to alternating replicas while the primary is killed.
// Every command is answered within Slack's 3 s, acked or refused as unavailable; the
// replicas reach the new primary by themselves; every acked note is on the timeline once
// and the chain verifies.
func TestServeSurvivesDatabaseFailover(t *testing.T) {
	cluster := patroni.Start(t)
	emu := testenv.NewSlack()
	t.Cleanup(emu.Close)
	general := emu.AddChannel("general", "U0ALICE", "U0BOB", testenv.SlackBotUser)
	env := serveEnv(emu, filepath.Join(t.TempDir(), "unused.db"), "INCIDENTBOT_DATABASE_URL="+cluster.URL())
	replicas := []*proc{startServe(t, env), startServe(t, env)}
	if got := slash(t, replicas[0], "U0ALICE", general, "declare P1 primary database failover drill"); !strings.Contains(got, "INC-1") {
		t.Fatalf("declare: %q", got)
	}
	var ch *testenv.SlackChannel
	waitFor(t, "the incident's channel", func() bool {
		ch = emu.ChannelByName("inc-1-primary-database-failover-drill")
		return ch != nil && len(ch.Pins) == 1
	})

	client := &http.Client{Timeout: 10 * time.Second} // longer than Slack waits: a slow answer shows
	var (
		mu    sync.Mutex
		calls []*failoverCall
		wg    sync.WaitGroup
	)
	send := func(n int) {
		defer wg.Done()
		p := replicas[n%2]
		s := &testenv.SlackSender{BaseURL: p.url(), Secret: testenv.SlackSigningSecret, Client: client}
		c := &failoverCall{n: n, sent: time.Now()}
		resp, err := s.Command("U0ALICE", ch.ID, fmt.Sprintf("note drill-%04d.", n), "")
		c.answered, c.err = time.Now(), err
		if err == nil {
			c.status = resp.Status
			var body struct{ Text string }
			if len(resp.Body) > 0 && resp.JSON(&body) == nil {
				c.text = body.Text
			} else {
				c.text = string(resp.Body)
			}
		}
		c.acked = c.status == 200 && strings.Contains(c.text, "Noted")
		c.refused = c.status == 200 && strings.Contains(c.text, unavailableAnswer)
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
	}
	stream := func(d time.Duration, n *int) {
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(150 * time.Millisecond) {
			*n++
			wg.Add(1)
			go send(*n)
		}
	}
	n := 0
	stream(2*time.Second, &n)
	killed := cluster.KillLeader()
	done := make(chan struct{})
	go func() { defer close(done); stream(2*time.Second, &n) }()
	leader := cluster.WaitNewLeader(30 * time.Second)
	elected := time.Since(cluster.KilledAt())
	<-done
	stream(10*time.Second, &n) // well past the new primary
	wg.Wait()
	kill := cluster.KilledAt()

	slices.SortFunc(calls, func(a, b *failoverCall) int { return a.n - b.n })
	out, code := run(t, env, "timeline", "show", "INC-1")
	if code != 0 {
		t.Fatalf("timeline show: exit %d\n%s", code, out)
	}
	var acked, refused, lost, refusedButKept, midCommit int
	var slowest time.Duration
	var firstAfter time.Time
	var ackTimes []time.Time
	for _, c := range calls {
		took := c.answered.Sub(c.sent)
		slowest = max(slowest, took)
		c.onTimeline = strings.Count(out, fmt.Sprintf("drill-%04d.", c.n))
		switch {
		case c.err != nil:
			t.Errorf("note %d: no answer after %s: %v", c.n, took, c.err)
		case took > 3*time.Second:
			t.Errorf("note %d: answered after %s, over Slack's 3 s: %d %q", c.n, took.Round(time.Millisecond), c.status, c.text)
		case c.acked:
			acked++
			ackTimes = append(ackTimes, c.answered)
			if c.sent.After(kill) && (firstAfter.IsZero() || c.answered.Before(firstAfter)) {
				firstAfter = c.answered
			}
			if c.onTimeline != 1 {
				lost++
				t.Errorf("acked note %d is on the timeline %d times, want once", c.n, c.onTimeline)
			}
		case c.refused:
			refused++
			if strings.Contains(c.text, "may or may not have been") {
				midCommit++
			}
			if c.onTimeline > 0 {
				refusedButKept++ // the commit reached the server before the connection broke
			}
			if c.onTimeline > 1 {
				t.Errorf("refused note %d is on the timeline %d times", c.n, c.onTimeline)
			}
		default:
			t.Errorf("note %d: neither acked nor refused as unavailable (after %s): %d %q", c.n, took.Round(time.Millisecond), c.status, c.text)
		}
	}
	slices.SortFunc(ackTimes, func(a, b time.Time) int { return a.Compare(b) })
	var longest time.Duration
	for i := 1; i < len(ackTimes); i++ {
		longest = max(longest, ackTimes[i].Sub(ackTimes[i-1]))
	}
	if firstAfter.IsZero() {
		t.Fatalf("no command sent after the kill was acked: the replicas did not reach the new primary %s", leader.Name)
	}
	t.Logf("killed primary %s; %s led after %.1fs (ttl %d, loop_wait %d, retry_timeout %d)",
		killed.Name, leader.Name, elected.Seconds(), patroni.Timing.TTL, patroni.Timing.LoopWait, patroni.Timing.RetryTimeout)
	t.Logf("gap: first ack after the kill %.1fs after it; longest stretch without an ack %.1fs", firstAfter.Sub(kill).Seconds(), longest.Seconds())
	t.Logf("%d commands: %d acked, %d refused as unavailable (%d during COMMIT; %d of the refused on the timeline anyway), %d acked and lost; slowest answer %s",
		len(calls), acked, refused, midCommit, refusedButKept, lost, slowest.Round(time.Millisecond))
	if refused == 0 {
		t.Error("no command was refused: the kill did not interrupt the database")
	}

	// Both replicas still answer from the new primary, and the chain verifies.
	for i, p := range replicas {
		if got := slash(t, p, "U0ALICE", ch.ID, fmt.Sprintf("note after the failover on replica %d", i)); !strings.Contains(got, "Noted") {
			t.Errorf("replica %d after the failover: %q", i, got)
		}
	}
	for i, p := range replicas {
		for _, line := range strings.Split(p.log(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Logf("replica %d logged: %s", i, line)
			}
		}
	}
	if out, code := run(t, env, "timeline", "verify"); code != 0 || !strings.Contains(out, "1 incidents checked, 0 broken") {
		t.Errorf("timeline verify: exit %d\n%s", code, out)
	}
}
