package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// outageWindow is how long the outage test keeps Slack down: 5 s in `make test`;
// INCIDENTBOT_OUTAGE_SECONDS=60 reproduces the black-box campaign's minute.
func outageWindow(t *testing.T) time.Duration {
	if v := os.Getenv("INCIDENTBOT_OUTAGE_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("INCIDENTBOT_OUTAGE_SECONDS=%q is not a number of seconds", v)
		}
		return time.Duration(n) * time.Second
	}
	return 5 * time.Second
}

// The real binary while Slack answers every call with 503 (down) or 429 (throttling the
// workspace) for a while, with updates issued before and during it: the bot makes few calls
// meanwhile (one probe at a time while Slack is down; nothing on a paused method while it
// is throttled), delivers the backlog within seconds once Slack is back, and the channel
// shows the updates in the order they were issued.
func TestServeOutage(t *testing.T) {
	window := outageWindow(t)
	for _, tc := range []struct {
		name  string
		fault testenv.Fault
		bound func(seconds float64) int // most calls allowed during the window
	}{
		// One probe every 2 s, plus what was under way when it began (8 workers).
		{"503", testenv.Fault{Status: 503}, func(s float64) int { return int(s/2) + 12 }},
		// Each method in use (posts, card updates, topics) is called once per Retry-After.
		{"429", testenv.Fault{Status: 429, RetryAfter: 1}, func(s float64) int { return 4*int(s+1) + 12 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu, general, _, _, p := startWithSlack(t)
			slash(t, p, "U0ALICE", general, "declare P1 api-gateway errors")
			waitFor(t, "the channel and its card", func() bool {
				ch := emu.ChannelByName("inc-1-api-gateway-errors")
				return ch != nil && len(ch.Pins) == 1
			})
			ch := emu.ChannelByName("inc-1-api-gateway-errors").ID

			emu.StartOutage(tc.fault)
			start := time.Now()
			var marks []string
			for i := 0; i < 10; i++ {
				marks = append(marks, fmt.Sprintf("update-%02d", i))
				slash(t, p, "U0ALICE", ch, "update "+marks[i])
				if i == 4 {
					slash(t, p, "U0ALICE", ch, "severity P0")
				}
				time.Sleep(window / 20)
			}
			time.Sleep(time.Until(start.Add(window)))
			peak := emu.EndOutage()
			back := time.Now()
			during := 0
			for _, c := range emu.Calls("") {
				if !c.At.Before(start) && c.At.Before(back) {
					during++
				}
			}
			waitFor(t, "every update in the channel", func() bool { return len(shown(emu, ch, marks)) == len(marks) })
			drained := time.Since(back)
			t.Logf("Slack %s for %s: %d calls during it (%.1f/s), at most %d at once; backlog delivered %s after Slack came back",
				tc.name, window, during, float64(during)/window.Seconds(), peak, drained.Round(10*time.Millisecond))

			if max := tc.bound(window.Seconds()); during > max {
				t.Errorf("%d Slack calls during the %s window, want at most %d", during, window, max)
			}
			if got, want := strings.Join(shown(emu, ch, marks), " "), strings.Join(marks, " "); got != want {
				t.Errorf("the channel shows %q, want %q", got, want)
			}
		})
	}
}

// shown returns the marks found in the channel's messages, in the channel's order.
func shown(emu *testenv.Slack, channel string, marks []string) []string {
	var out []string
	for _, m := range emu.Channel(channel).Messages {
		for _, mark := range marks {
			if strings.Contains(m.Text, mark) {
				out = append(out, mark)
				break
			}
		}
	}
	return out
}
