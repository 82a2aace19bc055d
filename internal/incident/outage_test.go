package incident_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// An outage affects each of its services from its declaration, or from the service's
// addition, to its resolution (to now while open), at each severity it had: the first
// change's From before it; a change without From (an older release's) changes nothing.
func TestOutageSpans(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ev := func(m int, kind incident.EventKind, d incident.EventData) incident.TimelineEvent {
		return incident.TimelineEvent{At: at(m), Kind: kind, Data: d}
	}
	says := func(spans []incident.OutageSpan) []string {
		var out []string
		for _, s := range spans {
			out = append(out, fmt.Sprintf("%s %s %s-%s", s.Service, s.Severity, s.From.Format("15:04"), s.To.Format("15:04")))
		}
		return out
	}
	for _, c := range []struct {
		name string
		o    incident.Outage
		want []string
	}{
		{"open, no change", incident.Outage{Severity: incident.P1, Status: incident.StatusInvestigating, Services: []string{"a", "b"}, DeclaredAt: at(0)},
			[]string{"a P1 10:00-12:00", "b P1 10:00-12:00"}},
		{"resolved, severity raised then lowered, a service added", incident.Outage{Severity: incident.P2, Status: incident.StatusResolved,
			Services: []string{"a", "b"}, DeclaredAt: at(0), ResolvedAt: at(90), Changes: []incident.TimelineEvent{
				ev(10, incident.EventSeverityChanged, incident.EventData{From: incident.P2, Severity: incident.P0}),
				ev(30, incident.EventServiceAdded, incident.EventData{Service: "b"}),
				ev(60, incident.EventSeverityChanged, incident.EventData{From: incident.P0, Severity: incident.P2}),
			}},
			[]string{"a P2 10:00-10:10", "a P0 10:10-11:00", "a P2 11:00-11:30", "b P0 10:30-11:00", "b P2 11:00-11:30"}},
		{"a change of an older release", incident.Outage{Severity: incident.P0, Status: incident.StatusResolved, Services: []string{"a"},
			DeclaredAt: at(0), ResolvedAt: at(30), Changes: []incident.TimelineEvent{ev(10, incident.EventSeverityChanged, incident.EventData{})}},
			[]string{"a P0 10:00-10:30"}},
		{"no service", incident.Outage{Severity: incident.P0, DeclaredAt: at(0)}, nil},
	} {
		if got := says(c.o.Spans(at(120))); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
