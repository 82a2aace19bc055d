package incident_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// ambiguousStore commits a transaction that records a delivery as done and then reports
// that its connection broke during COMMIT, once: what PostgreSQL may do while it fails over.
type ambiguousStore struct {
	incident.Store
	armed atomic.Bool
	hit   atomic.Int32
}

func (s *ambiguousStore) Update(ctx context.Context, fn func(incident.Tx) error) error {
	var recordsDone bool
	err := s.Store.Update(ctx, func(tx incident.Tx) error { return fn(doneSpy{tx, &recordsDone}) })
	if err == nil && recordsDone && s.armed.CompareAndSwap(true, false) {
		s.hit.Add(1)
		return incident.UnavailableMidCommit(errors.New("commit: unexpected EOF"))
	}
	return err
}

type doneSpy struct {
	incident.Tx
	done *bool
}

func (t doneSpy) SaveEffect(e *incident.Effect) error {
	if e.State == incident.EffectDone {
		*t.done = true
	}
	return t.Tx.SaveEffect(e)
}

// A delivery whose record went through although the store said the connection broke during
// COMMIT stays done: it is not put back and delivered again (no second attempt, no event
// twice on the timeline).
func TestARecordThatCommittedDespiteTheErrorStaysDone(t *testing.T) {
	declare := func(armed bool) (*testenv.System, *ambiguousStore) {
		sys := testenv.NewSystem(t)
		store := &ambiguousStore{Store: sys.Outbox.Store}
		sys.Outbox.Store = store // the outbox's records go through it
		store.armed.Store(armed)
		general := sys.Slack.AddChannel("general", "U0ALICE")
		if r := sys.Do("U0ALICE", general, "declare P2 api-gateway slow"); r.Error {
			t.Fatal(r.Text)
		}
		for range 3 {
			sys.Deliver()
			sys.Clock.Advance(time.Minute)
		}
		return sys, store
	}
	control, _ := declare(false)
	sys, store := declare(true)
	if store.hit.Load() != 1 {
		t.Fatal("no delivery was recorded while armed")
	}
	var effs []incident.Effect
	if err := sys.DB.View(sys.Ctx, func(tx incident.Tx) (err error) { effs, err = tx.Effects(1); return err }); err != nil {
		t.Fatal(err)
	}
	for _, e := range effs {
		if e.Kind != incident.EffectTimer && (e.State != incident.EffectDone || e.Attempts != 1) {
			t.Errorf("effect %s is %s after %d attempts (%q), want done after 1", e.Key, e.State, e.Attempts, e.LastError)
		}
	}
	if got, want := len(sys.Events(1)), len(control.Events(1)); got != want {
		t.Errorf("%d events on the timeline, want %d as without the broken COMMIT", got, want)
	}
	if got, want := len(sys.Slack.Channels()), len(control.Slack.Channels()); got != want {
		t.Errorf("%d channels, want %d", got, want)
	}
}
