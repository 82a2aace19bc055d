package incident_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// rerunStore runs each write transaction's function twice: first in a transaction it rolls
// back, then for real, as the PostgreSQL store does when the server aborts a transaction
// for a deadlock or a serialization failure. Whatever a function changes outside its
// transaction (a counter, the effect it records) is then changed twice.
type rerunStore struct{ incident.Store }

var errRerun = errors.New("rolled back to run it again")

func (s rerunStore) Update(ctx context.Context, fn func(incident.Tx) error) error {
	if err := s.Store.Update(ctx, func(tx incident.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRerun
	}); !errors.Is(err, errRerun) {
		return err // fn failed: a retry would fail alike
	}
	return s.Store.Update(ctx, fn)
}

// An incident driven through commands, deliveries and a playbook run ends the same when
// every write transaction's function runs twice (a retried transaction): the same
// answers, the same timeline, and every effect recorded once.
func TestATransactionRunAgainChangesNothingTwice(t *testing.T) {
	script := func(rerun bool) string {
		var opts []testenv.Option
		if rerun {
			opts = append(opts, testenv.WithStore(func(s incident.Store) incident.Store { return rerunStore{s} }))
		}
		sys := testenv.NewSystem(t, opts...)
		if rerun {
			sys.Outbox.Store = rerunStore{sys.Outbox.Store}
		}
		var out strings.Builder
		general := sys.Slack.AddChannel("general", "U0ALICE", "U0BOB")
		do := func(user, ch, text string) {
			r := sys.Do(user, ch, text)
			if r.Error {
				t.Fatalf("%s: %s", text, r.Text)
			}
			fmt.Fprintf(&out, "> %s\n%s\n", text, r.Text)
			sys.Deliver()
		}
		do("U0ALICE", general, "declare P1 api-gateway 5xx after deploy")
		ch := sys.Incident(1).ChannelID
		for _, c := range [][2]string{{"U0ALICE", "role technical-lead <@U0BOB>"}, {"U0ALICE", "note rolled back the canary"},
			{"U0ALICE", "severity P0"}, {"U0ALICE", "playbook application-service-failure"}, {"U0ALICE", "step 1.1 run"},
			{"U0BOB", "step 1.3 run"}, {"U0ALICE", "step 1.3 approve"}, {"U0BOB", "step 1.2 skip"},
			{"U0ALICE", "update customers see errors"}, {"U0ALICE", "mitigate"}, {"U0ALICE", "followup alert on the 5xx rate"},
			{"U0ALICE", "resolve fixed"}} {
			do(c[0], ch, c[1])
		}
		// Every delivery due here succeeds at its first attempt, and records it once. Which card
		// updates there are depends on the order parallel deliveries end in, so effects are
		// not compared between the runs; the timeline is, as a set for the same reason.
		for _, e := range sys.Effects(1) {
			done, due := e.State == incident.EffectDone && e.Attempts == 1, e.State == incident.EffectPending && e.Attempts == 0
			// A card refresh queued behind another of its card is superseded by it: done, unsent.
			superseded := e.State == incident.EffectDone && e.Attempts == 0 && strings.HasPrefix(e.LastError, incident.SupersededPrefix)
			if !done && !due && !superseded {
				t.Errorf("rerun %v: effect %s is %s after %d attempts (%s), want done at the first, superseded or not yet due", rerun, e.Key, e.State, e.Attempts, e.LastError)
			}
		}
		var lines []string
		for _, e := range sys.Events(1) {
			lines = append(lines, fmt.Sprintf("event %s %s %s", e.Actor, e.Kind, e.DataJSON))
		}
		slices.Sort(lines)
		out.WriteString(strings.Join(lines, "\n"))
		return out.String()
	}
	// Slack's message timestamps come from each emulator's own clock, and a plan's card
	// update is keyed by the time it was made: not compared, nor the hashes of the chain
	// over them that anchors record.
	ts, plan, hash := regexp.MustCompile(`\d{10}\.\d{6}`), regexp.MustCompile(`(plan-\d+)-\d+`), regexp.MustCompile(`[0-9a-f]{64}`)
	normal := func(s string) string {
		return hash.ReplaceAllString(plan.ReplaceAllString(ts.ReplaceAllString(s, "TS"), "$1"), "HASH")
	}
	once, twice := normal(script(false)), normal(script(true))
	if once != twice {
		a, b := strings.Split(once, "\n"), strings.Split(twice, "\n")
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				t.Logf("once:\n%s\ntwice:\n%s", once, twice)
				t.Fatalf("line %d differs when transactions run again:\nonce:  %s\ntwice: %s", i+1, a[i], b[i])
			}
		}
		t.Logf("once:\n%s\ntwice:\n%s", once, twice)
		t.Fatalf("%d lines once, %d when transactions run again", len(a), len(b))
	}
}
