package incident_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/nephoran/incidentbot/internal/testenv"
)

// holdFirstUpdate holds the first update of one message until released: an update that
// Slack answers late, after a later update of the same card has landed.
type holdFirstUpdate struct {
	incident.Chat
	ts         string
	once       sync.Once
	held, free chan struct{}
}

func (c *holdFirstUpdate) Update(ctx context.Context, channelID, ts string, m incident.Message) error {
	first := false
	if ts == c.ts {
		c.once.Do(func() { first = true })
	}
	if first {
		close(c.held)
		<-c.free
	}
	return c.Chat.Update(ctx, channelID, ts, m)
}

// Card updates run in parallel and can land out of order. Here the update rendered while a
// step awaited approval lands after the updates of its approval and result: the card must
// still end on the step's latest state, not the stale one that landed last.
func TestStepCardEndsOnTheLatestStateWhenUpdatesLandOutOfOrder(t *testing.T) {
	sys, ch := reviewWorld(t, false)
	if r := sys.Do("U0ALICE", ch, "playbook application-service-failure"); r.Error {
		t.Fatal(r.Text)
	}
	sys.Deliver()
	runs, err := sys.Service.RunsOf(sys.Ctx, 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v %v", runs, err)
	}
	restart := runs[0].Steps[2] // restart-llm-processor: the commander approves it
	if restart.Spec.StepID != "restart-llm-processor" || restart.CardTS == "" {
		t.Fatalf("step 3 is %s, card %q", restart.Spec.StepID, restart.CardTS)
	}
	chat := &holdFirstUpdate{Chat: sys.Outbox.Chat, ts: restart.CardTS, held: make(chan struct{}), free: make(chan struct{})}
	sys.Outbox.Chat = chat

	sys.Do("U0BOB", ch, "step 3 run") // awaiting approval: its card update is held
	first := make(chan struct{})
	go func() { defer close(first); sys.Deliver() }()
	<-chat.held
	sys.Do("U0ALICE", ch, "step 3 approve") // approved, run, failed (no cluster here): updates land
	sys.Deliver()
	if card := cardText(t, sys.Slack.Channel(ch).Messages, restart.CardTS); !strings.Contains(card, "failed") {
		t.Fatalf("before the stale update lands, the card shows:\n%s", card)
	}
	close(chat.free) // the awaiting-approval update lands last
	<-first
	sys.Deliver()

	runs, _ = sys.Service.RunsOf(sys.Ctx, 1)
	if st := runs[0].Steps[2].State; st != incident.StepFailed {
		t.Fatalf("step 3 is %s, want failed", st)
	}
	card := cardText(t, sys.Slack.Channel(ch).Messages, restart.CardTS)
	if strings.Contains(card, "awaiting approval") || !strings.Contains(card, "failed") {
		t.Errorf("the card ended on a stale state:\n%s", card)
	}
}

// cardText is the blocks of the message at ts.
func cardText(t *testing.T, msgs []testenv.SlackMessage, ts string) string {
	t.Helper()
	for _, m := range msgs {
		if m.TS == ts {
			return string(m.Blocks)
		}
	}
	t.Fatalf("no message %s", ts)
	return ""
}
