package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Lanes (internal/incident/lane.go): of the pending and inflight effects of one lane, only
// the first by LaneRank, then by the order of commit, may be claimed; "" is no lane.

func laneCases() []testCase {
	return []testCase{
		{"LaneHeadOnly", laneHeadOnly},
		{"RankBeforeCommitOrder", laneRankBeforeCommitOrder},
		{"AHeadNotDueHoldsTheLane", laneHeadNotDueHoldsTheLane},
		{"FinishedEffectsDoNotHoldTheLane", laneFinishedDoNotHold},
		{"ARetriedHeadKeepsItsPlace", laneRetriedHeadKeepsItsPlace},
		{"LanesAreIndependent", lanesAreIndependent},
		{"ALaneSpansIncidents", laneSpansIncidents},
		{"NextEffectDueSkipsWaitingEffects", laneNextEffectDue},
		{"ReleasedHeadStillHoldsTheLane", laneReleasedHeadHolds},
		{"ConcurrentWorkersKeepLaneOrder", concurrentWorkersKeepLaneOrder},
	}
}

// inLane is a pending post of incident id in lane at rank, due at due.
func inLane(id int64, key, lane string, rank int, due time.Time) *incident.Effect {
	e := newEffect(id, key, incident.EffectPost, due)
	e.Lane, e.LaneRank = lane, rank
	return e
}

// Of three due effects of one lane, one claim takes the first only, and no later claim
// takes the second while the first is inflight; once it is done, the second is next.
func laneHeadOnly(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	a, b, c := inLane(inc.ID, "a", "incident:1", 1, t0), inLane(inc.ID, "b", "incident:1", 1, t0), inLane(inc.ID, "c", "incident:1", 1, t0)
	enqueue(t, s, a, b, c)
	wantKeys(t, "the first claim", claim(t, s, t0, 10), "a")
	wantKeys(t, "a claim while the head is inflight", claim(t, s, at(time.Hour), 10))
	a.State, a.Attempts = incident.EffectDone, 1
	save(t, s, a)
	wantKeys(t, "a claim after the head is done", claim(t, s, t0, 10), "b")
	b.State, b.Attempts = incident.EffectDone, 1
	save(t, s, b)
	wantKeys(t, "the last claim", claim(t, s, t0, 10), "c")
}

// A lower rank goes first whenever it was enqueued: the incident card (rank 0) before a
// post (rank 1) enqueued earlier; within a rank, the order of commit.
func laneRankBeforeCommitOrder(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	post1 := inLane(inc.ID, "post-1", "incident:1", 1, t0)
	post2 := inLane(inc.ID, "post-2", "incident:1", 1, at(-time.Hour)) // due earlier, enqueued later
	enqueue(t, s, post1)
	enqueue(t, s, post2)
	card := inLane(inc.ID, "card", "incident:1", 0, t0)
	enqueue(t, s, card)
	for _, want := range []*incident.Effect{card, post1, post2} {
		wantKeys(t, "claim", claim(t, s, t0, 10), want.Key)
		want.State, want.Attempts = incident.EffectDone, 1
		save(t, s, want)
	}
}

// A head that is not due yet (a retry waiting out its backoff) holds back the due effects
// after it.
func laneHeadNotDueHoldsTheLane(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	head := inLane(inc.ID, "head", "incident:1", 1, at(time.Minute))
	enqueue(t, s, head, inLane(inc.ID, "next", "incident:1", 1, t0))
	wantKeys(t, "claim before the head is due", claim(t, s, t0, 10))
	wantKeys(t, "claim when the head is due", claim(t, s, at(time.Minute), 10), "head")
}

// Done and failed effects do not hold their lane: a failed post does not stop the ones
// after it.
func laneFinishedDoNotHold(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	failed := inLane(inc.ID, "failed", "incident:1", 0, t0)
	failed.State = incident.EffectFailed
	done := inLane(inc.ID, "done", "incident:1", 1, t0)
	done.State = incident.EffectDone
	enqueue(t, s, failed, done, inLane(inc.ID, "pending", "incident:1", 1, t0))
	wantKeys(t, "claim", claim(t, s, t0, 10), "pending")
}

// A head put back pending (a retry, or not ready yet) is still the head: the effects after
// it wait, and it is claimed again when due.
func laneRetriedHeadKeepsItsPlace(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	head := inLane(inc.ID, "head", "incident:1", 1, t0)
	enqueue(t, s, head, inLane(inc.ID, "next", "incident:1", 1, t0))
	wantKeys(t, "claim", claim(t, s, t0, 10), "head")
	head.State, head.Attempts, head.NextAttemptAt, head.LastError = incident.EffectPending, 1, at(5*time.Second), "503"
	save(t, s, head)
	wantKeys(t, "claim during the head's backoff", claim(t, s, at(time.Second), 10))
	wantKeys(t, "claim after the backoff", claim(t, s, at(5*time.Second), 10), "head")
}

// Heads of different lanes, and effects outside any lane, are claimed together.
func lanesAreIndependent(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	enqueue(t, s,
		inLane(a.ID, "a-1", "incident:1", 1, t0), inLane(a.ID, "a-2", "incident:1", 1, t0),
		inLane(b.ID, "b-1", "incident:2", 1, t0), inLane(b.ID, "b-2", "incident:2", 1, t0),
		inLane(a.ID, "review-1", "review:1", 1, t0),
		inLane(a.ID, "free-1", "", 0, t0), inLane(a.ID, "free-2", "", 0, t0), inLane(b.ID, "free-3", "", 0, t0),
	)
	wantKeys(t, "claim", claim(t, s, t0, 100), "a-1", "b-1", "review-1", "free-1", "free-2", "free-3")
}

