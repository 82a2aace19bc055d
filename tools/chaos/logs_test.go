package main

import (
	"testing"
	"time"
)

// A takeover counts from the kill of the instance that held the previous claim token; one
// of a live instance's claim, or with no previous claim in the logs, is reported apart.
func TestTakeoversAreTimedFromTheHoldersKill(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	b := newLogBook()
	b.add("r1.1", logLine{Time: at(0), Msg: msgClaimed, Effect: "a", Kind: "post", Claim: 1})
	b.add("r2.1", logLine{Time: at(0.5), Msg: msgClaimed, Effect: "b", Kind: "post", Claim: 4})
	b.killed("r1.1", at(1))
	b.add("r2.1", logLine{Time: at(5.5), Msg: msgTakeover, Effect: "a", Kind: "post", Claim: 2})
	b.add("r3.1", logLine{Time: at(6), Msg: msgTakeover, Effect: "b", Kind: "execute_step", Claim: 5}) // r2.1 lives: slow
	b.add("r3.1", logLine{Time: at(6.5), Msg: msgTakeover, Effect: "c", Kind: "post", Claim: 9})       // no claim 8 logged: r1.1's kill
	b.add("r3.1", logLine{Time: at(30), Msg: msgTakeover, Effect: "d", Kind: "post", Claim: 3})        // no claim 2, no kill near
	b.add("r3.1", logLine{Time: at(7), Level: "ERROR", Msg: "outbox: delivery failed for good"})
	got := b.takeovers(5 * time.Second)
	if len(got.afterKill) != 2 || got.afterKill[0] != 4500*time.Millisecond || got.afterKill[1] != 5500*time.Millisecond || got.byTime != 1 {
		t.Errorf("after a kill: %v (%d by time), want [4.5s 5.5s] (1)", got.afterKill, got.byTime)
	}
	if got.other != 1 || got.unmatched != 1 {
		t.Errorf("other %d, unmatched %d; want 1 and 1", got.other, got.unmatched)
	}
	if got.byKind["post"] != 3 || got.byKind["execute_step"] != 1 {
		t.Errorf("by kind %v", got.byKind)
	}
	if b.errors["outbox: delivery failed for good"] != 1 {
		t.Errorf("errors %v", b.errors)
	}
	if p := percentile([]time.Duration{1, 2, 3, 4}, 0.5); p != 3 {
		t.Errorf("p50 of 1..4 = %d, want 3", p)
	}
}
