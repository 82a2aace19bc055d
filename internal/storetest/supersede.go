package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Supersede: the outbox coalesces the refreshes of one card. PendingInLane lists what is
// queued in a lane; SupersedeEffects marks done, with a note, only those still pending.

func supersedeCases() []testCase {
	return []testCase{
		{"PendingInLaneListsOnlyThePendingOfTheLane", pendingInLaneListsOnlyThePendingOfTheLane},
		{"SupersedeMarksOnlyPendingEffects", supersedeMarksOnlyPendingEffects},
	}
}

// laned is a card refresh in lane, in state.
func laned(id int64, key, lane string, state incident.EffectState) *incident.Effect {
	e := newEffect(id, key, incident.EffectUpdateCard, at(0))
	e.Lane, e.State = lane, state
	return e
}

// PendingInLane returns the lane's pending effects in lane order, not its inflight one, nor
// another lane's (nor one claimed from it).
func pendingInLaneListsOnlyThePendingOfTheLane(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, laned(inc.ID, "head", "card:1", incident.EffectInflight),
		laned(inc.ID, "second", "card:1", incident.EffectPending),
		laned(inc.ID, "other-lane", "card:2", incident.EffectPending),
		laned(inc.ID, "third", "card:1", incident.EffectPending))
	enqueue(t, s, laned(inc.ID, "fourth", "card:1", incident.EffectPending))
	claimOne(t, s, at(time.Minute), lease, "other-lane")
	var got []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { got, err = tx.PendingInLane("card:1"); return err })
	var keys []string
	for _, e := range got {
		keys = append(keys, e.Key)
	}
	if len(keys) != 3 || keys[0] != "second" || keys[1] != "third" || keys[2] != "fourth" {
		t.Errorf("PendingInLane(card:1) = %v, want [second third fourth]", keys)
	}
	update(t, s, func(tx incident.Tx) (err error) { got, err = tx.PendingInLane(""); return err })
	if len(got) != 0 {
		t.Errorf("PendingInLane(\"\") = %d effects, want none (no lane)", len(got))
	}
}

// SupersedeEffects marks the pending ones done with the note, counts them, and leaves an
// inflight one (its delivery goes on) and a finished one as they are.
func supersedeMarksOnlyPendingEffects(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	held := laned(inc.ID, "held", "card:1", incident.EffectInflight)
	queued := laned(inc.ID, "queued", "card:1", incident.EffectPending)
	failed := laned(inc.ID, "failed", "", incident.EffectPending)
	enqueue(t, s, held, queued, failed)
	f := claimOne(t, s, at(time.Minute), lease, "failed")
	f.State, f.LastError = incident.EffectFailed, "channel_not_found"
	save(t, s, &f)
	const note = incident.SupersededPrefix + "sent by held"
	var n int
	update(t, s, func(tx incident.Tx) (err error) {
		n, err = tx.SupersedeEffects([]int64{held.ID, queued.ID, f.ID}, note)
		return err
	})
	if n != 1 {
		t.Errorf("SupersedeEffects marked %d, want 1 (only the pending one)", n)
	}
	for _, e := range readEffects(t, s, inc.ID) {
		want := map[string][2]string{"held": {"inflight", ""}, "queued": {"done", note}, "failed": {"failed", "channel_not_found"}}[e.Key]
		if string(e.State) != want[0] || e.LastError != want[1] || e.Attempts != 0 {
			t.Errorf("%s: %s %q after %d attempts, want %s %q after 0", e.Key, e.State, e.LastError, e.Attempts, want[0], want[1])
		}
	}
}
