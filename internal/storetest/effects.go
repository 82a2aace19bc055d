package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func effectCases() []testCase {
	return []testCase{
		{"EnqueueAddsOncePerKey", enqueueAddsOncePerKey},
		{"EveryFieldRoundTrips", everyEffectFieldRoundTrips},
		{"EffectsOfAnIncident", effectsOfAnIncident},
		{"ClaimTakesOnlyDuePending", claimTakesOnlyDuePending},
		{"ClaimAtTheInstantDue", claimAtTheInstantDue},
		{"ClaimOldestDueFirstUpToLimit", claimOldestDueFirstUpToLimit},
		{"ClaimNeverReturnsAnEffectTwice", claimNeverReturnsAnEffectTwice},
		{"ConcurrentClaimsAreDisjoint", concurrentClaimsAreDisjoint},
		{"SaveEffectStoresItsState", saveEffectStoresItsState},
		{"NextEffectDue", nextEffectDue},
		{"ReleaseInflight", releaseInflight},
		{"WakeParked", wakeParked},
	}
}

// newEffect is a pending effect of incident id, due at due, outside any lane.
func newEffect(id int64, key string, kind incident.EffectKind, due time.Time) *incident.Effect {
	return &incident.Effect{IncidentID: id, Kind: kind, Key: key, State: incident.EffectPending, NextAttemptAt: due, CreatedAt: t0}
}

// lease is how long the suite's claims hold: longer than any case's clock runs, so a claim
// lapses only where a case says so.
const lease = 2000 * time.Hour

// longAgo is when enqueue claims the effects it makes inflight: before every due time of
// the suite, so that nothing else is due then.
var longAgo = at(-1000 * time.Hour)

// enqueue adds effects, fails the test unless each is added, and sets their IDs. An
// effect given as inflight is made so as a delivery holds it: enqueued pending, claimed
// (due long ago, with the suite's lease), then saved with its attempts, next attempt and
// last error; it gets its claim's token and deadline.
func enqueue(t *testing.T, s incident.Store, effs ...*incident.Effect) {
	t.Helper()
	for _, e := range effs {
		if e.State != incident.EffectInflight {
			continue
		}
		want := *e
		e.State, e.NextAttemptAt = incident.EffectPending, longAgo
		update(t, s, func(tx incident.Tx) error {
			if added, err := tx.Enqueue(e); err != nil || !added {
				t.Fatalf("Enqueue(%s) = %v, %v; want it added", e.Key, added, err)
			}
			claimed, err := tx.ClaimEffects(longAgo, 1, lease)
			if err != nil {
				return err
			}
			if len(claimed) != 1 || claimed[0].ID != e.ID {
				t.Fatalf("claiming %s to make it inflight claimed %d effects", e.Key, len(claimed))
			}
			e.Claim, e.ClaimedUntil = claimed[0].Claim, claimed[0].ClaimedUntil
			e.State, e.Attempts, e.NextAttemptAt, e.LastError = want.State, want.Attempts, want.NextAttemptAt, want.LastError
			return tx.SaveEffect(e)
		})
	}
	update(t, s, func(tx incident.Tx) error {
		for _, e := range effs {
			if e.ID != 0 {
				continue // made inflight above
			}
			added, err := tx.Enqueue(e)
			if err != nil {
				return err
			}
			if !added || e.ID <= 0 {
				t.Fatalf("Enqueue(%s) = %v with ID %d; want it added with an ID", e.Key, added, e.ID)
			}
		}
		return nil
	})
}

// claim claims in one transaction and returns the keys claimed.
func claim(t *testing.T, s incident.Store, now time.Time, limit int) []string {
	t.Helper()
	var claimed []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(now, limit, lease); return err })
	keys := make([]string, 0, len(claimed))
	for _, e := range claimed {
		if e.State != incident.EffectInflight {
			t.Errorf("ClaimEffects returned %s in state %s, want %s", e.Key, e.State, incident.EffectInflight)
		}
		keys = append(keys, e.Key)
	}
	return keys
}

