package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func timelineCases() []testCase {
	return []testCase{
		{"InsertSetsIDAndEventsReadInOrder", insertSetsIDAndEventsReadInOrder},
		{"EveryEventFieldRoundTrips", everyEventFieldRoundTrips},
		{"LastEventIsNilWhenNone", lastEventIsNilWhenNone},
		{"EventBySeq", eventBySeq},
		{"TimelinesAreSeparate", timelinesAreSeparate},
		{"DuplicateSeqFails", duplicateSeqFails},
		{"TextEventsRoundTrip", textEventsRoundTrip},
		{"DataIsKeptByteForByte", dataIsKeptByteForByte},
		{"TimesAreUTCMilliseconds", eventTimesAreUTCMilliseconds},
		{"EachEventWalksEveryIncidentInOrder", eachEventWalksEveryIncidentInOrder},
		{"EachEventStopsAtFnsError", eachEventStopsAtFnsError},
		{"EachEventOnAnEmptyStore", eachEventOnAnEmptyStore},
	}
}

// InsertEvent sets a positive ID; Events returns the timeline in sequence order, each
// event as written, and the chain read back verifies.
func insertSetsIDAndEventsReadInOrder(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var want []incident.TimelineEvent
	update(t, s, func(tx incident.Tx) error {
		for i, k := range []incident.EventKind{incident.EventDeclared, incident.EventNote, incident.EventStatusUpdate, incident.EventResolved} {
			e, err := appendEvent(tx, inc.ID, k, incident.EventData{Text: string(k)}, at(time.Duration(i)*time.Second))
			if err != nil {
				return err
			}
			if e.ID <= 0 {
				t.Errorf("InsertEvent set ID %d on event %d", e.ID, e.Seq)
			}
			for _, w := range want {
				if w.ID == e.ID {
					t.Errorf("events %d and %d have the same ID %d", w.Seq, e.Seq, e.ID)
				}
			}
			want = append(want, *e)
		}
		return nil
	})
	got := readEvents(t, s, inc.ID)
	wantNoDiff(t, "Events", want, got)
	if b := incident.VerifyChain(got); b != nil {
		t.Errorf("the chain read back breaks at event %d: %s", b.Event.Seq, b.Reason)
	}
}

// Every field of an event, and every field of its data, reads back exactly through
// Events, Event and LastEvent.
func everyEventFieldRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var want *incident.TimelineEvent
	update(t, s, func(tx incident.Tx) (err error) {
		if _, err := appendEvent(tx, inc.ID, incident.EventDeclared, incident.EventData{}, t0); err != nil {
			return err
		}
		want, err = appendEvent(tx, inc.ID, incident.EventStepResult, fullEventData(), at(time.Second))
		return err
	})
	view(t, s, func(tx incident.Tx) error {
		evs, err := tx.Events(inc.ID)
		if err != nil || len(evs) != 2 {
			t.Fatalf("Events: %d events, %v", len(evs), err)
		}
		one, err := tx.Event(inc.ID, 2)
		if err != nil {
			t.Fatalf("Event(2): %v", err)
		}
		last, err := tx.LastEvent(inc.ID)
		if err != nil || last == nil {
			t.Fatalf("LastEvent: %v, %v", last, err)
		}
		for name, got := range map[string]*incident.TimelineEvent{"Events": &evs[1], "Event": one, "LastEvent": last} {
			wantNoDiff(t, name, want, got)
			wantUTC(t, name, got)
		}
		if b := incident.VerifyChain(evs); b != nil {
			t.Errorf("the chain read back breaks at event %d: %s", b.Event.Seq, b.Reason)
		}
		return nil
	})
}

// LastEvent is nil without an error for an incident without events, and for no incident.
func lastEventIsNilWhenNone(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	view(t, s, func(tx incident.Tx) error {
		for _, id := range []int64{inc.ID, inc.ID + 100} {
			e, err := tx.LastEvent(id)
			if e != nil || err != nil {
				t.Errorf("LastEvent(%d) = %+v, %v; want nil, nil", id, e, err)
			}
			evs, err := tx.Events(id)
			if len(evs) != 0 || err != nil {
				t.Errorf("Events(%d) = %d events, %v; want none", id, len(evs), err)
			}
		}
		return nil
	})
}

// Event(incident, seq) finds one event; a seq past the end, 0, or another incident's
// is ENOTFOUND.
func eventBySeq(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	var want []*incident.TimelineEvent
	update(t, s, func(tx incident.Tx) error {
		for i := range 3 {
			e, err := appendEvent(tx, a.ID, incident.EventNote, incident.EventData{Text: string(rune('a' + i))}, at(time.Duration(i)*time.Millisecond))
			if err != nil {
				return err
			}
			want = append(want, e)
		}
		return nil
	})
	view(t, s, func(tx incident.Tx) error {
		for _, w := range want {
			got, err := tx.Event(a.ID, w.Seq)
			if err != nil {
				t.Errorf("Event(%d): %v", w.Seq, err)
				continue
			}
			wantNoDiff(t, "Event", w, got)
		}
		for _, c := range []struct {
			id  int64
			seq int
		}{{a.ID, 4}, {a.ID, 0}, {b.ID, 1}} {
			e, err := tx.Event(c.id, c.seq)
			wantCode(t, "Event of a missing seq", err, incident.ENOTFOUND)
			if e != nil {
				t.Errorf("Event(%d, %d) returned event %+v", c.id, c.seq, e)
			}
		}
		return nil
	})
}

