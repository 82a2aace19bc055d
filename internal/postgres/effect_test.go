package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// The outbox's life cycle: enqueue once per key, claim the due ones, save, release
// the inflight ones at start-up, wake parked ones, and tell when the next is due.
func TestEffectsLifeCycle(t *testing.T) {
	db, _ := MustOpenDB(t)
	inc := newIncident(1)
	effect := func(key string, due time.Time) *incident.Effect {
		return &incident.Effect{IncidentID: inc.ID, Kind: incident.EffectPost, Key: key, State: incident.EffectPending,
			NextAttemptAt: due, CreatedAt: t0, Payload: incident.EffectPayload{Text: "hello " + key, Users: []string{"U1"}}}
	}
	update(t, db, func(tx incident.Tx) error {
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		for i, key := range []string{"a", "b", "c"} {
			e := effect(key, t0.Add(time.Duration(i)*time.Minute))
			if ok, err := tx.Enqueue(e); err != nil || !ok || e.ID == 0 {
				return fmt.Errorf("enqueue %s: %v, %v, ID %d", key, ok, err, e.ID)
			}
		}
		if ok, err := tx.Enqueue(effect("a", t0)); err != nil || ok {
			return fmt.Errorf("enqueue a again: %v, %v: want not added", ok, err)
		}
		return nil
	})
	nextDue := func() time.Time {
		var next time.Time
		view(t, db, func(tx incident.Tx) (err error) { next, err = tx.NextEffectDue(); return err })
		return next
	}
	if got := nextDue(); !got.Equal(t0) {
		t.Errorf("next due %v, want %v", got, t0)
	}
	var claimed []incident.Effect
	update(t, db, func(tx incident.Tx) (err error) {
		claimed, err = tx.ClaimEffects(t0.Add(time.Minute), 10, time.Hour)
		return err
	})
	if fmt.Sprint(keys(claimed)) != "[a b]" || claimed[0].State != incident.EffectInflight || claimed[0].Payload.Text != "hello a" ||
		!claimed[1].NextAttemptAt.Equal(t0.Add(time.Minute)) || !claimed[0].CreatedAt.Equal(t0) {
		t.Fatalf("claimed %+v, want a and b inflight as enqueued", claimed)
	}
	if got := nextDue(); !got.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("next due %v, want c's", got)
	}

	// a is done; b was interrupted by a stop and is released; c is parked.
	a, b := claimed[0], claimed[1]
	a.State = incident.EffectDone
	update(t, db, func(tx incident.Tx) error {
		if err := tx.SaveEffect(&a); err != nil {
			return err
		}
		n, err := tx.ReleaseInflight()
		if err != nil || n != 1 {
			return fmt.Errorf("released %d (%v), want b", n, err)
		}
		effs, err := tx.Effects(inc.ID)
		if err != nil {
			return err
		}
		c := effs[2]
		c.LastError, c.NextAttemptAt = incident.ParkedPrefix+"no chat token", t0.Add(24*time.Hour)
		return tx.SaveEffect(&c)
	})
	var woken int
	update(t, db, func(tx incident.Tx) (err error) {
		if n, err := tx.WakeParked([]incident.EffectKind{incident.EffectPage}, t0); err != nil || n != 0 {
			return fmt.Errorf("woke %d of another kind (%v)", n, err)
		}
		woken, err = tx.WakeParked([]incident.EffectKind{incident.EffectPost, incident.EffectPage}, t0.Add(time.Hour))
		return err
	})
	if woken != 1 {
		t.Errorf("woke %d, want c", woken)
	}
	view(t, db, func(tx incident.Tx) error {
		effs, err := tx.Effects(inc.ID)
		if err != nil {
			return err
		}
		if len(effs) != 3 {
			return fmt.Errorf("%d effects", len(effs))
		}
		if effs[0].State != incident.EffectDone {
			t.Errorf("a is %s, want done", effs[0].State)
		}
		if e := effs[1]; e.Key != b.Key || e.State != incident.EffectPending || e.Attempts != 1 || e.LastError == "" {
			t.Errorf("released b: %+v", e)
		}
		if e := effs[2]; !e.NextAttemptAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("woken c is due %v, want %v", e.NextAttemptAt, t0.Add(time.Hour))
		}
		return nil
	})
	update(t, db, func(tx incident.Tx) error {
		effs, err := tx.Effects(inc.ID)
		for _, e := range effs {
			e.State = incident.EffectDone
			if err := tx.SaveEffect(&e); err != nil {
				return err
			}
		}
		return err
	})
	if got := nextDue(); !got.IsZero() {
		t.Errorf("next due %v with nothing pending, want zero", got)
	}
}

// MarkSeen says a key is new once, and forgets keys older than a week.
func TestMarkSeen(t *testing.T) {
	db, _ := MustOpenDB(t)
	seen := func(key string, at time.Time) bool {
		var fresh bool
		update(t, db, func(tx incident.Tx) (err error) { fresh, err = tx.MarkSeen(key, at); return err })
		return fresh
	}
	if !seen("Ev1", t0) || seen("Ev1", t0.Add(time.Hour)) {
		t.Error("Ev1 should be new once")
	}
	seen("Ev2", t0.Add(8*24*time.Hour)) // forgets Ev1
	if !seen("Ev1", t0.Add(8*24*time.Hour)) {
		t.Error("Ev1 should be forgotten after a week")
	}
}

// Drill reminders posted are kept for good.
func TestReminders(t *testing.T) {
	db, _ := MustOpenDB(t)
	posted := func(key string) bool {
		var ok bool
		view(t, db, func(tx incident.Tx) (err error) { ok, err = tx.ReminderPosted(key); return err })
		return ok
	}
	if posted("failover:2026-Q4") {
		t.Fatal("posted before marking")
	}
	for range 2 {
		update(t, db, func(tx incident.Tx) error { return tx.MarkReminderPosted("failover:2026-Q4", t0) })
	}
	if !posted("failover:2026-Q4") || posted("failover:2027-Q1") {
		t.Error("posted should hold the marked key only")
	}
	if err := db.Update(context.Background(), func(tx incident.Tx) error { _, err := tx.MarkSeen("x", t0.AddDate(1, 0, 0)); return err }); err != nil {
		t.Fatal(err)
	}
	if !posted("failover:2026-Q4") {
		t.Error("a reminder was forgotten with the seen keys")
	}
}
