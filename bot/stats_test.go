package bot_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// `/incident stats` reads the period's incidents, work that grows with the history: the
// command is acknowledged at once with nothing to show, and the KPIs follow through the
// command's response_url, shown to the person who asked alone. A mistake in the command is
// still answered in the acknowledgement. (Before, the KPIs were the acknowledgement.)
func TestStatsAnswerAfterTheAck(t *testing.T) {
	e := newEnv(t)
	resp, err := e.sender.Command("U0ALICE", e.general, "declare P1 intent-processing Intent API down", "")
	if err != nil || resp.Status != 200 {
		t.Fatal(err, resp.Status)
	}
	resp, err = e.sender.Command("U0BOB", e.general, "stats all", "")
	if err != nil || resp.Status != 200 {
		t.Fatal(err, resp.Status)
	}
	if len(resp.Body) != 0 {
		t.Errorf("the ack of stats says %s, want an empty 200 (the KPIs come after)", resp.Body)
	}
	var answer testenv.SlackEphemeral
	e.waitFor("the KPIs", func() bool {
		for _, m := range e.slack.Ephemerals() {
			if strings.Contains(m.Text, "Recovery KPIs for all time") {
				answer = m
				return true
			}
		}
		return false
	})
	if answer.User != "U0BOB" || answer.Channel != e.general || !strings.Contains(answer.Text, "*Real incidents*: 1 (0 resolved)") {
		t.Errorf("the KPIs went to %s in %s: %q", answer.User, answer.Channel, answer.Text)
	}

	resp, err = e.sender.Command("U0BOB", e.general, "stats 7x", "")
	if err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "is not a period") {
		t.Errorf("stats 7x: %v %d %s, want the mistake explained in the ack", err, resp.Status, resp.Body)
	}
}
