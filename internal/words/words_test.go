package words_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// update rewrites the golden files (testenv.Golden reads it).
var update = flag.Bool("update", false, "rewrite the golden files")

// The plain-text renderer (the terminal, the demo), against a golden file: every kind in
// every variant, people and channels by name where known, by ID where not.
func TestPlainTextOfEveryEvent(t *testing.T) {
	names := words.NameMap{People: testenv.SampleNames.People, Channels: testenv.SampleNames.Channels}
	inc := testenv.SampleIncident()
	var b strings.Builder
	kinds := map[incident.EventKind]bool{}
	for _, e := range testenv.SampleEvents() {
		kinds[e.Kind] = true
		b.WriteString(string(e.Kind) + ": " + words.PlainText(words.Event(e), names) + "\n")
		if n, ok := words.Notice(e, inc); ok {
			b.WriteString("  notice [" + string(n.Icon) + "]: " + words.PlainText(n, names) + "\n")
		}
	}
	if len(kinds) != 51 {
		t.Errorf("the samples cover %d kinds, want all 51", len(kinds))
	}
	got := b.String()
	for _, raw := range []string{"<@", "<#", "&amp;", "&lt;", "U0ALICE", "C0ANNOUNCE"} {
		if strings.Contains(got, raw) {
			t.Errorf("plain text shows %q where a name or a character is known", raw)
		}
	}
	testenv.Golden(t, "testdata/events.txt", got)
}

// Text typed in Slack becomes parts: mentions with their labels, channels, links, special
// mentions and escapes; angle brackets that are not Slack's stay words.
func TestParseChat(t *testing.T) {
	names := words.NameMap{People: map[string]string{"U1": "Ann"}}
	for _, tc := range []struct{ in, want string }{
		{"plain &amp; simple &lt;b&gt;", "plain & simple <b>"},
		{"<@U1> and <@U2|bob> and <@U3>", "Ann and bob and U3"},
		{"in <#C1|inc-1> or <#C2>", "in #inc-1 or #C2"},
		{"see <https://x.io/a?b=1&amp;c=2|the doc> or <https://y.io>", "see the doc (https://x.io/a?b=1&c=2) or https://y.io"},
		{"<!here> <!subteam^S1|@sre> <!date^1796128159^{date}|Dec 1>", "@here @sre Dec 1"},
		{"a <b> c", "a <b> c"},
	} {
		got := words.PlainText(words.Sentence{Parts: words.ParseChat(tc.in)}, names)
		if got != tc.want {
			t.Errorf("ParseChat(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
