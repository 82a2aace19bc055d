package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

func txCases() []testCase {
	return []testCase{
		{"AnErrorRollsBackEverything", anErrorRollsBackEverything},
		{"AnErrorRollsBackAChange", anErrorRollsBackAChange},
		{"ADomainErrorKeepsItsCode", aDomainErrorKeepsItsCode},
		{"ATransactionReadsItsOwnWrites", aTransactionReadsItsOwnWrites},
		{"ViewSeesOnlyCommittedState", viewSeesOnlyCommittedState},
		{"ViewSeesOneSnapshot", viewSeesOneSnapshot},
		{"ViewIsReadOnly", viewIsReadOnly},
		{"ATransactionGoesOnAfterNotFoundAndConflict", aTransactionGoesOnAfterNotFoundAndConflict},
		{"ACancelledContextCommitsNothing", aCancelledContextCommitsNothing},
		{"ReadModifyWriteIsCompareAndSet", readModifyWriteIsCompareAndSet},
		{"ConcurrentDeclarationsGetGaplessNumbers", concurrentDeclarationsGetGaplessNumbers},
		{"ConcurrentAppendsKeepTheChainLinear", concurrentAppendsKeepTheChainLinear},
	}
}

// writeEverything writes one of everything for a new incident in tx.
func writeEverything(tx incident.Tx) (*incident.Incident, error) {
	inc := fullIncident(1)
	if err := tx.CreateIncident(inc); err != nil {
		return nil, err
	}
	if _, err := appendEvent(tx, inc.ID, incident.EventDeclared, incident.EventData{Title: inc.Title}, t0); err != nil {
		return nil, err
	}
	if _, err := tx.Enqueue(newEffect(inc.ID, "inc1:create_channel:channel", incident.EffectCreateChannel, t0)); err != nil {
		return nil, err
	}
	if err := tx.InsertPage(newPages(inc.ID)[0]); err != nil {
		return nil, err
	}
	if err := tx.InsertFollowup(newFollowup(inc.ID, "f", "", t0)); err != nil {
		return nil, err
	}
	if err := tx.CreateRun(fullRun(inc.ID)); err != nil {
		return nil, err
	}
	if _, err := tx.MarkSeen("Ev-rolled-back", t0); err != nil {
		return nil, err
	}
	return inc, tx.MarkReminderPosted("reminder-rolled-back", t0)
}

// An error returned by fn rolls back everything fn wrote (incident, timeline, effects,
// pages, follow-ups, runs, the seen and reminder ledgers), and Update returns that error.
func anErrorRollsBackEverything(t *testing.T, s incident.Store) {
	var id int64
	rolledBack(t, s, func(tx incident.Tx) error {
		inc, err := writeEverything(tx)
		if inc != nil {
			id = inc.ID
		}
		return err
	})
	view(t, s, func(tx incident.Tx) error {
		ids, err := tx.IncidentIDs()
		if err != nil || len(ids) != 0 {
			t.Errorf("IncidentIDs after the rollback = %v, %v", ids, err)
		}
		if _, err := tx.Incident(id); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("Incident(%d) after the rollback: %v", id, err)
		}
		if _, err := tx.IncidentByChannel(fullIncident(1).ChannelID); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("IncidentByChannel after the rollback: %v", err)
		}
		if e, err := tx.LastEvent(id); e != nil || err != nil {
			t.Errorf("LastEvent after the rollback = %v, %v", e, err)
		}
		if effs, err := tx.Effects(id); len(effs) != 0 || err != nil {
			t.Errorf("Effects after the rollback = %d, %v", len(effs), err)
		}
		if next, err := tx.NextEffectDue(); !next.IsZero() || err != nil {
			t.Errorf("NextEffectDue after the rollback = %s, %v", showTime(next), err)
		}
		if pages, err := tx.Pages(id); len(pages) != 0 || err != nil {
			t.Errorf("Pages after the rollback = %d, %v", len(pages), err)
		}
		if _, err := tx.PageByPagerID(newPages(id)[0].PagerID); incident.ErrorCode(err) != incident.ENOTFOUND {
			t.Errorf("PageByPagerID after the rollback: %v", err)
		}
		if fs, err := tx.Followups(id); len(fs) != 0 || err != nil {
			t.Errorf("Followups after the rollback = %d, %v", len(fs), err)
		}
		if runs, err := tx.Runs(id); len(runs) != 0 || err != nil {
			t.Errorf("Runs after the rollback = %d, %v", len(runs), err)
		}
		if steps, err := tx.StepsInState(incident.StepPending); len(steps) != 0 || err != nil {
			t.Errorf("StepsInState after the rollback = %d, %v", len(steps), err)
		}
		if ok, err := tx.ReminderPosted("reminder-rolled-back"); ok || err != nil {
			t.Errorf("ReminderPosted after the rollback = %v, %v", ok, err)
		}
		if n, err := tx.NextIncidentNumber(); n != 1 || err != nil {
			t.Errorf("NextIncidentNumber after the rollback = %d, %v", n, err)
		}
		return nil
	})
	if !markSeen(t, s, "Ev-rolled-back", t0) {
		t.Error("a key marked seen in a rolled-back transaction is still seen (SeenBefore relies on the rollback)")
	}
	// What was rolled back can be written again.
	update(t, s, func(tx incident.Tx) error { _, err := writeEverything(tx); return err })
}

