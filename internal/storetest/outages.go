package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func outageCases() []testCase {
	return []testCase{
		{"OfThePeriodNewestFirst", outagesOfThePeriodNewestFirst},
		{"WithTheirChangesInOrder", outagesWithTheirChangesInOrder},
		{"UpToTheLimit", outagesUpToTheLimit},
	}
}

// outageNumbers are the numbers of the outages, in their order.
func outageNumbers(os []incident.Outage) []int {
	out := make([]int, len(os))
	for i := range os {
		out[i] = os[i].Number
	}
	return out
}

func readOutages(t *testing.T, s incident.Store, since, until time.Time, limit int) []incident.Outage {
	t.Helper()
	var os []incident.Outage
	view(t, s, func(tx incident.Tx) (err error) { os, err = tx.Outages(since, until, limit); return err })
	return os
}

// Outages returns the public incidents open at some time in the period, the newest first:
// the open ones however long ago they were declared, those resolved at or after since
// (also when declared before it), at their exact times; not those resolved before since,
// declared after until, private or drills.
func outagesOfThePeriodNewestFirst(t *testing.T, s incident.Store) {
	since, until := at(10*time.Hour), at(20*time.Hour)
	mk := func(n int, declared, resolved time.Duration, edit func(*incident.Incident)) {
		inc := minimalIncident(n)
		inc.DeclaredAt = at(declared)
		if resolved > 0 {
			inc.Status, inc.MitigatedAt, inc.ResolvedAt = incident.StatusResolved, at(resolved-time.Minute+time.Millisecond), at(resolved)
		}
		if edit != nil {
			edit(inc)
		}
		createIncident(t, s, inc)
	}
	mk(1, time.Hour, 0, nil)               // open since long before: in
	mk(2, 2*time.Hour, 9*time.Hour, nil)   // resolved before since: out
	mk(3, 3*time.Hour, 10*time.Hour, nil)  // resolved at since exactly: in
	mk(4, 12*time.Hour, 13*time.Hour, nil) // within: in
	mk(5, 14*time.Hour, 0, func(i *incident.Incident) { i.Private = true })
	mk(6, 15*time.Hour, 16*time.Hour, func(i *incident.Incident) { i.Drill = true })
	mk(7, 20*time.Hour, 0, func(i *incident.Incident) { i.Severity, i.Status = incident.P0, incident.StatusMitigated }) // at until: in
	mk(8, 21*time.Hour, 0, nil)                                                                                         // after until: out
	mk(9, 11*time.Hour, 30*time.Hour, nil)                                                                              // resolved after until: in
	got := readOutages(t, s, since, until, 100)
	if want := []int{9, 7, 4, 3, 1}; !slices.Equal(outageNumbers(got), want) {
		t.Fatalf("outages %v, want %v", outageNumbers(got), want)
	}
	o := got[3]
	want := incident.Outage{ID: o.ID, Number: 3, Severity: incident.P2, Status: incident.StatusResolved, DeclaredAt: at(3 * time.Hour),
		MitigatedAt: at(10*time.Hour - time.Minute + time.Millisecond), ResolvedAt: at(10 * time.Hour)}
	wantNoDiff(t, "the outage resolved at since", want, o)
	if got[1].Severity != incident.P0 || got[1].Status != incident.StatusMitigated || !got[1].ResolvedAt.IsZero() {
		t.Errorf("the mitigated outage: %+v", got[1])
	}
}

// Each outage comes with its services in the order added and its severity changes and
// service additions in seq order, and no other event.
func outagesWithTheirChangesInOrder(t *testing.T, s incident.Store) {
	a, b := minimalIncident(1), minimalIncident(2)
	a.Services = []string{"intent-processing", "api-gateway", "analytics"}
	b.Services = []string{"analytics"}
	createIncident(t, s, a)
	createIncident(t, s, b)
	update(t, s, func(tx incident.Tx) error {
		for _, e := range []struct {
			id   int64
			kind incident.EventKind
			d    incident.EventData
		}{
			{a.ID, incident.EventDeclared, incident.EventData{Severity: incident.P2}},
			{a.ID, incident.EventSeverityChanged, incident.EventData{From: incident.P2, Severity: incident.P0}},
			{b.ID, incident.EventSeverityChanged, incident.EventData{From: incident.P2, Severity: incident.P1}},
			{a.ID, incident.EventNote, incident.EventData{Text: "not a change"}},
			{a.ID, incident.EventServiceAdded, incident.EventData{Service: "api-gateway", Tier: 2}},
			{a.ID, incident.EventSeverityChanged, incident.EventData{From: incident.P0, Severity: incident.P1}},
		} {
			if _, err := appendEvent(tx, e.id, e.kind, e.d, at(time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	got := readOutages(t, s, t0, at(time.Hour), 10)
	if len(got) != 2 {
		t.Fatalf("%d outages, want 2", len(got))
	}
	if !slices.Equal(got[0].Services, b.Services) || !slices.Equal(got[1].Services, a.Services) {
		t.Errorf("services %v and %v, want %v and %v", got[0].Services, got[1].Services, b.Services, a.Services)
	}
	says := func(o incident.Outage) []string {
		var out []string
		for _, e := range o.Changes {
			out = append(out, fmt.Sprintf("%d %s %s%s%s", e.Seq, e.Kind, e.Data.From, e.Data.Severity, e.Data.Service))
		}
		return out
	}
	if got, want := says(got[1]), []string{"2 severity_changed P2P0", "4 service_added api-gateway", "5 severity_changed P0P1"}; !slices.Equal(got, want) {
		t.Errorf("the changes of the first: %q, want %q", got, want)
	}
	if got, want := says(got[0]), []string{"1 severity_changed P2P1"}; !slices.Equal(got, want) {
		t.Errorf("the changes of the second: %q, want %q", got, want)
	}
}

// Outages returns at most limit outages, the newest; with more than a chunk of IDs (the
// services and the changes are read a chunk at a time) every one has its own.
func outagesUpToTheLimit(t *testing.T, s incident.Store) {
	const n = 520
	update(t, s, func(tx incident.Tx) error {
		for i := 1; i <= n; i++ {
			inc := minimalIncident(i)
			inc.Services = []string{fmt.Sprintf("svc-%d", i)}
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			if _, err := appendEvent(tx, inc.ID, incident.EventSeverityChanged, incident.EventData{From: incident.P2, Severity: incident.P1}, inc.DeclaredAt); err != nil {
				return err
			}
		}
		return nil
	})
	if got := readOutages(t, s, t0, at(time.Duration(n)*time.Minute), 3); !slices.Equal(outageNumbers(got), []int{n, n - 1, n - 2}) {
		t.Errorf("with limit 3: %v", outageNumbers(got))
	}
	got := readOutages(t, s, t0, at(time.Duration(n)*time.Minute), n)
	if len(got) != n {
		t.Fatalf("%d outages, want %d", len(got), n)
	}
	for _, o := range got {
		if len(o.Services) != 1 || o.Services[0] != fmt.Sprintf("svc-%d", o.Number) || len(o.Changes) != 1 || o.Changes[0].IncidentID != o.ID {
			t.Fatalf("outage %d: services %v, %d changes", o.Number, o.Services, len(o.Changes))
		}
	}
}
