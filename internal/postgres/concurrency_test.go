package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/postgres"
)

// replicas opens n stores on one database, as n replicas of the bot would.
func replicas(t *testing.T, n int) []*postgres.DB {
	t.Helper()
	first, url := MustOpenDB(t)
	out := []*postgres.DB{first}
	for len(out) < n {
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, db)
	}
	return out
}

// parallel runs fn(i) for i in [0, n) at once and returns the errors.
func parallel(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func noErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
}

// Declarations on several replicas at once get the numbers 1..N, each once, with no gap
// even where a declaration rolls back after taking its number.
func TestConcurrentDeclarationsAreNumberedWithoutGaps(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	const n = 24
	errRollback := errors.New("rolled back on purpose")
	errs := parallel(n+4, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			num, err := tx.NextIncidentNumber()
			if err != nil {
				return err
			}
			if i >= n {
				return errRollback // takes a number, then gives it back
			}
			inc := newIncident(num)
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U1", Kind: incident.EventDeclared}
			e.Chain(nil, t0)
			return tx.InsertEvent(e)
		})
	})
	for i, err := range errs {
		if i >= n && !errors.Is(err, errRollback) {
			t.Errorf("worker %d: %v, want the rollback", i, err)
		}
	}
	noErrors(t, errs[:n])
	var numbers []int
	err := dbs[0].View(ctx, func(tx incident.Tx) error {
		ids, err := tx.IncidentIDs()
		for _, id := range ids {
			inc, err := tx.Incident(id)
			if err != nil {
				return err
			}
			numbers = append(numbers, inc.Number)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Ints(numbers)
	for i, got := range numbers {
		if got != i+1 {
			t.Fatalf("numbers %v, want 1..%d", numbers, n)
		}
	}
	if len(numbers) != n {
		t.Fatalf("%d incidents, want %d", len(numbers), n)
	}
}

// A write transaction that lists incidents and then creates one (the domain refuses a
// repeated declaration that way) sees every incident created before it: of many identical
// declarations on several replicas at once, one creates the incident and the rest find it.
func TestListThenCreateIsACompareAndSet(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	var created atomic.Int32
	errRepeat := errors.New("a repeat")
	errs := parallel(20, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			ids, err := tx.IncidentIDsSince(t0)
			if err != nil {
				return err
			}
			for _, id := range ids {
				inc, err := tx.Incident(id)
				if err != nil {
					return err
				}
				if inc.Title == "checkout down" {
					return errRepeat
				}
			}
			n, err := tx.NextIncidentNumber()
			if err != nil {
				return err
			}
			inc := newIncident(n)
			inc.Title = "checkout down"
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			created.Add(1)
			return nil
		})
	})
	for i, err := range errs {
		if err != nil && !errors.Is(err, errRepeat) {
			t.Errorf("worker %d: %v", i, err)
		}
	}
	if n := created.Load(); n != 1 {
		t.Errorf("%d incidents created, want 1", n)
	}
}

// Deliveries of one PagerDuty incident on several replicas at once: each looks for the
// incident it triggered and declares it when there is none; one declares, the others find it,
// and none fails on the unique PagerDuty ID.
func TestFindOrCreateByPagerDutyIDIsACompareAndSet(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	var created atomic.Int32
	noErrors(t, parallel(12, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			_, err := tx.IncidentByPagerDutyID("PD42")
			if incident.ErrorCode(err) != incident.ENOTFOUND {
				return err
			}
			n, err := tx.NextIncidentNumber()
			if err != nil {
				return err
			}
			inc := newIncident(n)
			inc.PagerDutyID = "PD42"
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			created.Add(1)
			return nil
		})
	}))
	if n := created.Load(); n != 1 {
		t.Errorf("%d incidents created, want 1", n)
	}
}

// Concurrent changes to one incident on several replicas append to its timeline one at a
// time: the chain stays linear and verifies. Half the writers read the incident first (the
// domain's way), half go straight to its last event; both lock the incident's row.
func TestConcurrentChangesKeepTheChainLinear(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	var incID int64
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		err := tx.CreateIncident(inc)
		incID = inc.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const n = 32
	noErrors(t, parallel(n, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			var inc *incident.Incident
			if i%2 == 0 {
				var err error
				if inc, err = tx.Incident(incID); err != nil {
					return err
				}
			}
			prev, err := tx.LastEvent(incID)
			if err != nil {
				return err
			}
			e := &incident.TimelineEvent{IncidentID: incID, Actor: fmt.Sprintf("U%d", i), Kind: incident.EventNote,
				Data: incident.EventData{Text: fmt.Sprintf("note %d", i)}}
			e.Chain(prev, t0.Add(time.Duration(i)*time.Millisecond))
			if err := tx.InsertEvent(e); err != nil {
				return err
			}
			if inc != nil {
				inc.Summary = e.Data.Text
				return tx.UpdateIncident(inc)
			}
			return nil
		})
	}))
	var evs []incident.TimelineEvent
	if err := dbs[1].View(ctx, func(tx incident.Tx) (err error) { evs, err = tx.Events(incID); return err }); err != nil {
		t.Fatal(err)
	}
	if len(evs) != n {
		t.Fatalf("%d events, want %d", len(evs), n)
	}
	if b := incident.VerifyChain(evs); b != nil {
		t.Fatalf("the chain breaks at event %d: %s", b.Event.Seq, b.Reason)
	}
}