// Each incident has its own timeline, numbered from 1, however their events interleave.
func timelinesAreSeparate(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	want := map[int64][]incident.TimelineEvent{}
	for i := range 6 {
		id := a.ID
		if i%3 == 1 {
			id = b.ID
		}
		update(t, s, func(tx incident.Tx) error {
			e, err := appendEvent(tx, id, incident.EventNote, incident.EventData{Text: "x"}, at(time.Duration(i)*time.Second))
			if err == nil {
				want[id] = append(want[id], *e)
			}
			return err
		})
	}
	for _, id := range []int64{a.ID, b.ID} {
		got := readEvents(t, s, id)
		wantNoDiff(t, "Events", want[id], got)
		if br := incident.VerifyChain(got); br != nil {
			t.Errorf("incident %d: the chain breaks at %d: %s", id, br.Event.Seq, br.Reason)
		}
	}
}

// A second event with an incident's seq fails (a lost race fails loudly) and leaves the
// first as it was; the same seq in another incident is fine.
func duplicateSeqFails(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	var first *incident.TimelineEvent
	update(t, s, func(tx incident.Tx) (err error) {
		first, err = appendEvent(tx, a.ID, incident.EventNote, incident.EventData{Text: "first"}, t0)
		return err
	})
	wantFails(t, s, "a second event #1", func(tx incident.Tx) error {
		e := &incident.TimelineEvent{IncidentID: a.ID, Actor: "U0BOB", Kind: incident.EventNote, Data: incident.EventData{Text: "racer"}}
		e.Chain(nil, at(time.Second))
		return tx.InsertEvent(e)
	})
	got := readEvents(t, s, a.ID)
	wantNoDiff(t, "the timeline after the refused duplicate", []incident.TimelineEvent{*first}, got)
	update(t, s, func(tx incident.Tx) error {
		_, err := appendEvent(tx, b.ID, incident.EventNote, incident.EventData{Text: "other"}, t0)
		return err
	})
}

// Events written by releases before typed data (format 1: Slack text) read back with
// their text and verify, also followed by format 2 events.
func textEventsRoundTrip(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var want []incident.TimelineEvent
	update(t, s, func(tx incident.Tx) error {
		var prev *incident.TimelineEvent
		for i, text := range []string{"<@U0ALICE> declared *P1* “checkout” &amp; more\nline 2", ":white_check_mark: <https://x|link>"} {
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: incident.EventNote, Format: incident.FormatText, Text: text}
			e.Chain(prev, at(time.Duration(i)*time.Second))
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			want, prev = append(want, *e), e
		}
		e, err := appendEvent(tx, inc.ID, incident.EventNote, incident.EventData{Text: "typed now"}, at(time.Minute))
		if err == nil {
			want = append(want, *e)
		}
		return err
	})
	got := readEvents(t, s, inc.ID)
	wantNoDiff(t, "Events", want, got)
	for _, e := range got[:2] {
		if e.Format != incident.FormatText || e.DataJSON != "" {
			t.Errorf("text event %d reads back as format %d with data %q", e.Seq, e.Format, e.DataJSON)
		}
	}
	if b := incident.VerifyChain(got); b != nil {
		t.Errorf("the chain read back breaks at event %d: %s", b.Event.Seq, b.Reason)
	}
}

// A format 2 event's data is stored as the bytes it was hashed from, not re-encoded:
// key order, spacing, escapes and fields this release does not know (a newer release
// wrote them) read back byte for byte, Data is decoded from them, and the chain verifies.
func dataIsKeptByteForByte(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	stored := []string{
		`{"users":["U0BOB"],"text":"key order as written"}`,
		`{ "text" : "spaced",   "count": 3 }`,
		`{"text":"\u003c@U0BOB\u003e \u0026 caf\u00e9 \ud83d\udd25","detail":"a\/b"}`,
		`{"text":"from a newer release","future_field":{"nested":[1,2.50,true,null]}}`,
		`{}`,
	}
	wantData := []incident.EventData{
		{Users: []string{"U0BOB"}, Text: "key order as written"},
		{Text: "spaced", Count: 3},
		{Text: "<@U0BOB> & café 🔥", Detail: "a/b"},
		{Text: "from a newer release"},
		{},
	}
	update(t, s, func(tx incident.Tx) error {
		var prev *incident.TimelineEvent
		for i, data := range stored {
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: incident.EventNote, Format: incident.FormatData}
			e.Chain(prev, at(time.Duration(i)*time.Second))
			e.DataJSON = data // as another release encoded it
			e.Hash = e.ComputeHash()
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			prev = e
		}
		return nil
	})
	got := readEvents(t, s, inc.ID)
	if len(got) != len(stored) {
		t.Fatalf("%d events, want %d", len(got), len(stored))
	}
	for i, e := range got {
		if e.DataJSON != stored[i] {
			t.Errorf("event %d: DataJSON %q, want the stored bytes %q", e.Seq, e.DataJSON, stored[i])
		}
		wantNoDiff(t, "decoded Data", wantData[i], e.Data)
	}
	if b := incident.VerifyChain(got); b != nil {
		t.Errorf("the chain read back breaks at event %d: %s", b.Event.Seq, b.Reason)
	}
}

