package slackapi

import (
	"context"
	"testing"
	"time"

	"github.com/nephoran/incidentbot/internal/incident"
	"github.com/slack-go/slack"
)

// budgetAt is a budget on a clock the test moves.
func budgetAt(now *time.Time) *Budget { return &Budget{Now: func() time.Time { return *now }} }

var (
	normalCall   = incident.WithPriority(context.Background(), incident.PriorityNormal)
	criticalCall = incident.WithPriority(context.Background(), incident.PriorityCritical)
)

// wantThrottled fails unless err is a ThrottledError of about wait.
func wantThrottled(t *testing.T, what string, err error, wait time.Duration) {
	t.Helper()
	th, ok := err.(*incident.ThrottledError)
	if !ok {
		t.Fatalf("%s: %v, want a ThrottledError", what, err)
	}
	if d := th.Wait - wait; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("%s: wait %s, want %s", what, th.Wait, wait)
	}
}

// Normal calls leave a quarter of the burst to critical ones; once empty, a call waits for
// the next token (Tier 2: one every 4 s).
func TestBudgetKeepsAShareForCriticalCalls(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := budgetAt(&now)
	for i := range 3 {
		if err := b.take(normalCall, "conversations.create", ""); err != nil {
			t.Fatalf("normal call %d: %v", i+1, err)
		}
	}
	wantThrottled(t, "the 4th normal call (the critical share)", b.take(normalCall, "conversations.create", ""), 4*time.Second)
	if err := b.take(criticalCall, "conversations.create", ""); err != nil {
		t.Fatalf("a critical call in the share: %v", err)
	}
	wantThrottled(t, "a critical call on an empty budget", b.take(criticalCall, "conversations.create", ""), 4*time.Second)
	now = now.Add(4 * time.Second)
	if err := b.take(criticalCall, "conversations.create", ""); err != nil {
		t.Fatalf("a critical call once a token is back: %v", err)
	}
	if err := b.take(normalCall, "chat.update", ""); err != nil {
		t.Errorf("another method's budget is its own: %v", err)
	}
}

// A request handler's call is never held back, but spends: the outbox's calls wait for it.
func TestBudgetNeverHoldsBackARequestHandler(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := budgetAt(&now)
	for i := range 10 {
		if err := b.take(context.Background(), "conversations.info", "C1"); err != nil {
			t.Fatalf("request call %d: %v", i+1, err)
		}
	}
	wantThrottled(t, "an outbox call after the handler spent the burst", b.take(criticalCall, "conversations.info", "C1"), 3*time.Second)
}

// Posts have a budget in each channel (under one a second) besides the workspace's.
func TestBudgetLimitsPostsPerChannel(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := budgetAt(&now)
	for i := range PostPerChannel.Burst {
		if err := b.take(normalCall, "chat.postMessage", "C1"); err != nil {
			t.Fatalf("post %d: %v", i+1, err)
		}
	}
	wantThrottled(t, "a post over the channel's burst", b.take(normalCall, "chat.postMessage", "C1"), time.Second*60/54)
	if err := b.take(normalCall, "chat.postMessage", "C2"); err != nil {
		t.Errorf("a post in another channel: %v", err)
	}
}

// After a 429, the outbox's calls of that method wait out its Retry-After.
func TestBudgetHoldsAMethodBackAfterA429(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := budgetAt(&now)
	c := &Chat{Budget: b}
	c.classify("pins.add", &slack.RateLimitedError{RetryAfter: 30 * time.Second})
	wantThrottled(t, "pins.add after a 429", b.take(criticalCall, "pins.add", ""), 30*time.Second)
	now = now.Add(30 * time.Second)
	if err := b.take(criticalCall, "pins.add", ""); err != nil {
		t.Errorf("pins.add after Retry-After: %v", err)
	}
}
