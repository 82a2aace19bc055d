package bot_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/testenv"
)

// Opening the App Home tab publishes the open incidents, the viewer's own first; a private
// incident's title shows only to those who hold a role in it.
func TestAppHomeShowsOpenIncidentsAndTheViewersRoles(t *testing.T) {
	e := newEnv(t)
	declare := func(user, text, channel string) string { // one at a time, so numbers are known
		t.Helper()
		e.sender.Command(user, e.general, text, "")
		var id string
		e.waitFor(channel, func() bool {
			ch := e.slack.ChannelByName(channel)
			if ch != nil && len(ch.Pins) == 1 { // the card is pinned once the channel is recorded
				id = ch.ID
				return true
			}
			return false
		})
		return id
	}
	declare("U0ALICE", "declare P1 intent-processing Intent API returning 500s", "inc-1-intent-api-returning-500s")
	declare("U0BOB", "declare P0 Salaries visible to everyone --private", "inc-2-private")
	old := declare("U0BOB", "declare P3 Old thing", "inc-3-old-thing")
	e.sender.Command("U0BOB", old, "resolve done", "")
	e.bot.Wait()

	open := func(id, user string) string {
		t.Helper()
		resp, err := e.sender.Event(map[string]any{"type": "event_callback", "event_id": id, "team_id": testenv.SlackTeam,
			"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}})
		if err != nil || resp.Status != 200 {
			t.Fatalf("event %s: %v %d", id, err, resp.Status)
		}
		e.bot.Wait()
		return string(e.slack.Home(user))
	}
	alice := open("EvH1", "U0ALICE")
	for _, want := range []string{"Open incidents: 2", "*INC-1* P1 · investigating · Intent API returning 500s in \\u003c#C",
		"You are the Incident commander", "*INC-2* P0 · investigating · (private incident)"} {
		if !strings.Contains(alice, want) {
			t.Errorf("alice's home lacks %q:\n%s", want, alice)
		}
	}
	if strings.Contains(alice, "Salaries") || strings.Contains(alice, "Old thing") {
		t.Errorf("alice's home shows a private title or a resolved incident:\n%s", alice)
	}
	bob := open("EvH2", "U0BOB")
	if i, j := strings.Index(bob, "*INC-2* P0 · investigating · Salaries visible to everyone"), strings.Index(bob, "*INC-1*"); i < 0 || j < 0 || i > j {
		t.Errorf("bob's home does not put his private incident, titled, first:\n%s", bob)
	}
	if n := strings.Count(open("EvH3", "U0ALICE"), "You are the"); n != 1 {
		t.Errorf("alice holds %d roles on her refreshed home, want 1", n)
	}
}