// wantKeys fails the test unless got holds exactly the keys want, in any order: the
// order in which ClaimEffects returns what it took is not promised (the outbox delivers
// them in parallel).
func wantKeys(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: claimed %v, want %v", what, got, want)
	}
}

// save stores an effect's state in its own transaction, as the holder of its current
// claim does: e gets the claim token and deadline the store has for it first.
func save(t *testing.T, s incident.Store, e *incident.Effect) {
	t.Helper()
	for _, cur := range readEffects(t, s, e.IncidentID) {
		if cur.ID == e.ID {
			e.Claim, e.ClaimedUntil = cur.Claim, cur.ClaimedUntil
		}
	}
	update(t, s, func(tx incident.Tx) error { return tx.SaveEffect(e) })
}

// Enqueue adds an effect and sets its ID, and reports false (no error) for any later
// effect with the same key, of whatever incident, leaving the first as it was.
func enqueueAddsOncePerKey(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	first := newEffect(a.ID, "inc1:post:1", incident.EffectPost, t0)
	first.Payload = incident.EffectPayload{Seq: 1}
	enqueue(t, s, first)
	for _, again := range []*incident.Effect{
		{IncidentID: a.ID, Kind: incident.EffectPost, Key: first.Key, State: incident.EffectPending, NextAttemptAt: at(time.Hour), CreatedAt: at(time.Hour), Payload: incident.EffectPayload{Seq: 9, Text: "other"}},
		{IncidentID: b.ID, Kind: incident.EffectTimer, Key: first.Key, State: incident.EffectPending, NextAttemptAt: t0, CreatedAt: t0},
	} {
		var added bool
		update(t, s, func(tx incident.Tx) (err error) { added, err = tx.Enqueue(again); return err })
		if added {
			t.Errorf("a second Enqueue of key %s (incident %d) reported it added", again.Key, again.IncidentID)
		}
	}
	// In one transaction too.
	update(t, s, func(tx incident.Tx) error {
		e := newEffect(a.ID, "inc1:post:2", incident.EffectPost, t0)
		for i := range 2 {
			c := *e
			added, err := tx.Enqueue(&c)
			if err != nil {
				return err
			}
			if added != (i == 0) {
				t.Errorf("Enqueue #%d of a new key in one transaction reported added=%v", i+1, added)
			}
		}
		return nil
	})
	got := readEffects(t, s, a.ID)
	if len(got) != 2 {
		t.Fatalf("incident 1 has %d effects, want 2", len(got))
	}
	wantNoDiff(t, "the first effect after a second Enqueue of its key", *first, got[0])
	if n := len(readEffects(t, s, b.ID)); n != 0 {
		t.Errorf("incident 2 has %d effects, want none", n)
	}
}

// Every field of an effect, its whole payload included, reads back through Effects and
// ClaimEffects (with its claim's token and deadline); times to the millisecond.
func everyEffectFieldRoundTrips(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	want := &incident.Effect{
		IncidentID: inc.ID, Kind: incident.EffectPage, Key: "inc1:page:incident-commander-1 “é”",
		Lane: "channel:C0ANNOUNCE", LaneRank: 3,
		Payload: incident.EffectPayload{
			Text: "Status update: <&> “quoted”\nline 2 🔥", Users: []string{"U0BOB", "U0CAROL"}, Channel: "C0EXEC",
			Role: incident.RoleCommander, Key: "INC-1/incident-commander/1", PagerID: "Q0PD1", TS: "1772600767.000100",
			RunID: 3, StepID: 17, Seq: 42, Timer: "rto", Percent: 80, Target: (15 * time.Minute).Milliseconds(),
		},
		State: incident.EffectPending, Attempts: 3, NextAttemptAt: at(-time.Minute), LastError: "503 Service Unavailable: try again",
		CreatedAt: at(-time.Hour),
	}
	enqueue(t, s, want)
	got := readEffects(t, s, inc.ID)
	if len(got) != 1 {
		t.Fatalf("%d effects, want 1", len(got))
	}
	wantNoDiff(t, "Effects", *want, got[0])
	var claimed []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(t0, 10, time.Minute); return err })
	if len(claimed) != 1 {
		t.Fatalf("claimed %d effects, want 1", len(claimed))
	}
	if claimed[0].Claim == 0 {
		t.Error("ClaimEffects gave the effect no claim token")
	}
	want.State, want.Claim, want.ClaimedUntil = incident.EffectInflight, claimed[0].Claim, at(time.Minute)
	wantNoDiff(t, "ClaimEffects", *want, claimed[0])
}