// The same effect enqueued on several replicas at once is stored once; one of them is told
// it enqueued it.
func TestConcurrentEnqueueStoresOnce(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	var incID int64
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		inc := newIncident(1)
		err := tx.CreateIncident(inc)
		incID = inc.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var added atomic.Int32
	noErrors(t, parallel(16, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			e := &incident.Effect{IncidentID: incID, Kind: incident.EffectPost, Key: "post:1", State: incident.EffectPending,
				NextAttemptAt: t0, CreatedAt: t0, Payload: incident.EffectPayload{Text: fmt.Sprint(i)}}
			ok, err := tx.Enqueue(e)
			if ok {
				added.Add(1)
				if e.ID == 0 {
					return errors.New("enqueued without an ID")
				}
			}
			return err
		})
	}))
	if added.Load() != 1 {
		t.Errorf("%d enqueues reported adding it, want 1", added.Load())
	}
	var effs []incident.Effect
	if err := dbs[0].View(ctx, func(tx incident.Tx) (err error) { effs, err = tx.Effects(incID); return err }); err != nil {
		t.Fatal(err)
	}
	if len(effs) != 1 {
		t.Errorf("%d effects stored, want 1", len(effs))
	}
}

// A Slack event delivered to several replicas at once is new to exactly one of them.
func TestConcurrentMarkSeenIsNewOnce(t *testing.T) {
	dbs := replicas(t, 4)
	ctx := context.Background()
	var fresh [3]atomic.Int32
	noErrors(t, parallel(24, func(i int) error {
		return dbs[i%len(dbs)].Update(ctx, func(tx incident.Tx) error {
			for k := range fresh {
				ok, err := tx.MarkSeen(fmt.Sprintf("Ev%d", k), t0)
				if err != nil {
					return err
				}
				if ok {
					fresh[k].Add(1)
				}
			}
			return nil
		})
	}))
	for k := range fresh {
		if n := fresh[k].Load(); n != 1 {
			t.Errorf("Ev%d was new to %d callers, want 1", k, n)
		}
	}
}

// Two transactions that lock two incidents in opposite orders deadlock; PostgreSQL aborts
// one and Update runs it again, so both succeed. An error of fn's own is not retried.
func TestUpdateRetriesADeadlock(t *testing.T) {
	dbs := replicas(t, 2)
	ctx := context.Background()
	var ids [2]int64
	if err := dbs[0].Update(ctx, func(tx incident.Tx) error {
		for i := range ids {
			inc := newIncident(i + 1)
			if err := tx.CreateIncident(inc); err != nil {
				return err
			}
			ids[i] = inc.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	var both sync.WaitGroup
	both.Add(2)
	noErrors(t, parallel(2, func(i int) error {
		attempt := 0
		return dbs[i].Update(ctx, func(tx incident.Tx) error {
			runs.Add(1)
			attempt++
			first, second := ids[i], ids[1-i]
			inc, err := tx.Incident(first)
			if err != nil {
				return err
			}
			if attempt == 1 {
				both.Done()
				both.Wait() // each holds its first lock before asking for the other
			}
			other, err := tx.Incident(second)
			if err != nil {
				return err
			}
			inc.Summary, other.Summary = fmt.Sprint("by ", i), fmt.Sprint("by ", i)
			if err := tx.UpdateIncident(inc); err != nil {
				return err
			}
			return tx.UpdateIncident(other)
		})
	}))
	if n := runs.Load(); n != 3 {
		t.Errorf("fn ran %d times, want 3 (one deadlock victim run again)", n)
	}
	runs.Store(0)
	mine := errors.New("mine")
	err := dbs[0].Update(ctx, func(tx incident.Tx) error { runs.Add(1); return mine })
	if !errors.Is(err, mine) || runs.Load() != 1 {
		t.Errorf("fn's own error: %v after %d runs, want it after 1", err, runs.Load())
	}
}
