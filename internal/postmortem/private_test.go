package postmortem_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// A private incident's review, filed on GitHub, names it by its key only: its title is out
// of the issue's title, its summary table and every timeline line (its declaration too).
func TestAPrivateIncidentsReviewKeepsItsTitleOut(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithGitHub(true))
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P1 api-gateway Acme merger data room exposed --private")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	sys.Do("U0ALICE", ch, "severity P0")
	sys.Do("U0ALICE", ch, "resolve closed the data room")
	sys.Deliver()
	issues := sys.GitHub.Issues()
	if len(issues) != 1 || !strings.Contains(issues[0].Body, "declared P1 (partial or regional outage): (private incident)") {
		t.Fatalf("the review: %+v", issues)
	}
	for _, is := range issues {
		for _, line := range strings.Split(is.Title+"\n"+is.Body, "\n") {
			if strings.Contains(strings.ToLower(line), "merger") {
				t.Errorf("the private title is in the review: %s", line)
			}
		}
	}
}