// A change to an existing incident that fails rolls back entirely: the incident's fields,
// its new events and effects, and the state of the effects it claimed.
func anErrorRollsBackAChange(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	var first *incident.TimelineEvent
	update(t, s, func(tx incident.Tx) (err error) {
		first, err = appendEvent(tx, inc.ID, incident.EventDeclared, incident.EventData{}, t0)
		return err
	})
	enqueue(t, s, newEffect(inc.ID, "due", incident.EffectTimer, t0))
	before := readEffects(t, s, inc.ID)
	rolledBack(t, s, func(tx incident.Tx) error {
		changed := *inc
		changed.Status, changed.Title, changed.ChannelID = incident.StatusResolved, "changed", "C0CHANGED"
		changed.Roles = map[incident.Role]incident.RoleState{incident.RoleTechnicalLead: {Holder: "U0BOB"}}
		changed.Services = []string{"api-gateway"}
		if err := tx.UpdateIncident(&changed); err != nil {
			return err
		}
		if _, err := appendEvent(tx, inc.ID, incident.EventResolved, incident.EventData{}, at(time.Second)); err != nil {
			return err
		}
		if _, err := tx.Enqueue(newEffect(inc.ID, "new", incident.EffectPost, t0)); err != nil {
			return err
		}
		if _, err := tx.ClaimEffects(t0, 10, lease); err != nil {
			return err
		}
		_, err := tx.ReleaseInflight()
		return err
	})
	wantNoDiff(t, "the incident after the rollback", inc, readIncident(t, s, inc.ID))
	wantNoDiff(t, "the timeline after the rollback", []incident.TimelineEvent{*first}, readEvents(t, s, inc.ID))
	wantNoDiff(t, "the effects after the rollback", before, readEffects(t, s, inc.ID))
	wantKeys(t, "a claim after the rollback", claim(t, s, t0, 10), "due")
}

// A domain error returned by fn comes out of Update with its code and message, which is
// what the person who asked is told.
func aDomainErrorKeepsItsCode(t *testing.T, s incident.Store) {
	want := incident.Errorf(incident.ECONFLICT, "INC-1 is already resolved.")
	for name, run := range map[string]func(func(incident.Tx) error) error{
		"Update": func(fn func(incident.Tx) error) error { return s.Update(ctx, fn) },
		"View":   func(fn func(incident.Tx) error) error { return s.View(ctx, fn) },
	} {
		err := run(func(tx incident.Tx) error {
			if _, err := tx.IncidentIDs(); err != nil {
				return err
			}
			return want
		})
		if incident.ErrorCode(err) != incident.ECONFLICT || incident.ErrorMessage(err) != want.Message {
			t.Errorf("%s returned %v (code %q), want the domain error %q", name, err, incident.ErrorCode(err), want.Message)
		}
	}
}

