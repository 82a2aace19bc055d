package commands_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// An incident with 5,000 events: `timeline` shows the latest page and says how to see the
// rest, each page fits one Slack message, and page numbers past the end are refused.
func TestTimelinePagesALongTimeline(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P1 intent-processing Intent API returning 500s", "Declared *INC-1*")
	sys.Deliver()
	inc := sys.Incident(1)
	testenv.AppendLongTimeline(t, sys.Store, inc.ID, 5000)
	total := len(sys.Events(inc.ID))

	latest := s.do(alice, inc.ChannelID, "timeline", "*Timeline of INC-1* (UTC), page ", "earlier `/incident timeline page ")
	if !strings.Contains(latest, wantLatest(total)) {
		t.Errorf("the latest page is not the last of the timeline's %d events:\n%s", total, latest)
	}
	if strings.Contains(latest, "later `") {
		t.Errorf("the latest page offers a later one:\n%s", latest)
	}
	all := s.do(alice, inc.ChannelID, "timeline all", "*Timeline of INC-1* (UTC), page ")
	wantAll := wantLatest(total)
	if !strings.Contains(all, wantAll) || !strings.Contains(all, "`/incident timeline all page ") {
		t.Errorf("timeline all does not say %q and how to page on:\n%s", wantAll, all)
	}
	first := s.do(alice, inc.ChannelID, "timeline page 1", "page 1 of ", "events #1 to #50 of ", "later `/incident timeline page 2`", "*declared*")
	if strings.Contains(first, "earlier `") {
		t.Errorf("page 1 offers an earlier one:\n%s", first)
	}
	s.do(alice, inc.ChannelID, "timeline all page 2", "page 2 of ", "events #51 to #100 of ", "earlier `/incident timeline all page 1`", "#51 ", "#100 ")
	s.do(alice, inc.ChannelID, "timeline page 99999", "page 99999 is past its end")
	s.do(alice, inc.ChannelID, "timeline page 0", "is not a page number")
	s.do(alice, inc.ChannelID, "timeline page two", "is not a page number")
	for _, text := range []string{latest, all, first} {
		if n := utf8.RuneCountInString(text); n > commands.MaxMessageLen {
			t.Errorf("a page has %d characters, over Slack's %d", n, commands.MaxMessageLen)
		}
		if strings.Count(text, "\n#") > commands.TimelinePageSize {
			t.Errorf("a page shows %d events, more than %d", strings.Count(text, "\n#"), commands.TimelinePageSize)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// wantLatest is how the last page of a timeline of total events names its events.
func wantLatest(total int) string {
	return "events #" + itoa(total-(total-1)%commands.TimelinePageSize) + " to #" + itoa(total) + " of " + itoa(total)
}
