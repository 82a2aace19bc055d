package testenv

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nephoran/incidentbot/internal/incident"
)

// AppendLongTimeline appends n events to incident incidentID's timeline in store, chained
// after the events it has, a second apart: the kinds of SampleEvents in turn (but
// declarations), every seventh a note of incident.MaxTextLen characters that names people,
// a channel, a link and code, so that paging, shortening and rendering see long lines and
// every kind. It commits every 5,000 events.
func AppendLongTimeline(tb testing.TB, store incident.Store, incidentID int64, n int) {
	tb.Helper()
	var kinds []incident.TimelineEvent
	for _, e := range SampleEvents() {
		if e.Kind != incident.EventDeclared {
			kinds = append(kinds, e)
		}
	}
	long := LongNote()
	for done := 0; done < n; {
		batch := min(n-done, 5000)
		err := store.Update(context.Background(), func(tx incident.Tx) error {
			last, err := tx.LastEvent(incidentID)
			if err != nil {
				return err
			}
			at := SampleIncident().DeclaredAt
			if last != nil {
				at = last.At.Add(time.Second)
			}
			for i := range batch {
				k := kinds[(done+i)%len(kinds)]
				e := &incident.TimelineEvent{IncidentID: incidentID, Actor: k.Actor, Kind: k.Kind, Format: incident.FormatData, Data: k.Data}
				if (done+i)%7 == 0 {
					e.Kind, e.Actor, e.Data = incident.EventNote, "U0BOB", incident.EventData{Text: fmt.Sprintf("%d %s", done+i, long)}
				}
				e.Chain(last, at.Add(time.Duration(i)*time.Second))
				if err := tx.InsertEvent(e); err != nil {
					return err
				}
				last = e
			}
			return nil
		})
		if err != nil {
			tb.Fatalf("append a long timeline: %v", err)
		}
		done += batch
	}
}

// LongNote is a note as long as a note may be (incident.MaxTextLen characters, some of them
// two bytes), naming a person, a channel, a link and code on every line, as a long
// hand-written note in Slack would.
func LongNote() string {
	line := "Checked <@U0ALICE> and <#C0INC7>: `kubectl -n prod get pods` shows 3/5 ready, see <https://grafana.example.com/d/abc?from=now-1h|the dashboard> — café &amp; résumé. "
	var b strings.Builder
	for utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) <= incident.MaxTextLen-8 {
		b.WriteString(line)
	}
	return strings.TrimSpace(b.String())
}
