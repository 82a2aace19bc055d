package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
	"github.com/nephoran/incidentbot/internal/storetest"
)

// The background work's rules (duties, standing down) on PostgreSQL, the suite SQLite
// passes too.
func TestBackground(t *testing.T) {
	storetest.RunBackground(t, func(t *testing.T) (storetest.Backend, func()) {
		db, url := MustOpenDB(t)
		return db, func() {
			if _, err := raw(t, url).Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at)
				SELECT max(version) + 1, 'from_a_newer_release.sql', '' FROM schema_migrations`); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// openReplica opens a second store on the database at url: another replica's pool.
func openReplica(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Three replicas try a duty at once, over and over: at no moment do two run it, and every
// round one of them does.
func TestADutyRunsOnOneReplicaAtATime(t *testing.T) {
	a, url := MustOpenDB(t)
	replicas := []*postgres.DB{a, openReplica(t, url), openReplica(t, url)}
	var running, most, passes atomic.Int32
	for round := 0; round < 20; round++ {
		start := make(chan struct{})
		done := make(chan bool, len(replicas))
		for _, r := range replicas {
			go func() {
				<-start
				ran, err := r.Duty(context.Background(), incident.DutyDrillReminders, func(context.Context) error {
					n := running.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					running.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
				done <- ran
			}()
		}
		close(start)
		ran := 0
		for range replicas {
			if <-done {
				ran++
			}
		}
		if ran < 1 {
			t.Errorf("round %d: no replica ran the duty", round)
		}
		passes.Add(int32(ran))
	}
	if most.Load() != 1 {
		t.Errorf("%d replicas ran the duty at the same moment, want 1", most.Load())
	}
	t.Logf("%d passes in 20 rounds of 3 replicas", passes.Load())
}

// While a migration holds its lock, duties and claims skip their pass instead of waiting
// on a schema being changed.
func TestBackgroundWorkWaitsOutAMigration(t *testing.T) {
	db, url := MustOpenDB(t)
	ctx := context.Background()
	c := raw(t, url)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(0x696e63626f74)); err != nil {
		t.Fatal(err)
	}
	ran, err := db.Duty(ctx, incident.DutyFollowupSync, func(context.Context) error { return nil })
	if ran || err != nil {
		t.Errorf("a duty during a migration: ran %v, %v; want skipped", ran, err)
	}
	err = db.Update(ctx, func(itx incident.Tx) error {
		if err := itx.CreateIncident(newIncident(1)); err != nil {
			return err
		}
		added, err := itx.Enqueue(&incident.Effect{IncidentID: 1, Kind: incident.EffectPost, Key: "p", State: incident.EffectPending, NextAttemptAt: t0, CreatedAt: t0})
		if !added || err != nil {
			t.Fatalf("enqueue: %v %v", added, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(itx incident.Tx) error {
		claimed, err := itx.ClaimEffects(t0.Add(time.Minute), 10, time.Minute)
		if len(claimed) != 0 {
			t.Errorf("claimed %d effects during a migration", len(claimed))
		}
		return err
	}); err != nil {
		t.Errorf("ClaimEffects during a migration: %v", err)
	}
	tx.Rollback(ctx)
	if ran, err := db.Duty(ctx, incident.DutyFollowupSync, func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("the duty after the migration: ran %v, %v", ran, err)
	}
}

// A replica that dies in a pass (its connection gone) frees the duty with it: the lock is
// its transaction's, so the next replica runs the duty at once, without waiting for a lease.
func TestADeadReplicasDutyIsFreeAtOnce(t *testing.T) {
	a, url := MustOpenDB(t)
	b := openReplica(t, url)
	ctx := context.Background()
	inPass, hang := make(chan struct{}), make(chan struct{})
	defer close(hang)
	go a.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error {
		close(inPass)
		<-hang
		return nil
	})
	<-inPass
	if ran, _ := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error { return nil }); ran {
		t.Fatal("b ran the duty while a held it")
	}
	// a's node dies: its server session goes (here: terminated from beside it).
	var killed int
	if err := raw(t, url).QueryRow(ctx, `SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
		JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'duties' AND l.mode = 'RowShareLock'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d sessions holding the duty (%v), want 1", killed, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ran, err := b.Duty(ctx, incident.DutyDrillReminders, func(context.Context) error { return nil })
		if ran && err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b could not take the duty after a's session died: ran %v, %v", ran, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
