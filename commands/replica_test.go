package commands_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/bot/views"
	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// replica is a second outbox on the system's store, as another replica of the bot runs one.
func replica(sys *testenv.System) *incident.Outbox {
	o := sys.Outbox
	return &incident.Outbox{Store: sys.DB, Chat: sys.Chat, Pager: o.Pager, Executor: o.Executor, Planner: o.Planner,
		Tracker: o.Tracker, Reviews: o.Reviews, Clock: sys.Clock, Settings: o.Settings, Log: slog.New(slog.DiscardHandler),
		Shared: true, Lease: time.Minute}
}

// approveFailover runs the drill playbook up to its approved http step, whose execution is
// queued and not yet delivered.
func approveFailover(t *testing.T, sys *testenv.System, h *hook, ch string) {
	t.Helper()
	sys.Do(alice, ch, "playbook failover-drill ticket=CHG-8 hook="+h.srv.URL)
	sys.Deliver()
	sys.Do(alice, ch, "step 3 run")
	sys.Do(bob, ch, "role ic me")
	if r := sys.Do(bob, ch, "step 3 approve"); r.Error {
		t.Fatalf("approve: %s", r.Text)
	}
}

func stepState(t *testing.T, sys *testenv.System, seq int) incident.StepState {
	t.Helper()
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return runs[0].Steps[seq-1].State
}

// A replica that dies holding the claim on a step's execution: the others wait out its
// lease, then take the effect over and make the step unknown. The action is never run by
// the replica that takes over, nor by any other.
func TestADeadReplicasActionIsTakenOverAsUnknown(t *testing.T) {
	sys, h, ch := drillSystem(t)
	sys.Outbox.Shared = true
	approveFailover(t, sys, h, ch)
	// The dead replica's claim: taken, never delivered, never renewed.
	var claimed []incident.Effect
	if err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) (err error) {
		claimed, err = tx.ClaimEffects(sys.Clock.Now(), 100, time.Minute)
		return err
	}); err != nil || len(claimed) == 0 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	other := replica(sys)
	if _, err := other.DeliverDue(sys.Ctx); err != nil {
		t.Fatal(err)
	}
	if st := stepState(t, sys, 3); st != incident.StepRunning {
		t.Fatalf("within the dead replica's lease the step is %s, want still running", st)
	}
	sys.Clock.Advance(61 * time.Second)
	if _, err := other.DeliverDue(sys.Ctx); err != nil {
		t.Fatal(err)
	}
	if st := stepState(t, sys, 3); st != incident.StepUnknown {
		t.Fatalf("after the lease lapsed the step is %s, want unknown", st)
	}
	if n := h.failover.Load(); n != 0 {
		t.Errorf("the action ran %d times after its replica died, want 0", n)
	}
	unknown := 0
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStepUnknown {
			unknown++
		}
	}
	if unknown != 1 {
		t.Errorf("%d step_unknown events, want 1", unknown)
	}
}

// Fencing: a replica paused mid-action (a GC pause, a partition) loses its claim to
// another replica; when it wakes it can record nothing: the step stays as the other
// replica left it, and its result does not reach the timeline or the channel.
func TestAReplicaThatLostItsClaimRecordsNothing(t *testing.T) {
	sys, h, ch := drillSystem(t)
	sys.Outbox.Shared, sys.Outbox.Lease = true, time.Minute
	h.entered, h.release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	wake := func() { once.Do(func() { close(h.release) }) }
	t.Cleanup(wake) // a failing test must not leave the hook's handler waiting
	approveFailover(t, sys, h, ch)
	paused := make(chan error, 1)
	go func() { _, err := sys.Outbox.DeliverDue(sys.Ctx); paused <- err }()
	<-h.entered // the first replica is inside the action, its claim held
	sys.Clock.Advance(2 * time.Minute)
	other := replica(sys)
	if _, err := other.DeliverDue(sys.Ctx); err != nil {
		t.Fatal(err)
	}
	if st := stepState(t, sys, 3); st != incident.StepUnknown {
		t.Fatalf("the other replica left the step %s, want unknown", st)
	}
	wake() // the first replica wakes with the action's answer
	if err := <-paused; err != nil {
		t.Fatal(err)
	}
	if st := stepState(t, sys, 3); st != incident.StepUnknown {
		t.Errorf("after the paused replica woke the step is %s, want still unknown", st)
	}
	if n := h.failover.Load(); n != 1 {
		t.Errorf("the action ran %d times, want once", n)
	}
	for _, e := range sys.Events(1) {
		if e.Kind == incident.EventStepResult && strings.Contains(views.EventText(e), "Move DNS") {
			t.Errorf("the stale replica recorded a result: %s", views.EventText(e))
		}
	}
}

// logRecorder is a slog handler that keeps every record's message and attributes.
type logRecorder struct {
	mu   sync.Mutex
	recs []map[string]string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]string{"msg": rec.Message, "level": rec.Level.String()}
	rec.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	r.mu.Lock()
	r.recs = append(r.recs, m)
	r.mu.Unlock()
	return nil
}

// A takeover is logged once, at info, with the effect and its new claim token, and every
// claim at debug: tools/chaos measures from these how long after a replica's death its
// effects are taken over. An effect taken over and then set aside (its channel is not
// there yet) is claimed again later from pending: that claim is no takeover.
func TestATakeoverIsLoggedOnceWithItsToken(t *testing.T) {
	sys := testenv.NewSystem(t)
	sys.Outbox.Shared = true
	general := sys.Slack.AddChannel("general", alice, bob)
	sys.Do(alice, general, "declare P1 intent-processing checkout down")
	var dead []incident.Effect // claimed by a replica that dies at once
	if err := sys.DB.Update(sys.Ctx, func(tx incident.Tx) (err error) {
		dead, err = tx.ClaimEffects(sys.Clock.Now(), 100, time.Minute)
		return err
	}); err != nil || len(dead) == 0 {
		t.Fatalf("claim: %v %v", dead, err)
	}
	sys.Clock.Advance(61 * time.Second)
	rec := &logRecorder{}
	other := replica(sys)
	other.Log = slog.New(rec)
	if _, err := other.DeliverDue(sys.Ctx); err != nil {
		t.Fatal(err)
	}
	taken := map[string][]string{}
	claims := 0
	for _, r := range rec.recs {
		switch r["msg"] {
		case "outbox: took over an effect whose claim lapsed":
			if r["level"] != "INFO" {
				t.Errorf("a takeover logged at %s", r["level"])
			}
			taken[r["effect"]] = append(taken[r["effect"]], r["claim"])
		case "outbox: claimed":
			claims++
		}
	}
	for _, e := range dead {
		if got := taken[e.Key]; len(got) != 1 || got[0] != fmt.Sprint(e.Claim+1) {
			t.Errorf("%s: takeovers logged with claims %v, want once with claim %d", e.Key, got, e.Claim+1)
		}
	}
	if len(taken) != len(dead) {
		t.Errorf("%d effects logged as taken over, %d were held by the dead replica", len(taken), len(dead))
	}
	if claims == 0 {
		t.Error("no claim logged at debug level")
	}
}
