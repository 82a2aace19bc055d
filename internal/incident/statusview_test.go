package incident_test

import (
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The status page reads the public outages of its period, the newest first and at most
// its limit (saying it stopped short), from the history kept before today and what
// happened since; the updates of the open public incidents and of the latest resolved
// ones; and every open incident, private ones and drills included, for the page to decide.
func TestStatusPageReads(t *testing.T) {
	sys := testenv.NewSystem(t) // 2026-11-26 03:00 UTC
	general := sys.Slack.AddChannel("general", "U0ALICE")
	do := func(channel, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", channel, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
	}
	since := sys.Clock.Now().Add(-24 * time.Hour)
	read := func(limit int) *incident.StatusView {
		t.Helper()
		v, err := sys.Service.StatusPage(sys.Ctx, incident.StatusRead{Since: since, Limit: limit, Past: 1, Updates: 10})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, text := range []string{"declare P1 intent-processing One", "declare P2 api-gateway Two", "declare P0 intent-processing Three"} {
		do(general, text)
		sys.Deliver()
	}
	for n := int64(1); n <= 3; n++ {
		do(sys.Incident(n).ChannelID, "update --status-page Looking.")
		do(sys.Incident(n).ChannelID, "resolve fixed")
	}
	read(10) // keeps the history before today: none yet
	sys.Clock.Advance(24 * time.Hour)
	do(general, "declare P0 payroll Private")             // INC-4
	do(general, "drill application-service-failure")      // INC-5
	do(general, "declare P2 api-gateway Open and public") // INC-6
	sys.Deliver()
	do(sys.Incident(6).ChannelID, "update --status-page Still looking.")

	numbers := func(os []incident.Outage) []int {
		var out []int
		for _, o := range os {
			out = append(out, o.Number)
		}
		return out
	}
	v := read(10)
	if got := numbers(v.Outages); !slices.Equal(got, []int{6, 3, 2, 1}) || v.Truncated {
		t.Errorf("outages %v (truncated %v), want 6, 3, 2, 1", got, v.Truncated)
	}
	var open []int
	for _, inc := range v.Open {
		open = append(open, inc.Number)
	}
	if !slices.Equal(open, []int{6, 5, 4}) {
		t.Errorf("open incidents %v, want 6, 5 and 4", open)
	}
	var updated []int64
	for id := range v.Updates {
		updated = append(updated, id)
	}
	slices.Sort(updated)
	if !slices.Equal(updated, []int64{sys.Incident(3).ID, sys.Incident(6).ID}) {
		t.Errorf("updates of %v, want those of INC-3 (the latest resolved) and INC-6", updated)
	}
	if v := read(2); !slices.Equal(numbers(v.Outages), []int{6, 3}) || !v.Truncated {
		t.Errorf("with a limit of 2: %v (truncated %v)", numbers(v.Outages), v.Truncated)
	}
}
