package views_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// Every event as Slack shows it, on the timeline and as its notice in the channel, against
// a golden file: people and channels as mentions (Slack names them for each reader), text
// typed in Slack as it came, the words escaped.
func TestEventsInSlack(t *testing.T) {
	inc := testenv.SampleIncident()
	var b strings.Builder
	for _, e := range testenv.SampleEvents() {
		b.WriteString(string(e.Kind) + ": " + views.EventText(e) + "\n")
		if _, ok := words.Notice(e, inc); ok {
			b.WriteString("  notice: " + views.Notice(&e, inc) + "\n")
		}
	}
	b.WriteString("topic: " + views.Topic(inc) + "\n")
	got := b.String()
	if strings.Contains(got, "&amp;amp;") || strings.Contains(got, "&lt;@") {
		t.Errorf("text typed in Slack was escaped twice:\n%s", got)
	}
	testenv.Golden(t, "testdata/events.mrkdwn", got)
}
