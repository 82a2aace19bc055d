package commands_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// Typed commands and button values are cleaned before they are parsed: escape sequences,
// bidi overrides and zero-width characters never reach the verbs or the timeline.
func TestCommandsCleanWhatIsTyped(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)

	s.do(alice, general, "declare P3 \x1b[31mred alert\x1b[0m", "Declared *INC-1* (P3")
	sys.Deliver()
	if sys.Slack.ChannelByName("inc-1-red-alert") == nil {
		t.Fatalf("no channel inc-1-red-alert; incident title %q", sys.Incident(1).Title)
	}
	ch := sys.Incident(1).ChannelID
	s.do(bob, ch, "\u2066status\u2069", "*INC-1* P3: red alert")
	s.do(bob, ch, "\u200bseverity P2\u200b", "INC-1 is now P2.")
	s.do(bob, ch, "note \u200b\u200c\u200d\u2060\ufeff", "A note needs some text.")
	s.do(bob, ch, "note \u202eevil\u202c\x07 \x1b]0;title\x07done", ":memo: Noted")
	tl := s.do(bob, ch, "timeline")
	if !strings.Contains(tl, "*note* evil done") || strings.ContainsAny(tl, "\u202e\u202c\x07\x1b\u200b") {
		t.Errorf("timeline:\n%q", tl)
	}
}

// No answer quotes a user's input whole: a 100 KB argument to any verb gets a short answer.
func TestAnswersQuoteOnlyAPrefixOfWhatWasTyped(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P2 api-gateway Gateway slow", "Declared *INC-1*")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	huge := strings.Repeat("x", 100_000)

	reply := s.do(alice, general, huge, "Unknown command `"+strings.Repeat("x", 30)+"…`", "Usage:")
	if n := utf8.RuneCountInString(reply); n > 4000 {
		t.Errorf("unknown verb: the answer has %d characters", n)
	}
	for _, v := range sys.Router.Verbs() {
		for _, args := range []string{huge, "--" + huge, "done " + huge, "add " + huge, huge + "=1", "P1 " + huge, "tl " + huge, "1 " + huge} {
			for _, where := range []string{general, ch} {
				text := v.Name + " " + args
				if n := utf8.RuneCountInString(sys.Do(bob, where, text).Text); n > 4000 {
					t.Errorf("/incident %s %.20s… in %s: the answer has %d characters", v.Name, args, where, n)
				}
			}
		}
	}
}
