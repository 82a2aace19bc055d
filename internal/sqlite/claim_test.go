package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Claims carry fencing tokens and deadlines: a claimed effect is not claimed again while
// its claim holds (renewals extend it); once it lapses it is taken over with the next token
// and counted as an attempt, and the old holder can neither save nor renew.
func TestClaimsLapseAndFence(t *testing.T) {
	db, _ := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	claim := func(at time.Time) []incident.Effect {
		t.Helper()
		var got []incident.Effect
		if err := db.Update(ctx, func(tx incident.Tx) (err error) { got, err = tx.ClaimEffects(at, 10, time.Minute); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if err := db.Update(ctx, func(tx incident.Tx) error {
		inc := &incident.Incident{Number: 1, Title: "t", Severity: incident.P1, Status: incident.StatusInvestigating, DeclaredBy: "U1", DeclaredAt: now}
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		_, err := tx.Enqueue(&incident.Effect{IncidentID: inc.ID, Kind: incident.EffectPost, Key: "k", State: incident.EffectPending, NextAttemptAt: now, CreatedAt: now})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	first := claim(now)
	if len(first) != 1 || first[0].Claim != 1 || !first[0].ClaimedUntil.Equal(now.Add(time.Minute)) || first[0].State != incident.EffectInflight {
		t.Fatalf("first claim: %+v", first)
	}
	a := first[0]
	if got := claim(now.Add(30 * time.Second)); len(got) != 0 {
		t.Fatalf("claimed again while the claim holds: %+v", got)
	}
	if err := db.Update(ctx, func(tx incident.Tx) error { return tx.RenewClaim(&a, now.Add(90*time.Second)) }); err != nil {
		t.Fatal(err)
	}
	if got := claim(now.Add(80 * time.Second)); len(got) != 0 {
		t.Fatalf("claimed again within the renewed claim: %+v", got)
	}
	taken := claim(now.Add(91 * time.Second))
	if len(taken) != 1 || taken[0].Claim != 2 || taken[0].Attempts != 1 || taken[0].LastError != incident.LapsedClaim {
		t.Fatalf("takeover: %+v", taken)
	}
	a.State = incident.EffectDone
	if err := db.Update(ctx, func(tx incident.Tx) error { return tx.SaveEffect(&a) }); !incident.IsLostClaim(err) {
		t.Errorf("the old holder saved: %v", err)
	}
	if err := db.Update(ctx, func(tx incident.Tx) error { return tx.RenewClaim(&a, now.Add(time.Hour)) }); !incident.IsLostClaim(err) {
		t.Errorf("the old holder renewed: %v", err)
	}
	b := taken[0]
	b.State = incident.EffectDone
	if err := db.Update(ctx, func(tx incident.Tx) error { return tx.SaveEffect(&b) }); err != nil {
		t.Errorf("the new holder could not save: %v", err)
	}
	var due time.Time
	db.View(ctx, func(tx incident.Tx) (err error) { due, err = tx.NextEffectDue(); return err })
	if !due.IsZero() {
		t.Errorf("nothing is due, but NextEffectDue says %v", due)
	}
}
