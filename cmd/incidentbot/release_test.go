package main

import (
	"context"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postmortem"
	"github.com/nephoran/incidentbot/internal/sqlite"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/web"
	"github.com/nephoran/incidentbot/internal/words"
	_ "modernc.org/sqlite"
)

// A database made by the last release opens, migrates, verifies and renders on every
// surface; new events chain onto its old ones and the whole chain still verifies.
func TestADatabaseOfTheLastReleaseStillVerifiesAndRenders(t *testing.T) {
	path := testenv.ReleaseDatabase(t) // written by the release before timeline events became data

	env := []string{"PATH=/usr/bin:/bin", "INCIDENTBOT_DB=" + path}
	out, code := run(t, env, "timeline", "verify")
	if code != 0 || !strings.Contains(out, "4 incidents checked, 0 broken") {
		t.Fatalf("timeline verify of the old database: exit %d\n%s", code, out)
	}

	ctx := context.Background()
	db, err := sqlite.Open(ctx, path) // migrated by verify already; opening again changes nothing
	if err != nil {
		t.Fatal(err)
	}
	names := words.NameMap{People: map[string]string{"U0ALICE": "Alice", "U0BOB": "Bob", "U0CAROL": "Carol", "U0DAVE": "Dave", "U0ERIN": "Erin"}}
	kinds := map[incident.EventKind]bool{}
	events := 0
	var ids []int64
	if err := db.View(ctx, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err }); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		var evs []incident.TimelineEvent
		if err := db.View(ctx, func(tx incident.Tx) (err error) { evs, err = tx.Events(id); return err }); err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			events++
			kinds[e.Kind] = true
			if e.Format != incident.FormatText || e.Text == "" {
				t.Fatalf("event %d of the old release: format %d, text %q", e.ID, e.Format, e.Text)
			}
			slack, plain := views.EventText(e), words.PlainText(words.Event(e), names)
			html, md := string(web.EventHTML(e, names)), postmortem.EventMarkdown(e, names)
			if slack != e.Text {
				t.Errorf("event %d in Slack: %q, stored %q", e.ID, slack, e.Text)
			}
			for surface, s := range map[string]string{"plain": plain, "HTML": html, "Markdown": md} {
				if strings.Contains(s, "<@U0ALICE") || strings.Contains(s, "<@U0BOB") || strings.TrimSpace(s) == "" {
					t.Errorf("event %d in %s: %q", e.ID, surface, s)
				}
			}
		}
	}
	if events != 425 || len(kinds) != 46 {
		t.Errorf("read %d events of %d kinds, want 425 of 46", events, len(kinds))
	}

	// The bot goes on writing data events after the old text ones.
	svc := incident.NewService(incident.ServiceConfig{Store: db})
	inc, err := svc.ByChannel(ctx, channelOf(t, db, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddNote(ctx, "U0BOB", inc.ChannelID, "written after the upgrade by <@U0ALICE|alice>"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, code = run(t, env, "timeline", "verify")
	if code != 0 || !strings.Contains(out, "INC-2: ok (204 events)") {
		t.Fatalf("timeline verify after a new event: exit %d\n%s", code, out)
	}
	out, code = run(t, env, "timeline", "show", "INC-2")
	for _, want := range []string{
		"INC-2 P1 resolved: Intent API returning 500s in us-east-1 (204 events; the hash chain verifies)",
		"U0ALICE      declared         U0ALICE declared P1 (partial or regional outage)",
		"U0BOB        note             written after the upgrade by alice",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("timeline show lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	// With a Slack token the terminal names people as Slack does (the emulator knows Alice
	// and Bob), old events and new; the rest stay IDs.
	emu := testenv.NewSlack()
	defer emu.Close()
	emu.AddUser("U0CAROL", "Carol Jones", "carol@example.com")
	out, code = run(t, append(env, "SLACK_BOT_TOKEN="+testenv.SlackBotToken, "SLACK_API_URL="+emu.APIURL()), "timeline", "show", "INC-2")
	for _, want := range []string{
		"alice        declared         alice declared P1 (partial or regional outage)",
		"alice        role_assigned    alice made bob the Technical lead",
		"bob          note             written after the upgrade by alice",
		"alice        role_assigned    alice made U0DAVE the Business continuity lead",
		"Carol Jones",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("timeline show with names lacks %q (exit %d):\n%s", want, code, out)
		}
	}
}

func channelOf(t *testing.T, db *sqlite.DB, id int64) string {
	t.Helper()
	var inc *incident.Incident
	if err := db.View(context.Background(), func(tx incident.Tx) (err error) { inc, err = tx.Incident(id); return err }); err != nil {
		t.Fatal(err)
	}
	return inc.ChannelID
}