// Effects lists one incident's effects in the order they were enqueued, in every state.
func effectsOfAnIncident(t *testing.T, s incident.Store) {
	a := createIncident(t, s, minimalIncident(1))
	b := createIncident(t, s, minimalIncident(2))
	var want []string
	for i, st := range []incident.EffectState{incident.EffectDone, incident.EffectPending, incident.EffectFailed, incident.EffectInflight, incident.EffectPending} {
		e := newEffect(a.ID, fmt.Sprintf("a-%d", i), incident.EffectPost, at(time.Duration(5-i)*time.Minute)) // due in reverse order
		e.State = st
		enqueue(t, s, e, newEffect(b.ID, fmt.Sprintf("b-%d", i), incident.EffectPost, t0))
		want = append(want, e.Key)
	}
	var got []string
	for _, e := range readEffects(t, s, a.ID) {
		got = append(got, e.Key)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Effects = %v, want %v", got, want)
	}
	if n := len(readEffects(t, s, b.ID+100)); n != 0 {
		t.Errorf("Effects of no incident: %d", n)
	}
}

// ClaimEffects takes the pending effects due at now, marks them inflight (as Effects then
// shows) and leaves the rest: due later, inflight, done and failed.
func claimTakesOnlyDuePending(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	mk := func(key string, st incident.EffectState, due time.Time) *incident.Effect {
		e := newEffect(inc.ID, key, incident.EffectTimer, due)
		e.State = st
		return e
	}
	enqueue(t, s,
		mk("due-past", incident.EffectPending, at(-time.Hour)),
		mk("due-now", incident.EffectPending, t0),
		mk("due-later", incident.EffectPending, at(time.Millisecond)),
		mk("inflight", incident.EffectInflight, at(-time.Hour)),
		mk("done", incident.EffectDone, at(-time.Hour)),
		mk("failed", incident.EffectFailed, at(-time.Hour)),
	)
	wantKeys(t, "the first claim", claim(t, s, t0, 100), "due-past", "due-now")
	states := map[string]incident.EffectState{}
	for _, e := range readEffects(t, s, inc.ID) {
		states[e.Key] = e.State
	}
	wantNoDiff(t, "states after the claim", map[string]incident.EffectState{
		"due-past": incident.EffectInflight, "due-now": incident.EffectInflight, "due-later": incident.EffectPending,
		"inflight": incident.EffectInflight, "done": incident.EffectDone, "failed": incident.EffectFailed,
	}, states)
	wantKeys(t, "a second claim at the same time", claim(t, s, t0, 100))
	wantKeys(t, "a claim a millisecond later", claim(t, s, at(time.Millisecond), 100), "due-later")
}

// An effect due at now (to the nanosecond, as the domain passes its clock's time) is
// claimable at that very now, also after WakeParked made it due then; not a millisecond
// before. Its times read back within a millisecond of what was stored, never later.
func claimAtTheInstantDue(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	now := time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.Local)
	e := newEffect(inc.ID, "precise", incident.EffectTimer, now)
	e.CreatedAt = now
	enqueue(t, s, e)
	for _, got := range readEffects(t, s, inc.ID) {
		for name, tm := range map[string]time.Time{"NextAttemptAt": got.NextAttemptAt, "CreatedAt": got.CreatedAt} {
			if d := now.Sub(tm); d < 0 || d >= time.Millisecond {
				t.Errorf("%s stored as %s reads back as %s", name, showTime(now), showTime(tm))
			}
		}
	}
	wantKeys(t, "a claim a millisecond before it is due", claim(t, s, now.Add(-time.Millisecond), 10))
	wantKeys(t, "a claim when it is due", claim(t, s, now, 10), "precise")

	parked := newEffect(inc.ID, "parked", incident.EffectPost, now.Add(time.Hour))
	parked.LastError = incident.ParkedPrefix + "waiting for slack"
	enqueue(t, s, parked)
	wake := now.Add(3*time.Second + 456_789)
	update(t, s, func(tx incident.Tx) error {
		_, err := tx.WakeParked([]incident.EffectKind{incident.EffectPost}, wake)
		return err
	})
	wantKeys(t, "a claim at the time WakeParked made it due", claim(t, s, wake, 10), "parked")
}

