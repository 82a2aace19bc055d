package incident_test

import (
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The use cases clean what people type before they store it, whoever calls them (the
// command layer, the declaration form, the web console), and refuse text that is empty
// once cleaned.
func TestUseCasesCleanTheirText(t *testing.T) {
	w := newWorld(t)
	inc, err := w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0ALICE", Severity: incident.P3,
		Title: "\x1b[31mred alert\x1b[0m", Description: "first line\n\u202eevil\u202c\x07"})
	if err != nil {
		t.Fatal(err)
	}
	w.deliver()
	got := w.incident(inc.ID)
	if got.Title != "red alert" || got.Description != "first line\nevil" {
		t.Errorf("stored title %q, description %q", got.Title, got.Description)
	}
	if want := "inc-1-red-alert"; w.slack.ChannelByName(want) == nil {
		t.Errorf("no channel %s", want)
	}
	if _, err := w.svc.Declare(w.ctx, incident.DeclareRequest{Actor: "U0ALICE", Severity: incident.P3, Title: "\u200b\u200d\x1b[0m"}); incident.ErrorCode(err) != incident.EINVALID {
		t.Errorf("a title of invisible characters: %v", err)
	}
	ch := got.ChannelID

	for _, tc := range []struct {
		what string
		call func(text string) error
	}{
		{"A note", func(s string) error { _, err := w.svc.AddNote(w.ctx, "U0BOB", ch, s); return err }},
		{"An update", func(s string) error { _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, s); return err }},
		{"A follow-up", func(s string) error { _, err := w.svc.AddFollowup(w.ctx, "U0BOB", ch, s, ""); return err }},
		{"A correction", func(s string) error { _, err := w.svc.CorrectEvent(w.ctx, "U0ALICE", ch, 1, s); return err }},
	} {
		err := tc.call("\u200b\u200c\u200d\u2060\ufeff")
		if incident.ErrorCode(err) != incident.EINVALID || incident.ErrorMessage(err) != tc.what+" needs some text." {
			t.Errorf("%s of zero-width characters only: %v", tc.what, err)
		}
	}
	if _, err := w.svc.AddNote(w.ctx, "U0BOB", ch, "cause: \u202egnp.exe\u202c and \x1b[1mbold\x1b[0m\nnext line"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.PostUpdate(w.ctx, "U0BOB", ch, "\u2066failing over\u2069\x00"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Resolve(w.ctx, "U0BOB", ch, "fixed\x1b[K\u200b"); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range w.events(inc.ID) {
		texts = append(texts, eventText(e))
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"cause: gnp.exe and bold\nnext line", "[team] failing over", "resolved the incident: fixed"} {
		if !strings.Contains(all, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, all)
		}
	}
	if strings.ContainsAny(all, "\x1b\x00\u202e\u2066\u200b") {
		t.Errorf("the timeline keeps invisible characters: %q", all)
	}
	if s := w.incident(inc.ID).Summary; s != "fixed" {
		t.Errorf("summary %q", s)
	}
}
