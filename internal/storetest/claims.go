package storetest

import (
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Claims: a claimed effect carries a fencing token and a deadline. While the claim holds,
// nobody else claims the effect; once it lapses, any replica takes it over (an attempt),
// with a new token, and the old holder can neither save nor renew.

func claimCases() []testCase {
	return []testCase{
		{"AClaimHasATokenAndADeadline", aClaimHasATokenAndADeadline},
		{"AHeldClaimIsNotTakenOver", aHeldClaimIsNotTakenOver},
		{"ALapsedClaimIsTakenOver", aLapsedClaimIsTakenOver},
		{"RenewClaimExtendsTheDeadline", renewClaimExtendsTheDeadline},
		{"AStaleTokenCanNeitherSaveNorRenew", aStaleTokenCanNeitherSaveNorRenew},
		{"RenewingAFinishedEffectFails", renewingAFinishedEffectFails},
		{"ALapsedHeadStillHoldsItsLane", aLapsedHeadStillHoldsItsLane},
	}
}

// claimFor claims at now with lease and returns the effects claimed.
func claimFor(t *testing.T, s incident.Store, now time.Time, d time.Duration) []incident.Effect {
	t.Helper()
	var out []incident.Effect
	update(t, s, func(tx incident.Tx) (err error) { out, err = tx.ClaimEffects(now, 10, d); return err })
	return out
}

// claimOne claims at now with lease and fails the test unless exactly the effect key is
// claimed.
func claimOne(t *testing.T, s incident.Store, now time.Time, d time.Duration, key string) incident.Effect {
	t.Helper()
	got := claimFor(t, s, now, d)
	if len(got) != 1 || got[0].Key != key {
		var keys []string
		for _, e := range got {
			keys = append(keys, e.Key)
		}
		t.Fatalf("claim at %s: claimed %v, want [%s]", showTime(now), keys, key)
	}
	return got[0]
}

// wantLostClaim fails the test unless err says the claim was taken over (ECONFLICT).
func wantLostClaim(t *testing.T, what string, err error) {
	t.Helper()
	if !incident.IsLostClaim(err) || incident.ErrorCode(err) != incident.ECONFLICT {
		t.Errorf("%s: error %v, want LostClaim (ECONFLICT)", what, err)
	}
}

// ClaimEffects gives each effect it claims a non-zero token and the deadline now+lease,
// as Effects then shows; the pending effect's attempts and last error are left alone.
func aClaimHasATokenAndADeadline(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	e := newEffect(inc.ID, "k", incident.EffectPost, t0)
	e.Attempts, e.LastError = 2, "503"
	enqueue(t, s, e)
	got := claimOne(t, s, t0, 45*time.Second, "k")
	if got.Claim == 0 || !got.ClaimedUntil.Equal(at(45*time.Second)) || got.State != incident.EffectInflight {
		t.Errorf("claimed with token %d until %s in state %s; want a token, until %s, inflight", got.Claim, showTime(got.ClaimedUntil), got.State, showTime(at(45*time.Second)))
	}
	if got.Attempts != 2 || got.LastError != "503" {
		t.Errorf("the claim changed attempts to %d and the last error to %q", got.Attempts, got.LastError)
	}
	wantNoDiff(t, "Effects after the claim", []incident.Effect{got}, readEffects(t, s, inc.ID))
}

// Until its deadline, a claimed effect is not claimed again, however late the clock.
func aHeldClaimIsNotTakenOver(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, newEffect(inc.ID, "k", incident.EffectPost, t0))
	claimOne(t, s, t0, time.Minute, "k")
	for _, d := range []time.Duration{0, 30 * time.Second, time.Minute - time.Millisecond} {
		if got := claimFor(t, s, at(d), time.Minute); len(got) != 0 {
			t.Errorf("claimed again %s into a one-minute claim", d)
		}
	}
}

