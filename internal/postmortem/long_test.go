package postmortem_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// The review of a long incident is filed (GitHub takes bodies of up to 65,536 characters
// and the fake refuses longer ones as GitHub does): its timeline keeps the first and the
// last events, says how many are left out and where to read them, and is cut only between
// whole lines. Before the review was fitted, these bodies were refused with a 422.
func TestReviewOfALongIncidentFitsGitHub(t *testing.T) {
	for _, c := range []struct {
		name         string
		events, long int // events appended, long notes typed
	}{
		{"40 long notes, all read", 0, 40},
		{"5,000 events, only their ends read", 5000, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			sys := testenv.NewSystem(t, testenv.WithGitHub(true))
			general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
			if r := sys.Do("U0ALICE", general, `declare P1 intent-processing "Intent API returning 500s"`); r.Error {
				t.Fatal(r.Text)
			}
			sys.Deliver()
			inc := sys.Incident(1)
			testenv.AppendLongTimeline(t, sys.Store, inc.ID, c.events)
			for range c.long {
				if r := sys.Do("U0BOB", inc.ChannelID, "note "+testenv.LongNote()); r.Error {
					t.Fatal(r.Text)
				}
			}
			if r := sys.Do("U0ALICE", inc.ChannelID, "resolve The bad node was drained."); r.Error {
				t.Fatal(r.Text)
			}
			sys.Deliver()
			var body string
			for _, is := range sys.GitHub.Issues() {
				if strings.HasPrefix(is.Title, "Post-incident review") {
					body = is.Body
				}
			}
			if body == "" {
				t.Fatalf("no review was filed; GitHub calls %v", sys.GitHub.Calls())
			}
			if n := len(body); n > postmortem.MaxBody || !utf8.ValidString(body) {
				t.Errorf("the body has %d bytes (limit %d), valid UTF-8 %v", n, postmortem.MaxBody, utf8.ValidString(body))
			}
			for _, want := range []string{"**declared**", "**resolved** ", "left out here to keep this issue within GitHub's limit",
				"`/incident timeline page 1` in #", "`incidentbot timeline show INC-1`", "## Follow-ups", "## Lessons learned"} {
				if !strings.Contains(body, want) {
					t.Errorf("the review lacks %q", want)
				}
			}
			for i, line := range strings.Split(body, "\n") {
				if strings.Count(strings.ReplaceAll(line, "```", ""), "`")%2 != 0 {
					t.Errorf("line %d leaves a code span open: %.200s", i+1, line)
				}
			}
		})
	}
}