// ClaimEffects takes at most limit effects, the earliest due first, effects due at the
// same time in the order they were enqueued.
func claimOldestDueFirstUpToLimit(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	for _, c := range []struct {
		key string
		due time.Duration
	}{{"e1", 3 * time.Second}, {"e2", time.Second}, {"e3", 2 * time.Second}, {"e4", time.Second}, {"e5", 0}, {"e6", time.Second}} {
		enqueue(t, s, newEffect(inc.ID, c.key, incident.EffectTimer, at(c.due)))
	}
	now := at(time.Minute)
	wantKeys(t, "claim 2", claim(t, s, now, 2), "e5", "e2")
	wantKeys(t, "claim 3", claim(t, s, now, 3), "e4", "e6", "e3")
	wantKeys(t, "claim 10", claim(t, s, now, 10), "e1")
	wantKeys(t, "claim again", claim(t, s, now, 10))
}

// Successive claims never return an effect claimed before, however they are sliced.
func claimNeverReturnsAnEffectTwice(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var all []string
	for i := range 25 {
		key := fmt.Sprintf("e%02d", i)
		enqueue(t, s, newEffect(inc.ID, key, incident.EffectTimer, at(time.Duration(i%7)*time.Second)))
		all = append(all, key)
	}
	var got []string
	for _, limit := range []int{1, 4, 2, 7, 100, 100} {
		got = append(got, claim(t, s, at(time.Minute), limit)...)
	}
	wantKeys(t, "every claim together", got, all...)
}

