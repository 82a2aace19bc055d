package incident_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/config"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// bookmarks are the channel's bookmarks by title; a title given twice fails the test.
func bookmarks(t *testing.T, sys *testenv.System, channel string) map[string]testenv.SlackBookmark {
	t.Helper()
	out := map[string]testenv.SlackBookmark{}
	for _, b := range sys.Slack.Channel(channel).Bookmarks {
		if _, twice := out[b.Title]; twice {
			t.Errorf("the channel has two bookmarks titled %q: %+v", b.Title, sys.Slack.Channel(channel).Bookmarks)
		}
		out[b.Title] = b
	}
	return out
}

// The incident channel bookmarks the incident's page on the dashboard, its PagerDuty
// incident, its playbook run (the latest) and its review, each once, kept current.
func TestTheChannelBookmarksWhatPeopleOpen(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithPagerDuty(), testenv.WithGitHub(true),
		testenv.WithConfig(func(c *config.Config) { c.Web.PublicURL = "https://incidents.example.com/" }))
	general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
	do := func(ch, text string) {
		t.Helper()
		if r := sys.Do("U0ALICE", ch, text); r.Error {
			t.Fatalf("%s: %s", text, r.Text)
		}
		sys.Deliver()
	}
	do(general, "declare P1 intent-processing intents stuck")
	inc := sys.Incident(1)
	got := bookmarks(t, sys, inc.ChannelID)
	if b := got["Incident page"]; b.Link != "https://incidents.example.com/incidents/INC-1" {
		t.Errorf("the incident page bookmark: %+v", b)
	}
	var pages []incident.Page
	if err := sys.Store.View(sys.Ctx, func(tx incident.Tx) (err error) { pages, err = tx.Pages(inc.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if len(pages) < 2 || pages[0].URL == "" {
		t.Fatalf("the declaration's pages: %+v", pages)
	}
	if b := got["PagerDuty incident"]; b.Link != pages[0].URL || b.Edited != 0 {
		t.Errorf("the PagerDuty bookmark: %+v, want the first PagerDuty incident linked, %s", b, pages[0].URL)
	}
	if _, ok := got["Playbook run"]; ok {
		t.Errorf("a run bookmark before any run: %+v", got)
	}

	do(inc.ChannelID, "playbook application-service-failure")
	first := bookmarks(t, sys, inc.ChannelID)["Playbook run"]
	if !strings.Contains(first.Link, "/archives/"+inc.ChannelID+"/p") {
		t.Fatalf("the run bookmark links to %q, not a message of the channel", first.Link)
	}
	do(inc.ChannelID, "playbook single-node-failure node=node-1")
	second := bookmarks(t, sys, inc.ChannelID)["Playbook run"]
	if second.Link == first.Link || second.ID != first.ID || second.Edited != 1 {
		t.Errorf("after a second run the run bookmark is %+v (first %+v): want the same bookmark, edited to the new run's card", second, first)
	}

	do(inc.ChannelID, "resolve fixed")
	review := sys.Incident(1).ReviewURL
	if review == "" {
		t.Fatal("no review was filed")
	}
	got = bookmarks(t, sys, inc.ChannelID)
	if b := got["Post-incident review"]; b.Link != review {
		t.Errorf("the review bookmark: %+v, want %s", b, review)
	}
	if len(got) != 4 {
		t.Errorf("the channel's bookmarks: %+v, want 4", got)
	}
	// The card and the review link to the dashboard too.
	dashboard := "https://incidents.example.com/incidents/INC-1"
	if card := sys.Slack.Channel(inc.ChannelID).Messages[0]; !strings.Contains(string(card.Blocks), dashboard) {
		t.Errorf("the card does not link to %s: %s", dashboard, card.Blocks)
	}
	if issues := sys.GitHub.Issues(); len(issues) == 0 || !strings.Contains(issues[0].Body, "[INC-1 on the dashboard]("+dashboard+")") {
		t.Errorf("the review does not link to %s: %+v", dashboard, issues)
	}
}

// After a crash between Slack adding a bookmark and the outbox recording it, the retry
// finds it by its title: it is not added twice, and one left linking elsewhere is edited.
func TestABookmarkIsNeverAddedTwice(t *testing.T) {
	sys := testenv.NewSystem(t, testenv.WithConfig(func(c *config.Config) { c.Web.PublicURL = "https://incidents.example.com" }))
	general := sys.Slack.AddChannel("general", "U0ALICE")
	sys.Do("U0ALICE", general, "declare P2 api-gateway slow")
	sys.Deliver()
	ch := sys.Incident(1).ChannelID
	page := bookmarks(t, sys, ch)["Incident page"]
	if page.Link != "https://incidents.example.com/incidents/INC-1" {
		t.Fatalf("the incident page bookmark: %+v", page)
	}
	// What a delivery that died after Slack's answer leaves: the same bookmark, added.
	if err := sys.Chat.SetBookmark(sys.Ctx, ch, incidentBookmark(page.Title, page.Link)); err != nil {
		t.Fatal(err)
	}
	if err := sys.Chat.SetBookmark(sys.Ctx, ch, incidentBookmark(page.Title, "https://incidents.example.com/incidents/INC-1?moved")); err != nil {
		t.Fatal(err)
	}
	after := bookmarks(t, sys, ch)["Incident page"]
	if len(sys.Slack.Channel(ch).Bookmarks) != 1 || after.ID != page.ID || after.Edited != 1 {
		t.Errorf("bookmarks after two more deliveries: %+v", sys.Slack.Channel(ch).Bookmarks)
	}
}

// Without web.public_url there is no dashboard bookmark, and a private incident never gets
// one: the dashboard does not show it.
func TestNoDashboardBookmarkWithoutAPublicAddressOrForAPrivateIncident(t *testing.T) {
	for _, tc := range []struct {
		name, url, declare string
	}{
		{"no public_url", "", "declare P2 api-gateway slow"},
		{"private", "https://incidents.example.com", "declare P2 api-gateway slow --private"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := testenv.NewSystem(t, testenv.WithConfig(func(c *config.Config) { c.Web.PublicURL = tc.url }))
			general := sys.Slack.AddChannel("general", "U0ALICE")
			if r := sys.Do("U0ALICE", general, tc.declare); r.Error {
				t.Fatal(r.Text)
			}
			sys.Deliver()
			if b := sys.Slack.Channel(sys.Incident(1).ChannelID).Bookmarks; len(b) != 0 {
				t.Errorf("bookmarks: %+v", b)
			}
		})
	}
}

func incidentBookmark(title, link string) incident.Bookmark {
	return incident.Bookmark{Title: title, Link: link}
}