// A lane is the lane's name, not the incident's: announcements of several incidents in
// one channel are delivered one at a time in the order they were committed.
func laneSpansIncidents(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	first := inLane(a.ID, "announce-1", "channel:C0ANNOUNCE", 1, t0)
	first.Kind = incident.EffectAnnounce
	second := inLane(b.ID, "announce-2", "channel:C0ANNOUNCE", 1, at(-time.Minute))
	second.Kind = incident.EffectAnnounce
	enqueue(t, s, first)
	enqueue(t, s, second)
	wantKeys(t, "claim", claim(t, s, t0, 10), "announce-1")
	wantKeys(t, "claim while the first is inflight", claim(t, s, t0, 10))
	first.State, first.Attempts = incident.EffectDone, 1
	save(t, s, first)
	wantKeys(t, "claim after the first", claim(t, s, t0, 10), "announce-2")
}

// NextEffectDue counts only the effects that could be claimed when due: the head of each
// lane (not one waiting behind it, however overdue) and effects outside lanes.
func laneNextEffectDue(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, inLane(inc.ID, "head", "incident:1", 1, at(time.Hour)), inLane(inc.ID, "behind", "incident:1", 1, at(-time.Hour)))
	var next time.Time
	view(t, s, func(tx incident.Tx) (err error) { next, err = tx.NextEffectDue(); return err })
	if !next.Equal(at(time.Hour)) {
		t.Errorf("NextEffectDue = %s, want the head's %s (the one behind it waits)", showTime(next), showTime(at(time.Hour)))
	}
	wantKeys(t, "claim at the head's time", claim(t, s, at(time.Hour), 10), "head")
	view(t, s, func(tx incident.Tx) (err error) { next, err = tx.NextEffectDue(); return err })
	if want := at(time.Hour).Add(lease); !next.Equal(want) {
		t.Errorf("NextEffectDue with the head inflight = %s, want when its claim lapses, %s (nothing else can go)", showTime(next), showTime(want))
	}
}

// An effect left inflight by a crash, once released, is still its lane's head.
func laneReleasedHeadHolds(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, inLane(inc.ID, "head", "incident:1", 1, t0), inLane(inc.ID, "next", "incident:1", 1, t0))
	wantKeys(t, "claim", claim(t, s, t0, 10), "head")
	update(t, s, func(tx incident.Tx) error { _, err := tx.ReleaseInflight(); return err })
	wantKeys(t, "claim after the release", claim(t, s, t0, 10), "head")
}

// Workers claiming and finishing effects concurrently (several replicas) never hold two
// effects of one lane at once, and take each lane's effects in its order.
func concurrentWorkersKeepLaneOrder(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	const lanes, perLane = 4, 6
	var effs []*incident.Effect
	for i := range perLane {
		for l := range lanes {
			effs = append(effs, inLane(inc.ID, fmt.Sprintf("lane%d-%d", l, i), fmt.Sprintf("lane:%d", l), 1, at(-time.Duration(i)*time.Second)))
		}
	}
	enqueue(t, s, effs...)
	var (
		mu       sync.Mutex
		held     = map[string]bool{}
		next     = map[string]int{}
		problems []string
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idle := 0; idle < 50; {
				var claimed []incident.Effect
				if err := s.Update(ctx, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(t0, 2, lease); return err }); err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("worker %d: claim: %v", w, err))
					mu.Unlock()
					return
				}
				if len(claimed) == 0 {
					idle++
					mu.Lock()
					done := len(next) == lanes && allAt(next, perLane)
					mu.Unlock()
					if done {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				mu.Lock()
				for _, e := range claimed {
					if held[e.Lane] {
						problems = append(problems, fmt.Sprintf("%s claimed while another effect of %s was inflight", e.Key, e.Lane))
					}
					held[e.Lane] = true
					if want := fmt.Sprintf("%s-%d", "lane"+e.Lane[len("lane:"):], next[e.Lane]); e.Key != want {
						problems = append(problems, fmt.Sprintf("%s claimed, want %s next in its lane", e.Key, want))
					}
					next[e.Lane]++
				}
				mu.Unlock()
				for _, e := range claimed {
					mu.Lock()
					held[e.Lane] = false // before the commit, so the next claim of the lane cannot see it held
					mu.Unlock()
					e.State, e.Attempts = incident.EffectDone, 1
					if err := s.Update(ctx, func(tx incident.Tx) error { return tx.SaveEffect(&e) }); err != nil {
						mu.Lock()
						problems = append(problems, fmt.Sprintf("worker %d: save: %v", w, err))
						mu.Unlock()
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	for l := range lanes {
		if n := next[fmt.Sprintf("lane:%d", l)]; n != perLane {
			t.Errorf("lane %d: %d effects claimed, want %d", l, n, perLane)
		}
	}
}

func allAt(m map[string]int, n int) bool {
	for _, v := range m {
		if v != n {
			return false
		}
	}
	return true
}