// Claims from concurrent transactions (several workers, or several replicas) split the due
// effects between them: each is claimed exactly once.
func concurrentClaimsAreDisjoint(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	const n = 60
	var want []string
	update(t, s, func(tx incident.Tx) error {
		for i := range n {
			e := newEffect(inc.ID, fmt.Sprintf("e%02d", i), incident.EffectTimer, at(time.Duration(i)*time.Millisecond))
			want = append(want, e.Key)
			if _, err := tx.Enqueue(e); err != nil {
				return err
			}
		}
		return nil
	})
	var (
		mu   sync.Mutex
		got  []string
		wg   sync.WaitGroup
		errs []error
	)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var claimed []incident.Effect
				err := s.Update(ctx, func(tx incident.Tx) (err error) {
					claimed, err = tx.ClaimEffects(at(time.Minute), 3, lease)
					return err
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, e := range claimed {
					got = append(got, e.Key)
				}
				mu.Unlock()
				if err != nil || len(claimed) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("a concurrent claim failed: %v", err)
	}
	wantKeys(t, "the concurrent claims together", got, want...)
}

// SaveEffect stores state, attempts, next attempt and last error: a retry is due again at
// its next attempt, a done or failed effect never again, and the error can be cleared.
func saveEffectStoresItsState(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	a := newEffect(inc.ID, "a", incident.EffectPost, t0)
	b := newEffect(inc.ID, "b", incident.EffectPost, t0)
	c := newEffect(inc.ID, "c", incident.EffectPost, t0)
	enqueue(t, s, a, b, c)
	wantKeys(t, "claim", claim(t, s, t0, 10), "a", "b", "c")

	a.State, a.Attempts, a.NextAttemptAt, a.LastError = incident.EffectPending, 1, at(30*time.Second), "429 rate limited (retry after 30s)"
	b.State, b.Attempts, b.LastError = incident.EffectDone, 1, ""
	c.State, c.Attempts, c.LastError = incident.EffectFailed, 1, "channel_not_found"
	for _, e := range []*incident.Effect{a, b, c} {
		save(t, s, e)
	}
	wantNoDiff(t, "Effects after SaveEffect", []incident.Effect{*a, *b, *c}, readEffects(t, s, inc.ID))
	wantKeys(t, "claim before the retry is due", claim(t, s, at(30*time.Second-time.Millisecond), 10))
	wantKeys(t, "claim when the retry is due", claim(t, s, at(30*time.Second), 10), "a")

	a.State, a.Attempts, a.LastError = incident.EffectDone, 2, ""
	save(t, s, a)
	got := readEffects(t, s, inc.ID)[0]
	wantNoDiff(t, "the retried effect, done", *a, got)
	wantKeys(t, "claim after every effect finished", claim(t, s, at(time.Hour), 10))
}

// NextEffectDue is when the earliest pending effect is due (in the past or the future), or
// an inflight effect's claim lapses (then it may be taken over), if sooner; done and failed
// effects do not count; the zero time when nothing is pending or inflight.
func nextEffectDue(t *testing.T, s incident.Store) {
	next := func() time.Time {
		t.Helper()
		var n time.Time
		view(t, s, func(tx incident.Tx) (err error) { n, err = tx.NextEffectDue(); return err })
		return n
	}
	wantNext := func(what string, want time.Time) {
		t.Helper()
		if n := next(); !n.Equal(want) {
			t.Errorf("NextEffectDue %s = %s, want %s", what, showTime(n), showTime(want))
		}
	}
	wantNext("in an empty store", time.Time{})
	inc := createIncident(t, s, minimalIncident(1))
	var finished []*incident.Effect
	for i, st := range []incident.EffectState{incident.EffectDone, incident.EffectFailed} {
		e := newEffect(inc.ID, string(st), incident.EffectTimer, at(-time.Duration(i+1)*time.Hour))
		e.State = st
		finished = append(finished, e)
	}
	enqueue(t, s, finished...)
	wantNext("with only done and failed effects", time.Time{})
	held := newEffect(inc.ID, "held", incident.EffectTimer, at(-time.Hour))
	held.State = incident.EffectInflight
	enqueue(t, s, held)
	wantNext("with an inflight effect", held.ClaimedUntil)
	enqueue(t, s, newEffect(inc.ID, "later", incident.EffectTimer, at(2*time.Hour)))
	wantNext("with a pending effect due in the future", at(2*time.Hour))
	enqueue(t, s, newEffect(inc.ID, "sooner", incident.EffectTimer, at(-time.Minute)))
	wantNext("with an overdue effect", at(-time.Minute))
	var claimed []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(t0, 10, time.Minute); return err })
	wantNext("after the overdue one was claimed for a minute", at(time.Minute))
	for i := range claimed {
		claimed[i].State = incident.EffectDone
		update(t, s, func(tx incident.Tx) error { return tx.SaveEffect(&claimed[i]) })
	}
	wantNext("after it was done", at(2*time.Hour))
}

