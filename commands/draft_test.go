package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/commands"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// What a draft's button carries is a command like any other: typed, it does what the click
// does, and a malformed one is explained.
func TestDraftCommand(t *testing.T) {
	sys := testenv.NewSystem(t)
	s := &script{t: t, sys: sys}
	general := sys.Slack.AddChannel("general", alice, bob)
	s.do(alice, general, "declare P1 api-gateway Gateway down", "Declared *INC-1*")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	for i := 0; i < 5; i++ {
		sys.Clock.Advance(time.Minute)
		sys.Deliver()
	}
	var reminder int
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventCadence {
			reminder = e.Seq
		}
	}
	d, err := sys.Service.FreshDraft(sys.Ctx, ch, reminder)
	if err != nil {
		t.Fatal(err)
	}
	text := sys.Router.DraftTextOf(d)
	if !strings.HasPrefix(text, "Partial outage: api-gateway is affected.") {
		t.Fatalf("the draft as Slack text: %q", text)
	}
	value := commands.DraftValue(commands.DraftPost, d.Ref, incident.DraftDigest(text))

	s.do(bob, general, value, "This is not an incident channel")
	s.do(bob, ch, "draft", "A draft is named by its reminder", "Usage: `/incident draft post|edit")
	s.do(bob, ch, "draft post 3 x 0 0123456789abcdef", `"x" is not a number.`)
	s.do(bob, ch, "draft dance 3 1 0 0123456789abcdef", `"dance" is not an action on a draft`)
	s.do(bob, ch, "draft post 3 1 0 short", "digest is missing or malformed")
	s.do(bob, ch, "draft send 3 1 0", "An update needs some text.")
	s.do(bob, ch, "draft post 1 1 0 0123456789abcdef", "That event is not a reminder of an update")
	s.do(bob, ch, "draft post 999 1 0 0123456789abcdef", "INC-1 has no event #999")
	s.do(bob, ch, strings.Replace(value, incident.DraftDigest(text), "0123456789abcdef", 1), "The incident changed since this draft was written")
	s.do(bob, ch, value, "Update posted to INC-1 and recorded on the timeline.")
	s.do(bob, ch, value, "This draft was posted already")
	if u := sys.Events(1); !slicesContainUpdate(u, text) {
		t.Errorf("the typed draft was not posted as the status page update:\n%s", text)
	}
}

func slicesContainUpdate(evs []incident.TimelineEvent, text string) bool {
	for _, e := range evs {
		if e.Kind == incident.EventStatusUpdate && e.Data.Text == text && len(e.Data.Audiences) == 1 && e.Data.Audiences[0] == incident.AudienceStatusPage {
			return true
		}
	}
	return false
}
