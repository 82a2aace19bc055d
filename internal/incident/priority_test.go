package incident_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
)

// A new incident's channel is created at once even when the outbox's workers are busy with
// earlier incidents' card updates, topic refreshes and notices, all due before it: it is
// claimed first, and a worker is kept for it. (Claimed in due order, it waited for all
// thirty of them: two workers, Slack answering each in 100 ms.)
func TestANewIncidentsChannelDoesNotQueueBehindCosmeticEffects(t *testing.T) {
	w := newWorld(t)
	const earlier = 10
	for i := range earlier {
		w.declare(fmt.Sprintf("earlier %d", i), incident.P3, "")
	}
	w.deliver()
	for i := int64(1); i <= earlier; i++ {
		if _, err := w.svc.SetSeverity(w.ctx, "U0ALICE", w.incident(i).ChannelID, incident.P2); err != nil {
			t.Fatal(err)
		}
	}
	w.declare("the new one", incident.P1, "") // due last, created last
	w.slack.SetLatency(100 * time.Millisecond)
	before := len(w.slack.Calls(""))

	// An outbox of two workers (one kept for critical effects) delivers the backlog.
	o := &incident.Outbox{Store: w.sys.Store, Chat: w.outbox.Chat, Clock: w.clock, Settings: w.outbox.Settings, Workers: 2}
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for len(w.slack.Calls("conversations.create")) == earlier {
		if time.Now().After(deadline) {
			t.Fatal("the new incident's channel was never created")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var cosmetic int // calls for the earlier incidents before the channel was created
	for _, c := range w.slack.Calls("")[before:] {
		if c.Method == "conversations.create" {
			break
		}
		cosmetic++
	}
	if cosmetic > 1 {
		t.Errorf("%d calls for earlier incidents went before the new channel, want at most 1 (the one already under way)", cosmetic)
	}
}
