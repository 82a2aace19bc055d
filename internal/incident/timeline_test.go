package incident_test

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

var chainStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// chain returns n events of one incident, chained a second apart.
func chain(n int) []incident.TimelineEvent {
	evs := make([]incident.TimelineEvent, n)
	var prev *incident.TimelineEvent
	for i := range evs {
		evs[i] = incident.TimelineEvent{IncidentID: 7, Actor: "U0ALICE", Kind: incident.EventNote, Data: incident.EventData{Text: "n"}}
		evs[i].Chain(prev, chainStart.Add(time.Duration(i)*time.Second))
		prev = &evs[i]
	}
	return evs
}

// Each way a chain breaks is found at the event that breaks it, with its reason, by
// VerifyChain and by a ChainVerifier fed one event at a time; an intact chain verifies.
func TestChainVerifierFindsEachBreak(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper func([]incident.TimelineEvent) []incident.TimelineEvent
		seq    int // of the breaking event; 0 for none
		reason string
	}{
		{"intact", func(e []incident.TimelineEvent) []incident.TimelineEvent { return e }, 0, ""},
		{"empty", func([]incident.TimelineEvent) []incident.TimelineEvent { return nil }, 0, ""},
		{"first is not #1", func(e []incident.TimelineEvent) []incident.TimelineEvent { return e[1:] }, 2, "the first event does not start the chain"},
		{"gap", func(e []incident.TimelineEvent) []incident.TimelineEvent { return append(e[:2:2], e[3:]...) }, 4, "sequence gap: an event is missing before it"},
		{"relinked", func(e []incident.TimelineEvent) []incident.TimelineEvent { e[2].PrevHash = e[0].Hash; return e }, 3, "it does not link to the previous event's hash"},
		{"backwards in time", func(e []incident.TimelineEvent) []incident.TimelineEvent {
			e[3].At = e[2].At.Add(-time.Millisecond)
			return e
		}, 4, "its time is before the previous event's"},
		{"edited", func(e []incident.TimelineEvent) []incident.TimelineEvent { e[4].DataJSON = `{"text":"m"}`; return e }, 5, "its content does not match its hash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs := c.tamper(chain(6))
			check := func(how string, b *incident.ChainBreak) {
				switch {
				case c.seq == 0 && b != nil:
					t.Errorf("%s: break at #%d (%s), want none", how, b.Event.Seq, b.Reason)
				case c.seq != 0 && b == nil:
					t.Errorf("%s: no break, want one at #%d", how, c.seq)
				case c.seq != 0 && (b.Event.Seq != c.seq || b.Reason != c.reason):
					t.Errorf("%s: break at #%d (%s), want #%d (%s)", how, b.Event.Seq, b.Reason, c.seq, c.reason)
				}
			}
			check("VerifyChain", incident.VerifyChain(evs))
			// One reused struct, as a store streaming rows may hand out.
			var v incident.ChainVerifier
			var first *incident.ChainBreak
			var e incident.TimelineEvent
			for i := range evs {
				e = evs[i]
				if b := v.Add(&e); b != nil && first == nil {
					first = b
				}
			}
			check("ChainVerifier", first)
			if c.seq == 0 && v.Len() != len(evs) {
				t.Errorf("Len = %d, want %d", v.Len(), len(evs))
			}
		})
	}
}

// A break does not advance the verifier: the next event is still checked against the last
// one that verified, and the break holds a copy of the event, not the caller's struct.
func TestChainVerifierStopsAtABreak(t *testing.T) {
	evs := chain(3)
	var v incident.ChainVerifier
	if b := v.Add(&evs[0]); b != nil {
		t.Fatalf("#1: %s", b.Reason)
	}
	bad := evs[1]
	bad.Hash = "0000"
	b := v.Add(&bad)
	if b == nil || b.Reason != "its content does not match its hash" {
		t.Fatalf("tampered #2: %+v", b)
	}
	bad.Actor = "U0MALLORY"
	if b.Event.Actor != "U0ALICE" || b.Event.Hash != "0000" {
		t.Errorf("the break's event changed with the caller's struct: %+v", b.Event)
	}
	if v.Len() != 1 {
		t.Errorf("Len after a break = %d, want 1", v.Len())
	}
	if b := v.Add(&evs[2]); b == nil || b.Reason != "sequence gap: an event is missing before it" {
		t.Errorf("#3 after the break: %+v, want a gap (the last verified event is #1)", b)
	}
	if b := v.Add(&evs[1]); b != nil {
		t.Errorf("the intact #2 after the break: %s", b.Reason)
	}
}
