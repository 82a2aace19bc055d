package web_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
	"github.com/nephoran/incidentbot/internal/words"
)

// update rewrites the golden files (testenv.Golden reads it).
var update = flag.Bool("update", false, "rewrite the golden files")

// Every event as the incident page shows it, against a golden file: people and channels
// by name with the ID on hover, every word escaped, links only to web addresses, and no
// Slack syntax left.
func TestEventsInHTML(t *testing.T) {
	names := words.NameMap{People: testenv.SampleNames.People, Channels: testenv.SampleNames.Channels}
	var b strings.Builder
	for _, e := range testenv.SampleEvents() {
		b.WriteString(string(e.Kind) + ": " + string(web.EventHTML(e, names)) + "\n")
	}
	got := b.String()
	for _, raw := range []string{"<@", "<#", "<!", "&amp;amp;", "&lt;@", "<script", ":bell:"} {
		if strings.Contains(got, raw) {
			t.Errorf("the page would show %q", raw)
		}
	}
	testenv.Golden(t, "testdata/events.html", got)
}