// ReleaseInflight (at start-up) turns every inflight effect back into a pending one,
// counting the interrupted delivery as an attempt, and reports how many; it leaves the
// others alone, and the released ones are claimable again when due.
func releaseInflight(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var n int
	update(t, s, func(tx incident.Tx) (err error) { n, err = tx.ReleaseInflight(); return err })
	if n != 0 {
		t.Errorf("ReleaseInflight with nothing inflight = %d", n)
	}
	mk := func(key string, st incident.EffectState, attempts int, due time.Time) *incident.Effect {
		e := newEffect(inc.ID, key, incident.EffectPost, due)
		e.State, e.Attempts = st, attempts
		return e
	}
	effs := []*incident.Effect{
		mk("inflight-a", incident.EffectInflight, 0, at(-time.Minute)),
		mk("inflight-b", incident.EffectInflight, 4, at(time.Hour)),
		mk("pending", incident.EffectPending, 2, at(time.Hour)),
		mk("done", incident.EffectDone, 1, at(-time.Hour)),
		mk("failed", incident.EffectFailed, 5, at(-time.Hour)),
	}
	enqueue(t, s, effs...)
	update(t, s, func(tx incident.Tx) (err error) { n, err = tx.ReleaseInflight(); return err })
	if n != 2 {
		t.Errorf("ReleaseInflight = %d, want 2", n)
	}
	got := map[string]incident.Effect{}
	for _, e := range readEffects(t, s, inc.ID) {
		got[e.Key] = e
	}
	for _, w := range effs {
		g := got[w.Key]
		if w.State == incident.EffectInflight {
			w.State, w.Attempts = incident.EffectPending, w.Attempts+1
			if strings.HasPrefix(g.LastError, incident.ParkedPrefix) {
				t.Errorf("%s: a released effect reads as parked: %q", w.Key, g.LastError)
			}
			w.LastError = g.LastError // what it says is the store's
		}
		wantNoDiff(t, w.Key, *w, g)
	}
	wantKeys(t, "claim after the release", claim(t, s, t0, 10), "inflight-a")
	update(t, s, func(tx incident.Tx) (err error) { n, err = tx.ReleaseInflight(); return err })
	if n != 1 {
		t.Errorf("a second ReleaseInflight = %d, want 1 (the one claimed since)", n)
	}
}

// WakeParked makes due at now the pending effects of the kinds given whose last error
// starts with ParkedPrefix and that are due later, and counts them; other kinds, other
// errors, other states and effects already due stay as they were.
func wakeParked(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	parked := incident.ParkedPrefix + "waiting for slack to answer again (failing since 05:06:07)"
	mk := func(key string, kind incident.EffectKind, st incident.EffectState, due time.Time, lastErr string) *incident.Effect {
		e := newEffect(inc.ID, key, kind, due)
		e.State, e.LastError, e.Attempts = st, lastErr, 1
		return e
	}
	effs := []*incident.Effect{
		mk("post", incident.EffectPost, incident.EffectPending, at(time.Hour), parked),
		mk("card", incident.EffectPostCard, incident.EffectPending, at(10*time.Second), parked),
		mk("page", incident.EffectPage, incident.EffectPending, at(time.Hour), parked),                 // another kind
		mk("retry", incident.EffectPost, incident.EffectPending, at(time.Hour), "503 from slack"),      // not parked
		mk("inner", incident.EffectPost, incident.EffectPending, at(time.Hour), "503: "+parked),        // the prefix is not at the start
		mk("upper", incident.EffectPost, incident.EffectPending, at(time.Hour), "PARKED: "+parked[8:]), // not the prefix
		mk("due", incident.EffectPost, incident.EffectPending, at(-time.Minute), parked),               // already due
		mk("inflight", incident.EffectPost, incident.EffectInflight, at(time.Hour), parked),
		mk("done", incident.EffectPost, incident.EffectDone, at(time.Hour), parked),
		mk("failed", incident.EffectPost, incident.EffectFailed, at(time.Hour), parked),
	}
	enqueue(t, s, effs...)
	var n int
	update(t, s, func(tx incident.Tx) (err error) { n, err = tx.WakeParked(nil, t0); return err })
	if n != 0 {
		t.Errorf("WakeParked of no kinds = %d, want 0", n)
	}
	update(t, s, func(tx incident.Tx) (err error) {
		n, err = tx.WakeParked([]incident.EffectKind{incident.EffectPost, incident.EffectPostCard, incident.EffectAnnounce}, t0)
		return err
	})
	if n != 2 {
		t.Errorf("WakeParked = %d, want 2 (post and card)", n)
	}
	got := map[string]incident.Effect{}
	for _, e := range readEffects(t, s, inc.ID) {
		got[e.Key] = e
	}
	for _, w := range effs {
		if w.Key == "post" || w.Key == "card" {
			w.NextAttemptAt = t0
		}
		wantNoDiff(t, w.Key, *w, got[w.Key])
	}
	wantKeys(t, "claim after the wake", claim(t, s, t0, 10), "post", "card", "due")
}
