package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// slackCallsSince counts the Web API calls made at or after t.
func slackCallsSince(sys *testenv.System, t time.Time) int {
	n := 0
	for _, c := range sys.Slack.Calls("") {
		if !c.At.Before(t) {
			n++
		}
	}
	return n
}

// While Slack is down for a minute, one delivery at a time probes it, every couple of
// seconds, instead of every queued effect retrying on its own backoff; once Slack answers
// again the backlog goes out within a probe's interval, in the order it was committed.
func TestOutageIsProbedOneAtATimeAndTheBacklogFlowsWhenItEnds(t *testing.T) {
	sys := testenv.NewSystem(t)
	sys.Slack.SetClock(sys.Clock.Now)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 api-gateway slow")
	deliverAll(t, sys)
	ch := sys.Incident(1).ChannelID

	sys.Slack.StartOutage(testenv.Fault{Status: 503})
	start := sys.Clock.Now()
	var marks []string
	for i := 0; i < 20; i++ {
		marks = append(marks, fmt.Sprintf("update-%02d", i))
		if r := sys.Do("U0ALICE", ch, "update "+marks[i]); r.Error {
			t.Fatal(r.Text)
		}
		if i == 10 {
			sys.Do("U0ALICE", ch, "severity P0") // a card update, a topic and an announcement too
		}
	}
	for sys.Clock.Now().Sub(start) < time.Minute {
		sys.Deliver()
		sys.Clock.Advance(100 * time.Millisecond)
	}
	during := slackCallsSince(sys, start)
	sys.Slack.EndOutage()
	back := sys.Clock.Now()
	for i := 0; i < 600 && len(pendingEffects(sys)) > 0; i++ {
		sys.Deliver()
		sys.Clock.Advance(100 * time.Millisecond)
	}
	drained := sys.Clock.Now().Sub(back)
	t.Logf("during a 60 s outage: %d Slack calls; the backlog was delivered %s after Slack came back", during, drained)

	// One probe every 2 s is 30 calls a minute, plus the effects already under way when
	// the outage began (at most 8). Without probes the backlog slept on its backoffs
	// for most of a minute after Slack came back.
	if during > 45 {
		t.Errorf("%d Slack calls during the outage, want at most 45", during)
	}
	if drained > 3*time.Second {
		t.Errorf("the backlog took %s to deliver after Slack came back, want within 3s", drained)
	}
	if got, want := strings.Join(texts(sys, ch, marks...), " "), strings.Join(marks, " "); got != want {
		t.Errorf("the channel shows %q, want %q", got, want)
	}
}
