package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// deliverAll delivers until nothing is pending, advancing the clock past every backoff.
func deliverAll(t *testing.T, sys *testenv.System) {
	t.Helper()
	for i := 0; i < 200; i++ {
		sys.Deliver()
		left := pendingEffects(sys)
		if len(left) == 0 {
			return
		}
		wait := time.Duration(0)
		for _, e := range left {
			if d := e.NextAttemptAt.Sub(sys.Clock.Now()); d > 0 && (wait == 0 || d < wait) {
				wait = d
			}
		}
		sys.Clock.Advance(max(wait, time.Millisecond))
	}
	for _, e := range pendingEffects(sys) {
		t.Logf("pending: %s attempts %d next %s err %q", e.Key, e.Attempts, e.NextAttemptAt.Sub(sys.Clock.Now()), e.LastError)
	}
	t.Fatal("effects still pending after 200 rounds")
}

// pendingEffects returns every incident's effects still to deliver, timers aside.
func pendingEffects(sys *testenv.System) []incident.Effect {
	var out []incident.Effect
	for id := int64(1); ; id++ {
		effs := sys.Effects(id)
		if len(effs) == 0 {
			return out
		}
		for _, e := range effs {
			if (e.State == incident.EffectPending || e.State == incident.EffectInflight) && e.Kind != incident.EffectTimer {
				out = append(out, e)
			}
		}
	}
}

// texts returns the channel's messages that contain one of marks, in the order Slack holds
// them, as the mark they contain.
func texts(sys *testenv.System, channel string, marks ...string) []string {
	var out []string
	for _, m := range sys.Slack.Channel(channel).Messages {
		body := m.Text + string(m.Blocks)
		for _, mark := range marks {
			if strings.Contains(body, mark) {
				out = append(out, mark)
				break
			}
		}
	}
	return out
}

// Updates issued while Slack fails now and then land in the order they were issued: a
// retried post does not let later ones overtake it.
func TestPostsToAChannelLandInCommitOrderWhateverRetries(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 api-gateway slow")
	deliverAll(t, sys)
	ch := sys.Incident(1).ChannelID

	sys.Slack.Fail("chat.postMessage", testenv.Fault{Status: 503}, testenv.Fault{Status: 503}, testenv.Fault{Status: 429, RetryAfter: 3}, testenv.Fault{Status: 503})
	for _, cmd := range []string{"update zero-0", "update one-1", "severity P1", "update two-2", "update three-3", "update four-4"} {
		if r := sys.Do("U0ALICE", ch, cmd); r.Error {
			t.Fatalf("%s: %s", cmd, r.Text)
		}
	}
	deliverAll(t, sys)
	got := strings.Join(texts(sys, ch, "zero-0", "one-1", "from P2 to", "two-2", "three-3", "four-4"), " ")
	if want := "zero-0 one-1 from P2 to two-2 three-3 four-4"; got != want {
		t.Errorf("the channel shows %q, want %q", got, want)
	}
}

// An update made before the channel exists (from the console, while Slack is slow) lands
// after the incident card, which is always the first thing in the channel.
func TestTheCardIsTheFirstMessageInTheChannel(t *testing.T) {
	sys := testenv.NewSystem(t)
	inc, err := sys.Service.Declare(sys.Ctx, incident.DeclareRequest{Actor: "U0ALICE", Title: "checkout down", Severity: incident.P1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Service.PostUpdateByID(sys.Ctx, "U0ALICE", inc.ID, "early-update"); err != nil {
		t.Fatal(err)
	}
	sys.Slack.Fail("chat.postMessage", testenv.Fault{Status: 503}) // the card's first try
	deliverAll(t, sys)
	msgs := sys.Slack.Channel(sys.Incident(inc.ID).ChannelID).Messages
	if len(msgs) < 2 || msgs[0].TS != sys.Incident(inc.ID).CardTS || !strings.Contains(msgs[1].Text, "early-update") {
		var seen []string
		for _, m := range msgs {
			seen = append(seen, m.Text)
		}
		t.Fatalf("channel messages %q: want the card first, then the update", seen)
	}
}

// Announcements of several incidents land in the announce channel in the order the
// incidents were declared.
func TestAnnouncementsKeepTheirOrder(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	for _, title := range []string{"first-a", "second-b", "third-c", "fourth-d"} {
		sys.Do("U0ALICE", general, "declare P2 "+title)
	}
	sys.Slack.Fail("chat.postMessage", testenv.Fault{Status: 503}, testenv.Fault{Status: 503}, testenv.Fault{Status: 503})
	deliverAll(t, sys)
	got := strings.Join(texts(sys, sys.Announce, "first-a", "second-b", "third-c", "fourth-d"), " ")
	if want := "first-a second-b third-c fourth-d"; got != want {
		t.Errorf("the announce channel shows %q, want %q", got, want)
	}
}

// An incident whose channel cannot be made is not announced, and does not hold back the
// announcements of the incidents after it.
func TestAFailedChannelDoesNotHoldBackLaterAnnouncements(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Slack.Fail("conversations.create", testenv.Fault{Error: "restricted_action"})
	sys.Do("U0ALICE", general, "declare P2 first-a")
	deliverAll(t, sys)
	if sys.Incident(1).ChannelID != "" {
		t.Fatal("the first incident got a channel")
	}
	sys.Do("U0ALICE", general, "declare P2 second-b")
	deliverAll(t, sys)
	if got := strings.Join(texts(sys, sys.Announce, "first-a", "second-b"), " "); got != "second-b" {
		t.Errorf("the announce channel shows %q, want only the second incident", got)
	}
}
