package postmortem_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// Every event as the review on GitHub says it, against a golden file: on one line, people
// by name and never as an @login, channels by name, HTML typed in chat kept as text.
func TestEventsInMarkdown(t *testing.T) {
	names := words.NameMap{People: testenv.SampleNames.People, Channels: testenv.SampleNames.Channels}
	var b strings.Builder
	for _, e := range testenv.SampleEvents() {
		b.WriteString("- " + string(e.Kind) + ": " + postmortem.EventMarkdown(e, names) + "\n")
	}
	got := b.String()
	for _, raw := range []string{"<@", "<#", "@U0", "@Alice", "&amp;amp;"} {
		if strings.Contains(got, raw) {
			t.Errorf("the review would show %q", raw)
		}
	}
	testenv.Golden(t, "testdata/events.md", got)
}