// Inside one write transaction, every read sees what the transaction wrote before it.
func aTransactionReadsItsOwnWrites(t *testing.T, s incident.Store) {
	update(t, s, func(tx incident.Tx) error {
		inc := fullIncident(1)
		if err := tx.CreateIncident(inc); err != nil {
			return err
		}
		if got, err := tx.IncidentByChannel(inc.ChannelID); err != nil || got.ID != inc.ID {
			t.Errorf("IncidentByChannel in the creating transaction: %v", err)
		}
		if ids, err := tx.IncidentIDsSince(inc.DeclaredAt); err != nil || !slices.Equal(ids, []int64{inc.ID}) {
			t.Errorf("IncidentIDsSince in the creating transaction = %v, %v", ids, err)
		}
		inc.Title = "changed in the transaction"
		if err := tx.UpdateIncident(inc); err != nil {
			return err
		}
		if got, err := tx.Incident(inc.ID); err != nil || got.Title != inc.Title {
			t.Errorf("Incident after UpdateIncident in the transaction: %v", err)
		}
		e, err := appendEvent(tx, inc.ID, incident.EventDeclared, incident.EventData{}, t0)
		if err != nil {
			return err
		}
		if last, err := tx.LastEvent(inc.ID); err != nil || last == nil || last.ID != e.ID {
			t.Errorf("LastEvent after InsertEvent in the transaction = %v, %v", last, err)
		}
		if _, err := tx.Enqueue(newEffect(inc.ID, "k", incident.EffectPage, t0)); err != nil {
			return err
		}
		if effs, err := tx.Effects(inc.ID); err != nil || len(effs) != 1 {
			t.Errorf("Effects after Enqueue in the transaction = %d, %v", len(effs), err)
		}
		if claimed, err := tx.ClaimEffects(t0, 10, lease); err != nil || len(claimed) != 1 {
			t.Errorf("ClaimEffects after Enqueue in the transaction = %d, %v", len(claimed), err)
		}
		p := newPages(inc.ID)[0]
		if err := tx.InsertPage(p); err != nil {
			return err
		}
		if got, err := tx.PageByPagerID(p.PagerID); err != nil || got.ID != p.ID {
			t.Errorf("PageByPagerID after InsertPage in the transaction: %v", err)
		}
		r := fullRun(inc.ID)
		if err := tx.CreateRun(r); err != nil {
			return err
		}
		if got, err := tx.Run(r.ID); err != nil || len(got.Steps) != len(r.Steps) {
			t.Errorf("Run after CreateRun in the transaction: %v", err)
		}
		return nil
	})
}

// View sees what was committed before it began, and nothing of a write transaction still
// open; once that commits, a new View sees it.
func viewSeesOnlyCommittedState(t *testing.T, s incident.Store) {
	createIncident(t, s, minimalIncident(1))
	wrote, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx incident.Tx) error {
			if err := tx.CreateIncident(minimalIncident(2)); err != nil {
				close(wrote)
				return err
			}
			close(wrote)
			<-release
			return nil
		})
	}()
	<-wrote
	ids := func() []int64 {
		t.Helper()
		var ids []int64
		view(t, s, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
		return ids
	}
	if got := ids(); len(got) != 1 {
		t.Errorf("a View during an open write transaction sees %d incidents, want 1 (the committed one)", len(got))
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the write transaction: %v", err)
	}
	if got := ids(); len(got) != 2 {
		t.Errorf("a View after the commit sees %d incidents, want 2", len(got))
	}
}

