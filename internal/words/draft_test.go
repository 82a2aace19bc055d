package words_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
	"github.com/nephoran/incidentbot/internal/words"
)

// draftOf is a draft of a P1 on intent-processing declared at 03:00, written at 03:20.
func draftOf(audience string, change func(*incident.Draft)) incident.Draft {
	declared := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	d := incident.Draft{
		Ref:      incident.DraftRef{Reminder: 9, At: declared.Add(20 * time.Minute), Since: declared.Add(5 * time.Minute)},
		Audience: audience, Public: incident.PublicAudience(audience), Key: "INC-7", Title: "Intent API slow",
		Severity: incident.P1, Status: incident.StatusInvestigating, DeclaredAt: declared,
		Services:   []incident.DraftService{{Name: "intent-processing", Tier: 1, RTO: 15 * time.Minute}},
		Objectives: incident.Objectives{RTO: 15 * time.Minute, RTOService: "intent-processing"},
		Elapsed:    20 * time.Minute, Next: declared.Add(30 * time.Minute),
	}
	change(&d)
	return d
}

func plain(s words.Sentence) string { return words.PlainText(s, nil) }

// The words of the states a draft can be in: mitigated within or past the RTO, a drill, the
// cadence stopped, nothing new, the public's view of a severity change that changes no state.
func TestDraftWordsGolden(t *testing.T) {
	sev := incident.TimelineEvent{Seq: 12, Kind: incident.EventSeverityChanged, Format: incident.FormatData,
		Actor: "U0ALICE", Data: incident.EventData{From: incident.P2, Severity: incident.P3}}
	var b strings.Builder
	for _, tc := range []struct {
		name, audience string
		change         func(*incident.Draft)
	}{
		{"mitigated within the RTO", incident.AudienceExecs, func(d *incident.Draft) {
			d.Mitigated, d.Status, d.Elapsed, d.Next = true, incident.StatusMitigated, 12*time.Minute, time.Time{}
		}},
		{"mitigated past the RTO", incident.AudienceCustomers, func(d *incident.Draft) {
			d.Mitigated, d.Status, d.Elapsed, d.Next = true, incident.StatusMitigated, 21*time.Minute, time.Time{}
		}},
		{"mitigated past the RTO", incident.AudienceStakeholders, func(d *incident.Draft) {
			d.Mitigated, d.Status, d.Elapsed, d.Next = true, incident.StatusMitigated, 21*time.Minute, time.Time{}
		}},
		{"running, within the RTO", incident.AudienceTeam, func(d *incident.Draft) { d.Elapsed = 10 * time.Minute }},
		{"a drill", incident.AudienceStatusPage, func(d *incident.Draft) { d.Drill = true }},
		{"nothing new for the public", incident.AudienceCustomers, func(d *incident.Draft) {}},
		{"no state change for the public", incident.AudienceStatusPage, func(d *incident.Draft) {
			d.Severity, d.Changes = incident.P3, []incident.TimelineEvent{sev}
		}},
		{"a private incident for the executives", incident.AudienceExecs, func(d *incident.Draft) {
			d.Private, d.Shares = true, []incident.Share{{Segment: incident.SegmentSmallBusiness, Percent: 10}}
			d.Estimate = incident.Estimate{Hourly: 850, SoFar: 283.33}
		}},
	} {
		b.WriteString("== " + tc.name + " (" + tc.audience + ")\n" + plain(words.Draft(draftOf(tc.audience, tc.change)).Sentence(99)) + "\n")
	}
	testenv.Golden(t, filepath.Join("testdata", "drafts.txt"), b.String())
}

// A draft with more changes than fit keeps the newest and counts the others; its text never
// passes the limit.
func TestDraftFitKeepsTheNewestChanges(t *testing.T) {
	d := draftOf(incident.AudienceTeam, func(d *incident.Draft) {
		for i := 1; i <= 300; i++ {
			d.Changes = append(d.Changes, incident.TimelineEvent{Seq: i, Kind: incident.EventNote, Format: incident.FormatData, Actor: "U0BOB",
				Data: incident.EventData{Text: "observation number " + strings.Repeat("x", i%7) + " " + string(rune('a'+i%26))}})
		}
	})
	text := words.Draft(d).Fit(plain, incident.MaxTextLen)
	if n := utf8.RuneCountInString(text); n > incident.MaxTextLen {
		t.Fatalf("the draft has %d characters", n)
	}
	if !strings.Contains(text, "earlier changes are on the timeline") || !strings.Contains(text, "observation number xxxxxx o") {
		t.Errorf("the fitted draft:\n%s", text)
	}
	if strings.Contains(text, "observation number x b\n") {
		t.Error("the oldest change was kept over newer ones")
	}
}