// An event chained at a time in another zone, with nanoseconds, reads back at that
// instant to the millisecond, in UTC, and still verifies.
func eventTimesAreUTCMilliseconds(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	zone := time.FixedZone("PDT", -7*3600)
	now := time.Date(2026, 7, 1, 23, 59, 59, 999_999_999, zone)
	update(t, s, func(tx incident.Tx) error {
		_, err := appendEvent(tx, inc.ID, incident.EventNote, incident.EventData{Text: "late"}, now)
		return err
	})
	got := readEvents(t, s, inc.ID)
	if len(got) != 1 {
		t.Fatalf("%d events", len(got))
	}
	if want := now.UTC().Truncate(time.Millisecond); !got[0].At.Equal(want) || got[0].At.Location() != time.UTC {
		t.Errorf("At = %s, want %s", showTime(got[0].At), showTime(want))
	}
	if b := incident.VerifyChain(got); b != nil {
		t.Errorf("the chain breaks: %s", b.Reason)
	}
}

// EachEvent hands out every event of every incident in (incident ID, seq) order, each as
// Events reads it but for Data, left in DataJSON undecoded, however the incidents' appends
// interleaved (here later incidents first) and skipping an incident without events; each
// incident's run verifies.
func eachEventWalksEveryIncidentInOrder(t *testing.T, s incident.Store) {
	var incs []*incident.Incident
	for n := range 4 {
		incs = append(incs, createIncident(t, s, minimalIncident(n+1)))
	}
	with := []*incident.Incident{incs[3], incs[0], incs[2]} // incs[1] has no events
	for i := range 3 {
		update(t, s, func(tx incident.Tx) error {
			for j, inc := range with {
				if _, err := appendEvent(tx, inc.ID, incident.EventNote, incident.EventData{Text: "x", Count: i}, at(time.Duration(3*i+j)*time.Second)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var want []incident.TimelineEvent
	for _, inc := range incs {
		want = append(want, readEvents(t, s, inc.ID)...)
	}
	for i := range want {
		want[i].Data = incident.EventData{}
	}
	if len(want) != 9 {
		t.Fatalf("%d events written, want 9", len(want))
	}
	var got []incident.TimelineEvent
	view(t, s, func(tx incident.Tx) error {
		return tx.EachEvent(func(e *incident.TimelineEvent) error {
			got = append(got, *e)
			return nil
		})
	})
	wantNoDiff(t, "EachEvent", want, got)
	var v incident.ChainVerifier
	for i := range got {
		if i > 0 && got[i].IncidentID != got[i-1].IncidentID {
			v = incident.ChainVerifier{}
		}
		if b := v.Add(&got[i]); b != nil {
			t.Errorf("incident %d: the chain breaks at %d: %s", got[i].IncidentID, b.Event.Seq, b.Reason)
		}
	}
}

// An error from fn stops the walk at once and comes back from EachEvent as it is; the
// transaction can read on afterwards.
func eachEventStopsAtFnsError(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	update(t, s, func(tx incident.Tx) error {
		for i := range 5 {
			if _, err := appendEvent(tx, inc.ID, incident.EventNote, incident.EventData{Text: "x"}, at(time.Duration(i)*time.Second)); err != nil {
				return err
			}
		}
		return nil
	})
	stop := errors.New("storetest: stop the walk")
	calls := 0
	view(t, s, func(tx incident.Tx) error {
		err := tx.EachEvent(func(e *incident.TimelineEvent) error {
			calls++
			if e.Seq == 2 {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Errorf("EachEvent returned %v, want fn's error itself", err)
		}
		if calls != 2 {
			t.Errorf("fn was called %d times, want 2 (the walk stops at its error)", calls)
		}
		evs, err := tx.Events(inc.ID)
		if err != nil || len(evs) != 5 {
			t.Errorf("Events after the stopped walk: %d events, %v", len(evs), err)
		}
		return nil
	})
}

// On a store without events (none at all, then incidents without events) EachEvent calls
// fn never and returns nil.
func eachEventOnAnEmptyStore(t *testing.T, s incident.Store) {
	walk := func(when string) {
		view(t, s, func(tx incident.Tx) error {
			if err := tx.EachEvent(func(e *incident.TimelineEvent) error {
				t.Errorf("%s: fn called with event %+v", when, e)
				return nil
			}); err != nil {
				t.Errorf("%s: EachEvent: %v", when, err)
			}
			return nil
		})
	}
	walk("an empty store")
	createIncident(t, s, minimalIncident(1))
	createIncident(t, s, minimalIncident(2))
	walk("incidents without events")
}
