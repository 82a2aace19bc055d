package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Priority: of the effects due, critical ones (a new incident's channel, card, pages) are
// claimed before normal ones whatever their due time; ClaimPriority claims only from a
// priority up; lanes still keep their order.

func priorityCases() []testCase {
	return []testCase{
		{"PriorityRoundTrips", priorityRoundTrips},
		{"CriticalIsClaimedFirst", criticalIsClaimedFirst},
		{"ClaimPriorityTakesOnlyFromItsPriorityUp", claimPriorityTakesOnlyFromItsPriorityUp},
		{"ALaneKeepsItsOrderWhateverThePriority", aLaneKeepsItsOrderWhateverThePriority},
	}
}

// critical is newEffect with the critical priority.
func critical(id int64, key string, kind incident.EffectKind, due time.Time) *incident.Effect {
	e := newEffect(id, key, kind, due)
	e.Priority = incident.PriorityCritical
	return e
}

// claimAbove claims effects of priority min or higher and returns their keys in the order
// returned.
func claimAbove(t *testing.T, s incident.Store, now time.Time, min incident.Priority, limit int) []string {
	t.Helper()
	var claimed []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimPriority(now, min, limit, lease); return err })
	keys := make([]string, 0, len(claimed))
	for _, e := range claimed {
		if e.Priority < min {
			t.Errorf("ClaimPriority(%d) returned %s of priority %d", min, e.Key, e.Priority)
		}
		keys = append(keys, e.Key)
	}
	return keys
}

// An effect's priority is stored as enqueued, and claimed with it.
func priorityRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, critical(inc.ID, "crit", incident.EffectCreateChannel, at(0)), newEffect(inc.ID, "norm", incident.EffectUpdateCard, at(0)))
	got := map[string]incident.Priority{}
	for _, e := range readEffects(t, s, inc.ID) {
		got[e.Key] = e.Priority
	}
	if got["crit"] != incident.PriorityCritical || got["norm"] != incident.PriorityNormal {
		t.Errorf("priorities read back = %v, want crit critical and norm normal", got)
	}
}

// Critical effects are claimed before normal ones due earlier, and come first in what a
// claim returns; among one priority, the earliest due first.
func criticalIsClaimedFirst(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s,
		newEffect(inc.ID, "old-update", incident.EffectUpdateCard, at(0)),
		newEffect(inc.ID, "old-lookup", incident.EffectOnCall, at(time.Second)),
		critical(inc.ID, "page", incident.EffectPage, at(3*time.Second)),
		critical(inc.ID, "channel", incident.EffectCreateChannel, at(2*time.Second)))
	now := at(time.Minute)
	var claimed []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(now, 3, lease); return err })
	var keys []string
	for _, e := range claimed {
		keys = append(keys, e.Key)
	}
	if len(keys) != 3 || keys[0] != "channel" || keys[1] != "page" || keys[2] != "old-update" {
		t.Errorf("ClaimEffects(3) = %v, want [channel page old-update] in that order", keys)
	}
	wantKeys(t, "the rest", claim(t, s, now, 10), "old-lookup")
}

// ClaimPriority(critical) leaves normal effects alone, however long they have been due.
func claimPriorityTakesOnlyFromItsPriorityUp(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s,
		newEffect(inc.ID, "n1", incident.EffectUpdateCard, at(0)),
		critical(inc.ID, "c1", incident.EffectPage, at(time.Second)),
		newEffect(inc.ID, "n2", incident.EffectOnCall, at(0)),
		critical(inc.ID, "c2", incident.EffectPostCard, at(2*time.Second)),
		critical(inc.ID, "later", incident.EffectPage, at(time.Hour)))
	now := at(time.Minute)
	wantKeys(t, "critical, limit 1", claimAbove(t, s, now, incident.PriorityCritical, 1), "c1")
	wantKeys(t, "critical again", claimAbove(t, s, now, incident.PriorityCritical, 10), "c2")
	wantKeys(t, "critical once none is left", claimAbove(t, s, now, incident.PriorityCritical, 10))
	wantKeys(t, "normal and up", claimAbove(t, s, now, incident.PriorityNormal, 10), "n1", "n2")
}

// A critical effect behind a normal one in its lane waits for it, as lanes promise.
func aLaneKeepsItsOrderWhateverThePriority(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	first := newEffect(inc.ID, "first", incident.EffectPost, at(0))
	second := critical(inc.ID, "second", incident.EffectPost, at(0))
	first.Lane, second.Lane = "incident:1", "incident:1"
	enqueue(t, s, first, second)
	wantKeys(t, "critical claim", claimAbove(t, s, at(time.Minute), incident.PriorityCritical, 10))
	wantKeys(t, "any claim", claim(t, s, at(time.Minute), 10), "first")
}