// At its deadline a claim lapses: the next claim takes the effect over with a greater
// token and a new deadline, counts the lost delivery as an attempt, and says why in the
// last error (LapsedClaim); it is not taken over again while the new claim holds.
func aLapsedClaimIsTakenOver(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, newEffect(inc.ID, "k", incident.EffectExecuteStep, t0))
	first := claimOne(t, s, t0, time.Minute, "k")
	taken := claimOne(t, s, at(time.Minute), time.Minute, "k")
	if taken.Claim <= first.Claim {
		t.Errorf("the takeover's token %d is not greater than the lapsed one's %d", taken.Claim, first.Claim)
	}
	if taken.Attempts != first.Attempts+1 || taken.LastError != incident.LapsedClaim || taken.State != incident.EffectInflight {
		t.Errorf("taken over with %d attempts, last error %q, state %s; want %d, %q, inflight",
			taken.Attempts, taken.LastError, taken.State, first.Attempts+1, incident.LapsedClaim)
	}
	if !taken.ClaimedUntil.Equal(at(2 * time.Minute)) {
		t.Errorf("the takeover holds until %s, want %s", showTime(taken.ClaimedUntil), showTime(at(2*time.Minute)))
	}
	if got := claimFor(t, s, at(2*time.Minute-time.Millisecond), time.Minute); len(got) != 0 {
		t.Error("the effect was taken over again while the takeover's claim held")
	}
	again := claimOne(t, s, at(2*time.Minute), time.Minute, "k")
	if again.Claim <= taken.Claim || again.Attempts != first.Attempts+2 {
		t.Errorf("the second takeover: token %d after %d, %d attempts", again.Claim, taken.Claim, again.Attempts)
	}
}

// RenewClaim with the current token moves the deadline (as Effects shows), so the effect
// is not taken over at the old one.
func renewClaimExtendsTheDeadline(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, newEffect(inc.ID, "k", incident.EffectPost, t0))
	e := claimOne(t, s, t0, time.Minute, "k")
	update(t, s, func(tx incident.Tx) error { return tx.RenewClaim(&e, at(3*time.Minute)) })
	if !e.ClaimedUntil.Equal(at(3 * time.Minute)) {
		t.Errorf("RenewClaim left the effect's ClaimedUntil at %s", showTime(e.ClaimedUntil))
	}
	if got := readEffects(t, s, inc.ID)[0]; !got.ClaimedUntil.Equal(at(3*time.Minute)) || got.Claim != e.Claim {
		t.Errorf("after RenewClaim the store has token %d until %s", got.Claim, showTime(got.ClaimedUntil))
	}
	if got := claimFor(t, s, at(2*time.Minute), time.Minute); len(got) != 0 {
		t.Error("taken over at the deadline before the renewal")
	}
	claimOne(t, s, at(3*time.Minute), time.Minute, "k")
}

// Once an effect is taken over, its former holder's SaveEffect and RenewClaim return
// LostClaim (ECONFLICT) and change nothing; the new holder saves.
func aStaleTokenCanNeitherSaveNorRenew(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, newEffect(inc.ID, "k", incident.EffectPost, t0))
	stale := claimOne(t, s, t0, time.Minute, "k")
	fresh := claimOne(t, s, at(time.Minute), time.Minute, "k")
	before := readEffects(t, s, inc.ID)
	stale.State, stale.Attempts, stale.LastError = incident.EffectDone, 9, ""
	wantLostClaim(t, "SaveEffect with a stale token", s.Update(ctx, func(tx incident.Tx) error { return tx.SaveEffect(&stale) }))
	wantLostClaim(t, "RenewClaim with a stale token", s.Update(ctx, func(tx incident.Tx) error { return tx.RenewClaim(&stale, at(time.Hour)) }))
	wantNoDiff(t, "the effect after the stale holder tried", before, readEffects(t, s, inc.ID))
	fresh.State = incident.EffectDone
	update(t, s, func(tx incident.Tx) error { return tx.SaveEffect(&fresh) })
	if got := readEffects(t, s, inc.ID)[0]; got.State != incident.EffectDone {
		t.Errorf("the new holder's save left the effect %s", got.State)
	}
}

// A delivery cannot renew the claim of an effect it already finished.
func renewingAFinishedEffectFails(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, newEffect(inc.ID, "k", incident.EffectPost, t0))
	e := claimOne(t, s, t0, time.Minute, "k")
	e.State = incident.EffectDone
	update(t, s, func(tx incident.Tx) error { return tx.SaveEffect(&e) })
	wantLostClaim(t, "RenewClaim of a done effect", s.Update(ctx, func(tx incident.Tx) error { return tx.RenewClaim(&e, at(time.Hour)) }))
	if got := claimFor(t, s, at(time.Hour), time.Minute); len(got) != 0 {
		t.Error("a done effect was claimed")
	}
}

// A lane's head whose claim lapsed is taken over, and still holds back the effects after it.
func aLapsedHeadStillHoldsItsLane(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	enqueue(t, s, inLane(inc.ID, "head", "incident:1", 1, t0), inLane(inc.ID, "next", "incident:1", 1, t0))
	claimOne(t, s, t0, time.Minute, "head")
	taken := claimOne(t, s, at(time.Minute), time.Minute, "head")
	taken.State = incident.EffectDone
	update(t, s, func(tx incident.Tx) error { return tx.SaveEffect(&taken) })
	claimOne(t, s, at(time.Minute), time.Minute, "next")
}