// Every read of one View sees the same state, however many write transactions commit
// while it runs (a review reads the timeline, the runs, the follow-ups and the pages of
// one moment).
func viewSeesOneSnapshot(t *testing.T, s incident.Store) {
	createIncident(t, s, minimalIncident(1))
	err := s.View(ctx, func(tx incident.Tx) error {
		before, err := tx.IncidentIDs()
		if err != nil {
			return err
		}
		if err := s.Update(ctx, func(w incident.Tx) error { return w.CreateIncident(minimalIncident(2)) }); err != nil {
			return fmt.Errorf("a write while the view is open: %w", err)
		}
		after, err := tx.IncidentIDs()
		if err != nil {
			return err
		}
		if !slices.Equal(before, after) {
			t.Errorf("one View read incidents %v, then %v after another transaction committed", before, after)
		}
		n, err := tx.NextIncidentNumber()
		if err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("NextIncidentNumber in the view = %d, want 2 (as of its snapshot)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	view(t, s, func(tx incident.Tx) (err error) { ids, err = tx.IncidentIDs(); return err })
	if len(ids) != 2 {
		t.Errorf("a new View sees %d incidents, want 2", len(ids))
	}
}

// A lookup that finds nothing (ENOTFOUND) and a refused second completion (ECONFLICT) do
// not spoil the transaction: the domain goes on after them, and what it writes next
// commits.
func aTransactionGoesOnAfterNotFoundAndConflict(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	f := newFollowup(inc.ID, "f", "", t0)
	insertFollowups(t, s, f)
	f.DoneAt, f.DoneBy, f.Outcome = at(time.Hour), "U0ALICE", incident.FollowupDone
	update(t, s, func(tx incident.Tx) error { return tx.CompleteFollowup(f) })
	update(t, s, func(tx incident.Tx) error {
		lookups := map[string]error{}
		_, lookups["Incident"] = tx.Incident(inc.ID + 100)
		_, lookups["IncidentByChannel"] = tx.IncidentByChannel("C0NOSUCH")
		_, lookups["IncidentByPagerDutyID"] = tx.IncidentByPagerDutyID("Q0NOSUCH")
		_, lookups["Event"] = tx.Event(inc.ID, 7)
		_, lookups["PageByPagerID"] = tx.PageByPagerID("Q0NOSUCH")
		_, lookups["Run"] = tx.Run(4242)
		_, lookups["RunStepRef"] = tx.RunStepRef(4242)
		for name, err := range lookups {
			wantCode(t, name, err, incident.ENOTFOUND)
		}
		wantCode(t, "a second CompleteFollowup", tx.CompleteFollowup(f), incident.ECONFLICT)
		if _, err := tx.MarkSeen("Ev-after", t0); err != nil {
			return err
		}
		if _, err := appendEvent(tx, inc.ID, incident.EventNote, incident.EventData{Text: "after the lookups"}, t0); err != nil {
			return err
		}
		changed := *inc
		changed.Title = "written after the lookups"
		return tx.UpdateIncident(&changed)
	})
	if got := readIncident(t, s, inc.ID).Title; got != "written after the lookups" {
		t.Errorf("the incident's title is %q: the write after the lookups was lost", got)
	}
	if n := len(readEvents(t, s, inc.ID)); n != 1 {
		t.Errorf("%d events, want the one written after the lookups", n)
	}
}

// A write inside View fails and leaves nothing behind.
func viewIsReadOnly(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	writes := map[string]func(tx incident.Tx) error{
		"CreateIncident": func(tx incident.Tx) error { return tx.CreateIncident(minimalIncident(2)) },
		"UpdateIncident": func(tx incident.Tx) error {
			c := *inc
			c.Title = "changed in a view"
			return tx.UpdateIncident(&c)
		},
		"Enqueue": func(tx incident.Tx) error {
			_, err := tx.Enqueue(newEffect(inc.ID, "k", incident.EffectPost, t0))
			return err
		},
		"MarkSeen": func(tx incident.Tx) error { _, err := tx.MarkSeen("Ev-in-view", t0); return err },
	}
	for name, write := range writes {
		if err := s.View(ctx, write); err == nil {
			t.Errorf("%s inside View succeeded, want an error", name)
		}
	}
	view(t, s, func(tx incident.Tx) error {
		if ids, _ := tx.IncidentIDs(); len(ids) != 1 {
			t.Errorf("%d incidents after writes in views, want 1", len(ids))
		}
		return nil
	})
	wantNoDiff(t, "the incident after an update in a view", inc, readIncident(t, s, inc.ID))
	if n := len(readEffects(t, s, inc.ID)); n != 0 {
		t.Errorf("%d effects after an Enqueue in a view", n)
	}
	if !markSeen(t, s, "Ev-in-view", t0) {
		t.Error("a key marked seen in a view is seen")
	}
}

// Update with a context already cancelled fails and commits nothing.
func aCancelledContextCommitsNothing(t *testing.T, s incident.Store) {
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err := s.Update(cancelled, func(tx incident.Tx) error { return tx.CreateIncident(minimalIncident(1)) })
	if err == nil {
		t.Error("Update with a cancelled context succeeded")
	}
	view(t, s, func(tx incident.Tx) error {
		if ids, _ := tx.IncidentIDs(); len(ids) != 0 {
			t.Errorf("%d incidents after an Update with a cancelled context", len(ids))
		}
		return nil
	})
}

// parallel runs fn n times at once and fails the test for every error.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = fn(i) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent transaction %d: %v", i, err)
		}
	}
}

