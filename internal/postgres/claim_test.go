package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Two replicas claiming at once never get the same effect: a claimer skips the rows another
// holds instead of waiting for them, and every due effect is claimed exactly once.
func TestConcurrentClaimsNeverOverlap(t *testing.T) {
	dbs := replicas(t, 2)
	ctx := context.Background()
	const total = 120
	var incID int64
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		incID = inc.ID
		for i := range total {
			e := &incident.Effect{IncidentID: inc.ID, Kind: incident.EffectPost, Key: fmt.Sprintf("e%03d", i),
				State: incident.EffectPending, NextAttemptAt: t0.Add(time.Duration(i) * time.Millisecond), CreatedAt: t0}
			if _, err := tx.Enqueue(e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)

	// A claim held open does not block the other replica: it gets the rest at once.
	held, done := make(chan []incident.Effect), make(chan error, 1)
	release := releaser(t)
	go func() {
		done <- dbs[0].Update(ctx, func(tx incident.Tx) error {
			claimed, err := tx.ClaimEffects(now, 10, time.Minute)
			if err != nil {
				return err
			}
			held <- claimed
			<-release.C
			return nil
		})
	}()
	first := <-held
	if len(first) != 10 || first[0].Key != "e000" || first[9].Key != "e009" {
		t.Fatalf("the first claim got %d effects (%v...), want e000..e009", len(first), keys(first))
	}
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Second)
	var second []incident.Effect
	err := dbs[1].Update(ctx2, func(tx incident.Tx) (err error) { second, err = tx.ClaimEffects(now, 15, time.Minute); return err })
	cancel()
	if err != nil {
		t.Fatalf("the second claim, while the first is open: %v", err)
	}
	if len(second) != 15 || second[0].Key != "e010" {
		t.Fatalf("the second claim got %v, want e010..e024", keys(second))
	}
	release.Do()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Then both claim in a loop until nothing is left.
	var mu sync.Mutex
	count := map[string]int{}
	for _, e := range append(first, second...) {
		count[e.Key]++
	}
	noErrors(t, parallel(4, func(i int) error {
		for {
			var claimed []incident.Effect
			err := dbs[i%2].Update(ctx, func(tx incident.Tx) (err error) { claimed, err = tx.ClaimEffects(now, 3, time.Minute); return err })
			if err != nil || len(claimed) == 0 {
				return err
			}
			mu.Lock()
			for _, e := range claimed {
				count[e.Key]++
			}
			mu.Unlock()
		}
	}))
	if len(count) != total {
		t.Errorf("%d effects claimed, want %d", len(count), total)
	}
	for k, n := range count {
		if n != 1 {
			t.Errorf("%s claimed %d times", k, n)
		}
	}
	var effs []incident.Effect
	if err := dbs[0].View(ctx, func(tx incident.Tx) (err error) { effs, err = tx.Effects(incID); return err }); err != nil {
		t.Fatal(err)
	}
	for _, e := range effs {
		if e.State != incident.EffectInflight {
			t.Errorf("%s is %s after being claimed", e.Key, e.State)
		}
	}
}

// Of a lane's effects only the first is claimed, also while another replica holds it.
func TestClaimsKeepLaneOrderAcrossReplicas(t *testing.T) {
	dbs := replicas(t, 2)
	ctx := context.Background()
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		for i, key := range []string{"card", "post-1", "post-2"} {
			e := &incident.Effect{IncidentID: inc.ID, Kind: incident.EffectPost, Key: key, Lane: "incident:1", LaneRank: min(i, 1),
				State: incident.EffectPending, NextAttemptAt: t0, CreatedAt: t0}
			if _, err := tx.Enqueue(e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	held, done := make(chan []incident.Effect), make(chan error, 1)
	release := releaser(t)
	go func() {
		done <- dbs[0].Update(ctx, func(tx incident.Tx) error {
			claimed, err := tx.ClaimEffects(t0, 10, time.Minute)
			held <- claimed
			<-release.C
			return err
		})
	}()
	if got := keys(<-held); fmt.Sprint(got) != "[card]" {
		t.Fatalf("first claim %v, want [card]", got)
	}
	var other []incident.Effect
	waiting, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := dbs[1].Update(waiting, func(tx incident.Tx) (err error) { other, err = tx.ClaimEffects(t0, 10, time.Minute); return err }); err != nil {
		t.Fatalf("a claim while the card is claimed elsewhere: %v", err)
	}
	if len(other) != 0 {
		t.Errorf("while the card is claimed elsewhere, another replica claimed %v", keys(other))
	}
	release.Do()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := dbs[1].Update(ctx, func(tx incident.Tx) (err error) { other, err = tx.ClaimEffects(t0, 10, time.Minute); return err }); err != nil {
		t.Fatal(err)
	}
	if len(other) != 0 {
		t.Errorf("while the card is inflight, claimed %v", keys(other))
	}
}

// gate is a channel closed once, by Do or when the test ends (also when it fails early), so
// a transaction held open on it never outlives the test.
type gate struct {
	C    chan struct{}
	once sync.Once
}

// Do opens the gate.
func (g *gate) Do() { g.once.Do(func() { close(g.C) }) }

func releaser(t *testing.T) *gate {
	g := &gate{C: make(chan struct{})}
	t.Cleanup(g.Do)
	return g
}

func keys(effs []incident.Effect) []string {
	var out []string
	for _, e := range effs {
		out = append(out, e.Key)
	}
	return out
}

// A lapsed claim is taken over by one replica only, however many claim at once.
func TestLapsedClaimIsTakenOverOnce(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		_, err := tx.Enqueue(&incident.Effect{IncidentID: inc.ID, Kind: incident.EffectPost, Key: "k", State: incident.EffectPending, NextAttemptAt: t0, CreatedAt: t0})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error { _, err := tx.ClaimEffects(t0, 1, time.Minute); return err }); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var takers []incident.Effect
	noErrors(t, parallel(8, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			got, err := tx.ClaimEffects(t0.Add(2*time.Minute), 10, time.Minute)
			mu.Lock()
			takers = append(takers, got...)
			mu.Unlock()
			return err
		})
	}))
	if len(takers) != 1 || takers[0].Claim != 2 || takers[0].Attempts != 1 {
		t.Fatalf("takeovers %+v, want one with claim 2", takers)
	}
}
