package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

func reviewWorld(t *testing.T, onResolve bool) (*testenv.System, string) {
	sys := testenv.NewSystem(t, testenv.WithGitHub(onResolve))
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 api-gateway slow")
	sys.Deliver()
	return sys, sys.Incident(1).ChannelID
}

func cadence(sys *testenv.System) string {
	var out []string
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventCadence && strings.Contains(eventText(e), "post-incident report") {
			out = append(out, eventText(e))
		}
	}
	return strings.Join(out, "\n")
}

// Filing twice updates the same issue; a crash between GitHub's create and the bot's record
// of it is covered by the marker lookup (internal/github's test), this by the stored number.
func TestReviewFiledOnceAndUpdated(t *testing.T) {
	sys, ch := reviewWorld(t, true)
	sys.Do("U0ALICE", ch, "resolve fixed")
	sys.Deliver()
	sys.Clock.Advance(time.Hour)
	if r := sys.Do("U0ALICE", ch, "postmortem"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	issues := sys.GitHub.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues", len(issues))
	}
	inc := sys.Incident(1)
	if inc.ReviewNumber != 1 || inc.ReviewURL == "" || inc.ReviewFiledAt.IsZero() {
		t.Errorf("incident %d %q %v", inc.ReviewNumber, inc.ReviewURL, inc.ReviewFiledAt)
	}
	k := map[string]int{}
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventReviewFiled {
			k[e.Data.How]++
		}
	}
	// The resolution's anchor is added to the review once, however often it is filed.
	if k[incident.ReviewFirst] != 1 || k[incident.ReviewUpdated] != 1 || k[incident.ReviewAnchorAdded] != 1 || len(k) != 3 {
		t.Errorf("review events %v, want filed, updated and the anchor added once", k)
	}
	sys.Clock.Advance(24 * time.Hour)
	sys.Deliver()
	if got := cadence(sys); !strings.Contains(got, "Met: the post-incident report due at") {
		t.Errorf("report deadline: %q", got)
	}
}

func TestReportDeadlineMissed(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	sys.Do("U0ALICE", ch, "resolve fixed")
	sys.Deliver()
	sys.Clock.Advance(24*time.Hour + time.Minute)
	sys.Deliver()
	if got := cadence(sys); !strings.Contains(got, "Missed: the post-incident report due at 2026-11-27 03:00 UTC") {
		t.Errorf("report deadline: %q", got)
	}
	last := sys.Slack.Channel(ch).Messages
	if txt := last[len(last)-1].Text; !strings.Contains(txt, "run `/incident postmortem`") {
		t.Errorf("no reminder in the channel: %q", txt)
	}
	if len(sys.GitHub.Issues()) != 0 {
		t.Error("a review was filed without being asked for")
	}
}

func TestReviewsNeedATracker(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 x")
	sys.Deliver()
	if r := sys.Do("U0ALICE", sys.Incident(1).ChannelID, "postmortem"); !r.Error || !strings.Contains(r.Text, "GITHUB_REPO") {
		t.Errorf("%+v", r)
	}
}

// The plan wants the post-incident report within 24 hours whatever the tracker: without
// GitHub the reminder still comes, and says what the bot can and cannot know.
func TestReportReminderWithoutATracker(t *testing.T) {
	sys := testenv.NewSystem(t)
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 api-gateway slow")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Do("U0ALICE", ch, "resolve fixed")
	sys.Deliver()
	sys.Clock.Advance(24*time.Hour - time.Minute)
	sys.Deliver()
	if got := cadence(sys); got != "" {
		t.Fatalf("reminded early: %q", got)
	}
	sys.Clock.Advance(time.Minute)
	sys.Deliver()
	if got, want := cadence(sys), "Due: the post-incident report at 2026-11-27 03:00 UTC (Incident commander); without a tracker the bot cannot tell whether it was written"; got != want {
		t.Errorf("timeline: %q, want %q", got, want)
	}
	msgs := sys.Slack.Channel(ch).Messages
	want := ":bell: The post-incident report of INC-1 was due at 03:00 UTC, 24 hours after the resolution. Incident commander <@U0ALICE>, " +
		"if it is not written yet, write it and put its link on the timeline with `/incident note &lt;link&gt;` " +
		"(this bot files reviews only when a GitHub repository is configured)."
	if txt := msgs[len(msgs)-1].Text; txt != want {
		t.Errorf("reminder in the channel:\n%q, want\n%q", txt, want)
	}
}
