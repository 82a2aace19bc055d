package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func eventWindowCases() []testCase {
	return []testCase{
		{"OldestFirstWithOffsetAndLimit", windowOldestFirst},
		{"NewestBackInSequenceOrder", windowNewestBack},
		{"HousekeepingLeftOutUnlessAsked", windowHousekeeping},
		{"PastTheEndAndEmptyLimits", windowPastTheEnd},
		{"OtherIncidentsAreNotCounted", windowOtherIncidents},
		{"BetweenEventNumbers", windowBetweenSeqs},
	}
}

// windowFixture appends n events to a new incident (its number num): every third one is
// housekeeping (a card update), the others notes. It returns the incident and every event.
func windowFixture(t *testing.T, s incident.Store, num, n int) (*incident.Incident, []incident.TimelineEvent) {
	t.Helper()
	inc := createIncident(t, s, minimalIncident(num))
	var all []incident.TimelineEvent
	update(t, s, func(tx incident.Tx) error {
		for i := range n {
			kind := incident.EventNote
			if i%3 == 2 {
				kind = incident.EventCardUpdated
			}
			e, err := appendEvent(tx, inc.ID, kind, incident.EventData{Text: "event"}, at(time.Duration(i)*time.Second))
			if err != nil {
				return err
			}
			all = append(all, *e)
		}
		return nil
	})
	return inc, all
}

func readWindow(t *testing.T, s incident.Store, id int64, w incident.EventWindow) []incident.TimelineEvent {
	t.Helper()
	var evs []incident.TimelineEvent
	view(t, s, func(tx incident.Tx) (err error) { evs, err = tx.EventsIn(id, w); return err })
	return evs
}

func seqs(evs []incident.TimelineEvent) []int {
	out := []int{}
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

// A window from the oldest skips Offset events and returns Limit, each as stored.
func windowOldestFirst(t *testing.T, s incident.Store) {
	inc, all := windowFixture(t, s, 1, 10)
	got := readWindow(t, s, inc.ID, incident.EventWindow{Offset: 2, Limit: 3, Housekeeping: true})
	wantNoDiff(t, "EventsIn(offset 2, limit 3)", all[2:5], got)
}

// A window from the newest counts back from the end and still returns sequence order.
func windowNewestBack(t *testing.T, s incident.Store) {
	inc, all := windowFixture(t, s, 1, 10)
	got := readWindow(t, s, inc.ID, incident.EventWindow{Offset: 1, Limit: 3, Newest: true, Housekeeping: true})
	wantNoDiff(t, "EventsIn(newest, offset 1, limit 3)", all[6:9], got)
}

// Without Housekeeping the window and the count skip the bot's housekeeping kinds.
func windowHousekeeping(t *testing.T, s incident.Store) {
	inc, _ := windowFixture(t, s, 1, 10) // housekeeping: seq 3, 6, 9
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{Limit: 5})), []int{1, 2, 4, 5, 7}; !equalInts(got, want) {
		t.Errorf("EventsIn(limit 5, no housekeeping) = %v, want %v", got, want)
	}
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{Limit: 2, Newest: true})), []int{8, 10}; !equalInts(got, want) {
		t.Errorf("EventsIn(newest, limit 2, no housekeeping) = %v, want %v", got, want)
	}
	view(t, s, func(tx incident.Tx) error {
		for _, c := range []struct {
			housekeeping bool
			want         int
		}{{true, 10}, {false, 7}} {
			n, err := tx.CountEvents(inc.ID, c.housekeeping)
			if err != nil || n != c.want {
				t.Errorf("CountEvents(housekeeping %v) = %d, %v; want %d", c.housekeeping, n, err, c.want)
			}
		}
		return nil
	})
}

// A window past the end is empty, one running past it is cut there, and a limit of 0 reads
// nothing.
func windowPastTheEnd(t *testing.T, s incident.Store) {
	inc, _ := windowFixture(t, s, 1, 4)
	if got := readWindow(t, s, inc.ID, incident.EventWindow{Offset: 4, Limit: 10, Housekeeping: true}); len(got) != 0 {
		t.Errorf("EventsIn past the end = %v, want none", seqs(got))
	}
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{Offset: 2, Limit: 10, Housekeeping: true})), []int{3, 4}; !equalInts(got, want) {
		t.Errorf("EventsIn(offset 2, limit 10) = %v, want %v", got, want)
	}
	if got := readWindow(t, s, inc.ID, incident.EventWindow{Limit: 0, Housekeeping: true}); len(got) != 0 {
		t.Errorf("EventsIn(limit 0) = %v, want none", seqs(got))
	}
}

// Windows and counts are per incident.
func windowOtherIncidents(t *testing.T, s incident.Store) {
	a, _ := windowFixture(t, s, 1, 5)
	b, bAll := windowFixture(t, s, 2, 3)
	wantNoDiff(t, "EventsIn of the second incident", bAll, readWindow(t, s, b.ID, incident.EventWindow{Limit: 100, Housekeeping: true}))
	view(t, s, func(tx incident.Tx) error {
		if n, err := tx.CountEvents(a.ID, true); err != nil || n != 5 {
			t.Errorf("CountEvents(first) = %d, %v; want 5", n, err)
		}
		if n, err := tx.CountEvents(b.ID, true); err != nil || n != 3 {
			t.Errorf("CountEvents(second) = %d, %v; want 3", n, err)
		}
		return nil
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FromSeq and ToSeq bound the events' numbers, both included, with or without housekeeping.
func windowBetweenSeqs(t *testing.T, s incident.Store) {
	inc, _ := windowFixture(t, s, 1, 10) // housekeeping: seq 3, 6, 9
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{FromSeq: 3, ToSeq: 6, Limit: 10, Housekeeping: true})), []int{3, 4, 5, 6}; !equalInts(got, want) {
		t.Errorf("EventsIn(#3 to #6) = %v, want %v", got, want)
	}
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{FromSeq: 3, ToSeq: 9, Limit: 10})), []int{4, 5, 7, 8}; !equalInts(got, want) {
		t.Errorf("EventsIn(#3 to #9, no housekeeping) = %v, want %v", got, want)
	}
	if got, want := seqs(readWindow(t, s, inc.ID, incident.EventWindow{FromSeq: 8, Limit: 10, Housekeeping: true})), []int{8, 9, 10}; !equalInts(got, want) {
		t.Errorf("EventsIn(from #8) = %v, want %v", got, want)
	}
}
