package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// Backend is a store with what a replica's background work needs besides it: singleton
// duties and a check that no newer binary has migrated the database.
type Backend interface {
	incident.Store
	incident.Duties
	SchemaCurrent(ctx context.Context) error
}

// BackendOpener opens a fresh, empty, migrated backend for one subtest (closed in
// t.Cleanup) and returns with it a function that does what a newer binary's start-up would:
// record one migration more than this binary has.
type BackendOpener func(t *testing.T) (b Backend, migrateAhead func())

// RunBackground runs the suite of the background work's rules (duties one pass at a time,
// standing down under a newer schema) against the backends open makes.
func RunBackground(t *testing.T, open BackendOpener) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(t *testing.T, b Backend, migrateAhead func())
	}{
		{"DutyRunsOnePassAtATime", dutyRunsOnePassAtATime},
		{"DutyPassHasADeadlineAndItsError", dutyPassHasADeadlineAndItsError},
		{"ANewerSchemaStandsTheReplicaDown", aNewerSchemaStandsTheReplicaDown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ahead := open(t)
			c.fn(t, b, ahead)
		})
	}
}

// While one pass of a duty runs, another attempt at it is skipped at once (it neither
// waits nor runs), a different duty runs, and after the pass the duty runs again.
func dutyRunsOnePassAtATime(t *testing.T, b Backend, _ func()) {
	inPass, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error {
			close(inPass)
			<-release
			return nil
		})
		if !ran || err != nil {
			t.Errorf("the first pass: ran %v, %v", ran, err)
		}
	}()
	<-inPass
	ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error {
		t.Error("a second pass ran while the first held the duty")
		return nil
	})
	if ran || err != nil {
		t.Errorf("a second pass while the first runs: ran %v, %v; want skipped, no error", ran, err)
	}
	other := false
	if ran, err := b.Duty(ctx, incident.DutyFollowupSync, func(context.Context) error { other = true; return nil }); !ran || err != nil || !other {
		t.Errorf("another duty meanwhile: ran %v, %v", ran, err)
	}
	close(release)
	wg.Wait()
	again := false
	if ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error { again = true; return nil }); !ran || err != nil || !again {
		t.Errorf("the duty after the first pass ended: ran %v, %v", ran, err)
	}
}

// A pass's context ends by itself before the lock could lapse, and the pass's error is
// the duty's.
func dutyPassHasADeadlineAndItsError(t *testing.T, b Backend, _ func()) {
	boom := errors.New("slack is down")
	ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(pass context.Context) error {
		deadline, ok := pass.Deadline()
		if !ok || time.Until(deadline) > 10*time.Minute {
			t.Errorf("the pass's context: deadline %v (%v); want one within minutes", deadline, ok)
		}
		return boom
	})
	if !ran || !errors.Is(err, boom) {
		t.Errorf("a failing pass: ran %v, %v; want ran and its error", ran, err)
	}
	if ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("the pass after a failed one: ran %v, %v", ran, err)
	}
}

// Once a newer binary has migrated the database, this one stands down: SchemaCurrent says
// why, the outbox claims nothing (the due effect stays pending) and duties do not run.
func aNewerSchemaStandsTheReplicaDown(t *testing.T, b Backend, migrateAhead func()) {
	if err := b.SchemaCurrent(ctx); err != nil {
		t.Fatalf("SchemaCurrent on this binary's schema: %v", err)
	}
	inc := createIncident(t, b, minimalIncident(1))
	enqueue(t, b, newEffect(inc.ID, "post-1", incident.EffectPost, t0))
	migrateAhead()
	if err := b.SchemaCurrent(ctx); !incident.IsSchemaTooNew(err) {
		t.Errorf("SchemaCurrent after a newer binary migrated: %v, want a SchemaTooNewError", err)
	}
	err := b.Update(ctx, func(tx incident.Tx) error {
		claimed, err := tx.ClaimEffects(at(time.Minute), 10, time.Minute)
		if len(claimed) > 0 {
			t.Errorf("claimed %d effects under a newer schema", len(claimed))
		}
		return err
	})
	if !incident.IsSchemaTooNew(err) {
		t.Errorf("ClaimEffects under a newer schema: %v, want a SchemaTooNewError", err)
	}
	if effs := readEffects(t, b, inc.ID); len(effs) != 1 || effs[0].State != incident.EffectPending {
		t.Errorf("the due effect after the refused claim: %+v, want it pending", effs)
	}
	ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error {
		t.Error("a duty ran under a newer schema")
		return nil
	})
	if ran || !incident.IsSchemaTooNew(err) {
		t.Errorf("Duty under a newer schema: ran %v, %v; want not run and a SchemaTooNewError", ran, err)
	}
}