// One writer at a time: a read followed by a write in one Update is a compare-and-set, so
// concurrent read-modify-writes of one incident lose none of each other's changes, and
// none fails; readers meanwhile see committed states only, never going back.
func readModifyWriteIsCompareAndSet(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	const n = 12
	parallel(t, 2*n, func(i int) error {
		if i%2 == 1 { // a reader meanwhile: never sees the count go back
			last := -1
			for range 5 {
				var cur *incident.Incident
				if err := s.View(ctx, func(tx incident.Tx) (err error) { cur, err = tx.Incident(inc.ID); return err }); err != nil {
					return err
				}
				if cur.ReviewNumber < last {
					return fmt.Errorf("a reader saw ReviewNumber %d after %d", cur.ReviewNumber, last)
				}
				last = cur.ReviewNumber
			}
			return nil
		}
		return s.Update(ctx, func(tx incident.Tx) error {
			cur, err := tx.Incident(inc.ID)
			if err != nil {
				return err
			}
			time.Sleep(time.Millisecond) // widen the window between the read and the write
			cur.ReviewNumber++
			return tx.UpdateIncident(cur)
		})
	})
	if got := readIncident(t, s, inc.ID).ReviewNumber; got != n {
		t.Errorf("after %d concurrent increments ReviewNumber is %d", n, got)
	}
}

// Concurrent declarations (NextIncidentNumber, then CreateIncident) all succeed with
// numbers 1 to n, each once.
func concurrentDeclarationsGetGaplessNumbers(t *testing.T, s incident.Store) {
	const n = 10
	parallel(t, n, func(int) error {
		return s.Update(ctx, func(tx incident.Tx) error {
			num, err := tx.NextIncidentNumber()
			if err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
			return tx.CreateIncident(minimalIncident(num))
		})
	})
	var numbers []int
	view(t, s, func(tx incident.Tx) error {
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
	slices.Sort(numbers)
	if !slices.Equal(numbers, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
		t.Errorf("concurrent declarations got numbers %v, want 1 to %d", numbers, n)
	}
}

// Concurrent appends to one timeline (LastEvent, then InsertEvent chained to it) all
// succeed and leave one linear chain that verifies.
func concurrentAppendsKeepTheChainLinear(t *testing.T, s incident.Store) {
	inc := createIncident(t, s, minimalIncident(1))
	const n = 12
	parallel(t, n, func(i int) error {
		return s.Update(ctx, func(tx incident.Tx) error {
			last, err := tx.LastEvent(inc.ID)
			if err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
			e := &incident.TimelineEvent{IncidentID: inc.ID, Actor: "U0ALICE", Kind: incident.EventNote, Data: incident.EventData{Count: i}}
			e.Chain(last, at(time.Duration(i)*time.Second))
			return tx.InsertEvent(e)
		})
	})
	evs := readEvents(t, s, inc.ID)
	if len(evs) != n {
		t.Errorf("%d events after %d concurrent appends", len(evs), n)
	}
	if b := incident.VerifyChain(evs); b != nil {
		t.Errorf("the chain breaks at event %d: %s", b.Event.Seq, b.Reason)
	}
}
